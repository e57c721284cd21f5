"""The report request builder: :class:`ReportRequest` and its parts, for ``POST /reports``.

A builder, not a lossless model: :class:`ReportRequest` takes typed, validated arguments and
writes the JSON body Adobe expects (``rsid``, ``globalFilters``, ``metricContainer``,
``dimension`` or ``dimensions``, ``search``, ``settings``, ...). Anything it does not cover goes
in through ``settings=`` and ``extra=``, or send a raw body (e.g. one copied from Workspace's
debugger) as a plain ``dict``. The answers' models are in :mod:`cja_async.models.reports`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import attrs

from .._checks import check_int, check_many, items_of

if TYPE_CHECKING:  # the data-frame libraries are optional extras
    pass  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "MAX_DIMENSIONS",
    "MAX_REPORT_PAGE",
    "MAX_METRICS",
    "MAX_REPORT_LIMIT",
    "DateLike",
    "DateRange",
    "NonesBehavior",
    "ReportDimension",
    "ReportFilter",
    "ReportMetric",
    "ReportRequest",
    "ReportSearch",
    "SortOrder",
    "date_range_text",
]


MAX_METRICS = 20
"""Adobe's limit of metrics per report."""
MAX_DIMENSIONS = 5
"""Adobe's limit of dimensions in one multi-dimension request."""
MAX_REPORT_PAGE = 1000
"""The largest page of report rows Adobe's reporting guide documents ("1000 dimension items
per request"): what the client asks for when it pages on the caller's behalf."""
MAX_REPORT_LIMIT = 50_000
"""The largest ``settings.limit`` (rows per page) the client lets through.

Adobe's reporting guide speaks of 1000 dimension items per request, the Analytics 2.0
settings (which CJA reuses) of 50000; the client allows the larger, the server decides.
"""

DateLike = str | date | datetime
DateRange = str | tuple[DateLike, DateLike]
NonesBehavior = Literal["exclude-nones", "return-nones"]
SortOrder = Literal["asc", "desc"]

