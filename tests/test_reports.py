"""``cja.reports``: the request builder, report pages and walks, top items, data frames, and
the simulator's report engine, checked against numbers computed independently from the
simulator's seeded events (``report_events``)."""

from __future__ import annotations

import builtins
import math
import sys
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from api_calls import MOBILE_VISITS

from cja_async import BadRequestError, Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import (
    Report,
    ReportDimension,
    ReportFilter,
    ReportMetric,
    ReportRequest,
    ReportSearch,
    Segment,
)
from cja_async.testing import Faults, Recorder, Simulator

pytestmark = pytest.mark.anyio

PAGE = "variables/page"
CHANNEL = "variables/marketingchannel"
DEVICE = "variables/devicetype"
COUNTRY = "variables/geocountry"
DAY = "variables/daterangeday"
Q1 = ("2024-01-01", "2024-04-01")


def in_range(event: dict[str, Any], start: str, end: str) -> bool:
    return datetime.fromisoformat(start) <= event["time"] < datetime.fromisoformat(end)


def reports_sent(sim: Simulator) -> int:
    return sim.stats.by_path["/reports"]


# -- numbers --------------------------------------------------------------------------------


async def test_report_numbers_match_the_seeded_events(
    cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    request = ReportRequest(
        view,
        dimension=PAGE,
        metrics=["metrics/pageviews", "metrics/visits", "metrics/revenue", "metrics/orders"],
        date_range=Q1,
        limit=1000,
    )
    report = await cja.reports.run(request)
    q1 = [e for e in events if in_range(e, *Q1)]
    assert report.rows and report.summary_data is not None and report.columns is not None
    assert report.columns.dimension is not None and report.columns.dimension.id == PAGE
    assert report.column_ids == ["0", "1", "2", "3"]
    totals = report.totals
    # Additive metrics: the rows add up to the totals, which match the raw events.
    assert totals["metrics/pageviews"] == sum(e["metrics/pageviews"] for e in q1)
    assert sum(r.data[0] for r in report.rows if r.data) == totals["metrics/pageviews"]
    assert math.isclose(sum(r.data[2] for r in report.rows if r.data), totals["metrics/revenue"])
    assert totals["metrics/orders"] == sum(e["metrics/orders"] for e in q1) > 0
    # Visits are distinct: the total counts each visit once, however many pages it saw.
    assert totals["metrics/visits"] == len({e["visit"] for e in q1})
    assert sum(r.data[1] for r in report.rows if r.data) > totals["metrics/visits"]
    home = next(r for r in report.rows if r.value == "home")
    assert home.data == [
        sum(e["metrics/pageviews"] for e in q1 if e[PAGE] == "home"),
        len({e["visit"] for e in q1 if e[PAGE] == "home"}),
        0.0,
        0.0,
    ]
    assert report.total_elements == len({e[PAGE] for e in q1}) == len(report.rows)
    # Ranked by the first metric, descending, by default.
    first = [r.data[0] for r in report.rows if r.data]
    assert first == sorted(first, reverse=True)


async def test_same_request_same_numbers(sim: Simulator, cja: Client, view: str) -> None:
    request = ReportRequest(view, dimension=CHANNEL, metrics=["metrics/visits"], date_range=Q1)
    first = unstructure(await cja.reports.run(request))
    again = unstructure(await cja.reports.run(request))
    assert first == again
    # A fresh simulator with the same seed has the same data views and the same numbers.
    other = Simulator(rate_limit=sim.rate_limit)
    async with other.client(org_id=cja.org_id) as client:
        assert unstructure(await client.reports.run(request)) == first


async def test_inline_segment_keeps_whole_visits(
    cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    request = ReportRequest(
        view, dimension=CHANNEL, metrics=["metrics/occurrences"], segments=[MOBILE_VISITS]
    )
    report = await cja.reports.run(request)
    visits = {e["visit"] for e in events if e[DEVICE] == "Mobile Phone"}
    kept = [e for e in events if e["visit"] in visits]
    expected = Counter(e[CHANNEL] for e in kept)
    assert {r.value: r.data[0] for r in report.rows or [] if r.data} == expected
    assert report.totals["metrics/occurrences"] == len(kept)


async def test_saved_segment_by_id(cja: Client, view: str, events: list[dict[str, Any]]) -> None:
    definition = {
        "func": "segment-def",
        "version": [1, 0, 0],
        "container": {
            "func": "segment",
            "context": "hits",
            "pred": {"func": "contains", "str": "product", "val": {"func": "attr", "name": PAGE}},
        },
    }
    segment = await cja.segments.create(Segment(name="Products", rsid=view, definition=definition))
    assert segment.id
    report = await cja.reports.run(
        ReportRequest(view, metrics=["metrics/occurrences"], segments=[segment.id])
    )
    assert report.rows == []  # no dimension: a totals-only report
    assert report.totals == {"metrics/occurrences": sum("product" in e[PAGE] for e in events)}
    with pytest.raises(BadRequestError) as caught:
        await cja.reports.run(
            ReportRequest(view, metrics=["metrics/occurrences"], segments=["s_missing"])
        )
    assert caught.value.error_code == "invalid_segment_ids_found"


async def test_metric_filters_apply_to_their_column_only(
    cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    march = ReportFilter.dates(date(2024, 3, 1), date(2024, 4, 1))
    request = ReportRequest(
        view,
        dimension=DEVICE,
        metrics=[
            "metrics/occurrences",
            ReportMetric("metrics/occurrences", filters=[march]),
            ReportMetric(
                "metrics/occurrences", filters=[march, ReportFilter.segment(MOBILE_VISITS)]
            ),
        ],
        date_range=Q1,
    )
    body = request.to_body()
    assert body["metricContainer"]["metricFilters"] == [
        {"id": "0", "type": "DATE_RANGE",
         "dateRange": "2024-03-01T00:00:00.000/2024-04-01T00:00:00.000"},
        {"id": "1", "type": "SEGMENT", "segmentDefinition": MOBILE_VISITS},
    ]  # fmt: skip
    assert [m.get("filters") for m in body["metricContainer"]["metrics"]] == [
        None,
        ["0"],
        ["0", "1"],
    ]
    report = await cja.reports.run(request)
    assert report.metric_names == [
        "metrics/occurrences [0]",
        "metrics/occurrences [1]",
        "metrics/occurrences [2]",
    ]
    q1 = [e for e in events if in_range(e, *Q1)]
    in_march = [e for e in q1 if in_range(e, "2024-03-01", "2024-04-01")]
    desktop = next(r for r in report.rows or [] if r.value == "Desktop")
    assert desktop.data == [
        sum(e[DEVICE] == "Desktop" for e in q1),
        sum(e[DEVICE] == "Desktop" for e in in_march),
        0,  # a desktop event is never in a mobile visit
    ]


async def test_search_nones_and_excluded_items(
    cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    clause = "( CONTAINS 'product' ) AND NOT ( ENDS-WITH '1' ) OR ( MATCH 'HOME' )"
    report = await cja.reports.run(
        ReportRequest(view, dimension=PAGE, metrics=["metrics/occurrences"], search=clause)
    )
    values = {r.value for r in report.rows or []}
    pages = {e[PAGE] for e in events}
    assert values == {p for p in pages if ("product" in p and not p.endswith("1")) or p == "home"}
    assert report.summary_data is not None and report.summary_data.filtered_totals is not None
    assert report.summary_data.filtered_totals[0] == sum(e[PAGE] in values for e in events)
    assert report.totals["metrics/occurrences"] == len(events)

    countries = await cja.reports.run(
        ReportRequest(view, dimension=COUNTRY, metrics=["metrics/occurrences"], limit=100)
    )
    none_row = next(r for r in countries.rows or [] if r.item_id == "0")
    assert none_row.value == "No value"
    assert none_row.data == [sum(e[COUNTRY] is None for e in events)] != [0]
    us = next(r for r in countries.rows or [] if r.value == "United States")
    dropped = await cja.reports.run(
        ReportRequest(
            view,
            dimension=COUNTRY,
            metrics=["metrics/occurrences"],
            nones_behavior="exclude-nones",
            search=ReportSearch(exclude_item_ids=[str(us.item_id)]),
        )
    )
    kept = {r.value for r in dropped.rows or []}
    assert "No value" not in kept and "United States" not in kept and kept


async def test_breakdown_filter_and_totals_only(cja: Client, view: str) -> None:
    channels = await cja.reports.run(
        ReportRequest(view, dimension=CHANNEL, metrics=["metrics/visits"])
    )
    email = next(r for r in channels.rows or [] if r.value == "Email")
    broken = await cja.reports.run(
        ReportRequest(
            view,
            dimension=DEVICE,
            metrics=["metrics/visits"],
            filters=[ReportFilter.breakdown(CHANNEL, str(email.item_id))],
        )
    )
    assert broken.totals["metrics/visits"] == (email.data or [])[0]


# -- multi-dimension ------------------------------------------------------------------------


async def test_multi_dimension_report_in_one_request(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    request = ReportRequest(
        view,
        dimensions=[CHANNEL, ReportDimension(DEVICE, column_id="device")],
        metrics=["metrics/occurrences"],
        sort=[CHANNEL, "-metrics/occurrences"],
        limit=1000,
    )
    body = request.to_body()
    assert body["dimensions"] == [
        {"id": CHANNEL, "dimensionColumnId": CHANNEL},
        {"id": DEVICE, "dimensionColumnId": "device"},
    ]
    assert body["settings"]["sort"] == [
        {"componentType": "dimension", "columnId": CHANNEL, "ascending": True},
        {"componentType": "metric", "columnId": "0", "ascending": False},
    ]
    before = reports_sent(sim)
    report = await cja.reports.run(request)
    assert reports_sent(sim) == before + 1
    assert report.dimension_ids == [CHANNEL, DEVICE]
    expected = Counter((e[CHANNEL], e[DEVICE]) for e in events)
    rows = report.rows or []
    assert {tuple(r.dimension_values): r.data[0] for r in rows if r.data} == expected
    assert sum(r.data[0] for r in rows if r.data) == report.totals["metrics/occurrences"]
    order = [(r.dimension_values[0], -(r.data or [0])[0]) for r in rows]
    assert order == sorted(order)  # channel A-Z, then occurrences high to low

    # A dimension-level search narrows that dimension only.
    tablets = await cja.reports.run(
        ReportRequest(
            view,
            dimensions=[CHANNEL, ReportDimension(DEVICE, search="( MATCH 'tablet' )")],
            metrics=["metrics/occurrences"],
        )
    )
    assert {r.dimension_values[1] for r in tablets.rows or []} == {"Tablet"}


async def test_sorting_by_dimension_and_metric(cja: Client, view: str) -> None:
    days = await cja.reports.run(
        ReportRequest(view, dimension=DAY, metrics=["metrics/visits"], sort=[DAY], limit=400)
    )
    ids = [int(r.item_id or 0) for r in days.rows or []]
    assert ids == sorted(ids)
    # The first day with data (seeded at random, so not always Jan 1), labelled as Adobe
    # encodes it: "1240002" is (2024 - 1900), zero-based month 0, day 2: "Jan 2, 2024".
    first = str(ids[0])
    year, month, day = 1900 + int(first[:-4]), int(first[-4:-2]) + 1, int(first[-2:])
    assert (year, month) == (2024, 1) and day <= 7
    assert (days.rows or [])[0].value == f"Jan {day}, 2024"
    assert days.columns and days.columns.dimension and days.columns.dimension.type == "TIME"
    assert (
        ReportRequest(view, dimension=DAY, sort=["-" + DAY]).to_body()["settings"]["dimensionSort"]
        == "desc"
    )
    ascending = await cja.reports.run(
        ReportRequest(view, dimension=PAGE, metrics=["metrics/visits"], sort=["metrics/visits"])
    )
    visits = [(r.data or [0])[0] for r in ascending.rows or []]
    assert visits == sorted(visits)


# -- paging ---------------------------------------------------------------------------------


async def test_rows_walks_every_page_once(sim: Simulator, cja: Client, view: str) -> None:
    whole = await cja.reports.run(
        ReportRequest(view, dimension=PAGE, metrics=["metrics/occurrences"], limit=1000)
    )
    expected = [(r.item_id, r.data) for r in whole.rows or []]
    request = ReportRequest(view, dimension=PAGE, metrics=["metrics/occurrences"], limit=7)
    before = reports_sent(sim)
    walked = [(row.item_id, row.data) async for row in cja.reports.rows(request)]
    assert walked == expected
    assert reports_sent(sim) - before == math.ceil(len(expected) / 7)

    page = await cja.reports.rows(request.with_page(2))
    assert page.number == 2 and page.items and page.total_elements == len(expected)
    assert [(r.item_id, r.data) for r in page.items] == expected[14:21]

    everything = await cja.reports.run_all(request)
    assert [(r.item_id, r.data) for r in everything.rows or []] == expected
    assert everything.last_page is True and everything.number_of_elements == len(expected)
    capped = await cja.reports.run_all(request, max_rows=10)
    assert [(r.item_id, r.data) for r in capped.rows or []] == expected[:10]
    assert capped.last_page is False


async def test_raw_body_is_sent_unchanged_and_paged(cja: Client, view: str) -> None:
    body = {
        "rsid": view,
        "dimension": PAGE,
        "globalFilters": [{"type": "dateRange", "dateRange": "2024-01-01/2024-03-31"}],
        "metricContainer": {"metrics": [{"columnId": "pv", "id": "metrics/pageviews"}]},
        "settings": {"limit": 20, "page": 0},
    }
    snapshot = repr(body)
    report = await cja.reports.run(body)
    builder = await cja.reports.run(
        ReportRequest(view, dimension=PAGE, metrics=["metrics/pageviews"], date_range=Q1, limit=20)
    )
    # "YYYY-MM-DD/YYYY-MM-DD" includes the end day: the same quarter as the builder's range.
    assert [r.data for r in report.rows or []] == [r.data for r in builder.rows or []]
    assert report.metric_names == ["metrics/pageviews"]
    rows = [row async for row in cja.reports.rows(body)]
    assert len(rows) == report.total_elements
    assert repr(body) == snapshot  # the caller's dict is never changed


async def test_report_rows_page_1000_at_a_time_by_default(
    rec: Client, recorder: Recorder, view: str
) -> None:
    def limits() -> list[Any]:
        sent = [s.body["settings"].get("limit") if s.body else s.params.get("limit")
                for s in recorder.sent if s.path.startswith("/reports")]  # fmt: skip
        recorder.clear()
        return sent

    minute = "variables/daterangeminute"  # thousands of items
    request = ReportRequest(view, dimension=minute, metrics=["metrics/occurrences"])
    rows = [row async for row in rec.reports.rows(request)]
    assert len(rows) > 3000 and limits() == [1000] * math.ceil(len(rows) / 1000)
    # A raw body without a limit is walked in pages of 1000 too; one with a limit keeps it.
    metrics = {"metrics": [{"columnId": "0", "id": "metrics/occurrences"}]}
    body = {"rsid": view, "dimension": minute, "metricContainer": metrics}
    assert len([row async for row in rec.reports.rows(body)]) == len(rows)
    assert set(limits()) == {1000}
    await rec.reports.run_all({**body, "settings": {"limit": 2000}}, max_rows=10)
    assert limits() == [2000]
    # Top items: the endpoint's maximum of 1000 unless the caller says otherwise.
    await rec.reports.top_items(view, PAGE)
    await rec.reports.top_items(view, PAGE, limit=7)
    assert limits() == ["1000", "7"]


async def test_unknown_metric_is_a_column_error(cja: Client, view: str) -> None:
    report = await cja.reports.run(
        ReportRequest(view, dimension=DEVICE, metrics=["metrics/visits", "metrics/nonsense"])
    )
    assert report.columns is not None and report.columns.column_errors
    error = report.columns.column_errors[0]
    assert (error.column_id, error.error_code) == ("1", "not_enabled_metric")
    assert all((r.data or [])[1] == 0 for r in report.rows or [])


async def test_server_errors(cja: Client, view: str) -> None:
    with pytest.raises(NotFoundError):
        await cja.reports.run(ReportRequest("dv_nope", dimension=PAGE, metrics=["metrics/visits"]))
    with pytest.raises(BadRequestError, match="18 months"):
        await cja.reports.run(
            ReportRequest(view, metrics=["metrics/visits"], date_range=("2023-01-01", "2024-12-01"))
        )
    with pytest.raises(BadRequestError, match="Unknown dimension"):
        await cja.reports.run(ReportRequest(view, dimension="variables/nope"))
    with pytest.raises(BadRequestError, match="search clause"):
        await cja.reports.run(ReportRequest(view, dimension=PAGE, search="( CONTAINS 'x'"))


async def test_reports_are_retried_on_503(sim: Simulator, cja: Client, view: str) -> None:
    request = ReportRequest(view, dimension=CHANNEL, metrics=["metrics/visits"])
    clean = unstructure(await cja.reports.run(request))
    sim.faults = Faults(error_rate=0.5, error_statuses=(503, 504))
    results = [unstructure(await cja.reports.run(request)) for _ in range(4)]
    assert results == [clean] * 4
    assert cja.stats.retries > 0  # a POST, yet retried: a report only reads


# -- top items ------------------------------------------------------------------------------


async def test_top_items(cja: Client, view: str, events: list[dict[str, Any]]) -> None:
    # Default: the last 90 days before the simulator's fixed "now" (2025-01-01).
    recent = [e for e in events if in_range(e, "2024-10-03", "2025-01-01")]
    counts = Counter(e[PAGE] for e in recent)
    top = await cja.reports.top_items(view, PAGE, limit=5)
    assert top.total_elements == len(counts)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    assert [(r.value, (r.data or [0])[0]) for r in top.items] == ranked[:5]

    all_items = [r async for r in cja.reports.top_items(view, PAGE, limit=10)]
    assert sorted(r.value or "" for r in all_items) == sorted(counts)

    searched = [
        r.value
        async for r in cja.reports.top_items(
            view,
            PAGE,
            date_range=(date(2024, 1, 1), date(2024, 12, 31)),
            search_and="product",
            search_not="1",
            limit=100,
        )
    ]
    assert searched and all("product" in v and "1" not in v for v in searched if v)
    clause = [
        r.value
        async for r in cja.reports.top_items(
            view, PAGE, start_date="2024-01-01", search_clause="'home' OR 'cart'", limit=100
        )
    ]
    assert sorted(v or "" for v in clause) == ["cart", "home"]

    with_nones = await cja.reports.top_items(view, COUNTRY, date_range="2024-01-01/2024-12-31")
    without = await cja.reports.top_items(
        view, COUNTRY, date_range="2024-01-01/2024-12-31", lookup_none_values=False
    )
    assert (with_nones.total_elements or 0) == (without.total_elements or 0) + 1


# -- the builder ----------------------------------------------------------------------------


def test_builder_writes_adobes_body() -> None:
    request = ReportRequest(
        "dv_1",
        dimension=PAGE,
        metrics=["metrics/visits", ReportMetric("metrics/orders", column_id="o")],
        date_range=(datetime(2024, 1, 1, 6, 30), "2024-02-01"),
        segments=["s1"],
        filters=[ReportFilter.exclude_items(PAGE, ["0"])],
        search="'home'",
        sort=["-o"],
        limit=25,
        page=3,
        nones_behavior="exclude-nones",
        statistics=["col-max"],
        settings={"countRepeatInstances": True},
        extra={"anchorDate": "2024-02-01T00:00:00.000"},
    )
    assert request.to_body() == {
        "rsid": "dv_1",
        "globalFilters": [
            {"type": "DATE_RANGE", "dateRange": "2024-01-01T06:30:00.000/2024-02-01T00:00:00.000"},
            {"type": "SEGMENT", "segmentId": "s1"},
            {"type": "EXCLUDE_ITEM_IDS", "dimension": PAGE, "excludeItemIds": ["0"]},
        ],
        "metricContainer": {
            "metrics": [
                {"columnId": "0", "id": "metrics/visits"},
                {"columnId": "o", "id": "metrics/orders", "sort": "desc"},
            ]
        },
        "dimension": PAGE,
        "search": {"clause": "'home'"},
        "settings": {
            "limit": 25,
            "page": 3,
            "nonesBehavior": "exclude-nones",
            "countRepeatInstances": True,
        },
        "statistics": {"functions": ["col-max"]},
        "anchorDate": "2024-02-01T00:00:00.000",
    }  # fmt: skip
    assert request.to_body(page=0)["settings"]["page"] == 0
    assert request.with_page(4).page == 4 and request.dimension_ids == [PAGE]


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"data_view_id": ""}, ValueError, "data_view_id"),
        ({"data_view_id": 5}, TypeError, "data_view_id"),
        ({"metrics": [f"metrics/m{i}" for i in range(21)]}, ValueError, "metrics"),
        ({"metrics": 5}, TypeError, "metrics"),
        ({"metrics": "metrics/visits"}, TypeError, r"pass metrics=\['metrics/visits'\]"),
        (
            {"metrics": ReportMetric("metrics/visits")},
            TypeError,
            r"pass metrics=\[ReportMetric\(...\)\]",
        ),
        ({"dimensions": ReportDimension(PAGE)}, TypeError, r"pass dimensions=\[ReportDimension"),
        ({"metrics": [""]}, ValueError, "metric id"),
        ({"dimensions": [PAGE] * 6}, ValueError, "dimensions"),
        ({"dimensions": []}, ValueError, "dimensions"),
        ({"dimensions": PAGE}, TypeError, "dimensions"),
        ({"dimension": PAGE, "dimensions": [DEVICE]}, ValueError, "dimension"),
        ({"dimensions": [PAGE, PAGE]}, ValueError, "column id"),
        ({"limit": 0}, ValueError, "limit"),
        ({"limit": 50_001}, ValueError, "limit"),
        ({"limit": True}, TypeError, "limit"),
        ({"page": -1}, ValueError, "page"),
        ({"date_range": ("2024-02-01", "2024-01-01")}, ValueError, "date_range"),
        ({"date_range": ("2024-13-01", "2024-12-01")}, ValueError, "date_range"),
        ({"date_range": "2024-01-01"}, ValueError, "date_range"),
        ({"date_range": ("2024-01-01",)}, TypeError, "date_range"),
        ({"nones_behavior": "drop"}, ValueError, "nones_behavior"),
        ({"segments": [""]}, ValueError, "segment"),
        ({"segments": [5]}, TypeError, "segments"),
        ({"search": 5}, TypeError, "search"),
        ({"sort": ["metrics/nope"]}, ValueError, "sort"),
        ({"sort": ["-"]}, ValueError, "sort"),
        ({"settings": {"limit": 5}}, ValueError, "limit="),
        ({"settings": []}, TypeError, "settings"),
        ({"extra": {"rsid": "x"}}, ValueError, "extra"),
        ({"statistics": "col-max"}, TypeError, "statistics"),
        (
            {"metrics": ["metrics/a", ReportMetric("metrics/b", column_id="0")]},
            ValueError,
            "column",
        ),
        (
            {"metrics": [ReportMetric("metrics/a", sort="asc")], "sort": ["metrics/a"]},
            ValueError,
            "sort",
        ),
        ({"metrics": ["metrics/a", "metrics/a"], "sort": ["metrics/a"]}, ValueError, "ambiguous"),
    ],
)
def test_builder_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], names: str
) -> None:
    arguments: dict[str, Any] = {"data_view_id": "dv_1", "metrics": ["metrics/visits"]}
    arguments.update(kwargs)
    with pytest.raises(error, match=names):
        ReportRequest(**arguments)


