"""The response cache: walking the same lists twice, the second walk costs no request.

Two walks of the same data view list on one client with ``ResponseCache`` turned on, under
the 10x-speed limits and 50 ms latency: requests the simulator saw for each walk, the cache's
hits, and the second walk's wall time over the first's. Then the burst: ten identical walks
of 13 pages started at the same moment (a web backend under a burst of users) share one
request per page (single flight): at most 14 requests, not 130.
"""

from __future__ import annotations

import asyncio
import time

from cja_async import ResponseCache
from cja_async.testing import Simulator

from ._common import (
    COUNT_AT,
    FAST_LIMITS,
    Context,
    Report,
    Table,
    bar_chart,
    fmt_ratio,
    fresh_org,
    ratio,
)

NAME = "cache"
LATENCY = 0.05
BURST_WALKS = 10
BURST_PAGES = 13
BURST_TARGET = 14


async def _burst() -> tuple[int, int, float]:
    """Ten identical 13-page walks at once, cache on: (requests sent, items each, wall s)."""
    sim = Simulator(
        rate_limit=FAST_LIMITS, latency=LATENCY, dataviews=BURST_PAGES * 10, count_at=COUNT_AT
    )
    org = fresh_org("burst")
    async with sim.client(org_id=org, cache=ResponseCache(ttl=600)) as cja:

        async def walk() -> int:
            return len([dv async for dv in cja.dataviews.list(expansion=["name"], limit=10)])

        start = time.perf_counter()
        counts = await asyncio.gather(*(walk() for _ in range(BURST_WALKS)))
        wall = time.perf_counter() - start
    if len(set(counts)) != 1:
        raise AssertionError(f"the burst's walks saw different lists: {counts}")
    return sim.org_stats(org).requests, counts[0], wall


async def run(ctx: Context) -> Report:
    """A walk of 60 pages (24 with ``--quick``), then the same walk again."""
    pages = 24 if ctx.quick else 60
    sim = Simulator(
        rate_limit=FAST_LIMITS, latency=LATENCY, dataviews=pages * 10, count_at=COUNT_AT
    )
    org = fresh_org("cache")
    rows = []
    walls = []
    async with sim.client(org_id=org, cache=ResponseCache(ttl=600)) as cja:
        for walk in ("first", "second"):
            before = sim.org_stats(org).requests
            start = time.perf_counter()
            ids = [dv.id async for dv in cja.dataviews.list(expansion=["name"], limit=10)]
            walls.append(time.perf_counter() - start)
            sent = sim.org_stats(org).requests - before
            rows.append([walk, str(len(ids)), str(sent), str(cja.cache_stats.hits)])
        saved = cja.cache_stats.requests_saved
    burst_sent, burst_items, burst_wall = await _burst()
    rows.append([f"{BURST_WALKS} identical walks at once", str(burst_items), str(burst_sent), "-"])
    table = Table(
        f"Walking the same {pages}-page list twice with the response cache on",
        ["walk", "items", "requests sent", "cache hits so far"],
        rows,
        [
            f"Second walk: {fmt_ratio(ratio(walls[1], walls[0]))} the first's wall time, "
            f"{saved} requests saved; a hit takes no limiter slot.",
            f"Burst: {BURST_WALKS} identical {BURST_PAGES}-page walks started together sent "
            f"{burst_sent} requests in {burst_wall:.2f} s (target: at most {BURST_TARGET}; "
            f"{BURST_WALKS * BURST_PAGES} without single flight): "
            f"{'met' if burst_sent <= BURST_TARGET else 'NOT met'}.",
        ],
    )
    chart = bar_chart(
        ctx,
        NAME,
        f"The same {pages}-page walk twice, then {BURST_WALKS} {BURST_PAGES}-page walks at once",
        ["first walk", "second walk", f"{BURST_WALKS} walks at once"],
        {"requests sent": [float(row[2]) for row in rows]},
        "requests sent",
        fmt="{:.0f}",
    )
    return Report(
        NAME,
        tables=[table],
        data={
            "walls_s": walls,
            "requests_saved": saved,
            "burst": {"walks": BURST_WALKS, "requests": burst_sent, "wall_s": burst_wall},
        },
        charts=[chart],
    )