_NONES = ("exclude-nones", "return-nones")
_SORT_ORDERS = ("asc", "desc")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- argument checks: each names the argument it rejects --------------------------------


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def _choice(value: object, choices: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value.lower() not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value.lower()


def _texts(values: object, name: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of str, got {type(values).__name__}")
    return tuple(_text(v, name) for v in values)


def _int_in(value: object, low: int, high: int | None, name: str) -> int:
    value = check_int(value, name)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _moment(value: DateLike, name: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    raise ValueError(f"{name} must hold dates (date, datetime or 'YYYY-MM-DD'), got {value!r}")


_Validator = Callable[[Any, Any, Any], None]


def _is_text(name: str, *, optional: bool = False) -> _Validator:
    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        if not (optional and value is None):
            _text(value, name)

    return check


def _is_int(low: int, high: int | None, name: str) -> _Validator:
    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        _int_in(value, low, high, name)

    return check


def _sort_order(value: SortOrder | None) -> SortOrder | None:
    return None if value is None else cast(SortOrder, _choice(value, _SORT_ORDERS, "sort"))


def _nones(value: NonesBehavior | None) -> NonesBehavior | None:
    if value is None:
        return None
    return cast(NonesBehavior, _choice(value, _NONES, "nones_behavior"))


def _item_ids(values: Sequence[str]) -> tuple[str, ...]:
    return _texts(values, "item_ids")


def _exclude_item_ids(values: Sequence[str]) -> tuple[str, ...]:
    return _texts(values, "exclude_item_ids")


def _statistics(values: Sequence[str]) -> tuple[str, ...]:
    return _texts(values, "statistics")


def _optional_date_range(value: DateRange | None) -> str | None:
    return None if value is None else date_range_text(value)


def date_range_text(date_range: DateRange, name: str = "date_range") -> str:
    """Adobe's ``start/end`` text for a date range.

    A tuple ``(start, end)`` of dates, datetimes or ISO strings becomes
    ``2024-01-01T00:00:00.000/2024-02-01T00:00:00.000``: the end is exclusive, as in Adobe's
    own examples, so ``("2024-01-01", "2024-02-01")`` is the whole of January. A string is
    taken as Adobe's format already and passed through (after a sanity check).
    """
    if isinstance(date_range, str):
        start_text, sep, end_text = date_range.partition("/")
        if not sep or not start_text.strip() or not end_text.strip():
            raise ValueError(f"{name} must look like 'start/end', got {date_range!r}")
        return date_range
    if not isinstance(date_range, tuple) or len(date_range) != 2:
        raise TypeError(f"{name} must be a 'start/end' str or a (start, end) tuple")
    start, end = (_moment(v, name) for v in date_range)
    if start >= end:
        raise ValueError(f"{name} must end after it starts, got {start} .. {end}")
    return f"{start.isoformat(timespec='milliseconds')}/{end.isoformat(timespec='milliseconds')}"


# -- the request builder ------------------------------------------------------------------


@attrs.frozen
class ReportFilter:
    """A report filter, global (``ReportRequest(filters=[...])``) or on one metric
    (``ReportMetric(..., filters=[...])``). Build one with the class methods::

        ReportFilter.dates("2024-01-01", "2024-02-01")
        ReportFilter.segment("s300000000_123")            # a saved segment, by id
        ReportFilter.segment({"func": "segment", ...})    # an inline definition
        ReportFilter.breakdown("variables/page", "3306266643")
        ReportFilter.exclude_items("variables/page", ["0"])
    """

    type: str
    date_range: str | None = None
    segment_id: str | None = None
    segment_definition: Mapping[str, Any] | None = attrs.field(default=None, eq=False)
    dimension: str | None = None
    item_id: str | None = None
    item_ids: tuple[str, ...] | None = None
    # Inline definitions are dicts (unhashable); compare them by their JSON text instead.
    _definition_key: str | None = attrs.field(init=False, default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.segment_definition is not None:
            key = json.dumps(self.segment_definition, sort_keys=True, default=str)
            object.__setattr__(self, "_definition_key", key)

    @classmethod
    def dates(cls, start: DateRange | DateLike, end: DateLike | None = None) -> ReportFilter:
        """Only data between ``start`` (inclusive) and ``end`` (exclusive); or pass one
        ``'start/end'`` string or ``(start, end)`` tuple."""
        if end is None:
            if not isinstance(start, str | tuple):
                raise TypeError("date_range must be a 'start/end' str or a (start, end) tuple")
            return cls("DATE_RANGE", date_range=date_range_text(start))
        if isinstance(start, tuple):
            raise TypeError("pass either (start, end) as one tuple or start and end")
        return cls("DATE_RANGE", date_range=date_range_text((start, end)))

    @classmethod
    def segment(cls, segment: str | Mapping[str, Any]) -> ReportFilter:
        """A segment: a saved one by id, or an inline definition (a JSON object)."""
        if isinstance(segment, Mapping):
            if not segment:
                raise ValueError("segment definition must not be empty")
            return cls("SEGMENT", segment_definition=dict(segment))
        return cls("SEGMENT", segment_id=_text(segment, "segment"))

    @classmethod
    def breakdown(cls, dimension: str, item_id: str) -> ReportFilter:
        """Only data where ``dimension`` has the item ``item_id`` (a classic breakdown)."""
        return cls(
            "BREAKDOWN",
            dimension=_text(dimension, "dimension"),
            item_id=_text(item_id, "item_id"),
        )

    @classmethod
    def exclude_items(cls, dimension: str, item_ids: Sequence[str]) -> ReportFilter:
        """Leave out the items ``item_ids`` of ``dimension``."""
        ids = _texts(item_ids, "item_ids")
        if not ids:
            raise ValueError("item_ids must not be empty")
        return cls("EXCLUDE_ITEM_IDS", dimension=_text(dimension, "dimension"), item_ids=ids)

    def to_json(self, filter_id: str | None = None) -> dict[str, Any]:
        """The filter as a ``globalFilters`` / ``metricFilters`` member."""
        out: dict[str, Any] = {}
        if filter_id is not None:
            out["id"] = filter_id
        out["type"] = self.type
        if self.dimension is not None:
            out["dimension"] = self.dimension
        if self.item_id is not None:
            out["itemId"] = self.item_id
        if self.item_ids is not None:
            out["excludeItemIds"] = list(self.item_ids)
        if self.segment_id is not None:
            out["segmentId"] = self.segment_id
        if self.segment_definition is not None:
            out["segmentDefinition"] = dict(self.segment_definition)
        if self.date_range is not None:
            out["dateRange"] = self.date_range
        return out


def _filters(values: Sequence[ReportFilter] | ReportFilter) -> tuple[ReportFilter, ...]:
    name = "filters"
    if isinstance(values, ReportFilter):
        return (values,)
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of ReportFilter")
    return items_of(values, ReportFilter, name, "ReportFilter objects")


@attrs.frozen
class ReportMetric:
    """One metric column: ``ReportMetric("metrics/visits")``, optionally with its own column id,
    a sort order (``"asc"``/``"desc"``) and filters that apply to this column only
    (``ReportMetric("metrics/orders", filters=[ReportFilter.segment("s123")])``)."""

    id: str = attrs.field(validator=_is_text("metric id"))
    column_id: str | None = attrs.field(
        default=None, validator=_is_text("column_id", optional=True)
    )
    sort: SortOrder | None = attrs.field(default=None, converter=_sort_order)
    filters: tuple[ReportFilter, ...] = attrs.field(default=(), converter=_filters)


def _dimension_search(value: str | ReportSearch | None) -> ReportSearch | None:
    return _search(value)  # defined below, with ReportSearch


@attrs.frozen
class ReportDimension:
    """One dimension of a multi-dimension report (``ReportRequest(dimensions=[...])``):
    its id, an optional column id, a dimension-level ``search`` (a clause such as
    ``"( CONTAINS 'delhi' )"``, or a :class:`ReportSearch` with item ids to keep) and how to
    treat "None" items."""

    id: str = attrs.field(validator=_is_text("dimension id"))
    column_id: str | None = attrs.field(
        default=None, validator=_is_text("column_id", optional=True)
    )
    search: ReportSearch | None = attrs.field(default=None, converter=_dimension_search)
    nones_behavior: NonesBehavior | None = attrs.field(default=None, converter=_nones)


@attrs.frozen
class ReportSearch:
    """Which dimension items a report keeps: a ``clause`` such as
    ``"( CONTAINS 'home' ) OR ( BEGINS-WITH 'cat' )"``, and/or item ids to keep or drop."""

    clause: str | None = attrs.field(default=None, validator=_is_text("clause", optional=True))
    item_ids: tuple[str, ...] = attrs.field(default=(), converter=_item_ids)
    exclude_item_ids: tuple[str, ...] = attrs.field(default=(), converter=_exclude_item_ids)

    def to_json(self) -> dict[str, Any]:
        """The ``search`` member of a report request."""
        out: dict[str, Any] = {}
        if self.clause is not None:
            out["clause"] = self.clause
        if self.item_ids:
            out["itemIds"] = list(self.item_ids)
        if self.exclude_item_ids:
            out["excludeItemIds"] = list(self.exclude_item_ids)
        return out


_Column = TypeVar("_Column", ReportMetric, ReportDimension)


def _columns(values: Iterable[object], kind: type[_Column], name: str) -> tuple[_Column, ...]:
    """Metric or dimension columns, each given as its id or as the object."""
    built = (kind(v) if isinstance(v, str) else v for v in values)
    return items_of(built, kind, name, f"str or {kind.__name__}")


def _metrics(values: Sequence[str | ReportMetric]) -> tuple[ReportMetric, ...]:
    items = check_many(values, ReportMetric, "metrics", "metric ids or ReportMetric objects")
    out = _columns(items, ReportMetric, "metrics")
    if len(out) > MAX_METRICS:
        raise ValueError(f"metrics must hold at most {MAX_METRICS} metrics, got {len(out)}")
    return out


def _dimensions(
    values: Sequence[str | ReportDimension] | None,
) -> tuple[ReportDimension, ...] | None:
    if values is None:
        return None
    items = check_many(
        values, ReportDimension, "dimensions", "dimension ids or ReportDimension objects"
    )
    out = _columns(items, ReportDimension, "dimensions")
    if not 1 <= len(out) <= MAX_DIMENSIONS:
        raise ValueError(f"dimensions must hold 1 to {MAX_DIMENSIONS} dimensions, got {len(out)}")
    return out


def _segments(
    values: Sequence[str | Mapping[str, Any] | ReportFilter] | str | Mapping[str, Any],
) -> tuple[ReportFilter, ...]:
    if isinstance(values, str | Mapping):
        values = (values,)
    if not isinstance(values, Iterable):
        raise TypeError("segments must be a sequence of segment ids or definitions")
    out = []
    for item in values:
        if isinstance(item, ReportFilter) and item.type == "SEGMENT":
            out.append(item)  # already built (``attrs.evolve`` converts again)
        elif isinstance(item, str | Mapping):
            out.append(ReportFilter.segment(item))
        else:
            raise TypeError(
                f"segments must hold segment ids or definitions, got {type(item).__name__}"
            )
    return tuple(out)


def _search(value: str | ReportSearch | None) -> ReportSearch | None:
    if value is None or isinstance(value, ReportSearch):
        return value
    if isinstance(value, str):
        return ReportSearch(clause=value)
    raise TypeError(f"search must be a clause str or a ReportSearch, got {type(value).__name__}")


def _mapping(value: object, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping, got {type(value).__name__}")
    return dict(value)


def _settings(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return _mapping(value, "settings")


def _extra(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return _mapping(value, "extra")


def _sort_keys(value: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    keys = _texts(value, "sort")
    for key in keys:
        if not key.lstrip("-").strip():
            raise ValueError(f"sort must hold column names, got {key!r}")
    return keys


@attrs.frozen
class ReportRequest:
    """A ``POST /reports`` request, checked when built::

        ReportRequest(
            "dv_123",
            dimension="variables/page",
            metrics=[
                "metrics/visits",
                ReportMetric("metrics/orders", filters=[ReportFilter.segment("s1")]),
            ],
            date_range=("2024-01-01", "2024-02-01"),   # end exclusive: all of January
            segments=["s300000000_123"],
            search="( CONTAINS 'product' )",
            sort=["-metrics/visits"],                   # "-" for descending
            limit=100,
        )

    Args:
        data_view_id: the data view to report on (sent as ``rsid``).
        dimension: the dimension of a classic one-dimension report; leave it out (and
            ``dimensions``) for a totals-only report.
        dimensions: up to five dimensions reported together (Adobe's multi-dimension
            form): each row is one combination of items. The native way to break one
            dimension down by others in a single request.
        metrics: up to 20 metric ids or :class:`ReportMetric` objects; column ids default to
            ``"0"``, ``"1"``, ... in order.
        date_range: ``(start, end)`` (end exclusive) or Adobe's ``"start/end"`` text.
        segments: segment ids or inline definitions, all applied to the whole report.
        filters: more global :class:`ReportFilter` objects (breakdowns, excluded items, ...).
        search: a search clause, or a :class:`ReportSearch` with item ids to keep or drop.
        sort: column names, ``"-"`` in front for descending: metric ids, dimension ids or
            column ids. One metric or the dimension of a classic report is sent as Adobe's
            classic sort; anything more as the multi-column ``settings.sort``.
        limit: rows per page (1 to 50000; Adobe's guide caps pages at 1000 items, the
            default, so walking every row costs the fewest requests).
        page: the 0-based page.
        nones_behavior: ``"exclude-nones"`` or ``"return-nones"``.
        statistics: functions such as ``"col-max"``, ``"col-min"`` for ``summaryData``.
        settings: any further ``settings`` members (e.g. ``{"countRepeatInstances": True}``).
        extra: any further top-level members, sent as given (e.g. ``rowContainer``).
    """

    data_view_id: str = attrs.field(validator=_is_text("data_view_id"))
    dimension: str | None = attrs.field(
        default=None, kw_only=True, validator=_is_text("dimension", optional=True)
    )
    dimensions: tuple[ReportDimension, ...] | None = attrs.field(
        default=None, kw_only=True, converter=_dimensions
    )
    metrics: tuple[ReportMetric, ...] = attrs.field(default=(), kw_only=True, converter=_metrics)
    date_range: str | None = attrs.field(default=None, kw_only=True, converter=_optional_date_range)
    segments: tuple[ReportFilter, ...] = attrs.field(default=(), kw_only=True, converter=_segments)
    filters: tuple[ReportFilter, ...] = attrs.field(default=(), kw_only=True, converter=_filters)
    search: ReportSearch | None = attrs.field(default=None, kw_only=True, converter=_search)
    sort: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_sort_keys)
    limit: int = attrs.field(
        default=MAX_REPORT_PAGE, kw_only=True, validator=_is_int(1, MAX_REPORT_LIMIT, "limit")
    )
    page: int = attrs.field(default=0, kw_only=True, validator=_is_int(0, None, "page"))
    nones_behavior: NonesBehavior | None = attrs.field(default=None, kw_only=True, converter=_nones)
    statistics: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_statistics)
    settings: Mapping[str, Any] = attrs.field(
        factory=dict, kw_only=True, converter=_settings, eq=False
    )
    extra: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True, converter=_extra, eq=False)

    def __attrs_post_init__(self) -> None:
        # Everything that depends on several arguments; building the body checks the rest.
        if self.dimension is not None and self.dimensions is not None:
            raise ValueError("give either dimension or dimensions, not both")
        for reserved in ("limit", "page"):
            if reserved in self.settings:
                raise ValueError(f"settings must not hold {reserved!r}: use {reserved}=")
        self.to_body()

    @property
    def dimension_ids(self) -> list[str]:
        """The dimensions of this report, in column order."""
        if self.dimensions is not None:
            return [d.id for d in self.dimensions]
        return [] if self.dimension is None else [self.dimension]

    def with_page(self, page: int) -> ReportRequest:
        """The same request for another page."""
        return attrs.evolve(self, page=page)

    def _metric_columns(self) -> list[str]:
        columns = [
            m.column_id if m.column_id is not None else str(i) for i, m in enumerate(self.metrics)
        ]
        if len(set(columns)) != len(columns):
            raise ValueError(f"metrics must have distinct column ids, got {columns}")
        return columns

    def _dimension_columns(self) -> list[str]:
        if self.dimensions is None:
            return []
        columns = [d.column_id if d.column_id is not None else d.id for d in self.dimensions]
        if len(set(columns)) != len(columns):
            raise ValueError(
                f"dimensions must have distinct column ids (give column_id), got {columns}"
            )
        return columns

    def _resolve_sort(
        self, metric_columns: list[str], dimension_columns: list[str]
    ) -> list[tuple[str, str, bool]]:
        """(componentType, columnId, ascending) for every sort key."""
        rules: list[tuple[str, str, bool]] = []
        for key in self.sort:
            descending = key.startswith("-")
            name = key[1:] if descending else key
            found: list[tuple[str, str]] = []
            for metric, column in zip(self.metrics, metric_columns, strict=True):
                if name in (metric.id, column):
                    found.append(("metric", column))
            if self.dimensions is not None:
                for dim, column in zip(self.dimensions, dimension_columns, strict=True):
                    if name in (dim.id, column):
                        found.append(("dimension", column))
            elif self.dimension is not None and name == self.dimension:
                found.append(("dimension", self.dimension))
            if not found:
                raise ValueError(f"sort names {name!r}, which is no metric or dimension here")
            if len(set(found)) > 1:
                raise ValueError(f"sort name {name!r} is ambiguous: use a column id")
            rules.append((found[0][0], found[0][1], not descending))
        return rules

    def to_body(self, page: int | None = None) -> dict[str, Any]:
        """The JSON body for ``POST /reports`` (for page ``page`` if given)."""
        body: dict[str, Any] = {"rsid": self.data_view_id}
        global_filters = [*self.segments, *self.filters]
        if self.date_range is not None:
            global_filters.insert(0, ReportFilter("DATE_RANGE", date_range=self.date_range))
        if global_filters:
            body["globalFilters"] = [f.to_json() for f in global_filters]

        metric_columns = self._metric_columns()
        dimension_columns = self._dimension_columns()
        rules = self._resolve_sort(metric_columns, dimension_columns)
        if rules and any(m.sort for m in self.metrics):
            raise ValueError("give sort orders either on metrics or in sort=, not both")
        classic = self.dimensions is None and len(rules) == 1
        metric_sort = {rules[0][1]: rules[0][2]} if classic and rules[0][0] == "metric" else {}

        # Filters shared by several metrics are sent once; ids are their positions.
        metric_filters: list[ReportFilter] = []
        metrics_json = []
        for metric, column in zip(self.metrics, metric_columns, strict=True):
            item: dict[str, Any] = {"columnId": column, "id": metric.id}
            if metric.sort is not None:
                item["sort"] = metric.sort
            elif column in metric_sort:
                item["sort"] = "asc" if metric_sort[column] else "desc"
            if metric.filters:
                ids = []
                for f in metric.filters:
                    if f not in metric_filters:
                        metric_filters.append(f)
                    ids.append(str(metric_filters.index(f)))
                item["filters"] = ids
            metrics_json.append(item)
        container: dict[str, Any] = {"metrics": metrics_json}
        if metric_filters:
            container["metricFilters"] = [f.to_json(str(i)) for i, f in enumerate(metric_filters)]
        body["metricContainer"] = container

        if self.dimension is not None:
            body["dimension"] = self.dimension
        elif self.dimensions is not None:
            dims = []
            for dim, column in zip(self.dimensions, dimension_columns, strict=True):
                entry: dict[str, Any] = {"id": dim.id, "dimensionColumnId": column}
                if dim.search is not None and dim.search.to_json():
                    entry["search"] = dim.search.to_json()
                if dim.nones_behavior is not None:
                    entry["nonesBehavior"] = dim.nones_behavior
                dims.append(entry)
            body["dimensions"] = dims

        if self.search is not None and self.search.to_json():
            body["search"] = self.search.to_json()

        settings: dict[str, Any] = {
            "limit": self.limit,
            "page": self.page if page is None else _int_in(page, 0, None, "page"),
        }
        if classic and rules[0][0] == "dimension":
            settings["dimensionSort"] = "asc" if rules[0][2] else "desc"
        elif rules and not metric_sort:
            settings["sort"] = [
                {"componentType": kind, "columnId": column, "ascending": ascending}
                for kind, column, ascending in rules
            ]
        if self.nones_behavior is not None:
            settings["nonesBehavior"] = self.nones_behavior
        settings.update(self.settings)
        body["settings"] = settings
        if self.statistics:
            body["statistics"] = {"functions": list(self.statistics)}
        for key, value in self.extra.items():
            if key in body:
                raise ValueError(f"extra must not hold {key!r}: the builder writes it")
            body[key] = value
        return body
