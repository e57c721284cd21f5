"""``cja-async sdr``: a Solution Design Reference of one data view.

Five parts, one sheet (xlsx) or section (csv, json, md) each: the data view, its dimensions,
its metrics, and the calculated metrics and segments built on it. Every part has the columns
an SDR holds: id, name, description, type, settings, tags, owner, modified. ``settings`` is
every other member of the component's API JSON (an object in json, compact JSON elsewhere),
so nothing the API says about a component is lost.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import AsyncPager, Client
from ._export import (
    CALCULATED_METRIC_EXPANSION,
    DATAVIEW_EXPANSION,
    SEGMENT_EXPANSION,
    cell,
    json_of,
)
from ._files import atomic_path, atomic_text
from ._progress import Progress

__all__ = ["COLUMNS", "FORMATS", "PARTS", "collect", "write"]

FORMATS = ("xlsx", "csv", "json", "md")
COLUMNS = ("id", "name", "description", "type", "settings", "tags", "owner", "modified")
# Part name (json key, csv "part" column) -> sheet and section title.
PARTS: Mapping[str, str] = {
    "dataview": "Data view",
    "dimensions": "Dimensions",
    "metrics": "Metrics",
    "calculated_metrics": "Calculated metrics",
    "segments": "Segments",
}

# Every member the component lists can add (Adobe's spec), settings included.
_COMPONENT = [
    "description", "sourceFieldId", "sourceFieldName", "sourceFieldType", "segmentable",
    "required", "hideFromReporting", "hidden", "includeExcludeSetting", "fieldDefinition",
    "bucketingSetting", "noValueOptionsSetting", "defaultDimensionSort", "persistenceSetting",
    "countType", "formatSetting", "attributionSetting", "storageId", "tableName", "dataSetIds",
    "dataSetType", "type", "schemaPath", "schemaType", "hasData", "fromGlobalLookup",
    "multiValued", "precision", "approved", "favorite", "tags",
]  # fmt: skip

Sdr = dict[str, list[dict[str, Any]]]


async def collect(cja: Client, data_view_id: str, progress: Progress) -> Sdr:
    """The five parts as rows. The data view first: an unknown id fails after one request."""
    track = progress.track("data view")
    view = json_of(await cja.dataviews.get(data_view_id, expansion=DATAVIEW_EXPANSION))
    track.update(1, 1)
    track.finish()
    walks: dict[str, AsyncPager[Any]] = {
        "dimensions": cja.dataviews.list_dimensions(data_view_id, expansion=_COMPONENT),
        "metrics": cja.dataviews.list_metrics(data_view_id, expansion=_COMPONENT),
        "calculated_metrics": cja.calculated_metrics.list(
            data_ids=[data_view_id], expansion=CALCULATED_METRIC_EXPANSION
        ),
        "segments": cja.segments.list(data_ids=[data_view_id], expansion=SEGMENT_EXPANSION),
    }
    parts: Sdr = {"dataview": [sdr_row("dataview", view)]}

    async def walk(part: str) -> None:
        track = progress.track(PARTS[part].lower())
        pager = walks[part]
        rows = parts.setdefault(part, [])
        async for item in pager:
            rows.append(sdr_row(part, json_of(item)))
            track.update(len(rows), pager.last_page.total_elements if pager.last_page else None)
        track.finish()

    async with asyncio.TaskGroup() as tasks:
        for part in walks:
            tasks.create_task(walk(part))
    return {part: parts[part] for part in PARTS}


def _name_of(person: Any) -> Any:
    if isinstance(person, Mapping):
        return person.get("name") or person.get("login") or person.get("id")
    return person


def _kind(part: str, record: dict[str, Any]) -> Any:
    if part == "dataview":
        return "dataview"
    if part == "segments":
        # A segment's kind is its container: hits, visits or visitors.
        container = (record.get("definition") or {}).get("container") or {}
        return container.get("context") if isinstance(container, Mapping) else None
    return record.pop("type", None)


def sdr_row(part: str, record: dict[str, Any]) -> dict[str, Any]:
    """One SDR row from a component's API JSON; the members not shown go to ``settings``."""
    rest = dict(record)
    kind = _kind(part, rest)
    tags = rest.pop("tags", None)
    owner = rest.pop("owner", None)
    owner_name = rest.pop("ownerFullName", None) or _name_of(owner)
    modified = rest.pop("modified", None) or rest.pop("modifiedDate", None)
    return {
        "id": rest.pop("id", None),
        "name": rest.pop("name", None),
        "description": rest.pop("description", None),
        "type": kind,
        "settings": dict(sorted(rest.items())),
        "tags": ", ".join(str(_name_of(tag)) for tag in tags or []),
        "owner": owner_name,
        "modified": modified,
    }


def write(sdr: Sdr, path: Path, fmt: str) -> None:
    """Write ``sdr`` to ``path`` as ``fmt``, atomically."""
    if fmt == "xlsx":
        _write_xlsx(sdr, path)
    elif fmt == "json":
        with atomic_text(path) as stream:
            json.dump(sdr, stream, ensure_ascii=False, indent=1)
            stream.write("\n")
    elif fmt == "csv":
        with atomic_text(path) as stream:
            writer = csv.writer(stream)
            writer.writerow(("part", *COLUMNS))
            for part, rows in sdr.items():
                for row in rows:
                    writer.writerow((part, *(cell(row[c]) for c in COLUMNS)))
    else:
        with atomic_text(path) as stream:
            stream.write(_markdown(sdr))


def _write_xlsx(sdr: Sdr, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.worksheets[0])
    for part, title in PARTS.items():
        sheet = book.create_sheet(title)
        sheet.append(list(COLUMNS))
        for column in sheet[1]:
            column.font = Font(bold=True)
        for row in sdr[part]:
            # openpyxl refuses control characters; a cell also holds at most 32,767.
            sheet.append([_xlsx_text(cell(row[c])) for c in COLUMNS])
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGH", (28, 30, 40, 12, 60, 20, 20, 22), strict=True):
            sheet.column_dimensions[letter].width = width
    with atomic_path(path) as temp:
        book.save(temp)


def _xlsx_text(text: str) -> str:
    cleaned = "".join(ch if ch >= " " or ch in "\t\n\r" else " " for ch in text)
    return cleaned[:32767]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _markdown(sdr: Sdr) -> str:
    view = sdr["dataview"][0]
    lines = [f"# Solution Design Reference: {_md_cell(cell(view['name']))} ({view['id']})", ""]
    for part, title in PARTS.items():
        rows = sdr[part]
        lines += [f"## {title} ({len(rows)})", ""]
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "---|" * len(COLUMNS))
        for row in rows:
            lines.append("| " + " | ".join(_md_cell(cell(row[c])) for c in COLUMNS) + " |")
        lines.append("")
    return "\n".join(lines)
