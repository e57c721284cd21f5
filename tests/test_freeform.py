"""``cja.reports.freeform_table``: the rows of a Workspace freeform table with breakdowns,
checked against tables computed directly from the simulator's seeded events
(``report_events``), and the requests each plan costs."""

from __future__ import annotations

import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from cja_async import BadRequestError, Client
from cja_async.models import FreeformProgress, FreeformRow, ReportMetric, ReportRequest
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio

CHANNEL = "variables/marketingchannel"
DEVICE = "variables/devicetype"
PAGE = "variables/page"
MINUTE = "variables/daterangeminute"
Q1 = ("2024-01-01", "2024-04-01")
FIFTEEN_MONTHS = ("2024-01-01", "2025-04-01")
METRICS = ["metrics/visits", "metrics/revenue", "metrics/visitors"]


def measure(metric: str, group: list[dict[str, Any]]) -> float:
    """A metric over events, computed here (not by the engine): distinct counts for visits
    and visitors, sums for the rest."""
    if metric == "metrics/visits":
        return float(len({e["visit"] for e in group}))
    if metric == "metrics/visitors":
        return float(len({e["visitor"] for e in group}))
    return round(math.fsum(e[metric] for e in group), 2)


def expected_table(
    events: list[dict[str, Any]],
    dimensions: Sequence[str],
    metrics: Sequence[str],
    date_range: tuple[str, str],
    top: Sequence[int | None],
) -> list[FreeformRow]:
    """Workspace's rows: per level the top items by the first metric (descending, ties by
    item id), each row with the metrics of its own combination."""
    start, end = (datetime.fromisoformat(d) for d in date_range)
    chosen = [e for e in events if start <= e["time"] < end]

    def level(group: list[dict[str, Any]], depth: int, ids: tuple[str, ...],
              values: tuple[str, ...]) -> Iterator[FreeformRow]:  # fmt: skip
        dimension = dimensions[depth]
        items: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for event in group:
            items[(event[f"{dimension}.itemId"], event[dimension] or "No value")].append(event)
        ranked = sorted(items.items(), key=lambda kv: (-measure(metrics[0], kv[1]), kv[0][0]))
        for (item_id, value), under in ranked[: top[depth]]:
            if depth + 1 == len(dimensions):
                data = {m: measure(m, under) for m in metrics}
                yield FreeformRow((*values, value), (*ids, item_id), data)
            else:
                yield from level(under, depth + 1, (*ids, item_id), (*values, value))

    return list(level(chosen, 0, (), ()))


def reports_sent(sim: Simulator) -> int:
    return sim.stats.by_path["/reports"]


# -- the acceptance cases ---------------------------------------------------------------------


async def test_three_levels_by_breakdowns_when_multi_dimension_is_refused(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    sim.reports.multi_dimension = False
    dims, top = [CHANNEL, DEVICE, PAGE], [5, 3, None]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=METRICS, date_range=Q1, top=top
    )
    rows = await table.collect()
    assert rows == expected_table(events, dims, METRICS, Q1, top)
    channels, pairs = len({r.values[:1] for r in rows}), len({r.values[:2] for r in rows})
    assert channels == 5 and 13 <= pairs <= 15 and len(rows) > 100
    # 1 top request, a breakdown per channel and per channel and device (at most 5 + 15; no
    # page has more than 1000 items), 1 refused attempt.
    assert table.refused == 1
    assert reports_sent(sim) == table.requests == 1 + 1 + channels + pairs <= 1 + 1 + 5 + 15
    assert table.plan == ["top", "breakdowns", "breakdowns"]
    assert sim.stats.rejected_429 == 0
    # Breakdowns ran side by side through the limiter, never beyond Adobe's 6.
    assert 1 < sim.stats.max_in_flight <= 6


async def test_multi_dimension_requests_give_the_same_rows_for_fewer_requests(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    dims, top = [CHANNEL, DEVICE, PAGE], [5, 3, None]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=METRICS, date_range=Q1, top=top
    )
    rows = await table.collect()
    assert rows == expected_table(events, dims, METRICS, Q1, top)
    assert reports_sent(sim) == table.requests == 3  # one request per level
    assert table.refused == 0
    assert table.plan == ["top", "multi-dimension", "multi-dimension"]


