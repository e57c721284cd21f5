"""Request starts over time against the limit lines, for a 250-request walk.

Plotted from the simulator's ``stats.starts`` (arrival times of admitted requests) for
cja-async and for the ``AsyncLimiter(60, 6)`` baseline, beside the least-possible schedule.
For each admitted request the chart shows how many requests arrived in the preceding 6 s and
0.6 s, against the 60 and 12 limit lines; the baseline's 429 answers are marked too. Reuses
the walks benchmark's runs when it ran in the same invocation.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict
from typing import Any

from cja_async import RateLimit

from ._common import FAST_LIMITS, Context, Report, Table, fmt_ratio, pyplot, save_figure
from .walks import run_one

NAME = "timeline"
N = 250
LATENCY = 0.05
SHOWN = ("cja-async", "aiolimiter 60/6")


def ideal_starts(limit: RateLimit, n: int, latency: float) -> list[float]:
    """Start times of the least-possible schedule (the greedy one of ``least_possible_time``)."""
    starts: list[float] = []
    ends: list[float] = []
    for index in range(n):
        start = 0.0
        if index >= limit.concurrency:
            start = max(start, ends[index - limit.concurrency])
        for window in limit.windows:
            if index >= window.requests:
                start = max(start, ends[index - window.requests] + window.seconds)
        starts.append(start)
        ends.append(start + latency)
    return starts


def in_window(times: list[float], seconds: float) -> list[int]:
    """For each time, how many of ``times`` fall in ``(t - seconds, t]``."""
    ordered = sorted(times)
    return [
        bisect.bisect_right(ordered, t) - bisect.bisect_right(ordered, t - seconds) for t in ordered
    ]


async def run(ctx: Context) -> Report:
    """Chart the two walks (running them if the walks benchmark did not)."""
    runs: dict[str, dict[str, Any]] = dict(ctx.shared.get("timeline", {}))
    for impl in SHOWN:
        if impl not in runs:
            runs[impl] = asdict(await run_one(impl, "walk", N, LATENCY))
    ideal = ideal_starts(FAST_LIMITS, N, LATENCY)
    chart = _chart(ctx, runs, ideal)
    rows = []
    for impl in SHOWN:
        r = runs[impl]
        attempts = r["starts"] + r["rejections"]
        rows.append(
            [
                impl,
                fmt_ratio(r["wall"] / r["least"]),
                str(r["rejected_429"]),
                str(r["unsafe"]),
                str(max(in_window(r["starts"], 6.0))),
                str(max(in_window(attempts, 6.0))),
                str(max(in_window(r["starts"], 0.6))),
            ]
        )
    table = Table(
        f"Request starts of a {N}-request walk",
        [
            "client",
            "wall / least",
            "429s",
            "unsafe starts",
            "max admitted in 6 s",
            "max sent in 6 s",
            "in 0.6 s",
        ],
        rows,
        [
            "Limits: 60 per 6 s and 12 per 0.6 s; 'sent' counts the requests answered 429 too; "
            "unsafe starts as in the walks table."
        ],
    )
    data = {
        impl: {
            k: runs[impl][k]
            for k in ("wall", "least", "rejected_429", "unsafe", "starts", "rejections")
        }
        for impl in SHOWN
    }
    data["ideal_starts"] = ideal  # type: ignore[assignment]
    return Report(NAME, tables=[table], data=data, charts=[chart])


def _chart(ctx: Context, runs: dict[str, dict[str, Any]], ideal: list[float]) -> Any:
    plt = pyplot()
    figure, (top, middle, bottom) = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
    colours = {"cja-async": "tab:blue", "aiolimiter 60/6": "tab:orange"}
    top.step(
        ideal,
        range(1, len(ideal) + 1),
        where="post",
        color="black",
        linewidth=1,
        linestyle=":",
        label="least possible schedule",
    )
    for impl in SHOWN:
        r = runs[impl]
        starts = sorted(r["starts"])
        colour = colours[impl]
        label = f"{impl} ({r['rejected_429']} x 429)"
        top.step(starts, range(1, len(starts) + 1), where="post", color=colour, label=label)
        middle.plot(starts, in_window(starts, 6.0), ".", markersize=3, color=colour, label=impl)
        bottom.plot(starts, in_window(starts, 0.6), ".", markersize=3, color=colour, label=impl)
        if r["rejections"]:
            attempts = sorted(r["starts"] + r["rejections"])
            middle.plot(
                attempts,
                in_window(attempts, 6.0),
                "x",
                markersize=3,
                color="tab:red",
                alpha=0.6,
                label=f"{impl}: sent incl. 429s",
            )
            for ax in (top, middle, bottom):
                for t in r["rejections"]:
                    ax.axvline(t, color="tab:red", alpha=0.08, linewidth=1)
    middle.axhline(60, color="tab:red", linestyle="--", label="limit: 60 per 6 s")
    bottom.axhline(12, color="tab:red", linestyle="--", label="limit: 12 per 0.6 s")
    top.set_ylabel("requests started")
    middle.set_ylabel("arrivals in last 6 s")
    bottom.set_ylabel("arrivals in last 0.6 s")
    bottom.set_xlabel("seconds since the walk began (red bands: 429 answers)")
    for ax in (top, middle, bottom):
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    figure.suptitle(f"A {N}-request walk at 10x speed, {LATENCY * 1000:.0f} ms latency")
    return save_figure(ctx, figure, NAME)
