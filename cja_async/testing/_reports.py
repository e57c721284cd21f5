"""Reports: ``POST /reports`` and ``GET /reports/topItems`` over seeded event data.

Every data view gets its own table of a few thousand events (2024, UTC), generated from the
simulator seed and the data view id alone, so the same request always gives the same
numbers. Reports aggregate that table the way CJA does in spirit:

* dimensions ``variables/page``, ``variables/marketingchannel``, ``variables/devicetype``,
  ``variables/geocountry`` (with "No value" items), ``variables/daterangeday``,
  ``variables/daterangemonth``, ``variables/daterangehour`` and ``variables/daterangeminute``
  (thousands of items; item ids encode the date as Adobe's do);
* metrics ``metrics/occurrences``, ``metrics/pageviews``, ``metrics/orders``,
  ``metrics/revenue`` (summed) and ``metrics/visits``, ``metrics/visitors`` (distinct, so a
  total is not the sum of its rows); unknown metrics answer 206 with ``columnErrors``;
* global filters (date ranges, segments by id or inline, breakdowns, excluded items), metric
  filters (a classic breakdown puts the parent's items on every metric: items without data in
  any column are left out, as in Workspace), search clauses, ``nonesBehavior``, classic and
  multi-column sorting, paging, ``totals`` / ``filteredTotals`` and the ``col-max`` /
  ``col-min`` statistics;
* the multi-dimension form (``dimensions[]``, up to five, each with its own ``search`` and
  ``nonesBehavior``; the report-wide ``search`` applies to the first dimension): one row per
  combination, with ``itemIds`` and ``values`` per row and ``columns.dimensions`` (Adobe
  documents the request but not this answer; the shape here is the simulator's reading);
  refused as "too complex" (400) over ``ReportOptions.max_combinations`` rows, or always
  with ``multi_dimension=False``, as the multi-dimension guide says Adobe may;
* ``GET /reports/topItems``: items ranked by occurrences, the last 90 days before
  ``DATA_END`` by default (a fixed "now", so answers never drift), with the search
  parameters and ``lookupNoneValues``.

Segments use simple semantics: predicates test single events; a ``visits`` or ``visitors``
container keeps every event of a visit (visitor) in which some event matches.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import math
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ._dataviews import dataviews_of
from ._errors import not_found, service_error
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, int_param
from ._request import Request
from ._router import Router
from ._segments import segments_of
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["DATA_END", "DATA_START", "ReportOptions", "report_events", "router"]

router = Router()

DATA_START = datetime(2024, 1, 1)
"""The first moment of the seeded event data (UTC, naive)."""
DATA_END = datetime(2025, 1, 1)
"""The end (exclusive) of the seeded event data, and the "now" of relative defaults."""

MAX_LIMIT = 50_000
TOP_ITEMS_MAX_LIMIT = 1000
MAX_METRICS = 20
MAX_DIMENSIONS = 5
MAX_MONTHS = 18
NONE_ITEM_ID = "0"
NONE_VALUE = "No value"

_VISITORS = 320
_VISITS = 1100
_PAGES = (
    ("home", 30),
    *((f"category {i}", 4) for i in range(1, 9)),
    *((f"product {i}", 1) for i in range(1, 41)),
    ("search results", 6),
    ("account", 3),
    ("help", 2),
)
_CHANNELS = (
    ("Direct", 30),
    ("Organic Search", 25),
    ("Paid Search", 15),
    ("Email", 10),
    ("Social", 10),
    ("Display", 5),
    ("Referring Domains", 5),
)
_DEVICES = (("Desktop", 50), ("Mobile Phone", 40), ("Tablet", 10))
_COUNTRIES = (
    ("United States", 40),
    ("Germany", 12),
    ("United Kingdom", 12),
    ("France", 8),
    ("Japan", 8),
    ("Canada", 6),
    ("Brazil", 5),
    ("India", 5),
)


@attrs.frozen
class Event:
    """One seeded event (a page view or a click on a page)."""

    time: datetime
    visitor: int
    visit: int
    page: str
    channel: str
    device: str
    country: str | None
    pageview: int
    orders: int
    revenue: float


@functools.cache
def _cumulative(weighted: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [v for v, _ in weighted], list(itertools.accumulate(w for _, w in weighted))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, cumulative = _cumulative(weighted)
    return rng.choices(values, cum_weights=cumulative)[0]


def _next_page(rng: random.Random, page: str) -> str:
    """A plausible next page: browse down the catalogue, sometimes buy."""
    if page == "cart":
        return "checkout" if rng.random() < 0.5 else _pick(rng, _PAGES)
    if page == "checkout":
        return "order confirmation"
    if page.startswith("product") and rng.random() < 0.25:
        return "cart"
    if page.startswith("category") and rng.random() < 0.6:
        return f"product {rng.randrange(1, 41)}"
    return _pick(rng, _PAGES)


def _generate(rng: random.Random) -> list[Event]:
    profiles = [
        (
            _pick(rng, _DEVICES),
            None if rng.random() < 0.05 else _pick(rng, _COUNTRIES),
        )
        for _ in range(_VISITORS)
    ]
    span = int((DATA_END - DATA_START).total_seconds())
    events: list[Event] = []
    for visit in range(_VISITS):
        visitor = rng.randrange(_VISITORS)
        device, country = profiles[visitor]
        channel = _pick(rng, _CHANNELS)
        moment = DATA_START + timedelta(seconds=rng.randrange(span - 3600))
        page = _pick(rng, _PAGES)
        for _ in range(rng.choice((1, 1, 2, 3, 3, 4, 5, 6, 8))):
            order = page == "order confirmation"
            events.append(
                Event(
                    time=moment,
                    visitor=visitor,
                    visit=visit,
                    page=page,
                    channel=channel,
                    device=device,
                    country=country,
                    pageview=1 if order or rng.random() < 0.9 else 0,
                    orders=1 if order else 0,
                    revenue=round(rng.uniform(15, 450), 2) if order else 0.0,
                )
            )
            moment += timedelta(seconds=rng.randrange(5, 300))
            if order:
                break
            page = _next_page(rng, page)
    events.sort(key=lambda e: (e.time, e.visit))
    return events


# -- dimensions and metrics ---------------------------------------------------------------


# English month names whatever the process locale (``calendar.month_abbr`` follows it).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.cache
def _item_id(value: str) -> str:
    # Stable numeric ids, like Adobe's hashed item ids ("3306266643").
    return str(zlib.crc32(value.encode()) or 1)


@functools.cache
def _day(year: int, month: int, day: int) -> tuple[str, str]:
    # Adobe's encoding: (year - 1900), zero-based month, day ("1251028" is Nov 28, 2025).
    return f"{year - 1900}{month - 1:02d}{day:02d}", f"{_MONTHS[month - 1]} {day}, {year}"


@functools.cache
def _month(year: int, month: int) -> tuple[str, str]:
    return f"{year - 1900}{month - 1:02d}01", f"{_MONTHS[month - 1]} {year}"


def _day_item(moment: datetime) -> tuple[str, str]:
    return _day(moment.year, moment.month, moment.day)


def _hour_item(moment: datetime) -> tuple[str, str]:
    day_id, day_value = _day(moment.year, moment.month, moment.day)
    return f"{day_id}{moment.hour:02d}", f"{day_value}, {moment.hour:02d}:00"


def _minute_item(moment: datetime) -> tuple[str, str]:
    # Thousands of items: the dimension that makes breakdowns page (1000 items a page).
    day_id, day_value = _day(moment.year, moment.month, moment.day)
    return f"{day_id}{moment.hour:02d}{moment.minute:02d}", f"{day_value}, {moment:%H:%M}"


def _month_item(moment: datetime) -> tuple[str, str]:
    return _month(moment.year, moment.month)


def _text_item(value: str | None) -> tuple[str, str] | None:
    return None if value is None else (_item_id(value), value)


Item = tuple[str, str]  # (itemId, value)


@attrs.frozen
class _Dimension:
    type: str
    item: Callable[[Event], Item | None]  # None: the event has no value ("No value")
    numeric_order: bool = False  # time items sort by their id, not their label


_DIMENSIONS: dict[str, _Dimension] = {
    "variables/page": _Dimension("STRING", lambda e: _text_item(e.page)),
    "variables/marketingchannel": _Dimension("STRING", lambda e: _text_item(e.channel)),
    "variables/devicetype": _Dimension("STRING", lambda e: _text_item(e.device)),
    "variables/geocountry": _Dimension("STRING", lambda e: _text_item(e.country)),
    "variables/daterangeday": _Dimension("TIME", lambda e: _day_item(e.time), True),
    "variables/daterangemonth": _Dimension("TIME", lambda e: _month_item(e.time), True),
    "variables/daterangehour": _Dimension("TIME", lambda e: _hour_item(e.time), True),
    "variables/daterangeminute": _Dimension("TIME", lambda e: _minute_item(e.time), True),
}

# Summed metrics: the event's contribution; distinct metrics: what is counted.
_SUMMED: dict[str, Callable[[Event], float]] = {
    "metrics/occurrences": lambda e: 1,
    "metrics/pageviews": lambda e: e.pageview,
    "metrics/orders": lambda e: e.orders,
    "metrics/revenue": lambda e: e.revenue,
}
_DISTINCT: dict[str, Callable[[Event], int]] = {
    "metrics/visits": lambda e: e.visit,
    "metrics/visitors": lambda e: e.visitor,
}


def _dimension_id(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise bad_parameter(f"A dimension must be a non-empty string, got {name!r}")
    full = name if "/" in name else f"variables/{name}"
    if full not in _DIMENSIONS:
        known = ", ".join(sorted(_DIMENSIONS))
        raise bad_parameter(f"Unknown dimension {name!r}; this data view has {known}")
    return full


class EventTable:
    """A data view's events, with their visits and visitors for segment containers."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.all: frozenset[int] = frozenset(range(len(events)))
        self.visits: dict[int, list[int]] = defaultdict(list)
        self.visitors: dict[int, list[int]] = defaultdict(list)
        for index, event in enumerate(events):
            self.visits[event.visit].append(index)
            self.visitors[event.visitor].append(index)
        self._items: dict[str, list[Item | None]] = {}

    def items(self, dimension: str) -> list[Item | None]:
        """The item of every event for ``dimension`` (computed once per dimension)."""
        cached = self._items.get(dimension)
        if cached is None:
            spec = _DIMENSIONS[dimension]
            cached = [spec.item(event) for event in self.events]
            self._items[dimension] = cached
        return cached

    def value(self, metric: str, indices: Iterable[int]) -> float:
        """``metric`` over the events ``indices``."""
        if metric in _DISTINCT:
            key = _DISTINCT[metric]
            return float(len({key(self.events[i]) for i in indices}))
        summed = _SUMMED[metric]
        return round(math.fsum(summed(self.events[i]) for i in indices), 2)

    def expand(self, indices: Iterable[int], context: str) -> set[int]:
        """Every event of the visits (visitors) that hold one of ``indices``."""
        if context == "hits":
            return set(indices)
        if context == "visits":
            groups, units = self.visits, {self.events[i].visit for i in indices}
        else:
            groups, units = self.visitors, {self.events[i].visitor for i in indices}
        out: set[int] = set()
        for unit in units:
            out.update(groups[unit])
        return out