async def test_too_complex_level_falls_back_to_breakdowns_once(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    # Channel x device fits; channel x device x page is "too complex" for this server.
    sim.reports.max_combinations = 100
    dims, top = [CHANNEL, DEVICE, PAGE], [5, 3, None]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=METRICS, date_range=Q1, top=top
    )
    rows = await table.collect()
    assert rows == expected_table(events, dims, METRICS, Q1, top)
    assert table.plan == ["top", "multi-dimension", "breakdowns"]
    assert table.refused == 1
    pairs = len({r.values[:2] for r in rows})
    assert reports_sent(sim) == table.requests == 1 + 1 + 1 + pairs


async def test_every_item_of_two_levels_over_fifteen_months_in_pages_of_1000(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    sim.reports.multi_dimension = False
    dims = [DEVICE, MINUTE]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=["metrics/occurrences"], date_range=FIFTEEN_MONTHS
    )
    rows = await table.collect()
    assert rows == expected_table(events, dims, ["metrics/occurrences"], FIFTEEN_MONTHS, [None] * 2)
    per_device: dict[str, int] = defaultdict(int)
    for row in rows:
        per_device[row.values[0]] += 1
    assert max(per_device.values()) > 1000  # a breakdown that needs more than one page
    pages = sum(math.ceil(n / 1000) for n in per_device.values())
    assert reports_sent(sim) == table.requests == 1 + 1 + pages
    assert sim.stats.rejected_429 == 0

    # Accepted, the same table is the top request and one multi-dimension walk.
    sim.reports.multi_dimension = True
    again = cja.reports.freeform_table(
        view, dimensions=dims, metrics=["metrics/occurrences"], date_range=FIFTEEN_MONTHS
    )
    before = reports_sent(sim)
    assert await again.collect() == rows
    assert reports_sent(sim) - before == again.requests == 1 + math.ceil(len(rows) / 1000)
    assert again.requests < table.requests


async def test_a_first_level_of_thousands_of_items(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    dims = [MINUTE, DEVICE]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=["metrics/occurrences"], date_range=FIFTEEN_MONTHS
    )
    rows = await table.collect()
    assert rows == expected_table(events, dims, ["metrics/occurrences"], FIFTEEN_MONTHS, [None] * 2)
    minutes = len({row.values[0] for row in rows})
    assert minutes > 3000
    # Thousands of breakdowns replaced by pages: the minutes', then the combinations'.
    assert table.requests == math.ceil(minutes / 1000) + math.ceil(len(rows) / 1000)


# -- date ranges ----------------------------------------------------------------------------------


async def test_more_than_18_months_is_refused_before_sending(
    sim: Simulator, cja: Client, view: str
) -> None:
    before = sim.stats.requests
    with pytest.raises(ValueError, match="18 months"):
        cja.reports.freeform_table(
            view, dimensions=[CHANNEL], metrics=METRICS, date_range=("2024-01-01", "2025-07-02")
        )
    with pytest.raises(ValueError, match="18 months"):
        cja.reports.freeform_table(
            view,
            dimensions=[CHANNEL],
            metrics=METRICS,
            date_range="2023-01-01T00:00:00.000/2024-08-01T00:00:00.000",
        )
    assert sim.stats.requests == before
    # Exactly 18 months is allowed.
    cja.reports.freeform_table(
        view, dimensions=[CHANNEL], metrics=METRICS, date_range=("2024-01-01", "2025-07-01")
    )


