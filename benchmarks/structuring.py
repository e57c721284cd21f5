"""Structuring: JSON items -> attrs models, per second and relative to ``json.loads``.

The payload is what a list endpoint answers with full expansion: 10,000 objects as the
simulator stores them (every member, nested objects and members no model declares). The
ratio is the time of ``structure(items, list[Model])`` (the converter every response goes
through) over the time of ``json.loads`` of the same payload; target at most 1.0. When the
target is missed, a cProfile of the structuring is printed and kept in the JSON.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import pstats
import time
from collections.abc import Callable
from typing import Any

from cja_async._convert import structure
from cja_async.models import DataView, Segment
from cja_async.testing import Simulator

from ._common import Context, Report, Table, bar_chart, fmt_ratio, fresh_org, mark, median

NAME = "structuring"
TARGET = 1.0
COUNT = 10_000


def _dataview_items(count: int) -> list[dict[str, Any]]:
    sim = Simulator(rate_limit=None, dataviews=count)
    return sim.org(fresh_org("struct")).dataviews.list()


def _segment_items(count: int) -> list[dict[str, Any]]:
    sim = Simulator(rate_limit=None)
    found = sim.org(fresh_org("struct")).segments.list()
    # Fewer seeded than asked: repeat them with new ids, the shape is what matters.
    return [dict(found[i % len(found)], id=f"s_bench_{i}") for i in range(count)]


def _paired(
    first: Callable[[], Any], second: Callable[[], Any], repeats: int, *, gc_on: bool = True
) -> tuple[float, float, float]:
    """Median times of ``first`` and ``second`` and the median of their per-repeat ratios.

    The two alternate, so a load change on the machine hits both alike; each run starts
    from a freshly collected heap, so each pays the same cyclic-GC passes (a large share of
    both json.loads and structuring at this size).
    """
    times: tuple[list[float], list[float]] = ([], [])
    enabled = gc.isenabled()
    if not gc_on:
        gc.disable()
    try:
        for index in range(repeats):
            order = [(0, first), (1, second)]
            for slot, fn in order if index % 2 == 0 else order[::-1]:
                gc.collect()
                start = time.perf_counter()
                fn()
                times[slot].append(time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    ratios = [b / a for a, b in zip(*times, strict=True)]
    return median(times[0]), median(times[1]), median(ratios)


def _profile(fn: Callable[[], Any]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return out.getvalue()


def measure(
    model: type[Any], make_items: Callable[[], list[dict[str, Any]]], repeats: int
) -> dict[str, Any]:
    """Time ``json.loads`` and ``structure`` of one payload; profile when over target.

    Both are timed in the same heap: the payload and its decoded form alive, nothing else
    of size (the items it was made from are gone), so both meet the same cyclic-GC work.
    """
    many: Any = list[model]  # type: ignore[valid-type]
    items = make_items()
    count = len(items)
    payload = json.dumps({"content": items, "totalElements": count}).encode()
    del items
    decoded = json.loads(payload)["content"]
    assert len(structure(decoded, many)) == count  # also builds the converter's code
    loads, structuring, ratio = _paired(
        lambda: json.loads(payload), lambda: structure(decoded, many), repeats
    )
    loads_nogc, structuring_nogc, ratio_nogc = _paired(
        lambda: json.loads(payload), lambda: structure(decoded, many), repeats, gc_on=False
    )
    result: dict[str, Any] = {
        "model": model.__name__,
        "items": count,
        "payload_bytes": len(payload),
        "json_loads_s": loads,
        "structure_s": structuring,
        "items_per_s": count / structuring,
        "loads_and_structure_items_per_s": count / (loads + structuring),
        "ratio": ratio,
        "json_loads_gc_off_s": loads_nogc,
        "structure_gc_off_s": structuring_nogc,
        "ratio_gc_off": ratio_nogc,
        "target": TARGET,
        "met": ratio <= TARGET,
    }
    if not result["met"]:
        result["profile"] = _profile(lambda: structure(decoded, many))
    return result


async def run(ctx: Context) -> Report:
    """Data views always; segments when the library has them."""
    repeats = 3 if ctx.quick else 7
    results = [
        measure(DataView, lambda: _dataview_items(COUNT), repeats),
        measure(Segment, lambda: _segment_items(COUNT), repeats),
    ]
    notes = [
        f"Median of {repeats} alternating pairs of runs, every run from a collected heap "
        "holding the payload "
        f"and its decoded form; {COUNT:,} items with every member. The target applies with "
        "the garbage collector on, as users run; "
        "'GC off' shows the interpreter work alone (cyclic GC passes are a large, variable "
        "share of both sides at this size).",
    ]
    rows = []
    for r in results:
        rows.append(
            [
                r["model"],
                f"{r['items']:,}",
                f"{r['payload_bytes'] / 1e6:.1f} MB",
                f"{r['items_per_s']:,.0f}",
                fmt_ratio(r["ratio"]),
                fmt_ratio(r["ratio_gc_off"]),
                f"<= {TARGET:.1f}",
                mark(r["met"]),
            ]
        )
        if not r["met"]:
            over = (r["ratio"] / TARGET - 1) * 100
            notes.append(
                f"{r['model']}: structuring costs {r['ratio']:.2f}x json.loads, "
                f"{over:.0f}% over the target; profile in {NAME}.json."
            )
            print(f"--- cProfile of structure(list[{r['model']}]) ---\n{r['profile']}")
    table = Table(
        "Structuring JSON into models (full expansion)",
        [
            "model",
            "items",
            "payload",
            "items/s",
            "structure / json.loads",
            "same, GC off",
            "target",
            "met",
        ],
        rows,
        notes,
    )
    chart = bar_chart(
        ctx,
        NAME,
        f"Structuring {COUNT:,} items vs json.loads of the same payload (lower is better)",
        [r["model"] for r in results],
        {
            "json.loads": [r["json_loads_s"] * 1e3 for r in results],
            "structure()": [r["structure_s"] * 1e3 for r in results],
        },
        "milliseconds (GC on, median)",
        fmt="{:.0f}",
    )
    return Report(NAME, tables=[table], data={"results": results}, charts=[chart])
