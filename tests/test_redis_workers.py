"""Worker processes walking the simulator (uvicorn on loopback, strict limits at 10x speed)
with one org budget shared through a real redis-server.

The workers are ``python -m benchmarks.redis_workers worker`` (the benchmark's own worker);
the timing figures are the benchmark's business, these tests assert what must always hold:
no 429, every item, the limits held at the server, and a killed worker's slots coming back.
"""

from __future__ import annotations

import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_redis_limiter import redis_url  # noqa: F401  (the module-scoped redis-server)

from cja_async.testing import Simulator

redis = pytest.importorskip("redis", reason="redis-py is not installed: pip install '.[redis]'")

try:
    from benchmarks import redis_workers as workers
except ImportError:  # not an editable install: the repository root is one level up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import redis_workers as workers

from cja_async.redis._script import SCRIPT, OrgKeys, script_args  # noqa: E402

LIMITS = workers.FAST_LIMITS  # 6 in flight, 60 per 6 s, 12 per 0.6 s


@pytest.fixture
def served() -> Iterator[tuple[Simulator, str, str]]:
    """A strict simulator on loopback and a fresh org with the workers' credentials."""
    sim = Simulator(rate_limit=LIMITS, latency=workers.LATENCY, dataviews=14)
    org = f"W{uuid.uuid4().hex[:12].upper()}@AdobeOrg"
    sim.add_client(workers.CLIENT_ID, workers.CLIENT_SECRET, org)
    with workers.served(sim) as base:
        yield sim, base, org


def assert_limits_held(sim: Simulator, org: str) -> None:
    stats = sim.org_stats(org)
    assert stats.rejected_429 == 0
    assert stats.max_in_flight <= LIMITS.concurrency
    for window in LIMITS.windows:
        assert workers.max_in_any_span(stats.starts, window.seconds) <= window.requests


def test_four_workers_share_one_budget(
    served: tuple[Simulator, str, str],
    redis_url: str,  # noqa: F811
) -> None:
    sim, base, org = served
    spawned = workers.spawn_workers(base, org, redis_url, lease=5.0)
    results = workers.collect(spawned.procs, timeout=60)
    assert [r["items"] for r in results] == [14] * 4
    assert [r["error"] for r in results] == [None] * 4
    assert sum(r["rate_limited"] for r in results) == 0
    assert_limits_held(sim, org)
    # 56 requests: more than one process's concurrency and window, all of them in Redis.
    assert sum(r["round_trips"]["acquire"] for r in results) >= 4


def _leases(client: Any, keys: OrgKeys) -> list[tuple[str, float]]:
    return [(m.decode(), s) for m, s in client.zrange(keys.leases, 0, -1, withscores=True)]


def test_a_killed_worker_gives_its_slots_back_within_the_lease(
    served: tuple[Simulator, str, str],
    redis_url: str,  # noqa: F811
) -> None:
    sim, base, org = served
    lease = 1.0
    spawned = workers.spawn_workers(base, org, redis_url, lease=lease)
    victim, owner = spawned.procs[0], spawned.owners[0]
    keys = OrgKeys.of("cja-async", org, len(LIMITS.windows))
    client = redis.Redis.from_url(redis_url)
    try:
        # Kill it mid-walk while it holds slots (it walks 14 pages; the four need ~3 s).
        deadline = time.monotonic() + 10
        while not any(m.startswith(owner) for m, _ in _leases(client, keys)):
            assert time.monotonic() < deadline, "the victim never held a slot"
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        held = [m for m, _ in _leases(client, keys) if m.startswith(owner)]
        others = workers.collect(spawned.procs[1:], timeout=60)
        victim.communicate()  # reaps it and closes its pipes
        assert [r["items"] for r in others] == [14] * 3
        assert sum(r["rate_limited"] for r in others) == 0
        assert_limits_held(sim, org)

        # Every slot the victim held is back by the end of its lease, not later: any script
        # run reaps leases that ran out (a renew of no leases is the smallest such run).
        reap = client.register_script(SCRIPT)
        args = script_args("renew", LIMITS, lease_seconds=lease, channel=keys.channel)
        while True:
            reap(keys=keys.all, args=args)
            left = [m for m, _ in _leases(client, keys) if m.startswith(owner)]
            if not left:
                break
            assert time.monotonic() - killed <= lease + 0.3, f"still held: {left} of {held}"
            time.sleep(0.02)
        assert not _leases(client, keys)  # the survivors left nothing behind either
    finally:
        for proc in spawned.procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        client.close()