async def test_split_by_month_reports_each_month_on_its_own(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    dims, top = [CHANNEL, DEVICE], [2, 1]
    table = cja.reports.freeform_table(
        view,
        dimensions=dims,
        metrics=METRICS,
        date_range=("2023-11-15", "2025-07-01"),  # 19.5 months: more than one request allows
        top=top,
        split="month",
    )
    assert table.columns == ["period", CHANNEL, DEVICE]
    started = anyio.current_time()
    rows = await table.collect()
    elapsed = anyio.current_time() - started
    expected = []
    for month in range(1, 13):
        start, end = f"2024-{month:02d}-01", f"{2024 + month // 12}-{month % 12 + 1:02d}-01"
        for row in expected_table(events, dims, METRICS, (start, end), top):
            period = f"{start}T00:00:00.000/{end}T00:00:00.000"
            expected.append(
                FreeformRow((start[:7], *row.values), (period, *row.item_ids), row.data)
            )
    # Months without data (2023, 2025) have no rows; each month's numbers are its own.
    assert rows == expected
    assert [r.values[0] for r in rows][::2] == [f"2024-{m:02d}" for m in range(1, 13)]
    # 20 periods: a top request each, and for the 12 with data a multi-dimension one after
    # it. One period after the other would take 32 round trips of 50 ms; side by side, the
    # windows (12 requests per 0.6 s) are the bound.
    assert table.requests == 20 + 12
    assert sim.rate_limit is not None
    assert elapsed < min(32 * 0.05, 1.2 * sim.rate_limit.least_possible_time(32, 0.05))


# -- streaming, progress, frames ---------------------------------------------------------------


async def test_rows_stream_before_the_table_is_complete(
    sim: Simulator, cja: Client, view: str
) -> None:
    sim.reports.multi_dimension = False
    seen: list[FreeformProgress] = []
    table = cja.reports.freeform_table(
        view,
        dimensions=[PAGE, CHANNEL, DEVICE],
        metrics=METRICS,
        date_range=Q1,
        progress=seen.append,
    )
    rows = table.__aiter__()
    first = await rows.__anext__()
    assert first.values[0] == "home"
    # A consumer that stops reading holds back the table: only a bounded number of answers
    # (4 x the concurrency of 6) are fetched ahead of it, not the 300-odd requests left.
    await anyio.sleep(60)
    ahead = table.requests
    assert 12 < ahead <= 2 + 24 + 3
    await rows.aclose()  # leaving early cancels what was started ahead
    await anyio.sleep(1)
    assert reports_sent(sim) == table.requests == ahead
    at_first_row = ahead
    seen.clear()
    full = await table.collect()  # each iteration runs the table anew
    assert table.requests > 100 > at_first_row
    assert len(full) > 200
    # Progress: after every request; done only grows, never past what was planned.
    last = seen[-1]
    assert last.requests_done == last.requests_planned == table.requests
    assert all(p.requests_done <= p.requests_planned for p in seen)
    dones = [p.requests_done for p in seen]
    assert dones == sorted(dones)


async def test_breakdowns_run_concurrently(sim: Simulator, cja: Client, view: str) -> None:
    sim.reports.multi_dimension = False
    table = cja.reports.freeform_table(
        view, dimensions=[CHANNEL, DEVICE, PAGE], metrics=METRICS, date_range=Q1
    )
    started = anyio.current_time()
    rows = await table.collect()
    elapsed = anyio.current_time() - started
    requests = table.requests
    assert requests == 2 + len({r.values[:1] for r in rows}) + len({r.values[:2] for r in rows})
    # One after another would take requests x 50 ms plus the windows' waits; side by side
    # through the limiter it is close to the least possible time for that many requests.
    least = sim.rate_limit.least_possible_time(requests, 0.05) if sim.rate_limit else 0.0
    assert elapsed < least + 3 * 0.05 + 0.1
    assert sim.stats.rejected_429 == 0


async def test_data_frames(cja: Client, view: str, events: list[dict[str, Any]]) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    dims, top = [CHANNEL, DEVICE], [3, 2]
    table = cja.reports.freeform_table(
        view, dimensions=dims, metrics=METRICS, date_range=Q1, top=top
    )
    frame = await table.to_pandas(item_ids=True)
    expected = expected_table(events, dims, METRICS, Q1, top)
    assert list(frame.columns) == [*dims, f"{CHANNEL}.itemId", f"{DEVICE}.itemId", *METRICS]
    assert frame[DEVICE].tolist() == [r.values[1] for r in expected]
    assert frame["metrics/visitors"].tolist() == [r.data["metrics/visitors"] for r in expected]
    polars_frame = await table.to_polars()
    assert polars_frame.columns == [*dims, *METRICS]
    assert polars_frame["metrics/visits"].to_list() == [r.data["metrics/visits"] for r in expected]


# -- arguments and the simulator --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dimensions": []}, ValueError, "at least one dimension"),
        ({"dimensions": CHANNEL}, TypeError, re.escape(f"pass dimensions=['{CHANNEL}']")),
        ({"metrics": "metrics/visits"}, TypeError, re.escape("pass metrics=['metrics/visits']")),
        ({"metrics": ReportMetric("metrics/visits")}, TypeError, "not a single ReportMetric"),
        ({"dimensions": {CHANNEL, DEVICE}}, TypeError, "list of dimension ids, got set"),
        ({"top": [5]}, ValueError, "one value per dimension"),
        ({"top": 0}, ValueError, "1 or more"),
        ({"top": [1.5, None]}, TypeError, "ints or None"),
        ({"metrics": []}, ValueError, "at least one metric"),
        ({"metrics": [f"metrics/m{i}" for i in range(21)]}, ValueError, "20 metrics"),
        ({"split": "week"}, ValueError, "split must be one of"),
        ({"split": "month", "date_range": None}, ValueError, "needs a date_range"),
        ({"date_range": ("2024-02-01", "2024-01-01")}, ValueError, "end after it starts"),
        ({"dimensions": [CHANNEL, DEVICE, CHANNEL]}, ValueError, "given twice"),
    ],
)
async def test_bad_arguments_raise_before_sending(
    sim: Simulator, cja: Client, view: str, kwargs: dict[str, Any], error: type, match: str
) -> None:
    args: dict[str, Any] = {
        "dimensions": [CHANNEL, DEVICE],
        "metrics": METRICS,
        "date_range": Q1,
        **kwargs,
    }
    before = sim.stats.requests
    with pytest.raises(error, match=match):
        cja.reports.freeform_table(view, **args)
    assert sim.stats.requests == before


