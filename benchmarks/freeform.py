"""Freeform tables: requests and wall time of a 3-level table by plan, and dimension order.

The table is Workspace's channel > device > page, the top 5 channels, the top 3 devices of
each, every page (``top=[5, 3, None]``), visits, revenue and visitors over 3 months, on a
fresh org of a strict simulator at the 10x-speed limits, with 50 ms and 500 ms latency (the
latter as slow as real reports often are, scaled). Plans:

* **multi-dimension**: ``cja.reports.freeform_table`` against a server that accepts
  multi-dimension requests: one request per level.
* **breakdowns**: the same call against a server that refuses every multi-dimension request:
  one refused attempt, then one breakdown request per parent item, run side by side through
  the limiter as soon as the parent's answer is in.
* **naive**: what the R client and cjapy do, written with cja-async: one breakdown request
  per item, one after another (each awaited before the next is sent).

Every plan's rows are checked equal. Reported: requests, 429s, wall time and wall time over
the least possible time for the requests that plan sent: what a perfect scheduler needs under
the limits when each request can start only once the answer it depends on is in (a level's
breakdowns wait for their parent's answer), computed like ``RateLimit.least_possible_time``.
Then the effect of dimension order: every item of channel > device > page against
page > device > channel (the same combinations), both plans.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from typing import Any

from cja_async import Client
from cja_async.models import FreeformRow, ReportFilter, ReportMetric, ReportRequest
from cja_async.testing import ReportOptions, Simulator, report_events

from ._common import (
    COUNT_AT,
    FAST_LIMITS,
    Context,
    Report,
    Table,
    bar_chart,
    fresh_org,
    ratio,
)

NAME = "freeform"
LATENCIES = (0.05, 0.5)
CHANNEL = "variables/marketingchannel"
DEVICE = "variables/devicetype"
PAGE = "variables/page"
METRICS = ["metrics/visits", "metrics/revenue", "metrics/visitors"]
Q1 = ("2024-01-01", "2024-04-01")


async def _naive(
    cja: Client,
    view: str,
    dims: Sequence[str],
    top: Sequence[int | None],
    date_range: tuple[str, str],
) -> list[FreeformRow]:
    """One breakdown request per item, awaited one by one (the peers' recursion)."""
    out: list[FreeformRow] = []

    async def level(depth: int, filters: list[ReportFilter], ids: tuple[str, ...],
                    values: tuple[str, ...]) -> None:  # fmt: skip
        metrics = [
            ReportMetric(m, sort="desc" if i == 0 else None, filters=filters)
            for i, m in enumerate(METRICS)
        ]
        request = ReportRequest(
            view,
            dimension=dims[depth],
            metrics=metrics,
            date_range=date_range,
            limit=top[depth] or 1000,
        )
        report = await (cja.reports.run(request) if top[depth] else cja.reports.run_all(request))
        for row in report.rows or []:
            item_ids, item_values = (*ids, str(row.item_id)), (*values, str(row.value))
            if depth + 1 == len(dims):
                data = dict(zip(METRICS, row.data or [], strict=False))
                out.append(FreeformRow(item_values, item_ids, data))
            else:
                breakdown = ReportFilter.breakdown(dims[depth], str(row.item_id))
                await level(depth + 1, [*filters, breakdown], item_ids, item_values)

    await level(0, [], (), ())
    return out


async def _one(
    plan: str,
    dims: Sequence[str],
    top: Sequence[int | None],
    date_range: tuple[str, str],
    org: str,
    latency: float = LATENCIES[0],
) -> tuple[dict[str, Any], list[FreeformRow]]:
    # A new simulator each time (its windows and limiter are its own), the same org id (the
    # same data view and numbers): every plan reads the same data from a fresh budget.
    options = ReportOptions(multi_dimension=plan == "multi-dimension")
    sim = Simulator(rate_limit=FAST_LIMITS, latency=latency, count_at=COUNT_AT, reports=options)
    async with sim.client(org_id=org, rate_limit=FAST_LIMITS) as cja:
        view = str((await cja.dataviews.list(limit=1)).items[0].id)
        # Setup, before the clock: the data view lookup, and the simulator seeding the data
        # view's events (its own work on the first report, not the client's).
        report_events(sim, org, view)
        sim.reset_stats()
        start = time.perf_counter()
        refused = 0
        if plan == "naive":
            rows = await _naive(cja, view, dims, top, date_range)
        else:
            table = cja.reports.freeform_table(
                view, dimensions=dims, metrics=METRICS, date_range=date_range, top=top
            )
            rows = await table.collect()
            refused = table.refused
        wall = time.perf_counter() - start
    stats = sim.org_stats(org)
    parents = _requests(rows, len(dims), multi=plan == "multi-dimension", refused=refused)
    if len(parents) != stats.requests:
        raise AssertionError(f"{plan}: {stats.requests} requests, {len(parents)} expected")
    least = _least_possible_time(parents, latency)
    result = {
        "plan": plan,
        "latency_s": latency,
        "dimensions": list(dims),
        "top": list(top),
        "rows": len(rows),
        "requests": stats.requests,
        "rejected_429": stats.rejected_429,
        "wall_s": wall,
        "least_possible_s": least,
        "ratio_to_least": ratio(wall, least),
    }
    return result, rows


def _requests(rows: list[FreeformRow], levels: int, *, multi: bool, refused: int) -> list[int]:
    """The requests a plan needs for ``rows`` (none of its answers over 1000 rows), each as
    the index of the request whose answer it waits for (-1: none), parents first."""
    parents = [-1]  # the first level's request
    if multi:
        return [*parents, *range(levels - 1)]  # one request per level, each after the last
    parents += [0] * refused  # the refused attempt waits for the first level
    by_prefix: dict[tuple[str, ...], int] = {(): len(parents) - 1}
    for depth in range(1, levels):
        for prefix in dict.fromkeys(row.values[:depth] for row in rows):
            by_prefix[prefix] = len(parents)
            parents.append(by_prefix[prefix[:-1]])
    return parents


def _least_possible_time(parents: list[int], latency: float) -> float:
    """The least time for these requests under the limits: a perfect scheduler starting each
    as soon as its parent's answer, the concurrency and every window allow (the greedy of
    ``RateLimit.least_possible_time`` with release times; optimal for equal latencies)."""
    children: dict[int, list[int]] = {}
    for index, parent in enumerate(parents):
        children.setdefault(parent, []).append(index)
    ready = [(0.0, index) for index in children.get(-1, [])]
    ends: list[float] = []
    while ready:
        release, index = heapq.heappop(ready)
        start = release
        if len(ends) >= FAST_LIMITS.concurrency:
            start = max(start, ends[len(ends) - FAST_LIMITS.concurrency])
        for window in FAST_LIMITS.windows:
            if len(ends) >= window.requests:
                start = max(start, ends[len(ends) - window.requests] + window.seconds)
        ends.append(start + latency)
        for child in children.get(index, []):
            heapq.heappush(ready, (start + latency, child))
    return max(ends, default=0.0)


def _cells(r: dict[str, Any]) -> list[str]:
    """plan, rows, requests, 429s, wall s, wall / least: the cells every table shows."""
    return [
        r["plan"],
        str(r["rows"]),
        str(r["requests"]),
        str(r["rejected_429"]),
        f"{r['wall_s']:.2f}",
        f"{r['ratio_to_least']:.2f}",
    ]


def _naive_of(results: list[dict[str, Any]], r: dict[str, Any]) -> dict[str, Any]:
    """The naive run at the same latency as ``r``."""
    return next(n for n in results if n["plan"] == "naive" and n["latency_s"] == r["latency_s"])


def _short(dims: Sequence[str]) -> str:
    return " > ".join(d.split("/")[-1].replace("marketingchannel", "channel") for d in dims)


async def run(ctx: Context) -> Report:
    """The 3-level table by three plans, then both dimension orders by both plans."""
    dims, top = [CHANNEL, DEVICE, PAGE], [5, 3, None]
    # --quick: one month for the dimension-order runs (the long one has ~200 breakdowns).
    order_range = ("2024-01-01", "2024-02-01") if ctx.quick else Q1
    org = fresh_org("ff")
    await _one("multi-dimension", [CHANNEL, DEVICE], [2, 2], Q1, org)  # warm-up
    results = []
    reference: list[FreeformRow] | None = None
    for latency in LATENCIES:
        for plan in ("multi-dimension", "breakdowns", "naive"):
            result, rows = await _one(plan, dims, top, Q1, org, latency)
            if reference is not None and rows != reference:
                raise AssertionError(f"the {plan} plan gave other rows than the first plan")
            reference = rows
            results.append(result)
    orders = []
    combinations: dict[frozenset[str], dict[str, float]] | None = None
    for order in ([CHANNEL, DEVICE, PAGE], [PAGE, DEVICE, CHANNEL]):
        for plan in ("multi-dimension", "breakdowns"):
            result, rows = await _one(plan, order, [None] * 3, order_range, org)
            # Either way round, each combination has the same numbers: its own.
            found = {frozenset(r.values): r.data for r in rows}
            if combinations is not None and found != combinations:
                raise AssertionError(f"{_short(order)} by {plan}: other rows or numbers")
            combinations = found
            orders.append(result)

    main = Table(
        f"A 3-level freeform table: {_short(dims)}, top [5, 3, all], {len(METRICS)} metrics, "
        "3 months (10x-speed limits)",
        [
            "latency ms",
            "plan",
            "rows",
            "requests",
            "429s",
            "wall s",
            "wall / least possible for its requests",
            "wall / naive's",
        ],
        [
            [
                f"{r['latency_s'] * 1000:.0f}",
                *_cells(r),
                f"{ratio(r['wall_s'], _naive_of(results, r)['wall_s']):.2f}",
            ]
            for r in results
        ],
        [
            "Same rows from every plan (checked). breakdowns = 1 top request + 1 refused "
            "multi-dimension attempt + one request per channel and per channel x device.",
            "naive = one request per item, each awaited before the next (the peers' recursion).",
        ],
    )
    order_rows = [[_short(r["dimensions"]), *_cells(r)] for r in orders]
    order_table = Table(
        f"Dimension order: every item of 3 levels, {order_range[0]} to {order_range[1]}, "
        f"{LATENCIES[0] * 1000:.0f} ms latency",
        ["order", "plan", "rows", "requests", "429s", "wall s", "wall / least"],
        order_rows,
        [
            "The same combinations either way round; breakdowns cost one request per parent "
            "item, so putting the dimension with the fewest items outermost is far cheaper. "
            "The multi-dimension plan costs one request per level (plus pages) in any order.",
        ],
    )
    chart = bar_chart(
        ctx,
        NAME,
        f"{_short(dims)} top [5, 3, all]: requests and wall time by plan (log scale)",
        ["requests", *(f"wall s, {latency * 1000:.0f} ms latency" for latency in LATENCIES)],
        {
            plan: [
                next(r["requests"] for r in results if r["plan"] == plan),
                *(
                    next(r["wall_s"] for r in results if (r["plan"], r["latency_s"]) == key)
                    for key in ((plan, latency) for latency in LATENCIES)
                ),
            ]
            for plan in ("multi-dimension", "breakdowns", "naive")
        },
        "requests / seconds",
        log=True,
    )
    data = {"results": results, "orders": orders}
    return Report(NAME, tables=[main, order_table], data=data, charts=[chart])
