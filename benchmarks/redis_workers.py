"""Four worker processes, one org: the Redis-backed limiter vs one in-process limiter each.

The simulator is served by uvicorn on loopback (a thread of this process, strict limits at
10x speed, 50 ms latency). Four worker processes (``python -m benchmarks.redis_workers
worker ...``) start at the same instant and each walks ``n`` data views of one shared org
with ``limit=1`` (``n`` requests each). With ``RedisLimiterBackend`` they share one budget;
with the default in-process limiter each spends a whole budget of its own and collects 429s.

The yardstick is ``RateLimit.least_possible_time(4 n, latency)``: the least time for the
total number of requests, whoever sends them. Also measured: Redis round trips per request
(script runs: acquire, release, lease renewal, pause) and the latency the Redis round trip
adds to an uncontended ``acquire()`` + ``release()``, against the in-process limiter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cja_async import CJAError, Client, OAuthCredentials, RateLimit, Window
from cja_async._limits import Limiter, OrgLimiter
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
    mark,
    ratio,
    served,
)

NAME = "redis_workers"
WORKERS = 4
LATENCY = 0.05
CLIENT_ID, CLIENT_SECRET = "redis-bench", "redis-bench-secret"
ROOT = Path(__file__).resolve().parent.parent


# -- the worker process ----------------------------------------------------------------


def _client(args: argparse.Namespace) -> tuple[Client, Any]:
    backend = None
    if args.redis:
        from cja_async.redis import RedisLimiterBackend

        backend = RedisLimiterBackend(args.redis, lease_seconds=args.lease)
    credentials = OAuthCredentials(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_url=f"{args.base}/ims/token/v3"
    )
    client = Client(
        org_id=args.org,
        credentials=credentials,
        base_url=args.base,
        rate_limit=FAST_LIMITS,
        limiter_backend=backend,
    )
    return client, backend


async def _walk(client: Client, backend: Any, start_at: float) -> dict[str, Any]:
    late = time.time() - start_at
    await asyncio.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    ids: list[str | None] = []
    error = None
    async with client:
        try:
            ids = [view.id async for view in client.dataviews.list(limit=1)]
        except CJAError as exc:  # the in-process run may run out of retries
            error = f"{type(exc).__name__}: {exc}"
    ended = time.time()
    limiter: Any = client._limiter
    round_trips = dict(getattr(limiter, "round_trips", {}))
    if backend is not None:
        await backend.aclose()
    return {
        "items": len(ids),
        "error": error,
        "requests": client.stats.requests,
        "rate_limited": client.stats.rate_limited,
        "limiter_wait": client.stats.limiter_wait,
        "started": started,
        "ended": ended,
        "late": max(0.0, late),
        "round_trips": round_trips,
    }


def worker_main(argv: Sequence[str]) -> int:
    """One worker: walk the org's data views, print what it did as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.redis_workers worker")
    parser.add_argument("--base", required=True, help="the simulator's base URL")
    parser.add_argument("--org", required=True)
    parser.add_argument("--redis", default="", help="Redis URL; empty: in-process limiter")
    parser.add_argument("--lease", type=float, default=30.0)
    args = parser.parse_args(argv)
    client, backend = _client(args)
    # Ready (with the prefix of our lease ids); the start time (epoch seconds) comes on
    # stdin once every worker is ready.
    print("ready", getattr(client._limiter, "lease_owner", "-"), flush=True)
    start_at = float(sys.stdin.readline())
    print(json.dumps(asyncio.run(_walk(client, backend, start_at))), flush=True)
    return 0


@dataclass
class Workers:
    """Worker processes that begin their walks together at ``start_at`` (epoch seconds)."""

    procs: list[subprocess.Popen[str]]
    start_at: float
    # Each worker's lease-id prefix in Redis ("-" for the in-process limiter).
    owners: list[str]