async def test_simulator_refuses_too_complex_multi_dimension_requests(
    sim: Simulator, cja: Client, view: str
) -> None:
    request = ReportRequest(view, dimensions=[CHANNEL, PAGE], metrics=["metrics/visits"])
    sim.reports.max_combinations = 10
    with pytest.raises(BadRequestError, match="too complex") as caught:
        await cja.reports.run(request)
    assert caught.value.error_code == "report_too_complex"
    sim.reports.max_combinations = 10_000
    assert (await cja.reports.run(request)).rows
    sim.reports.multi_dimension = False
    with pytest.raises(BadRequestError, match="too complex"):
        await cja.reports.run(request)
    # One dimension is always served, as are classic breakdowns.
    assert (
        await cja.reports.run(ReportRequest(view, dimension=PAGE, metrics=["metrics/visits"]))
    ).rows


async def test_one_refused_attempt_per_table_across_periods(
    sim: Simulator, cja: Client, view: str
) -> None:
    sim.reports.multi_dimension = False
    table = cja.reports.freeform_table(
        view,
        dimensions=[CHANNEL, DEVICE],
        metrics=METRICS,
        date_range=Q1,
        top=[2, 2],
        split="month",
    )
    rows = await table.collect()
    assert {r.values[0] for r in rows} == {"2024-01", "2024-02", "2024-03"}
    assert table.refused == 1
    assert reports_sent(sim) == table.requests == 1 + 3 * (1 + 2)


async def test_a_failing_breakdown_raises_and_stops_the_table(
    sim: Simulator, cja: Client, view: str
) -> None:
    table = cja.reports.freeform_table(
        view, dimensions=[CHANNEL, DEVICE, "variables/nosuchdimension"], metrics=METRICS,
        date_range=Q1, top=[3, 2, None],
    )  # fmt: skip
    with pytest.raises(BadRequestError, match="Unknown dimension"):
        await table.collect()
    sent = reports_sent(sim)
    await anyio.sleep(5)
    assert reports_sent(sim) == sent  # nothing left running
    # The multi-dimension attempt was refused, then the first breakdown failed.
    assert table.refused == 1


@pytest.mark.parametrize("multi_dimension", [True, False])
async def test_a_metric_the_data_view_cannot_report_raises_instead_of_zeros(
    sim: Simulator, cja: Client, view: str, multi_dimension: bool
) -> None:
    # Adobe answers 206 with columnErrors and a column of zeros for a misspelt metric.
    table = cja.reports.freeform_table(
        view, dimensions=[CHANNEL, DEVICE], metrics=["metrics/visits", "metrics/visitz"],
        date_range=Q1, top=[2, 2], multi_dimension=multi_dimension,
    )  # fmt: skip
    with pytest.raises(BadRequestError, match="'metrics/visitz' cannot be reported") as caught:
        await table.collect()
    assert caught.value.error_code == "not_enabled_metric"
    assert caught.value.status_code == 206


