"""``cja-async export``: every component of the chosen list groups, one file per group.

Each group is walked with the library's own pager (``async for item in cja.GROUP.list(...)``),
so the lines of a file are exactly the items of that walk, and written with ``to_dict()``:
the API's JSON, one component a line. The groups run concurrently through the org's limiter;
each file appears only once its walk is complete.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, cast, get_args

import attrs

from .. import AsyncPager, Client
from ..models import Model
from ..resources.date_ranges import Expansion as DateRangeExpansion
from ._files import atomic_text, check_writable_dir
from ._progress import Progress, Track

__all__ = ["FORMATS", "GROUPS", "Group", "export", "json_of", "write_records"]

FORMATS = ("jsonl", "json", "csv")

# Every member the list endpoints can add with ``expansion`` (Adobe's spec), so a backup
# holds the whole component, not just its id.
DATAVIEW_EXPANSION = [
    "name", "description", "owner", "isDeleted", "parentDataGroupId", "segmentList",
    "currentTimezoneOffset", "timezoneDesignator", "modified", "createdDate", "organization",
    "curationEnabled", "recentRecordedAccess", "sessionDefinition", "externalData",
    "containerNames",
]  # fmt: skip
_CONNECTION = [
    "name", "primaryIdType", "configuredContainers", "description", "owner", "isDeleted",
    "isDisabled", "dataSets", "createdDate", "modified", "caseSensitive", "organization",
    "components", "numDailyEvents", "externalData", "backfillEnabled", "granularBackfills",
    "granularStreaming", "dataSetLastIngested", "componentType", "sandboxName", "sandboxId",
    "fieldsId", "floatPrecision", "dataRetentionMonths", "resolveIdentityNamespace",
    "stitchedDataSets",
]  # fmt: skip
SEGMENT_EXPANSION = [
    "definition", "compatibility", "internal", "modified", "isDeleted", "definitionLastModified",
    "createdDate", "recentRecordedAccess", "performanceScore", "owner", "dataId",
    "ownerFullName", "dataName", "sharesFullName", "approved", "favorite", "shares", "tags",
]  # fmt: skip
CALCULATED_METRIC_EXPANSION = [
    "definition", "dataName", "approved", "favorite", "shares", "tags", "sharesFullName",
    "siteTitle", "ownerFullName", "modified", "migratedIds", "isDeleted", "authorization",
    "compatibility", "legacyId", "internal", "dataGroup", "categories",
]  # fmt: skip
_DATE_RANGE = list(get_args(DateRangeExpansion))
_PROJECT = ["definition", "shares", "tags", "accessLevel", "modified", "externalReferences"]
_ANNOTATION = [
    "name", "description", "dateRange", "color", "applyToAllReports", "scope", "createdDate",
    "modifiedDate", "modifiedById", "tags", "shares", "approved", "favorite", "owner",
]  # fmt: skip


@attrs.frozen
class Group:
    """One list group of the API: its name (the client's attribute and the file name), the
    ``expansion`` its items are listed with (none for groups without one) and its help."""

    name: str
    help: str
    expansion: Sequence[str] | None = None

    def walk(self, client: Client) -> AsyncPager[Any]:
        """All of the group, each item expanded as the export wants."""
        resource = getattr(client, self.name)
        if self.expansion is None:
            return cast("AsyncPager[Any]", resource.list())
        return cast("AsyncPager[Any]", resource.list(expansion=self.expansion))


GROUPS: Mapping[str, Group] = {
    group.name: group
    for group in (
        Group("dataviews", "data views", DATAVIEW_EXPANSION),
        Group("connections", "connections", _CONNECTION),
        Group("segments", "segments (with definitions)", SEGMENT_EXPANSION),
        Group(
            "calculated_metrics",
            "calculated metrics (with definitions)",
            CALCULATED_METRIC_EXPANSION,
        ),
        Group("date_ranges", "date ranges", _DATE_RANGE),
        Group("projects", "projects", _PROJECT),
        Group("annotations", "annotations", _ANNOTATION),
        Group("tags", "tags"),
        Group("shares", "shares the credential made"),
        Group("users", "users of the org"),
        Group("audit_logs", "audit-log records (Adobe's default: the last 3 months)"),
    )
}


def json_of(item: object) -> Any:
    """The API's JSON for a model (``to_dict()``); other values as they are."""
    return item.to_dict() if isinstance(item, Model) else item


async def export(
    cja: Client, groups: list[str], out: Path, fmt: str, progress: Progress
) -> dict[str, int]:
    """Walk ``groups`` concurrently into ``out/GROUP.FORMAT``; return the items per group."""
    check_writable_dir(out)
    counts: dict[str, int] = {}

    async def one(name: str) -> None:
        track = progress.track(name)
        counts[name] = await _export_group(cja, GROUPS[name], out / f"{name}.{fmt}", fmt, track)

    async with asyncio.TaskGroup() as tasks:
        for name in groups:
            tasks.create_task(one(name))
    return {name: counts[name] for name in groups}


async def _export_group(cja: Client, group: Group, path: Path, fmt: str, track: Track) -> int:
    pager = group.walk(cja)
    records: list[dict[str, Any]] = []
    count = 0
    with atomic_text(path) as stream:
        writer = _LineWriter(stream, fmt)
        async for item in pager:
            count += 1
            record = json_of(item)
            if fmt == "csv":
                records.append(record)  # csv needs every row's members for its header
            else:
                writer.write(record)
            total = pager.last_page.total_elements if pager.last_page else None
            track.update(count, total)
        if fmt == "csv":
            write_records(stream, records)
        else:
            writer.close()
    track.finish(f" {group.help} -> {path}")
    return count


class _LineWriter:
    """JSON lines (one object a line) or one JSON array, written as items arrive."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        self._stream = stream
        self._array = fmt == "json"
        self._first = True
        if self._array:
            stream.write("[")

    def write(self, record: Any) -> None:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        if self._array:
            text = ("\n" if self._first else ",\n") + text
        else:
            text += "\n"
        self._first = False
        self._stream.write(text)

    def close(self) -> None:
        if self._array:
            self._stream.write("\n]\n" if not self._first else "]\n")


def cell(value: Any) -> str:
    """A value as one spreadsheet cell: text as is, anything nested as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write_records(stream: TextIO, records: list[dict[str, Any]]) -> None:
    """CSV with a column per top-level member (in first-seen order); nested values as JSON."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    writer = csv.writer(stream)
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell(record.get(column)) for column in columns])
