"""Client overhead: CPU time per request of cja-async vs raw httpx + json, limits off.

Both talk to the same in-process simulator (``Simulator(rate_limit=None, latency=0)``) over
``httpx.ASGITransport`` and fetch the same data view one request at a time: cja-async with
``await cja.dataviews.get(id)`` (limiter, auth, error checks, a ``DataView`` model), the
baseline with ``await http.get(...)`` and ``json.loads``. CPU time is ``time.process_time``;
the simulator's own work is inside both figures, so the difference per request is the
client's extra cost and the ratio is what a user of the simulator would see.

httpx's ``ASGITransport`` imports ``sniffio`` on every request: the ``bench`` extra installs
it, since a failed import per request (about 120 us, more than half of the baseline) would
make every ratio look better than it is. Without it the benchmark is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import time

from cja_async._convert import structure
from cja_async.models import DataView
from cja_async.testing import Simulator

from ._common import (
    HUGE_LIMITS,
    Context,
    Report,
    Table,
    bar_chart,
    fmt_ratio,
    fresh_org,
    mark,
    median,
    raw_api,
)

NAME = "overhead"
TARGET = 1.15


def _structure_cost(body: dict[str, object]) -> float:
    """CPU seconds of one ``structure(body, DataView)``."""
    count = 2000
    start = time.process_time()
    for _ in range(count):
        structure(body, DataView)
    return (time.process_time() - start) / count


async def run(ctx: Context) -> Report:
    """Alternate rounds of N requests each way; report the median per-round ratio."""
    if importlib.util.find_spec("sniffio") is None:
        return Report(
            NAME,
            skipped="sniffio is not installed: httpx's ASGITransport would fail to import it on "
            "every request and flatter the ratio (pip install -e '.[bench]')",
        )
    # Short rounds, many of them: a change of machine load hits all three alike.
    per_round, rounds = (100, 15) if ctx.quick else (100, 45)
    # No record of calls: a list growing by one call per request would add garbage-collector
    # work that grows through the run (more for the side that allocates more).
    sim = Simulator(rate_limit=None, latency=0.0, dataviews=50, record_calls=False)
    org = fresh_org("cpu")
    view_id = sim.org(org).dataviews.ids()[0]
    path = f"/data/dataviews/{view_id}"
    ours: list[float] = []
    theirs: list[float] = []
    async with sim.client(org_id=org, rate_limit=HUGE_LIMITS) as cja, raw_api(sim, org) as api:

        async def with_cja(count: int) -> float:
            start = time.process_time()
            for _ in range(count):
                view = await cja.dataviews.get(view_id)
                assert view.id == view_id
            return (time.process_time() - start) / count

        async def with_httpx(count: int) -> float:
            start = time.process_time()
            for _ in range(count):
                response = await api.get(path)
                response.raise_for_status()
                body = json.loads(response.content)
                assert body["id"] == view_id
            return (time.process_time() - start) / count

        async def with_request(count: int) -> float:
            start = time.process_time()
            for _ in range(count):
                body = await cja.request("GET", path)
                assert body["id"] == view_id
            return (time.process_time() - start) / count

        await with_cja(100)  # warm-up: imports, converter hooks, token
        await with_httpx(100)
        await with_request(100)
        pipeline: list[float] = []
        for index in range(rounds):
            # Rotate who goes first, so a load change mid-round hits all alike.
            runs = [(ours, with_cja), (theirs, with_httpx), (pipeline, with_request)]
            for sink, fn in runs[index % 3 :] + runs[: index % 3]:
                sink.append(await fn(per_round))
        body = json.loads((await api.get(path)).content)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    result = median(ratios)
    pipeline_ratio = median([a / b for a, b in zip(pipeline, theirs, strict=True)])
    cja_us, raw_us = median(ours) * 1e6, median(theirs) * 1e6
    model_us = _structure_cost(body) * 1e6
    table = Table(
        "Client CPU overhead per request (limits off, in-process transport)",
        ["client", "CPU us/request", "ratio to raw httpx", "target", "met"],
        [
            ["raw httpx + json.loads", f"{raw_us:.0f}", fmt_ratio(1.0), "", ""],
            [
                "cja-async client.request (JSON, no model)",
                f"{median(pipeline) * 1e6:.0f}",
                fmt_ratio(pipeline_ratio),
                "",
                "",
            ],
            [
                "cja-async dataviews.get",
                f"{cja_us:.0f}",
                fmt_ratio(result),
                f"<= {TARGET:.2f}",
                mark(result <= TARGET),
            ],
        ],
        [
            f"Median of {rounds} alternating rounds of {per_round} sequential GETs each; "
            "the simulator's own CPU time is inside both figures.",
            f"cja-async's extra cost: about {cja_us - raw_us:.0f} us per request, of which "
            f"building the DataView model (structure() alone) takes {model_us:.0f} us; the rest "
            "is the pipeline (limiter, token, headers, error checks).",
        ],
    )
    report = Report(NAME, tables=[table])
    report.charts.append(
        bar_chart(
            ctx,
            NAME,
            "CPU time per request, limits off (lower is better)",
            ["raw httpx + json.loads", "client.request", "dataviews.get"],
            {"CPU us/request": [raw_us, median(pipeline) * 1e6, cja_us]},
            "CPU microseconds per request",
            line=(raw_us * TARGET, f"target: {TARGET:.2f}x raw httpx"),
            fmt="{:.0f}",
        )
    )
    report.data = {
        "per_round": per_round,
        "rounds": rounds,
        "cja_cpu_per_request": ours,
        "raw_cpu_per_request": theirs,
        "pipeline_cpu_per_request": pipeline,
        "structure_cpu_per_call": model_us / 1e6,
        "ratios": ratios,
        "median_ratio": result,
        "target": TARGET,
        "met": result <= TARGET,
    }
    return report
