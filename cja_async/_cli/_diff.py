"""``cja-async diff``: what changed between two exports or two SDR JSON files.

Components are matched by ``id`` within each group (an export's file, an SDR's part); a
changed component names the members that differ, as dotted paths into nested objects
(``definition.container.pred.str``), so a reviewer sees what moved without reading JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from ._errors import CommandError
from ._sdr import PARTS

__all__ = ["GroupDiff", "compare", "load", "render"]

Records = dict[str, dict[str, Any]]  # id -> the component's JSON


@attrs.frozen
class GroupDiff:
    """The differences within one group: ids added and removed, and changed members by id."""

    group: str
    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]
    names: dict[str, str]

    @property
    def empty(self) -> bool:
        """Whether the group is the same on both sides."""
        return not (self.added or self.removed or self.changed)


def _key(record: Mapping[str, Any]) -> str:
    key = record.get("id")
    if isinstance(key, str | int) and not isinstance(key, bool):
        return str(key)
    # Records without an id (rare) are matched by their whole content.
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def _records(items: Any, where: str) -> Records:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CommandError(f"{where} is not a list of JSON objects")
    return {_key(item): item for item in items}


def _read_file(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return list(csv.DictReader(text.splitlines()))
    if path.suffix == ".jsonl":
        return [
            _json(line, path, number)
            for number, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
    data = _json(text, path)
    if not isinstance(data, list):
        raise CommandError(f"{str(path)!r} is not an export file (a JSON array)")
    return data


def _json(text: str, path: Path, line: int | None = None) -> Any:
    """Parsed JSON; a file edited by hand or cut short is named, with the line (jsonl)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = repr(str(path)) if line is None else f"{str(path)!r} line {line}"
        at = f"line {exc.lineno} column {exc.colno}" if line is None else f"column {exc.colno}"
        raise CommandError(f"{where} is not JSON ({exc.msg} at {at})") from None


def _export_files(path: Path) -> list[Path]:
    return sorted(
        p
        for p in path.iterdir()
        if p.suffix in {".jsonl", ".json", ".csv"} and not p.name.startswith(".")
    )


def check_same_formats(old: Path, new: Path) -> None:
    """Refuse to compare a folder with a file, or a group exported as CSV (text cells) with
    one in JSON (typed)."""
    if old.is_dir() != new.is_dir():
        folder, file = (old, new) if old.is_dir() else (new, old)
        raise CommandError(
            f"cannot compare the export folder {str(folder)!r} with the file {str(file)!r}: "
            "give two export folders or two SDR JSON files"
        )
    if not old.is_dir():
        return
    before = {p.stem: p.suffix for p in _export_files(old)}
    for p in _export_files(new):
        if (
            p.stem in before
            and {before[p.stem], p.suffix} & {".csv"}
            and before[p.stem] != p.suffix
        ):
            raise CommandError(
                f"{p.stem} is {before[p.stem]} in {str(old)!r} but {p.suffix} in {str(new)!r}: "
                "compare exports made with the same --format"
            )


def load(path: Path) -> dict[str, Records]:
    """Group -> id -> component, from an export folder or an SDR JSON file."""
    try:
        if path.is_dir():
            files = _export_files(path)
            if not files:
                raise CommandError(f"{str(path)!r} holds no export files (.jsonl, .json, .csv)")
            return {p.stem: _records(_read_file(p), repr(str(p))) for p in files}
        text = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {str(path)!r}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError:  # not UTF-8 or not JSON: an xlsx, csv or md SDR, or another file
        data = None
    if not isinstance(data, dict) or not set(PARTS) <= set(data):
        raise CommandError(
            f"{str(path)!r} is neither an export folder nor an SDR JSON file "
            "(cja-async sdr ... --format json)"
        )
    return {part: _records(data[part], f"{path}: {part}") for part in PARTS}


def changed_members(old: Any, new: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the members that differ, descending into objects on both sides."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key, _ABSENT) != new.get(key, _ABSENT):
                yield from changed_members(
                    old.get(key, _ABSENT), new.get(key, _ABSENT), f"{prefix}{key}."
                )
    elif old != new:
        yield prefix.rstrip(".") or "(value)"


_ABSENT = object()


def compare(old: dict[str, Records], new: dict[str, Records]) -> list[GroupDiff]:
    """The differences of every group found on either side, in a stable order."""
    order = list(PARTS) + sorted(set(old) | set(new))
    groups = [g for i, g in enumerate(order) if g not in order[:i] and (g in old or g in new)]
    result = []
    for group in groups:
        before, after = old.get(group, {}), new.get(group, {})
        changed = {
            key: list(changed_members(before[key], after[key]))
            for key in before.keys() & after.keys()
            if before[key] != after[key]
        }
        added = sorted(after.keys() - before.keys())
        removed = sorted(before.keys() - after.keys())
        # The names of the components listed (the newer one where both sides have it).
        names = {
            key: str(after.get(key, before.get(key, {})).get("name") or "")
            for key in (*added, *removed, *changed)
        }
        result.append(
            GroupDiff(
                group=group,
                added=added,
                removed=removed,
                changed=dict(sorted(changed.items())),
                names=names,
            )
        )
    return result


def render(diffs: list[GroupDiff]) -> Iterator[str]:
    """Human-readable lines: a header per group that differs, one line per component."""
    for diff in diffs:
        if diff.empty:
            continue
        yield (
            f"{diff.group}: {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{len(diff.changed)} changed"
        )
        for key in diff.added:
            yield f"  + {key}  {diff.names.get(key, '')}".rstrip()
        for key in diff.removed:
            yield f"  - {key}  {diff.names.get(key, '')}".rstrip()
        for key, members in diff.changed.items():
            yield f"  ~ {key}  {diff.names.get(key, '')}: {', '.join(members)}"
