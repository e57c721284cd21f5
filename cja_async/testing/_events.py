"""The seeded event data behind reports: events, their dimensions and metrics, date ranges.

Every data view gets its own table of a few thousand events (2024, UTC), generated from the
simulator seed and the data view id alone, so the same request always gives the same numbers.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import math
import random
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ._dates import parse_iso
from ._errors import not_found
from ._http import ApiError
from ._paging import bad_parameter
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

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


DIMENSIONS: dict[str, _Dimension] = {
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
SUMMED: dict[str, Callable[[Event], float]] = {
    "metrics/occurrences": lambda e: 1,
    "metrics/pageviews": lambda e: e.pageview,
    "metrics/orders": lambda e: e.orders,
    "metrics/revenue": lambda e: e.revenue,
}
DISTINCT: dict[str, Callable[[Event], int]] = {
    "metrics/visits": lambda e: e.visit,
    "metrics/visitors": lambda e: e.visitor,
}


def dimension_id(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise bad_parameter(f"A dimension must be a non-empty string, got {name!r}")
    full = name if "/" in name else f"variables/{name}"
    if full not in DIMENSIONS:
        known = ", ".join(sorted(DIMENSIONS))
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
            spec = DIMENSIONS[dimension]
            cached = [spec.item(event) for event in self.events]
            self._items[dimension] = cached
        return cached

    def value(self, metric: str, indices: Iterable[int]) -> float:
        """``metric`` over the events ``indices``."""
        if metric in DISTINCT:
            key = DISTINCT[metric]
            return float(len({key(self.events[i]) for i in indices}))
        summed = SUMMED[metric]
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


def event_table(org: OrgState, data_view_id: object) -> EventTable:
    """The event table of a live data view of the org, else 404."""
    if not isinstance(data_view_id, str) or not data_view_id:
        raise bad_parameter("rsid (the data view id) is required")
    view = org.dataviews.find(data_view_id)
    if view is None or view.get("isDeleted") is True:
        raise ApiError(not_found(f"Could not find Data View with given dataViewId {data_view_id}"))
    table = org.event_tables.get(data_view_id)
    if table is None:
        # Seeded by the data view id alone: same data view, same events, in every org.
        rng = random.Random(f"{org.seed}:{data_view_id}:report-events")
        table = org.event_tables[data_view_id] = EventTable(_generate(rng))
    return table


def report_events(sim: Simulator, org_id: str, data_view_id: str) -> list[dict[str, Any]]:
    """The seeded events of a data view as plain dicts (one member per dimension and
    metric, ``"<dimension>.itemId"`` with the item id a report gives that value, plus
    ``visit``/``visitor`` numbers): compute expected report numbers in tests."""
    org = sim.org(org_id)
    table = event_table(org, data_view_id)
    items = {name: table.items(name) for name in DIMENSIONS}
    out = []
    for index, event in enumerate(table.events):
        record: dict[str, Any] = {"time": event.time, "visit": event.visit}
        record["visitor"] = event.visitor
        for name, values in items.items():
            item = values[index]
            record[name] = None if item is None else item[1]
            record[f"{name}.itemId"] = NONE_ITEM_ID if item is None else item[0]
        for name, summed in SUMMED.items():
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
        moment = parse_iso(text).replace(tzinfo=None)
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
