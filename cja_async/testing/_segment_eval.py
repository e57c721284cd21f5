"""Segment definitions and report filters evaluated over an :class:`EventTable`.

Segments use simple semantics: predicates test single events; a ``visits`` or ``visitors``
container keeps every event of a visit (visitor) in which some event matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import service_error
from ._events import (
    DIMENSIONS,
    DISTINCT,
    NONE_ITEM_ID,
    SUMMED,
    EventTable,
    dimension_id,
    parse_date_range,
)
from ._http import ApiError
from ._paging import bad_parameter
from ._state import OrgState

if TYPE_CHECKING:
    pass

# -- segments --------------------------------------------------------------------------------

_CONTEXTS = {
    "hits": "hits",
    "event": "hits",
    "visits": "visits",
    "session": "visits",
    "visitors": "visitors",
    "person": "visitors",
}
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
_TEXT: dict[str, Callable[[str, str], bool]] = {
    "streq": lambda v, s: v.lower() == s.lower(),
    "strne": lambda v, s: v.lower() != s.lower(),
    "contains": lambda v, s: s.lower() in v.lower(),
    "not-contains": lambda v, s: s.lower() not in v.lower(),
    "starts-with": lambda v, s: v.lower().startswith(s.lower()),
    "ends-with": lambda v, s: v.lower().endswith(s.lower()),
}


def _attribute(table: EventTable, node: Mapping[str, Any]) -> list[Any]:
    """The value of a segment ``val`` (``{"func": "attr", "name": ...}``) for every event."""
    val = node.get("val", node.get("evt"))
    name = val.get("name") if isinstance(val, dict) else None
    if not isinstance(name, str):
        raise _segment_error(f"a {node.get('func')!r} predicate needs val.name")
    if name in SUMMED:
        return [SUMMED[name](e) for e in table.events]
    if name in DISTINCT:
        return [1 for _ in table.events]  # every event belongs to a visit and a visitor
    full = name if "/" in name else f"variables/{name}"
    if full in DIMENSIONS:
        return [None if i is None else i[1] for i in table.items(full)]
    return [None for _ in table.events]  # a dimension this data has not: never set


def _segment_error(message: str) -> ApiError:
    return ApiError(service_error(400, "invalid_segment_definition", message))


def _leaf(table: EventTable, node: Mapping[str, Any]) -> set[int]:
    func = node["func"]
    values = _attribute(table, node)
    if func in ("exists", "event-exists"):
        return {i for i, v in enumerate(values) if v not in (None, 0, 0.0)}
    if func in _TEXT:
        text = node.get("str")
        if not isinstance(text, str):
            raise _segment_error(f"{func!r} needs 'str'")
        test = _TEXT[func]
        return {i for i, v in enumerate(values) if v is not None and test(str(v), text)}
    if func in ("streq-in", "not-streq-in"):
        wanted = node.get("list")
        if not isinstance(wanted, list):
            raise _segment_error(f"{func!r} needs 'list'")
        lowered = {str(w).lower() for w in wanted}
        inside = {i for i, v in enumerate(values) if v is not None and str(v).lower() in lowered}
        return inside if func == "streq-in" else set(table.all) - inside
    if func in _NUMERIC or func == "range":

        def number(v: Any) -> float | None:
            return float(v) if isinstance(v, int | float) else None

        if func == "range":
            low, high = node.get("low"), node.get("high")
            return {
                i
                for i, v in enumerate(values)
                if (n := number(v)) is not None
                and (low is None or n >= low)
                and (high is None or n <= high)
            }
        limit = node.get("num")
        if not isinstance(limit, int | float):
            raise _segment_error(f"{func!r} needs 'num'")
        compare = _NUMERIC[func]
        return {
            i for i, v in enumerate(values) if (n := number(v)) is not None and compare(n, limit)
        }
    raise _segment_error(f"Unsupported segment function {func!r}")


def _evaluate(table: EventTable, node: Any, context: str) -> set[int]:
    """The events ``node`` keeps when tested at ``context`` level (whole visits for
    ``visits``, whole visitors for ``visitors``)."""
    if not isinstance(node, dict) or not isinstance(node.get("func"), str):
        raise _segment_error("Every segment node must be an object with a 'func'")
    func = node["func"]
    if func == "segment-def":
        return _evaluate(table, node.get("container"), "hits")
    if func in ("segment", "container"):
        inner = _CONTEXTS.get(str(node.get("context", "hits")))
        if inner is None:
            raise _segment_error(f"Unknown container context {node.get('context')!r}")
        found = _evaluate(table, node.get("pred"), inner)
        return table.expand(found, context) if context != "hits" else found
    if func in ("and", "or"):
        preds = node.get("preds")
        if not isinstance(preds, list) or not preds:
            raise _segment_error(f"{func!r} needs a non-empty 'preds' list")
        parts = [_evaluate(table, p, context) for p in preds]
        return set.intersection(*parts) if func == "and" else set.union(*parts)
    if func in ("not", "without"):
        return set(table.all) - _evaluate(table, node.get("pred"), context)
    return table.expand(_leaf(table, node), context)


def segment_events(org: OrgState, table: EventTable, spec: Mapping[str, Any]) -> set[int]:
    definition = spec.get("segmentDefinition")
    if definition is None:
        segment_id = spec.get("segmentId")
        segment = org.segments.find(segment_id) if isinstance(segment_id, str) else None
        if segment is None:
            raise ApiError(
                service_error(
                    400,
                    "invalid_segment_ids_found",
                    f"Segment {segment_id!r} was not found",
                    {"segmentIds": [segment_id]},
                )
            )
        definition = segment.get("definition")
    return _evaluate(table, definition, "hits")


# -- filters -------------------------------------------------------------------------------------


def filter_events(org: OrgState, table: EventTable, spec: Any, where: str) -> set[int] | None:
    """The events a global or metric filter keeps (``None``: all of them)."""
    if not isinstance(spec, dict):
        raise bad_parameter(f"{where} must be an object")
    kind = str(spec.get("type", "")).replace("_", "").lower()
    if kind == "daterange":
        start, end = parse_date_range(spec.get("dateRange"))
        return {i for i, e in enumerate(table.events) if start <= e.time < end}
    if kind == "segment":
        return segment_events(org, table, spec)
    if kind == "breakdown":
        dimension = dimension_id(spec.get("dimension"))
        wanted = spec.get("itemId")
        return {
            i
            for i, item in enumerate(table.items(dimension))
            if (item[0] if item else NONE_ITEM_ID) == wanted
        }
    if kind == "excludeitemids":
        dimension = dimension_id(spec.get("dimension"))
        dropped = set(spec.get("excludeItemIds") or spec.get("itemIds") or [])
        return {
            i
            for i, item in enumerate(table.items(dimension))
            if (item[0] if item else NONE_ITEM_ID) not in dropped
        }
    raise bad_parameter(f"{where}.type {spec.get('type')!r} is not a known filter type")
