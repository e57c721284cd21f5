"""``cja-async report``: a freeform table of a data view into CSV, JSON lines or Parquet.

The rows come from ``cja.reports.freeform_table``: the library plans the fewest requests
(one multi-dimension request per level where Adobe accepts it, else breakdowns per item)
and the command only writes what it yields.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import click

from .. import Client
from ..models import FreeformProgress, FreeformRow
from ..resources._freeform import Split
from ._errors import CommandError
from ._files import atomic_path, atomic_text
from ._progress import Progress

__all__ = [
    "FORMATS",
    "SPLITS",
    "check_distinct",
    "check_format",
    "columns",
    "fetch",
    "parse_top",
    "records",
    "write",
]

FORMATS = ("csv", "jsonl", "parquet")
# The choices for --split, typed as the library's own (click hands back the plain str).
SPLITS: dict[str, Split] = {name: name for name in get_args(Split)}


def parse_top(text: str | None, levels: int) -> list[int | None] | None:
    """``"10,5"`` -> ``[10, 5]``; ``"all"`` (or an empty place) keeps every item at that level;
    one number (``"10"``) is kept at each of the ``levels``. A bad value is a usage error
    (exit 2)."""
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
            raise click.BadParameter(
                f"takes positive numbers such as 10,5 (or 'all'); got {text!r}",
                param_hint="'--top'",
            )
    if len(top) == 1:
        return top * levels
    if len(top) != levels:
        raise click.BadParameter(
            f"{len(top)} levels for {levels} --dimension: give one number for every "
            "level, or one per --dimension (10,5)",
            param_hint="'--top'",
        )
    return top


def check_distinct(values: Sequence[str], option: str) -> None:
    """Refuse an id given twice: its columns would collide in the file."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise click.UsageError(f"{option} {value} is given twice; give each one once")
        seen.add(value)


def levels(dimensions: Sequence[str], split: str | None) -> list[str]:
    """The table's item columns, outermost first (the period comes first with ``--split``)."""
    return (["period"] if split else []) + list(dimensions)


def columns(dimensions: Sequence[str], metrics: Sequence[str], split: str | None) -> list[str]:
    """Every column of the written table: per level its value and item id, then the metrics."""
    return [c for d in levels(dimensions, split) for c in (d, f"{d}.itemId")] + list(metrics)


def records(
    rows: Sequence[FreeformRow],
    dimensions: Sequence[str],
    metrics: Sequence[str],
    split: str | None = None,
) -> list[dict[str, Any]]:
    """Flat records: per level its value and ``LEVEL.itemId``, then the metrics."""
    names = levels(dimensions, split)
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for dimension, value, item_id in zip(names, row.values, row.item_ids, strict=True):
            record[dimension] = value
            record[f"{dimension}.itemId"] = item_id
        record.update({metric: row.data.get(metric) for metric in metrics})
        out.append(record)
    return out


async def fetch(
    cja: Client,
    data_view_id: str,
    progress: Progress,
    *,
    dimensions: Sequence[str],
    metrics: Sequence[str],
    date_range: tuple[str, str],
    top: Sequence[int | None] | None,
    segments: Sequence[str],
    split: str | None = None,
) -> list[FreeformRow]:
    """Every row of the table, with the requests done of those planned as progress."""
    track = progress.track("requests")

    def step(state: FreeformProgress) -> None:
        track.update(state.requests_done, state.requests_planned)

    try:
        table = cja.reports.freeform_table(
            data_view_id,
            dimensions=dimensions,
            metrics=metrics,
            date_range=date_range,
            top=top,
            segments=segments or None,
            split=SPLITS[split] if split else None,
            progress=step,
        )
    except (TypeError, ValueError) as exc:  # bad dates, over 18 months, too many metrics
        message = str(exc)
        if not split and "split=" in message:  # the library names its Python argument
            message += "; on the command line: --split month (or quarter, year)"
        raise CommandError(message) from exc
    rows = await table.collect()
    track.finish(f" ({len(rows)} rows)")
    return rows


def check_format(fmt: str) -> None:
    """Refuse a format whose library is missing, before any request is sent."""
    if fmt == "parquet":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise CommandError(
                "--format parquet needs polars: pip install 'cja-async[polars]' "
                "(or, in a checkout, pip install '.[polars]')"
            ) from None


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
