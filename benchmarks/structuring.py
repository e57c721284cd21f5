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
from cja_async.models import DataView
from cja_async.testing import Simulator
from cja_async.testing._dataviews import dataviews_of

from ._common import Context, Report, Table, fmt_ratio, fresh_org, mark, median

NAME = "structuring"
TARGET = 1.0
COUNT = 10_000


def _dataview_items(count: int) -> list[dict[str, Any]]:
    sim = Simulator(rate_limit=None, dataviews=count)
    return list(dataviews_of(sim, sim.org(fresh_org("struct"))).values())


def _segment_source() -> tuple[type[Any], Callable[[int], list[dict[str, Any]]]] | None:
    """The Segment model and a way to make ``count`` segments, if segments exist yet."""
    try:
        from cja_async import models
        from cja_async.testing import _segments
    except ImportError:
        return None
    segment = getattr(models, "Segment", None)
    segments_of = getattr(_segments, "segments_of", None)
    if segment is None or segments_of is None:
        return None

    def items(count: int) -> list[dict[str, Any]]:
        sim = Simulator(rate_limit=None)
        found = list(segments_of(sim, sim.org(fresh_org("struct"))).values())
        # Fewer seeded than asked: repeat them with new ids, the shape is what matters.
        out = [dict(found[i % len(found)], id=f"s_bench_{i}") for i in range(count)]
        return out

    return segment, items


def _time(fn: Callable[[], Any], repeats: int, *, collect: bool = True) -> float:
    """Median wall time of ``fn``; every repeat starts from a freshly collected heap, so
    each pays the same cyclic-GC passes (they are a large share of both json.loads and
    structuring at this size)."""
    times = []
    enabled = gc.isenabled()
    if not collect:
        gc.disable()
    try:
        for _ in range(repeats):
            gc.collect()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return median(times)


def _profile(fn: Callable[[], Any]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return out.getvalue()


def measure(model: type[Any], items: list[dict[str, Any]], repeats: int) -> dict[str, Any]:
    """Time ``json.loads`` and ``structure`` of one payload; profile when over target."""
    many: Any = list[model]  # type: ignore[valid-type]
    payload = json.dumps({"content": items, "totalElements": len(items)}).encode()
    structure(items[:10], many)  # build the converter hooks before timing
    loads = _time(lambda: json.loads(payload), repeats)
    decoded = json.loads(payload)["content"]
    models = structure(decoded, many)
    assert len(models) == len(items)
    structuring = _time(lambda: structure(decoded, many), repeats)
    loads_nogc = _time(lambda: json.loads(payload), repeats, collect=False)
    structuring_nogc = _time(lambda: structure(decoded, many), repeats, collect=False)
    result: dict[str, Any] = {
        "model": model.__name__,
        "items": len(items),
        "payload_bytes": len(payload),
        "json_loads_s": loads,
        "structure_s": structuring,
        "items_per_s": len(items) / structuring,
        "loads_and_structure_items_per_s": len(items) / (loads + structuring),
        "ratio": structuring / loads,
        "json_loads_gc_off_s": loads_nogc,
        "structure_gc_off_s": structuring_nogc,
        "ratio_gc_off": structuring_nogc / loads_nogc,
        "target": TARGET,
        "met": structuring / loads <= TARGET,
    }
    if not result["met"]:
        result["profile"] = _profile(lambda: structure(decoded, many))
    return result


async def run(ctx: Context) -> Report:
    """Data views always; segments when the library has them."""
    repeats = 3 if ctx.quick else 7
    results = [measure(DataView, _dataview_items(COUNT), repeats)]
    notes = [
        f"Median of {repeats} runs each, every run from a collected heap; {COUNT:,} items with "
        "every member. The target applies with the garbage collector on, as users run; "
        "'GC off' shows the interpreter work alone (cyclic GC passes are a large, variable "
        "share of both sides at this size).",
    ]
    segments = _segment_source()
    if segments is None:
        notes.append("Segments: skipped: segments not available.")
    else:
        model, items = segments
        results.append(measure(model, items(COUNT), repeats))
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
    return Report(NAME, tables=[table], data={"results": results})