def test_parts_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="sort"):
        ReportMetric("metrics/visits", sort="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="item_ids"):
        ReportFilter.exclude_items(PAGE, [])
    with pytest.raises(ValueError, match="item_id"):
        ReportFilter.breakdown(PAGE, "")
    with pytest.raises(ValueError, match="segment"):
        ReportFilter.segment({})
    with pytest.raises(TypeError, match="item_ids"):
        ReportSearch(item_ids="123")
    assert ReportFilter.dates(Q1) == ReportFilter.dates(*Q1)
    one = ReportFilter("SEGMENT", segment_definition={"func": "a"})
    assert one != ReportFilter("SEGMENT", segment_definition={"func": "b"})
    assert one == ReportFilter.segment({"func": "a"}) and hash(one) == hash(
        ReportFilter.segment({"func": "a"})
    )
    # Identical metric filters are sent once, however many metrics use them.
    shared = ReportFilter.segment(MOBILE_VISITS)
    body = ReportRequest(
        "dv_1",
        metrics=[
            ReportMetric("metrics/a", filters=[shared]),
            ReportMetric("metrics/b", filters=[ReportFilter.segment(dict(MOBILE_VISITS))]),
        ],
    ).to_body()
    assert len(body["metricContainer"]["metricFilters"]) == 1


async def test_calls_reject_bad_arguments_before_sending(
    sim: Simulator, cja: Client, view: str
) -> None:
    before = sim.stats.requests
    with pytest.raises(TypeError, match="request"):
        await cja.reports.run("dv_1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="request"):
        await cja.reports.run({})
    with pytest.raises(ValueError, match="limit"):
        cja.reports.top_items(view, PAGE, limit=1001)
    with pytest.raises(ValueError, match="dimension"):
        cja.reports.top_items(view, "")
    with pytest.raises(ValueError, match="not both"):
        cja.reports.top_items(view, PAGE, date_range=Q1, start_date="2024-01-01")
    with pytest.raises(ValueError, match="start_date"):
        cja.reports.top_items(view, PAGE, start_date="January")
    with pytest.raises(ValueError, match="max_rows"):
        await cja.reports.run_all(ReportRequest(view, dimension=PAGE), max_rows=0)
    assert sim.stats.requests == before


# -- data frames ----------------------------------------------------------------------------


async def test_to_pandas(cja: Client, view: str) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed (extra 'pandas')")
    report = await cja.reports.run_all(
        ReportRequest(
            view,
            dimensions=[CHANNEL, DEVICE],
            metrics=["metrics/visits", "metrics/revenue"],
            date_range=Q1,
            limit=10,
        )
    )
    frame = report.to_pandas()
    assert list(frame.columns) == [CHANNEL, DEVICE, "metrics/visits", "metrics/revenue"]
    assert len(frame) == report.total_elements
    assert frame["metrics/visits"].dtype == "float64"
    assert pd.api.types.is_string_dtype(frame[CHANNEL])
    assert frame["metrics/revenue"].sum() == pytest.approx(report.totals["metrics/revenue"])
    with_ids = report.to_pandas(item_ids=True)
    assert f"{CHANNEL}.itemId" in with_ids.columns


async def test_to_polars(cja: Client, view: str) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed (extra 'polars')")
    report = await cja.reports.run(
        ReportRequest(view, dimension=PAGE, metrics=["metrics/pageviews"], limit=1000)
    )
    frame = report.to_polars()
    assert frame.columns == [PAGE, "metrics/pageviews"]
    assert frame.schema[PAGE] == pl.Utf8 and frame.schema["metrics/pageviews"] == pl.Float64
    assert frame["metrics/pageviews"].sum() == report.totals["metrics/pageviews"]


def test_records_of_an_answer_shaped_differently() -> None:
    # Without the request (a report built by hand) columns are named by column id, and a
    # row missing a dimension's value still gets every column.
    report = structure(
        {
            "columns": {"dimensions": [{"id": PAGE}, {"id": DEVICE}], "columnIds": ["a"]},
            "rows": [{"itemId": "1", "value": "home", "data": [3]}],
        },
        Report,
    )
    assert report.to_records(item_ids=True) == [
        {PAGE: "home", DEVICE: None, f"{PAGE}.itemId": "1", f"{DEVICE}.itemId": None, "a": 3.0}
    ]


def test_data_frames_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("pandas", "polars"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    monkeypatch.setattr(builtins, "__import__", refuse)
    report = Report(rows=[])
    with pytest.raises(ImportError, match=r"cja-async\[pandas\]"):
        report.to_pandas()
    with pytest.raises(ImportError, match=r"cja-async\[polars\]"):
        report.to_polars()
    assert report.to_records() == []


# -- README examples ------------------------------------------------------------------------

README_REPORTS = """
import asyncio

from cja_async.models import ReportDimension, ReportFilter, ReportMetric, ReportRequest
from cja_async.testing import Simulator


async def main() -> None:
    sim = Simulator()  # an in-process CJA; use Client(...) against Adobe
    async with sim.client(org_id="REPORTS-EXAMPLE@AdobeOrg") as cja:
        view = (await cja.dataviews.list(limit=1)).items[0].id

        # One page of a classic report: pages by visits in Q1 2024, for mobile visits only.
        mobile = {
            "func": "segment-def",
            "version": [1, 0, 0],
            "container": {
                "func": "segment",
                "context": "visits",
                "pred": {
                    "func": "streq",
                    "str": "Mobile Phone",
                    "val": {"func": "attr", "name": "variables/devicetype"},
                },
            },
        }
        request = ReportRequest(
            view,
            dimension="variables/page",
            metrics=[
                "metrics/visits",
                ReportMetric(
                    "metrics/revenue", filters=[ReportFilter.dates("2024-03-01", "2024-04-01")]
                ),
            ],
            date_range=("2024-01-01", "2024-04-01"),  # end exclusive: Jan 1 to Mar 31
            segments=[mobile],  # or saved segment ids
            search="( CONTAINS 'product' ) OR ( MATCH 'home' )",
            sort=["-metrics/visits"],
            limit=20,
        )
        report = await cja.reports.run(request)
        print(report.total_elements, "items; totals:", report.totals)
        for row in (report.rows or [])[:3]:
            print(row.value, row.data)

        # Every row, page by page (pages after the first are fetched concurrently).
        visits = [row.data[0] async for row in cja.reports.rows(request) if row.data]
        print(len(visits), "rows")

        # A breakdown of every channel by device type in ONE request (up to 5 dimensions).
        both = ReportRequest(
            view,
            dimensions=["variables/marketingchannel", ReportDimension("variables/devicetype")],
            metrics=["metrics/visits"],
            sort=["variables/marketingchannel", "-metrics/visits"],
            limit=100,
        )
        table = await cja.reports.run_all(both)
        for record in table.to_records()[:3]:
            print(record)
        # table.to_pandas() / table.to_polars() with the 'pandas' / 'polars' extras.

        # Top items of a dimension (the last 90 days by default).
        top = await cja.reports.top_items(view, "variables/page", search_and="product", limit=3)
        for item in top.items:
            print(item.item_id, item.value, item.data)


asyncio.run(main())
"""


def test_readme_reports_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(README_REPORTS, "README_REPORTS", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "items; totals:" in out and "variables/marketingchannel" in out
