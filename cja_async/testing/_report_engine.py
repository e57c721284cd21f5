"""The report engine: ``POST /reports`` bodies aggregated over the seeded events."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import service_error
from ._events import (
    DIMENSIONS,
    DISTINCT,
    MAX_DIMENSIONS,
    MAX_LIMIT,
    MAX_METRICS,
    NONE_ITEM_ID,
    NONE_VALUE,
    SUMMED,
    EventTable,
    Item,
    dimension_id,
    event_table,
)
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter
from ._search import search_matcher
from ._segment_eval import filter_events
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

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


def _metric_columns(org: OrgState, table: EventTable, container: Any) -> list[_Column]:
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
        filters[spec["id"]] = filter_events(org, table, spec, where)
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
        known = metric in SUMMED or metric in DISTINCT
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
        return [_DimSpec(dimension_id(single), "dimension", None, nones)], False
    if not isinstance(multi, list) or not 1 <= len(multi) <= MAX_DIMENSIONS:
        raise bad_parameter(f"dimensions must be a list of 1 to {MAX_DIMENSIONS} dimensions")
    specs = []
    for index, entry in enumerate(multi):
        where = f"dimensions[{index}]"
        if not isinstance(entry, dict):
            raise bad_parameter(f"{where} must be an object")
        column = str(entry.get("dimensionColumnId", index))
        search = search_matcher(entry.get("search"), f"{where}.search")
        dim_nones = str(entry.get("nonesBehavior", nones))
        specs.append(_DimSpec(dimension_id(entry.get("id")), column, search, dim_nones))
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


def page_body(total: int, limit: int, page: int, count: int) -> JSON:
    total_pages = math.ceil(total / limit)
    return {
        "totalPages": total_pages,
        "firstPage": page == 0,
        "lastPage": page + 1 >= total_pages,
        "numberOfElements": count,
        "number": page,
        "totalElements": total,
    }


def order_key(dimension: str, item: Item | None) -> tuple[int, Any]:
    if item is None:
        return (1, "")  # "No value" after every item, either way round
    if DIMENSIONS[dimension].numeric_order:
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
    table = event_table(org, body.get("rsid", body.get("dataId")))
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
        found = filter_events(org, table, spec, f"globalFilters[{index}]")
        if found is not None:
            base &= found
    columns = _metric_columns(org, table, body.get("metricContainer"))
    global_search = search_matcher(body.get("search"), "search")
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
            "_order": [order_key(d.id, item) for d, item in zip(dims, key, strict=True)],
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
    answer: JSON = page_body(len(rows), limit, page, len(chunk))
    column_json: JSON = {"columnIds": [c.column_id for c in columns]}
    if multi:
        column_json["dimensions"] = [
            {"id": d.id, "type": DIMENSIONS[d.id].type, "dimensionColumnId": d.column_id}
            for d in dims
        ]
    elif dims:
        column_json["dimension"] = {"id": dims[0].id, "type": DIMENSIONS[dims[0].id].type}
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