def _table(sim: Simulator, org: OrgState, data_view_id: object) -> EventTable:
    """The event table of a live data view of the org, else 404."""
    if not isinstance(data_view_id, str) or not data_view_id:
        raise bad_parameter("rsid (the data view id) is required")
    view = dataviews_of(sim, org).get(data_view_id)
    if view is None or view.get("isDeleted") is True:
        raise ApiError(not_found(f"Could not find Data View with given dataViewId {data_view_id}"))
    cache = org.collection("report-events", lambda _org, _rng: iter(()))
    entry = cache.get(data_view_id)
    if entry is None:
        # Seeded by the data view id alone: same data view, same events, in every org.
        rng = random.Random(f"{org.seed}:{data_view_id}:report-events")
        entry = {"id": data_view_id, "table": EventTable(_generate(rng))}
        cache[data_view_id] = entry
    table: EventTable = entry["table"]
    return table


def report_events(sim: Simulator, org_id: str, data_view_id: str) -> list[dict[str, Any]]:
    """The seeded events of a data view as plain dicts (one member per dimension and
    metric, ``"<dimension>.itemId"`` with the item id a report gives that value, plus
    ``visit``/``visitor`` numbers): compute expected report numbers in tests."""
    org = sim.org(org_id)
    table = _table(sim, org, data_view_id)
    items = {name: table.items(name) for name in _DIMENSIONS}
    out = []
    for index, event in enumerate(table.events):
        record: dict[str, Any] = {"time": event.time, "visit": event.visit}
        record["visitor"] = event.visitor
        for name, values in items.items():
            item = values[index]
            record[name] = None if item is None else item[1]
            record[f"{name}.itemId"] = NONE_ITEM_ID if item is None else item[0]
        for name, summed in _SUMMED.items():
            record[name] = summed(event)
        out.append(record)
    return out