def spawn_workers(
    base: str, org: str, redis_url: str | None, *, count: int = WORKERS, lease: float = 30.0
) -> Workers:
    """Start ``count`` workers and, once all are ready, let them begin together."""
    command = [sys.executable, "-m", "benchmarks.redis_workers", "worker"]
    command += ["--base", base, "--org", org, "--lease", str(lease)]
    if redis_url:
        command += ["--redis", redis_url]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": path},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    owners = []
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if line[:1] != ["ready"]:
            for other in procs:
                other.kill()
            raise RuntimeError(f"a worker did not start: {proc.communicate()[1][-2000:]}")
        owners.append(line[1])
    start_at = time.time() + 0.2
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(f"{start_at!r}\n")
        proc.stdin.flush()  # communicate() closes it
    return Workers(procs, start_at, owners)


def collect(procs: list[subprocess.Popen[str]], timeout: float = 120.0) -> list[dict[str, Any]]:
    """The JSON line of every worker (raises if one failed)."""
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"worker exited with {proc.returncode}: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def max_in_any_span(starts: Sequence[float], seconds: float) -> int:
    """The most arrivals in any half-open span of ``seconds``."""
    ordered = sorted(starts)
    best = low = 0
    for high, at in enumerate(ordered):
        while ordered[low] <= at - seconds:
            low += 1
        best = max(best, high - low + 1)
    return best


# -- the benchmark ---------------------------------------------------------------------


def _one_run(sim: Simulator, base: str, redis_url: str | None, per_worker: int) -> dict[str, Any]:
    org = fresh_org("redis" if redis_url else "local")
    sim.add_client(CLIENT_ID, CLIENT_SECRET, org)
    spawned = spawn_workers(base, org, redis_url)
    start_at = spawned.start_at
    workers = collect(spawned.procs)
    stats = sim.org_stats(org)
    total = WORKERS * per_worker
    wall = max(w["ended"] for w in workers) - start_at
    least = FAST_LIMITS.least_possible_time(total, LATENCY)
    trips: dict[str, int] = {}
    for worker in workers:
        for op, count in worker["round_trips"].items():
            trips[op] = trips.get(op, 0) + count
    sent = sum(w["requests"] for w in workers)
    return {
        "limiter": "Redis (shared)" if redis_url else "in-process (each worker)",
        "requests": total,
        "sent": sent,
        "items": sum(w["items"] for w in workers),
        "errors": [w["error"] for w in workers if w["error"]],
        "rate_limited": sum(w["rate_limited"] for w in workers),
        "server_429": stats.rejected_429,
        "max_in_flight": stats.max_in_flight,
        "max_per_window": {
            f"{w.requests}/{w.seconds:g}s": max_in_any_span(stats.starts, w.seconds)
            for w in FAST_LIMITS.windows
        },
        "wall": wall,
        "least": least,
        "ratio": ratio(wall, least),
        "late_start": max(w["late"] for w in workers),
        "round_trips": trips,
        "round_trips_per_request": sum(trips.values()) / sent if sent else 0.0,
    }


async def _acquire_latency(limiter: Limiter, rounds: int) -> float:
    """Mean seconds of one uncontended acquire() + release() (the release sent, too)."""
    for _ in range(20):  # warm-up: connections, the script cached
        async with limiter.slot():
            pass
        await limiter.settle()
    started = time.perf_counter()
    for _ in range(rounds):
        async with limiter.slot():
            pass
        await limiter.settle()
    return (time.perf_counter() - started) / rounds


async def _latency(redis_url: str, rounds: int) -> dict[str, float]:
    from cja_async.redis import RedisLimiterBackend

    huge = RateLimit(concurrency=10**6, windows=(Window(10**9, 0.001),))
    local = await _acquire_latency(OrgLimiter(huge), rounds)
    async with RedisLimiterBackend(redis_url) as backend:
        shared = await _acquire_latency(backend.limiter_for(fresh_org("lat"), huge), rounds)
    return {"in_process": local, "redis": shared, "added": shared - local}


