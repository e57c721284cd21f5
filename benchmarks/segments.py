"""Fetching many segments by id: ``segments.get_many(ids)`` vs one ``get`` per id.

Both run with cja-async under the 10x-speed limits and 50 ms latency on a fresh org, so the
only difference is the number of requests: ``get_many`` packs the ids into ``filterByIds``
lists as long as the URL allows; one ``get`` per id spends one request of the 60-per-window
budget on each. Reported: requests the simulator saw, wall time, and each wall time over the
least possible time for the requests it used.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

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

NAME = "segments"
LATENCY = 0.05


def _seed(sim: Simulator, org_id: str, count: int) -> list[str]:
    """``count`` segment ids of ``org_id``: the seeded ones, plus copies with new ids."""
    store = sim.org(org_id).segments
    seeded = store.list()
    ids = [item["id"] for item in seeded[:count]]
    while len(ids) < count:
        copy = dict(seeded[len(ids) % len(seeded)])
        copy["id"] = store.new_id()
        copy["name"] = f"{copy['name']} (copy {len(ids)})"
        store.add(copy)
        ids.append(copy["id"])
    return ids


async def _one(how: str, count: int) -> dict[str, Any]:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=LATENCY, count_at=COUNT_AT)
    org = fresh_org("seg")
    ids = _seed(sim, org, count)
    start = time.perf_counter()
    async with sim.client(org_id=org, rate_limit=FAST_LIMITS) as cja:
        if how == "get_many":
            got = await cja.segments.get_many(ids)
        else:
            got = await asyncio.gather(*(cja.segments.get(i) for i in ids))
    wall = time.perf_counter() - start
    if [segment.id for segment in got] != ids:
        raise AssertionError(f"{how} returned other segments than asked for")
    stats = sim.org_stats(org)
    least = FAST_LIMITS.least_possible_time(stats.requests, LATENCY)
    return {
        "how": how,
        "ids": count,
        "requests": stats.requests,
        "rejected_429": stats.rejected_429,
        "wall_s": wall,
        "least_possible_s": least,
        "ratio_to_least": ratio(wall, least),
    }


async def run(ctx: Context) -> Report:
    """500 ids (120 with ``--quick``) both ways."""
    count = 120 if ctx.quick else 500
    await _one("get_many", 12)  # warm-up: imports and the Segment converter hooks
    many = await _one("get_many", count)
    single = await _one("get per id", count)
    rows = []
    for r in (many, single):
        rows.append(
            [
                f"cja.segments.{'get_many(ids)' if r['how'] == 'get_many' else 'get(id) x n'}",
                str(r["requests"]),
                str(r["rejected_429"]),
                fmt_ratio(r["ratio_to_least"]),
                fmt_ratio(ratio(r["wall_s"], many["wall_s"])),
            ]
        )
    table = Table(
        f"Fetching {count} segments by id (10x-speed limits, {LATENCY * 1000:.0f} ms latency)",
        ["how", "requests", "429s", "wall / least for its requests", "wall / get_many's"],
        rows,
        [
            "Both concurrent through cja-async's limiter (one get per id uses asyncio.gather).",
            f"get_many used {many['requests']} request(s) where one get per id used "
            f"{single['requests']}: {ratio(single['wall_s'], many['wall_s']):.0f}x the wall time.",
        ],
    )
    chart = bar_chart(
        ctx,
        NAME,
        f"{count} segments by id: get_many vs one get per id (log scale, lower is better)",
        ["requests sent", "wall seconds"],
        {
            "get_many(ids)": [many["requests"], many["wall_s"]],
            "get(id) x n": [single["requests"], single["wall_s"]],
        },
        "requests / seconds",
        log=True,
    )
    return Report(NAME, tables=[table], data={"results": [many, single]}, charts=[chart])
