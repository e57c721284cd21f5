"""``cja-async report``: a freeform table of a data view into CSV, JSON lines or Parquet.

``table_rows`` is the one place that fetches the table. Until ``cja.reports.freeform_table``
is in the library it handles one dimension with ``cja.reports``; its rows already have the
shape of a ``FreeformRow`` (``values``, ``item_ids``, ``data``), so switching it over changes
nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from .. import Client
from ..models import ReportRequest
from ._errors import CommandError
from ._export import PAGE
from ._files import atomic_path, atomic_text
from ._progress import Progress

__all__ = ["FORMATS", "TableRow", "parse_top", "records", "table_rows", "write"]

FORMATS = ("csv", "jsonl", "parquet")


@attrs.frozen
class TableRow:
    """One row of a freeform table: a value and an item id per dimension (outermost first)
    and the metrics of that combination."""

    values: tuple[str, ...]
    item_ids: tuple[str, ...]
    data: dict[str, int | float]


def parse_top(text: str | None) -> list[int | None] | None:
    """``"10,5"`` -> ``[10, 5]``; ``"all"`` (or an empty place) keeps every item at that level."""
    if text is None:
        return None
    top: list[int | None] = []
    for part in text.split(","):
        part = part.strip()
        if part in {"", "all"}:
            top.append(None)
        elif part.isdigit() and int(part) > 0:
            top.append(int(part))
        else:
            raise CommandError(f"--top takes positive numbers such as 10,5; got {text!r}")
    return top


async def table_rows(
    cja: Client,
    data_view_id: str,
    *,
    dimensions: Sequence[str],
    metrics: Sequence[str],
    date_range: tuple[str, str],
    top: Sequence[int | None] | None,
    segments: Sequence[str],
) -> AsyncIterator[TableRow]:
    """The rows of the table: the top items of the dimension by the first metric."""
    if len(dimensions) != 1:
        raise CommandError(
            "this version reports one --dimension; breakdowns need freeform tables "
            "(cja.reports.freeform_table), which are not in the library yet"
        )
    limit = top[0] if top and top[0] is not None else None
    try:
        request = ReportRequest(
            data_view_id,
            dimension=dimensions[0],
            metrics=list(metrics),
            date_range=date_range,
            segments=list(segments),
            sort=[f"-{metrics[0]}"],
            limit=limit or PAGE,
        )
    except (TypeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if limit is not None:  # the top N: one page
        report = await cja.reports.run(request)
        rows = report.rows or []
    else:
        rows = [row async for row in cja.reports.rows(request)]
    for row in rows:
        yield TableRow(
            values=(row.value or "",),
            item_ids=(row.item_id or "",),
            data=dict(zip(metrics, row.data or [], strict=False)),
        )


def records(
    rows: Sequence[TableRow], dimensions: Sequence[str], metrics: Sequence[str]
) -> list[dict[str, Any]]:
    """Flat records: per dimension its value and ``DIMENSION.itemId``, then the metrics."""
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for dimension, value, item_id in zip(dimensions, row.values, row.item_ids, strict=True):
            record[dimension] = value
            record[f"{dimension}.itemId"] = item_id
        record.update({metric: row.data.get(metric) for metric in metrics})
        out.append(record)
    return out


async def fetch(cja: Client, data_view_id: str, progress: Progress, **table: Any) -> list[TableRow]:
    """Every row of the table, with progress."""
    track = progress.track("rows")
    rows: list[TableRow] = []
    async for row in table_rows(cja, data_view_id, **table):
        rows.append(row)
        track.update(len(rows))
    track.finish()
    return rows


def write(rows: list[dict[str, Any]], columns: list[str], path: Path, fmt: str) -> None:
    """Write the records as ``fmt`` (csv, jsonl, parquet), atomically."""
    if fmt == "parquet":
        try:
            import polars
        except ImportError:
            raise CommandError(
                "--format parquet needs polars: pip install 'cja-async[polars]' "
                "(or, in a checkout, pip install '.[polars]')"
            ) from None
        frame = polars.DataFrame(rows, schema=columns if not rows else None)
        with atomic_path(path) as temp:
            frame.write_parquet(temp)
        return
    import csv
    import json

    with atomic_text(path) as stream:
        if fmt == "jsonl":
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