# -- date ranges ---------------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _moment(text: str, end: bool) -> datetime:
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise bad_parameter(f"Invalid date {text!r} in the date range") from None
    # A bare end date includes its whole day; an end with a time is exclusive.
    if end and len(text) == 10:
        moment += timedelta(days=1)
    return moment


def parse_date_range(text: object) -> tuple[datetime, datetime]:
    """``start/end`` as [start, end); 400 for bad text or more than 18 months."""
    if not isinstance(text, str) or text.count("/") != 1:
        raise bad_parameter(f"dateRange must look like 'start/end', got {text!r}")
    start_text, end_text = text.split("/")
    start, end = _moment(start_text, False), _moment(end_text, True)
    if end <= start:
        raise bad_parameter(f"dateRange ends before it starts: {text!r}")
    if end > _add_months(start, MAX_MONTHS):
        raise bad_parameter(f"dateRange spans more than {MAX_MONTHS} months: {text!r}")
    return start, end


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
    if name in _SUMMED:
        return [_SUMMED[name](e) for e in table.events]
    if name in _DISTINCT:
        return [1 for _ in table.events]  # every event belongs to a visit and a visitor
    full = name if "/" in name else f"variables/{name}"
    if full in _DIMENSIONS:
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


def _segment_events(
    sim: Simulator, org: OrgState, table: EventTable, spec: Mapping[str, Any]
) -> set[int]:
    definition = spec.get("segmentDefinition")
    if definition is None:
        segment_id = spec.get("segmentId")
        segment = segments_of(sim, org).get(segment_id) if isinstance(segment_id, str) else None
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


