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

The parts, each in its module: the seeded events, their dimensions and metrics and date ranges
(``_events``), segments and filters (``_segment_eval``), search clauses (``_search``), the
report engine (``_report_engine``); this module holds only the two routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._events import (
    DATA_END,
    DATA_START,
    DIMENSIONS,
    NONE_ITEM_ID,
    NONE_VALUE,
    TOP_ITEMS_MAX_LIMIT,
    Item,
    dimension_id,
    event_table,
    parse_date_range,
    report_events,
)
from ._http import Response
from ._paging import bad_parameter, int_param
from ._report_engine import ReportOptions, order_key, page_body, run_report
from ._request import Request
from ._router import Router
from ._search import parse_clause

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["DATA_END", "DATA_START", "ReportOptions", "report_events", "router"]

router = Router()


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
    table = event_table(org, data_id)
    dimension = dimension_id(req.param("dimension"))
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
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], order_key(dimension, pair[0])))
    chunk = ranked[page * limit : (page + 1) * limit]
    answer = page_body(len(ranked), limit, page, len(chunk))
    answer["columns"] = {
        "dimension": {"id": dimension, "type": DIMENSIONS[dimension].type},
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
