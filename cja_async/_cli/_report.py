"""``cja-async report``: a freeform table of a data view into CSV, JSON lines or Parquet.

The table is the library's ``cja.reports.freeform_table``: one ``--dimension`` is a ranked
report, repeated ones are breakdowns (outermost first), fetched in the fewest requests the
library knows; this module only checks the options, shows progress and writes the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from .. import Client, NotFoundError
from ..models import FreeformProgress, FreeformRow
from ..resources._freeform import PERIOD_COLUMN as PERIOD
from ..resources._freeform import Split
from ._errors import CommandError
from ._files import atomic_path, atomic_text
from ._progress import Progress

__all__ = ["FORMATS", "SPLITS", "Table", "check_format", "fetch", "parse_top", "records", "write"]

FORMATS = ("csv", "jsonl", "parquet")
SPLITS = ("month", "quarter", "year")


def parse_top(text: str | None, levels: int) -> int | list[int | None] | None:
    """``--top``: ``"50"`` keeps 50 items at every level, ``"10,5"`` one number per level
    (``"all"`` or an empty place keeps every item at that level)."""
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
    if len(top) == 1:
        return top[0]
    if len(top) != levels:
        raise CommandError(
            f"--top has {len(top)} levels for {levels} --dimension: give one number for "
            "every level, or one per --dimension (10,5)"
        )
    return top


def check_format(fmt: str) -> None:
    """Refuse a format whose library is missing before any request is sent."""
    if fmt == "parquet":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise CommandError(
                "--format parquet needs polars: pip install 'cja-async[polars]' "
                "(or, in a checkout, pip install '.[polars]')"
            ) from None


@attrs.frozen
class Table:
    """What ``fetch`` got: the dimension columns (``"period"`` first with ``--split``), the
    metric columns and the rows in table order."""

    columns: list[str]
    metric_names: list[str]
    rows: list[FreeformRow]


async def fetch(
    cja: Client,
    data_view_id: str,
    progress: Progress,
    *,
    dimensions: Sequence[str],
    metrics: Sequence[str],
    date_range: tuple[str, str],
    top: int | list[int | None] | None,
    segments: Sequence[str],
    split: Split | None,
) -> Table:
    """Every row of the table, with progress (requests done of those planned so far)."""
    track = progress.track("requests")

    def on_progress(state: FreeformProgress) -> None:
        track.update(state.requests_done, state.requests_planned)

    try:  # the library checks every option here, before anything is sent
        table = cja.reports.freeform_table(
            data_view_id,
            dimensions=list(dimensions),
            metrics=list(metrics),
            date_range=date_range,
            top=top,
            segments=list(segments),
            split=split,
            progress=on_progress,
        )
    except (TypeError, ValueError) as exc:
        message = str(exc)
        if split is None and "split=" in message:  # the library names its Python argument
            message += "; on the command line: --split month (or quarter, year)"
        raise CommandError(message) from exc
    try:
        rows = await table.collect()
    except NotFoundError as exc:
        raise CommandError(f"unknown data view {data_view_id!r}: {exc}") from None
    track.finish(f" ({len(rows)} rows)")
    return Table(list(table.columns), list(table.metric_names), rows)


def records(table: Table) -> tuple[list[str], list[dict[str, Any]]]:
    """The file's columns and flat records: per dimension its value and ``DIMENSION.itemId``
    (the period has its value only), then the metrics."""
    columns = [
        c for d in table.columns for c in ((d,) if d == PERIOD else (d, f"{d}.itemId"))
    ] + table.metric_names
    out = []
    for row in table.rows:
        record: dict[str, Any] = {}
        for dimension, value, item_id in zip(table.columns, row.values, row.item_ids, strict=True):
            record[dimension] = value
            if dimension != PERIOD:
                record[f"{dimension}.itemId"] = item_id
        record.update({metric: row.data.get(metric) for metric in table.metric_names})
        out.append(record)
    return columns, out


def write(rows: list[dict[str, Any]], columns: list[str], path: Path, fmt: str) -> None:
    """Write the records as ``fmt`` (csv, jsonl, parquet), atomically."""
    if fmt == "parquet":
        check_format(fmt)
        import polars

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
