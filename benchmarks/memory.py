"""Memory: peak traced memory walking 10,000 vs 100,000 data views (limits off, limit=1000).

The simulator runs in a child process (``python -m cja_async.testing``, served by uvicorn on
a loopback port), so ``tracemalloc`` in this process sees only the client: the simulator's
own copy of 100,000 data views would otherwise swamp the figure. The walk drops each item as
it goes, as a streaming export does; the pager must keep only its look-ahead in memory, so
the peak should not grow with the total. Target: growth under 10 MB.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import httpx

from cja_async import Client, OAuthCredentials, RateLimit
from cja_async.testing import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID, TOKEN_PATH

from ._common import HUGE_LIMITS, Context, Report, Table, bar_chart, mark

NAME = "memory"
TARGET_MB = 10.0
EXPANSION = ("name", "description", "owner", "modified")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Server:
    """The simulator in a child process on a loopback port, for ``with`` blocks."""

    def __init__(self, dataviews: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = ["--port", str(self.port), "--no-limits", "--dataviews", str(dataviews)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cja_async.testing", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def __enter__(self) -> _Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.process.stderr!r}")
            try:
                httpx.get(f"{self.base}/", timeout=1.0)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the simulator did not start within 30 s")

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


async def _walk(server: _Server, limits: RateLimit) -> dict[str, Any]:
    creds = OAuthCredentials(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        token_url=f"{server.base}{TOKEN_PATH}",
    )
    async with Client(
        org_id=DEFAULT_ORG_ID, credentials=creds, base_url=server.base, rate_limit=limits
    ) as cja:
        first = await cja.dataviews.list(limit=1000, expansion=EXPANSION)  # seeds the server
        expected = first.total_elements
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        count = 0
        async for _view in cja.dataviews.list(limit=1000, expansion=EXPANSION):
            count += 1
        wall = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    if count != expected:
        raise AssertionError(f"walked {count} of {expected} data views")
    return {"items": count, "peak_bytes": peak, "wall_s": wall}


def _run_flavour(sizes: tuple[int, ...], limits: RateLimit) -> list[dict[str, Any]]:
    """Walk each size against its own server (called in a fresh interpreter)."""
    out = []
    for size in sizes:
        with _Server(size) as server:
            out.append(asyncio.run(_walk(server, limits)))
    return out


async def run(ctx: Context) -> Report:
    """10,000 vs 100,000 items (30,000 with ``--quick``), concurrency 6, no windows."""
    sizes = (10_000, 30_000) if ctx.quick else (10_000, 100_000)
    walks = await asyncio.to_thread(_run_flavour_isolated, sizes, HUGE_LIMITS)
    growth = (walks[1]["peak_bytes"] - walks[0]["peak_bytes"]) / 1e6
    met = growth < TARGET_MB
    table = Table(
        "Peak memory of a streaming walk (tracemalloc, client process only)",
        ["walk", "peak traced memory", "ratio to the first", "growth", "target", "met"],
        [
            [
                f"{walk['items']:,} data views",
                f"{walk['peak_bytes'] / 1e6:.1f} MB",
                f"{walk['peak_bytes'] / walks[0]['peak_bytes']:.2f}x",
                "" if index == 0 else f"{growth:+.1f} MB",
                "" if index == 0 else f"< {TARGET_MB:.0f} MB",
                "" if index == 0 else mark(met),
            ]
            for index, walk in enumerate(walks)
        ],
        [
            f"limit=1000 pages, expansion={','.join(EXPANSION)}; client limits: 6 in flight, "
            "no windows (the pager asks up to 2 x 6 pages ahead); the simulator runs in a "
            "child process on a loopback port, without limits; items are dropped as they come.",
        ],
    )
    first = walks[0]["peak_bytes"] / 1e6
    chart = bar_chart(
        ctx,
        NAME,
        "Peak memory of a streaming walk (tracemalloc)",
        [f"{walk['items']:,} data views" for walk in walks],
        {"peak MB": [walk["peak_bytes"] / 1e6 for walk in walks]},
        "MB",
        line=(first + TARGET_MB, f"target: under {TARGET_MB:.0f} MB of growth"),
        fmt="{:.1f}",
    )
    return Report(
        NAME,
        tables=[table],
        data={"results": walks, "growth_mb": growth, "target_mb": TARGET_MB, "met": met},
        charts=[chart],
    )


def _run_flavour_isolated(sizes: tuple[int, ...], limits: RateLimit) -> list[dict[str, Any]]:
    """Run one flavour in a fresh interpreter: the served simulator has one org, and the
    limiter registry allows one ``RateLimit`` per org and process; a fresh interpreter also
    keeps this process's garbage out of the traced peak."""
    code = (
        "import json, sys\n"
        "from benchmarks.memory import _run_flavour\n"
        "from cja_async import RateLimit, Window\n"
        f"limits = RateLimit(concurrency={limits.concurrency}, windows=("
        + ", ".join(f"Window({w.requests}, {w.seconds})" for w in limits.windows)
        + ",))\n"
        f"print(json.dumps(_run_flavour({sizes!r}, limits)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory walk failed:\n{done.stderr[-3000:]}")
    result: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