def _filter_events(
    sim: Simulator, org: OrgState, table: EventTable, spec: Any, where: str
) -> set[int] | None:
    """The events a global or metric filter keeps (``None``: all of them)."""
    if not isinstance(spec, dict):
        raise bad_parameter(f"{where} must be an object")
    kind = str(spec.get("type", "")).replace("_", "").lower()
    if kind == "daterange":
        start, end = parse_date_range(spec.get("dateRange"))
        return {i for i, e in enumerate(table.events) if start <= e.time < end}
    if kind == "segment":
        return _segment_events(sim, org, table, spec)
    if kind == "breakdown":
        dimension = _dimension_id(spec.get("dimension"))
        wanted = spec.get("itemId")
        return {
            i
            for i, item in enumerate(table.items(dimension))
            if (item[0] if item else NONE_ITEM_ID) == wanted
        }
    if kind == "excludeitemids":
        dimension = _dimension_id(spec.get("dimension"))
        dropped = set(spec.get("excludeItemIds") or spec.get("itemIds") or [])
        return {
            i
            for i, item in enumerate(table.items(dimension))
            if (item[0] if item else NONE_ITEM_ID) not in dropped
        }
    raise bad_parameter(f"{where}.type {spec.get('type')!r} is not a known filter type")


# -- search clauses ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\()|(\))|'((?:[^'\\]|\\.|'')*)'|([A-Za-z][A-Za-z-]*))")
_OPERATORS = {"CONTAINS", "MATCH", "BEGINS-WITH", "ENDS-WITH"}
Matcher = Callable[[str], bool]


