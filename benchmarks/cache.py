"""The response cache: walking the same lists twice, the second walk costs no request.

Two walks of the same data view list on one client with ``ResponseCache`` turned on, under
the 10x-speed limits and 50 ms latency: requests the simulator saw for each walk, the cache's
hits, and the second walk's wall time over the first's.
"""

from __future__ import annotations

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
    table = Table(
        f"Walking the same {pages}-page list twice with the response cache on",
        ["walk", "items", "requests sent", "cache hits so far"],
        rows,
        [
            f"Second walk: {fmt_ratio(ratio(walls[1], walls[0]))} the first's wall time, "
            f"{saved} requests saved; a hit takes no limiter slot.",
        ],
    )
    chart = bar_chart(
        ctx,
        NAME,
        f"The same {pages}-page walk twice, response cache on",
        ["first walk", "second walk"],
        {"requests sent": [float(row[2]) for row in rows]},
        "requests sent",
        fmt="{:.0f}",
    )
    return Report(
        NAME, tables=[table], data={"walls_s": walls, "requests_saved": saved}, charts=[chart]
    )