def test_readme_freeform_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Freeform tables", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README_FREEFORM", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "rows in 3 requests: ['top', 'multi-dimension', 'multi-dimension']" in out
    assert "('2024-01', " in out


async def test_a_failing_period_raises_and_stops_the_others(
    sim: Simulator, cja: Client, view: str
) -> None:
    def outage(progress: FreeformProgress) -> None:
        if progress.requests_done == 6:  # from now on, every request fails with a 400
            sim.faults.error_statuses = (400,)
            sim.faults.error_rate = 1.0

    year = ("2024-01-01", "2025-01-01")
    table = cja.reports.freeform_table(
        view, dimensions=[CHANNEL, DEVICE], metrics=METRICS, date_range=year, top=[2, 2],
        split="month", progress=outage,
    )  # fmt: skip
    got: list[FreeformRow] = []
    with pytest.raises(BadRequestError):
        async for row in table:
            got.append(row)
    sent = reports_sent(sim)
    await anyio.sleep(10)
    assert reports_sent(sim) == sent < 12 * 3  # the other months were stopped
    assert all(row.values[0] < "2024-04" for row in got)


class OverstatedTotals(httpx.AsyncBaseTransport):
    """A server whose report answers claim a thousand times more rows than they have."""

    def __init__(self, sim: Simulator) -> None:
        self._inner = httpx.ASGITransport(app=sim)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.url.path != "/reports" or response.status_code != 200:
            return response
        body = json.loads(await response.aread())
        body["totalElements"] = body["totalElements"] * 1000
        body["totalPages"] = body["totalPages"] * 1000
        body["lastPage"] = False
        return httpx.Response(200, json=body)


async def test_overstated_totals_cost_no_flood_of_pages(
    sim: Simulator, org_id: str, view: str, events: list[dict[str, Any]]
) -> None:
    sim.reports.multi_dimension = False
    dims = [DEVICE, MINUTE]
    async with sim.client(org_id=org_id, transport=OverstatedTotals(sim)) as cja:
        table = cja.reports.freeform_table(
            view, dimensions=dims, metrics=["metrics/occurrences"], date_range=FIFTEEN_MONTHS
        )
        with anyio.fail_after(600):
            rows = await table.collect()
    assert rows == expected_table(events, dims, ["metrics/occurrences"], FIFTEEN_MONTHS, [None] * 2)
    # Each walk stops after one batch (4 x the concurrency) once a page comes back short.
    assert table.requests <= 1 + 1 + 3 * (1 + 24)
    assert sim.stats.rejected_429 == 0


async def test_top_beyond_one_page(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    table = cja.reports.freeform_table(
        view, dimensions=[MINUTE], metrics=["metrics/visits"], date_range=FIFTEEN_MONTHS, top=1500
    )
    rows = await table.collect()
    assert rows == expected_table(events, [MINUTE], ["metrics/visits"], FIFTEEN_MONTHS, [1500])
    assert len(rows) == 1500 and table.requests == reports_sent(sim) == 2  # 1000 + 500


async def test_random_tables_equal_the_direct_computation_by_both_plans(
    sim: Simulator, cja: Client, view: str, events: list[dict[str, Any]]
) -> None:
    rng = random.Random(16)
    country = "variables/geocountry"  # has "No value" items
    for _case in range(10):
        dims = rng.sample([CHANNEL, DEVICE, PAGE, country], rng.randint(1, 4))
        top = [rng.choice([1, 2, 3, None]) for _ in dims]
        if PAGE in dims[:-1]:
            top[dims.index(PAGE)] = rng.choice([1, 2, 3])  # keeps the breakdowns few
        metrics = rng.sample(METRICS, rng.randint(1, 3))
        month = rng.randint(1, 10)
        date_range = (f"2024-{month:02d}-01", f"2024-{month + 2:02d}-01")
        expected = expected_table(events, dims, metrics, date_range, top)
        for multi in (True, False):
            sim.reports.multi_dimension = multi
            table = cja.reports.freeform_table(
                view, dimensions=dims, metrics=metrics, date_range=date_range, top=top
            )
            assert await table.collect() == expected, (dims, top, metrics, date_range, multi)
            assert table.refused <= 1
    assert sim.stats.rejected_429 == 0