def _table(runs: list[dict[str, Any]], latency: dict[str, float], per_worker: int) -> Table:
    rows = []
    for run in runs:
        windows = ", ".join(f"{v} ({k})" for k, v in run["max_per_window"].items())
        rows.append(
            [
                run["limiter"],
                f"{run['items']}/{run['requests']}",
                str(run["sent"]),
                str(run["server_429"]),
                str(len(run["errors"])),
                f"{run['wall']:.2f} s",
                fmt_ratio(run["ratio"]),
                f"{run['max_in_flight']}",
                windows,
                f"{run['round_trips_per_request']:.2f}" if run["round_trips"] else "-",
            ]
        )
    shared = runs[0]
    trips = shared["round_trips"]
    sent = shared["sent"] or 1
    return Table(
        title=f"{WORKERS} worker processes, one org, {per_worker} requests each (10x speed)",
        headers=[
            "limiter",
            "items done",
            "sent",
            "429s",
            "workers failed",
            "wall",
            "/ least",
            "max in flight",
            "max per window",
            "Redis trips / request",
        ],
        rows=rows,
        notes=[
            f"least possible time for {shared['requests']} requests at {LATENCY * 1000:.0f} ms: "
            f"{shared['least']:.2f} s; target for Redis: zero 429s and within 5% "
            f"({mark(shared['server_429'] == 0 and shared['ratio'] <= 1.05)})",
            "Redis round trips per request: "
            + ", ".join(f"{op} {count / sent:.2f}" for op, count in trips.items()),
            f"added latency of an uncontended acquire() + release(): "
            f"{latency['added'] * 1e3:.3f} ms (Redis {latency['redis'] * 1e3:.3f} ms, "
            f"in-process {latency['in_process'] * 1e3:.3f} ms)",
            "limits: 6 in flight, 60 per 6 s, 12 per 0.6 s; max per window counts the "
            "simulator's arrivals; a worker fails when a request meets 429s past its 5 retries",
        ],
    )


async def run(ctx: Context) -> Report:
    """Both runs and the latency measurement; skipped without redis-server or redis-py."""
    try:
        import redis  # noqa: F401

        from cja_async.redis._server import RedisServer, redis_server_binary
    except ImportError:
        return Report(NAME, skipped="skipped: redis-py not installed (pip install '.[redis]')")
    if redis_server_binary() is None:
        return Report(
            NAME, skipped="skipped: redis-server not installed (apt-get install redis-server)"
        )
    per_worker = 30 if ctx.quick else 60
    sim = Simulator(
        rate_limit=FAST_LIMITS, latency=LATENCY, dataviews=per_worker, count_at=COUNT_AT
    )
    with RedisServer() as server, served(sim) as base:
        runs = [_one_run(sim, base, server.url, per_worker), _one_run(sim, base, None, per_worker)]
        latency = await _latency(server.url, 300 if ctx.quick else 1000)
    table = _table(runs, latency, per_worker)
    chart = bar_chart(
        ctx,
        NAME,
        f"{WORKERS} worker processes sharing one org's budget",
        ["429 answers", f"requests sent ({runs[0]['requests']} needed)"],
        {run["limiter"]: [float(run["server_429"]), float(run["sent"])] for run in runs},
        "requests",
        fmt="{:.0f}",
    )
    return Report(NAME, tables=[table], data={"runs": runs, "latency": latency}, charts=[chart])


def main(argv: Sequence[str]) -> int:
    """``python -m benchmarks.redis_workers [--quick] [--out DIR]``: this benchmark alone."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.redis_workers")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    ctx = Context(out=args.out, quick=args.quick)
    report = asyncio.run(run(ctx))
    if report.skipped:
        print(report.skipped)
        return 0
    ctx.write_json(NAME, {"name": NAME, "quick": ctx.quick, **report.data})
    for table in report.tables:
        print(table.text())
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(worker_main(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