def _tokens(clause: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    clause = clause.rstrip()
    while position < len(clause):
        match = _TOKEN.match(clause, position)
        if match is None or match.end() == position:
            raise bad_parameter(f"Cannot parse the search clause near {clause[position:]!r}")
        position = match.end()
        if match.group(1):
            out.append(("(", "("))
        elif match.group(2):
            out.append((")", ")"))
        elif match.group(3) is not None:
            text = match.group(3).replace("''", "'")
            out.append(("str", re.sub(r"\\(.)", r"\1", text)))
        else:
            out.append(("word", match.group(4).upper()))
    return out


def parse_clause(clause: str) -> Matcher:
    """A predicate on item values for Adobe's search clause syntax: quoted terms (contains),
    ``CONTAINS``/``MATCH``/``BEGINS-WITH``/``ENDS-WITH``, ``AND``, ``OR``, ``NOT``, parens;
    case-insensitive."""
    tokens = _tokens(clause)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        token = peek()
        if token is None:
            raise bad_parameter(f"The search clause {clause!r} ends too early")
        position += 1
        return token

    def expr() -> Matcher:
        parts = [term()]
        while peek() == ("word", "OR"):
            take()
            parts.append(term())
        return parts[0] if len(parts) == 1 else lambda v: any(p(v) for p in parts)

    def term() -> Matcher:
        parts = [factor()]
        while peek() == ("word", "AND"):
            take()
            parts.append(factor())
        return parts[0] if len(parts) == 1 else lambda v: all(p(v) for p in parts)

    def factor() -> Matcher:
        kind, text = take()
        if (kind, text) == ("word", "NOT"):
            inner = factor()
            return lambda v: not inner(v)
        if kind == "(":
            inner = expr()
            if take()[0] != ")":
                raise bad_parameter(f"Unbalanced parentheses in the search clause {clause!r}")
            return inner
        operator = "CONTAINS"
        if kind == "word" and text in _OPERATORS:
            operator = text
            kind, text = take()
        if kind != "str":
            raise bad_parameter(f"Expected a quoted term in the search clause {clause!r}")
        needle = text.lower()
        if operator == "MATCH":
            return lambda v: v.lower() == needle
        if operator == "BEGINS-WITH":
            return lambda v: v.lower().startswith(needle)
        if operator == "ENDS-WITH":
            return lambda v: v.lower().endswith(needle)
        return lambda v: needle in v.lower()

    matcher = expr()
    if peek() is not None:
        raise bad_parameter(f"Unexpected {peek()[1]!r} in the search clause {clause!r}")  # type: ignore[index]
    return matcher


def _search_matcher(spec: Any, where: str) -> Callable[[Item], bool] | None:
    """An item test for a ``search`` object (clause, itemIds, excludeItemIds)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise bad_parameter(f"{where} must be an object")
    tests: list[Callable[[Item], bool]] = []
    clause = spec.get("clause")
    if isinstance(clause, str) and clause.strip():
        text_test = parse_clause(clause)
        tests.append(lambda item: text_test(item[1]))
    keep = spec.get("itemIds")
    if isinstance(keep, list) and keep:
        kept = {str(i) for i in keep}
        tests.append(lambda item: item[0] in kept)
    drop = spec.get("excludeItemIds")
    if isinstance(drop, list) and drop:
        dropped = {str(i) for i in drop}
        tests.append(lambda item: item[0] not in dropped)
    if not tests:
        return None
    return lambda item: all(t(item) for t in tests)


# -- the report ------------------------------------------------------------------------------


@attrs.define
class _Column:
    column_id: str
    metric: str
    events: set[int] | None  # the metric filters' events, None: no metric filter
    sort: str | None
    known: bool


@attrs.define
class _DimSpec:
    id: str
    column_id: str
    search: Callable[[Item], bool] | None
    nones: str


def _both(
    one: Callable[[Item], bool] | None, other: Callable[[Item], bool]
) -> Callable[[Item], bool]:
    if one is None:
        return other
    return lambda item: one(item) and other(item)


def _metric_columns(
    sim: Simulator, org: OrgState, table: EventTable, container: Any
) -> list[_Column]:
    if container is None:
        return []
    if not isinstance(container, dict):
        raise bad_parameter("metricContainer must be an object")
    metrics = container.get("metrics") or []
    if not isinstance(metrics, list):
        raise bad_parameter("metricContainer.metrics must be a list")
    if len(metrics) > MAX_METRICS:
        raise bad_parameter(f"A report takes at most {MAX_METRICS} metrics, got {len(metrics)}")
    filters: dict[str, set[int] | None] = {}
    for index, spec in enumerate(container.get("metricFilters") or []):
        where = f"metricContainer.metricFilters[{index}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
            raise bad_parameter(f"{where} needs an 'id'")
        filters[spec["id"]] = _filter_events(sim, org, table, spec, where)
    columns: list[_Column] = []
    for index, spec in enumerate(metrics):
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
            raise bad_parameter(f"metricContainer.metrics[{index}] needs an 'id'")
        events: set[int] | None = None
        for filter_id in spec.get("filters") or []:
            if filter_id not in filters:
                raise bad_parameter(f"Metric filter {filter_id!r} is not in metricFilters")
            found = filters[filter_id]
            if found is not None:
                events = found if events is None else events & found
        sort = spec.get("sort")
        column_id = str(spec.get("columnId", index))
        metric = spec["id"]
        known = metric in _SUMMED or metric in _DISTINCT
        columns.append(_Column(column_id, metric, events, sort, known))
    if len({c.column_id for c in columns}) != len(columns):
        raise bad_parameter("Metric columnIds must be unique")
    return columns


def _dimension_specs(body: Mapping[str, Any], nones: str) -> tuple[list[_DimSpec], bool]:
    """The reported dimensions and whether the request used the multi-dimension form."""
    single, multi = body.get("dimension"), body.get("dimensions")
    if single is not None and multi is not None:
        raise bad_parameter("Give either dimension or dimensions, not both")
    if multi is None:
        if single is None:
            return [], False
        return [_DimSpec(_dimension_id(single), "dimension", None, nones)], False
    if not isinstance(multi, list) or not 1 <= len(multi) <= MAX_DIMENSIONS:
        raise bad_parameter(f"dimensions must be a list of 1 to {MAX_DIMENSIONS} dimensions")
    specs = []
    for index, entry in enumerate(multi):
        where = f"dimensions[{index}]"
        if not isinstance(entry, dict):
            raise bad_parameter(f"{where} must be an object")
        column = str(entry.get("dimensionColumnId", index))
        search = _search_matcher(entry.get("search"), f"{where}.search")
        dim_nones = str(entry.get("nonesBehavior", nones))
        specs.append(_DimSpec(_dimension_id(entry.get("id")), column, search, dim_nones))
    if len({s.column_id for s in specs}) != len(specs):
        raise bad_parameter("dimensionColumnIds must be unique")
    return specs, True


def _statistics(body: Mapping[str, Any]) -> list[str]:
    stats = body.get("statistics")
    functions = stats.get("functions") if isinstance(stats, dict) else None
    return [f for f in functions or [] if isinstance(f, str)]


def _sort_rows(
    rows: list[dict[str, Any]],
    settings: Mapping[str, Any],
    columns: list[_Column],
    dims: list[_DimSpec],
) -> None:
    """Sort in place: ``settings.sort`` rules, else a metric's ``sort``, else
    ``dimensionSort``, else the first metric descending; ties by item."""
    rules: list[tuple[str, int, bool]] = []  # (kind, position, ascending)
    by_column = {c.column_id: i for i, c in enumerate(columns)}
    by_dimension = {d.column_id: i for i, d in enumerate(dims)}
    if isinstance(settings.get("sort"), list):
        for rule in settings["sort"]:
            if not isinstance(rule, dict):
                raise bad_parameter("settings.sort must hold objects")
            column_id = str(rule.get("columnId"))
            kind = str(rule.get("componentType", "metric")).lower()
            positions = by_dimension if kind == "dimension" else by_column
            if column_id not in positions:
                raise bad_parameter(f"settings.sort names an unknown {kind} column {column_id!r}")
            rules.append((kind, positions[column_id], bool(rule.get("ascending", False))))
    else:
        for index, column in enumerate(columns):
            if isinstance(column.sort, str):
                rules.append(("metric", index, column.sort.lower() == "asc"))
                break
        else:
            order = settings.get("dimensionSort")
            if isinstance(order, str) and dims:
                rules.extend(("dimension", i, order.lower() == "asc") for i in range(len(dims)))
            elif columns:
                rules.append(("metric", 0, False))
    # Stable sorts from the last rule to the first give a multi-key sort.
    rows.sort(key=lambda r: r["_key"])
    for kind, position, ascending in reversed(rules):
        member = "data" if kind == "metric" else "_order"
        rows.sort(key=_row_key(member, position), reverse=not ascending)


def _row_key(member: str, position: int) -> Callable[[dict[str, Any]], Any]:
    def key(row: dict[str, Any]) -> Any:
        return row[member][position]

    return key


def _page_body(total: int, limit: int, page: int, count: int) -> JSON:
    total_pages = math.ceil(total / limit)
    return {
        "totalPages": total_pages,
        "firstPage": page == 0,
        "lastPage": page + 1 >= total_pages,
        "numberOfElements": count,
        "number": page,
        "totalElements": total,
    }


def _order_key(dimension: str, item: Item | None) -> tuple[int, Any]:
    if item is None:
        return (1, "")  # "No value" after every item, either way round
    if _DIMENSIONS[dimension].numeric_order:
        return (0, int(item[0]))
    return (0, item[1].lower())


@attrs.define
class ReportOptions:
    """How the report engine treats multi-dimension requests (``Simulator(reports=...)``;
    mutable, like :class:`Faults`).

    ``multi_dimension=False`` refuses every request with ``dimensions[]`` of two or more
    dimensions; otherwise one whose combinations come to more than ``max_combinations``
    rows is refused. Both answer as the multi-dimension guide says Adobe does: an error
    saying the report is too complex (400, ``report_too_complex``).
    """

    multi_dimension: bool = True
    max_combinations: int = 20_000


def _too_complex(why: str) -> ApiError:
    return ApiError(
        service_error(
            400,
            "report_too_complex",
            f"The report is too complex: {why}. Request fewer dimensions, fewer items or a "
            "shorter date range, or break the dimensions down one at a time.",
        )
    )


def _no_data(columns: list[_Column], indices: list[int]) -> bool:
    """Whether a row has no event in any metric column: filtered columns (classic
    breakdowns through metric filters) leave out items without data, as Workspace does."""
    return bool(columns) and all(
        c.events is not None and c.events.isdisjoint(indices) for c in columns
    )


def run_report(sim: Simulator, org: OrgState, body: Any) -> Response:
    """Run one report request body; the answer (200, or 206 when a column has errors)."""
    if not isinstance(body, dict):
        raise bad_parameter("The report request must be a JSON object")
    table = _table(sim, org, body.get("rsid", body.get("dataId")))
    settings = body.get("settings") or {}
    if not isinstance(settings, dict):
        raise bad_parameter("settings must be an object")
    limit, page = settings.get("limit", 50), settings.get("page", 0)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise bad_parameter(f"settings.limit must be between 1 and {MAX_LIMIT}, got {limit!r}")
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise bad_parameter(f"settings.page must be 0 or more, got {page!r}")
    nones = str(settings.get("nonesBehavior", "return-nones"))
    dims, multi = _dimension_specs(body, nones)
    options: ReportOptions = sim.reports
    if multi and len(dims) > 1 and not options.multi_dimension:
        raise _too_complex("this server refuses every multi-dimension request")

    base: set[int] = set(table.all)
    global_filters = body.get("globalFilters") or []
    if not isinstance(global_filters, list):
        raise bad_parameter("globalFilters must be a list")
    for index, spec in enumerate(global_filters):
        found = _filter_events(sim, org, table, spec, f"globalFilters[{index}]")
        if found is not None:
            base &= found
    columns = _metric_columns(sim, org, table, body.get("metricContainer"))
    global_search = _search_matcher(body.get("search"), "search")
    if dims and global_search is not None:
        # The report-wide search applies to the first (or only) dimension.
        first = dims[0]
        first.search = _both(first.search, global_search)

    groups: dict[tuple[Item | None, ...], list[int]] = defaultdict(list)
    if dims:
        item_lists = [table.items(d.id) for d in dims]
        for index in sorted(base):
            groups[tuple(items[index] for items in item_lists)].append(index)

    def keep(key: tuple[Item | None, ...]) -> bool:
        for dim, item in zip(dims, key, strict=True):
            if item is None:
                if dim.nones == "exclude-nones":
                    return False
                item = (NONE_ITEM_ID, NONE_VALUE)
            if dim.search is not None and not dim.search(item):
                return False
        return True

    def measure(indices: Iterable[int]) -> list[float]:
        chosen = set(indices)
        values = []
        for column in columns:
            if not column.known:
                values.append(0.0)
                continue
            events = chosen if column.events is None else chosen & column.events
            values.append(table.value(column.metric, events))
        return values

    rows: list[dict[str, Any]] = []
    kept_events: set[int] = set()
    for key, indices in groups.items():
        if not keep(key) or _no_data(columns, indices):
            continue
        kept_events.update(indices)
        items = [item or (NONE_ITEM_ID, NONE_VALUE) for item in key]
        row: dict[str, Any] = {
            "_key": tuple(i[0] for i in items),
            "_order": [_order_key(d.id, item) for d, item in zip(dims, key, strict=True)],
            "data": measure(indices),
        }
        if multi:
            row["itemIds"] = [i[0] for i in items]
            row["values"] = [i[1] for i in items]
        else:
            row["itemId"], row["value"] = items[0]
        rows.append(row)
    if multi and len(rows) > options.max_combinations:
        raise _too_complex(f"{len(rows)} rows of combinations, over {options.max_combinations}")
    _sort_rows(rows, settings, columns, dims)

    chunk = rows[page * limit : (page + 1) * limit]
    answer: JSON = _page_body(len(rows), limit, page, len(chunk))
    column_json: JSON = {"columnIds": [c.column_id for c in columns]}
    if multi:
        column_json["dimensions"] = [
            {"id": d.id, "type": _DIMENSIONS[d.id].type, "dimensionColumnId": d.column_id}
            for d in dims
        ]
    elif dims:
        column_json["dimension"] = {"id": dims[0].id, "type": _DIMENSIONS[dims[0].id].type}
    errors = [
        {
            "columnId": c.column_id,
            "errorCode": "not_enabled_metric",
            "errorId": f"{c.column_id}-{c.metric}",
            "errorDescription": f"The metric {c.metric!r} is not enabled in this data view",
        }
        for c in columns
        if not c.known
    ]
    if errors:
        column_json["columnErrors"] = errors
    answer["columns"] = column_json
    answer["rows"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in chunk]
    summary: JSON = {
        "filteredTotals": measure(kept_events if dims else base),
        "totals": measure(base),
    }
    for function in _statistics(body):
        if function in ("col-max", "col-min"):
            pick = max if function == "col-max" else min
            summary[function] = [
                pick((r["data"][i] for r in rows), default=0.0) for i in range(len(columns))
            ]
    answer["summaryData"] = summary
    if settings.get("reflectRequest") is True:
        answer["request"] = body
    return Response.json(answer, 206 if errors else 200)


@router.route("POST", "/reports")
async def post_report(sim: Simulator, req: Request) -> Response:
    """Run a report over the data view's seeded events (see the module docs)."""
    return run_report(sim, sim.org(req.org_id), req.json())


def _top_items_range(req: Request) -> tuple[datetime, datetime]:
    text = req.param("dateRange")
    start, end = req.param("startDate"), req.param("endDate")
    if text:
        return parse_date_range(text)
    if start or end:
        return parse_date_range(
            f"{start or (DATA_END - timedelta(days=90)).date()}/{end or DATA_END.date()}"
        )
    # "Defaults to last 90 days"; the simulator's "now" is fixed, so answers never drift.
    return DATA_END - timedelta(days=90), DATA_END


def _terms_matcher(req: Request) -> Callable[[str], bool] | None:
    tests: list[Callable[[str], bool]] = []
    clause = req.param("search-clause")
    if clause:
        tests.append(parse_clause(clause))
    every = (req.param("searchAnd") or "").lower().split()
    if every:
        tests.append(lambda v: all(term in v.lower() for term in every))
    some = (req.param("searchOr") or "").lower().split()
    if some:
        tests.append(lambda v: any(term in v.lower() for term in some))
    excluded = (req.param("searchNot") or "").lower().split()
    if excluded:
        tests.append(lambda v: not any(term in v.lower() for term in excluded))
    phrase = (req.param("searchPhrase") or "").strip().lower()
    if phrase:
        tests.append(lambda v: phrase in v.lower())
    return (lambda v: all(t(v) for t in tests)) if tests else None


@router.route("GET", "/reports/topItems")
async def top_items(sim: Simulator, req: Request) -> Response:
    """The items of a dimension ranked by occurrences, paged (``limit`` at most 1000)."""
    org = sim.org(req.org_id)
    data_id = req.param("dataId") or req.param("rsid")
    if not data_id:
        raise bad_parameter("dataId is required")
    if not req.param("dimension"):
        raise bad_parameter("dimension is required")
    table = _table(sim, org, data_id)
    dimension = _dimension_id(req.param("dimension"))
    limit = int_param(req, "limit", 10, 1, TOP_ITEMS_MAX_LIMIT)
    page = int_param(req, "page", 0, 0)
    start, end = _top_items_range(req)
    nones = (req.param("lookupNoneValues") or "true").lower() != "false"
    matcher = _terms_matcher(req)

    counts: dict[Item, int] = defaultdict(int)
    total = 0
    items = table.items(dimension)
    for index, event in enumerate(table.events):
        if not start <= event.time < end:
            continue
        total += 1
        item = items[index]
        if item is None:
            if not nones:
                continue
            item = (NONE_ITEM_ID, NONE_VALUE)
        if matcher is None or matcher(item[1]):
            counts[item] += 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], _order_key(dimension, pair[0])))
    chunk = ranked[page * limit : (page + 1) * limit]
    answer = _page_body(len(ranked), limit, page, len(chunk))
    answer["columns"] = {
        "dimension": {"id": dimension, "type": _DIMENSIONS[dimension].type},
        "columnIds": ["0"],
    }
    answer["rows"] = [
        {"itemId": item[0], "value": item[1], "data": [float(count)]} for item, count in chunk
    ]
    answer["summaryData"] = {
        "filteredTotals": [float(sum(counts.values()))],
        "totals": [float(total)],
    }
    for name in ("searchAnd", "searchOr", "searchNot", "searchPhrase"):
        if req.param(name):
            answer[name] = req.param(name)
    return Response.json(answer)
