"""The Redis-backed limiter against a real redis-server (started here, on loopback).

- The Lua script decides exactly as ``LimiterCore`` on the same random workloads.
- Limiters of separate "processes" (separate backends, connections and lease owners) on
  one org keep the in-process guarantee together.
- Leases: a slow request keeps its slot; a killed process's slots come back in time.
- A 429's pause reaches every process; an unreachable Redis fails closed or falls back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_limiter import Interval, assert_guarantee

from cja_async import CJAError, RateLimit, RateLimitMismatchError, Window
from cja_async._limits import LimiterCore, OrgLimiter
from cja_async.testing import Simulator

redis = pytest.importorskip("redis", reason="redis-py is not installed: pip install '.[redis]'")

from cja_async.redis import (  # noqa: E402  (after the redis-py check)
    LimiterUnavailableError,
    RedisLimiter,
    RedisLimiterBackend,
)
from cja_async.redis._script import (  # noqa: E402
    SCRIPT,
    AcquireResult,
    OrgKeys,
    script_args,
)
from cja_async.redis._server import RedisServer, redis_server_binary  # noqa: E402

pytestmark = pytest.mark.anyio

T = TypeVar("T")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free loopback port, no persistence."""
    binary = redis_server_binary()
    if binary is None:
        message = (
            "redis-server is not installed (apt-get install redis-server); "
            "the Redis limiter tests need a real one"
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing server there is a failure
        pytest.skip(message)
    with RedisServer(binary) as server:
        yield server.url


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"  # Redis keeps real time


def new_org() -> str:
    return f"R{uuid.uuid4().hex[:12].upper()}@AdobeOrg"


@pytest.fixture
async def backends(redis_url: str) -> AsyncIterator[list[RedisLimiterBackend]]:
    """Three backends on the same Redis: stand-ins for three worker processes."""
    made = [RedisLimiterBackend(redis_url, lease_seconds=2.0) for _ in range(3)]
    yield made
    for backend in made:
        await backend.aclose()


# -- the script is LimiterCore ---------------------------------------------------------


@pytest.fixture(scope="module")
def sync_redis(redis_url: str) -> Iterator[Any]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


class LuaCore:
    """The script driven with explicit times, as ``LimiterCore`` is (leases never run out)."""

    LEASE = 1e6

    def __init__(self, client: Any, rate_limit: RateLimit) -> None:
        self.client = client
        self.script = client.register_script(SCRIPT)
        self.rate_limit = rate_limit
        self.keys = OrgKeys.of("prop", new_org(), len(rate_limit.windows))
        self.leases: list[str] = []
        self.serial = 0

    def run(self, op: str, now: float, extra: list[str]) -> Any:
        args = script_args(
            op,
            self.rate_limit,
            lease_seconds=self.LEASE,
            channel=self.keys.channel,
            extra=extra,
            now=now,
        )
        return self.script(keys=self.keys.all, args=args)

    def acquire(self, now: float, want: int) -> AcquireResult:
        ids = [f"p:{self.serial + i}" for i in range(want)]
        self.serial += want
        result = AcquireResult.parse(self.run("acquire", now, ids))
        self.leases += ids[: result.admitted]
        return result

    def release(self, now: float, reached: bool) -> None:
        self.run("release", now, [self.leases.pop(0), "1" if reached else "0", "0"])

    def pause(self, now: float, seconds: float) -> None:
        self.run("pause", now, [repr(seconds)])

    def sizes(self) -> tuple[int, list[int]]:
        leases = self.client.zcard(self.keys.leases)
        return leases, [self.client.zcard(key) for key in self.keys.free]


def core_acquire(core: LimiterCore, now: float, want: int) -> tuple[int, float | None]:
    """What one script run does, in LimiterCore's terms: admit while the delay is 0."""
    admitted, delay = 0, 0.0
    for _ in range(want):
        delay = core.delay(now)
        if delay != 0.0:
            return admitted, delay
        core.admit()
        admitted += 1
    return admitted, 0.0


rate_limits = st.builds(
    lambda concurrency, windows: RateLimit(concurrency=concurrency, windows=windows),
    st.integers(1, 4),
    st.lists(
        st.builds(Window, st.integers(1, 6), st.sampled_from([0.25, 0.6, 1.0, 2.5])),
        min_size=1,
        max_size=2,
    ),
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("acquire"), st.integers(1, 4)),
        st.tuples(st.just("release"), st.booleans()),
        st.tuples(st.just("pause"), st.floats(0.0, 1.5)),
        st.tuples(st.just("advance"), st.floats(0.0, 1.2)),
        # Land exactly on the moment a slot frees or a pause ends: the <= boundaries.
        st.tuples(st.just("to_next_stamp"), st.just(0)),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate_limit=rate_limits, workload=ops)
def test_script_admits_exactly_as_limiter_core(
    sync_redis: Any, rate_limit: RateLimit, workload: list[tuple[str, Any]]
) -> None:
    core = LimiterCore(rate_limit)
    lua = LuaCore(sync_redis, rate_limit)
    now = 100.0
    for op, arg in workload:
        if op == "advance":
            now += arg
        elif op == "to_next_stamp":
            stamps = [t for free in core._free_at for t in free] + [core.paused_until]
            later = [t for t in stamps if t > now]
            now = min(later, default=now)
        elif op == "acquire":
            admitted, delay = core_acquire(core, now, arg)
            result = lua.acquire(now, arg)
            assert result.admitted == admitted
            if admitted < arg:
                assert result.delay == delay  # the very same float, or both None
        elif op == "release" and core.in_flight:
            core.release(now, reached_server=arg)
            lua.release(now, arg)
        elif op == "pause":
            core.pause(now, arg)
            lua.pause(now, arg)
        leases, free = lua.sizes()
        assert leases == core.in_flight
        # Memory: a window's set never holds more than its requests (with those in flight).
        for window, size in zip(rate_limit.windows, free, strict=True):
            assert leases + size <= window.requests


# -- several processes, one budget ------------------------------------------------------


async def run_workload(
    limiters: list[RedisLimiter], jobs: list[tuple[float, float]]
) -> list[Interval]:
    """Start job i at ``delay`` on limiter ``i % len``; it holds its slot ``latency``."""
    loop = asyncio.get_running_loop()
    intervals: list[Interval] = []

    async def one(index: int, delay: float, latency: float) -> None:
        limiter = limiters[index % len(limiters)]
        await asyncio.sleep(delay)
        async with limiter.slot():
            started = loop.time()
            try:
                await asyncio.sleep(latency)
            finally:
                intervals.append((started, loop.time()))

    await asyncio.gather(*(one(i, d, lat) for i, (d, lat) in enumerate(jobs)))
    for limiter in limiters:
        await limiter.settle()
    return intervals


async def test_processes_sharing_an_org_keep_the_guarantee_together(
    backends: list[RedisLimiterBackend],
) -> None:
    limit = RateLimit(concurrency=3, windows=(Window(5, 0.3), Window(9, 0.9)))
    org = new_org()
    limiters = [backend.limiter_for(org, limit) for backend in backends]
    jobs = [((i % 7) * 0.02, 0.01 + (i % 4) * 0.03) for i in range(24)]
    # An in-process limiter on the same jobs, at the same time, as the yardstick.
    (intervals, wall), single = await asyncio.gather(
        timed(run_workload(limiters, jobs)), run_workload_in_process(limit, jobs)
    )
    assert len(intervals) == 24
    assert_guarantee(intervals, limit)
    # Three limiters ran as one budget, about as fast as one in-process limiter.
    assert wall < single * 1.25 + 0.1
    assert all(limiter.in_flight == 0 and limiter.waiting == 0 for limiter in limiters)


async def timed(work: Awaitable[T]) -> tuple[T, float]:
    started = time.monotonic()
    result = await work
    return result, time.monotonic() - started


async def run_workload_in_process(limit: RateLimit, jobs: list[tuple[float, float]]) -> float:
    limiter = OrgLimiter(limit)

    async def one(delay: float, latency: float) -> None:
        await asyncio.sleep(delay)
        async with limiter.slot():
            await asyncio.sleep(latency)

    started = time.monotonic()
    await asyncio.gather(*(one(d, lat) for d, lat in jobs))
    return time.monotonic() - started


async def test_a_burst_is_admitted_in_one_round_trip(backends: list[RedisLimiterBackend]) -> None:
    limiter = backends[0].limiter_for(
        new_org(), RateLimit(concurrency=6, windows=(Window(12, 1.0),))
    )
    slots = await asyncio.gather(*(limiter.acquire() for _ in range(6)))
    assert limiter.in_flight == 6
    assert limiter.round_trips["acquire"] == 1
    for slot in slots:
        slot.release()
    await limiter.settle()
    assert limiter.round_trips["release"] <= 6


async def test_a_release_wakes_a_waiter_in_another_process_at_once(
    backends: list[RedisLimiterBackend],
) -> None:
    limit = RateLimit(concurrency=1, windows=(Window(100, 1.0),))
    org = new_org()
    first, second = (backend.limiter_for(org, limit) for backend in backends[:2])
    held = await first.acquire()
    waiter = asyncio.create_task(second.acquire())
    await asyncio.sleep(0.2)
    assert not waiter.done()  # blocked on concurrency, waiting for a release
    released_at = time.monotonic()
    held.release()
    slot = await waiter
    assert time.monotonic() - released_at < 0.1  # pub/sub, not a lease timeout or a poll
    slot.release()


async def test_cancelled_waiters_leave_nothing_behind(
    backends: list[RedisLimiterBackend], redis_url: str
) -> None:
    limit = RateLimit(concurrency=2, windows=(Window(100, 1.0),))
    org = new_org()
    limiter = backends[0].limiter_for(org, limit)
    held = [await limiter.acquire(), await limiter.acquire()]
    waiters = [asyncio.create_task(limiter.acquire()) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert limiter.waiting == 5
    for task in waiters:
        task.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    for slot in held:
        slot.release()
    await limiter.settle()
    assert (limiter.in_flight, limiter.waiting) == (0, 0)
    keys = OrgKeys.of("cja-async", org, 1)
    async with redis.asyncio.Redis.from_url(redis_url) as client:
        assert await client.zcard(keys.leases) == 0


async def test_a_slot_gives_back_its_own_lease_from_any_task(
    backends: list[RedisLimiterBackend], redis_url: str
) -> None:
    limit = RateLimit(concurrency=3, windows=(Window(100, 1.0),))
    org = new_org()
    limiter = backends[0].limiter_for(org, limit)
    # Acquired in three tasks, released from this one, in another order.
    first, second, third = await asyncio.gather(*(limiter.acquire() for _ in range(3)))
    leases = OrgKeys.of("cja-async", org, 1).leases
    async with redis.asyncio.Redis.from_url(redis_url) as client:
        for slot, left in ((second, {first, third}), (third, {first}), (first, set())):
            slot.release()
            await limiter.settle()
            held = {member.decode() for member in await client.zrange(leases, 0, -1)}
            assert held == {s.lease_id for s in left}  # type: ignore[attr-defined]
            assert limiter.in_flight == len(left)
    with pytest.raises(RuntimeError, match="already released"):
        first.release()


# -- leases -----------------------------------------------------------------------------


async def test_a_slow_request_keeps_its_slot_by_renewing_its_lease(redis_url: str) -> None:
    limit = RateLimit(concurrency=1, windows=(Window(100, 1.0),))
    org = new_org()
    async with (
        RedisLimiterBackend(redis_url, lease_seconds=0.3) as one,
        RedisLimiterBackend(redis_url, lease_seconds=0.3) as other,
    ):
        slow, blocked = one.limiter_for(org, limit), other.limiter_for(org, limit)
        held = await slow.acquire()
        # Three lease lengths pass: without renewal the slot would be taken over.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(blocked.acquire(), timeout=1.0)
        assert slow.round_trips["renew"] >= 2
        held.release()
        slot = await asyncio.wait_for(blocked.acquire(), timeout=1.0)
        assert slot.waited < 0.2
        slot.release()


HOLDER = """
import asyncio, sys
from cja_async import RateLimit, Window
from cja_async.redis import RedisLimiterBackend

async def main():
    url, org, lease, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    backend = RedisLimiterBackend(url, lease_seconds=lease)
    limiter = backend.limiter_for(org, RateLimit(concurrency=count, windows=(Window(100, 1.0),)))
    for _ in range(count):
        await limiter.acquire()
    print("holding", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_slots_of_a_killed_process_come_back_within_the_lease(redis_url: str) -> None:
    lease, count = 1.0, 3
    org = new_org()
    holder = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", HOLDER, redis_url, org, str(lease), str(count)),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), timeout=30)
        assert line.strip() == b"holding"
        await asyncio.sleep(lease)  # alive: its leases are renewed, nothing comes back
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.communicate()
    limit = RateLimit(concurrency=count, windows=(Window(100, 1.0),))
    async with RedisLimiterBackend(redis_url, lease_seconds=lease) as backend:
        limiter = backend.limiter_for(org, limit)
        slots = [
            await asyncio.wait_for(limiter.acquire(), timeout=lease + 1.0) for _ in range(count)
        ]
        back = time.monotonic() - killed
        for slot in slots:
            slot.release()
    # Held until its last renewal's lease ran out (renewed every lease/3), and no longer.
    assert lease / 2 < back <= lease + 0.3


# -- pause, failures, configuration ----------------------------------------------------


async def test_a_429_pause_holds_every_process(backends: list[RedisLimiterBackend]) -> None:
    limit = RateLimit(concurrency=4, windows=(Window(100, 1.0),))
    org = new_org()
    seen, other = (backend.limiter_for(org, limit) for backend in backends[:2])
    seen.pause(0.4)
    await seen.settle()
    started = time.monotonic()
    async with other.slot():
        assert 0.35 <= time.monotonic() - started < 0.6


async def test_unreachable_redis_fails_closed_with_a_clear_error(unused_port: int) -> None:
    url = f"redis://user:sekret@127.0.0.1:{unused_port}/0"
    sim = Simulator(rate_limit=None, latency=0.0)
    async with RedisLimiterBackend(url, timeout=1.0) as backend:
        assert "sekret" not in repr(backend)
        async with sim.client(org_id=new_org(), limiter_backend=backend) as cja:
            with pytest.raises(LimiterUnavailableError) as caught:
                await cja.users.me()
    assert isinstance(caught.value, CJAError)
    assert f"127.0.0.1:{unused_port}" in str(caught.value)
    assert "sekret" not in str(caught.value)
    assert "fallback_workers" in str(caught.value)
    assert sim.stats.requests == 0  # nothing was sent unlimited


async def test_unreachable_redis_can_fall_back_to_a_share_of_the_budget(
    unused_port: int,
) -> None:
    url = f"redis://127.0.0.1:{unused_port}/0"
    limit = RateLimit(concurrency=4, windows=(Window(10, 1.0),))
    async with RedisLimiterBackend(url, timeout=1.0, fallback_workers=2) as backend:
        limiter = backend.limiter_for(new_org(), limit)
        first = await limiter.acquire()
        assert limiter.fallback_active
        second = await limiter.acquire()  # 4 / 2 workers: two in flight, and no more
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(limiter.acquire(), timeout=0.2)
        assert limiter.in_flight == 2
        first.release()
        third = await asyncio.wait_for(limiter.acquire(), timeout=0.2)
        second.release()
        third.release()
        assert limiter.in_flight == 0


def test_a_fallback_share_must_leave_every_worker_a_request() -> None:
    backend = RedisLimiterBackend(fallback_workers=8)
    with pytest.raises(ValueError, match="concurrency"):
        backend.limiter_for(new_org(), RateLimit())  # 6 in flight cannot be shared by 8


async def test_processes_must_agree_on_the_limits(backends: list[RedisLimiterBackend]) -> None:
    org = new_org()
    first = backends[0].limiter_for(org, RateLimit(concurrency=2, windows=(Window(10, 1.0),)))
    other = backends[1].limiter_for(org, RateLimit(concurrency=3, windows=(Window(10, 1.0),)))
    async with first.slot():
        with pytest.raises(RateLimitMismatchError, match="same rate_limit"):
            await other.acquire()


async def test_every_key_expires(backends: list[RedisLimiterBackend], redis_url: str) -> None:
    limit = RateLimit(concurrency=2, windows=(Window(3, 0.2), Window(5, 0.5)))
    org = new_org()
    limiter = backends[0].limiter_for(org, limit)
    await run_workload([limiter], [(0.0, 0.01)] * 8)
    limiter.pause(0.3)
    await limiter.settle()
    keys = OrgKeys.of("cja-async", org, 2)
    longest_ms = (2.0 + 0.5 + 1.0) * 1000 + 1000  # lease + window + margins, rounded up
    async with redis.asyncio.Redis.from_url(redis_url) as client:
        found = await client.keys(f"cja-async:{{{org}}}:*")
        assert found  # the org's keys exist ...
        for key in found:  # ... and every one of them goes away by itself
            assert 0 < await client.pttl(key) <= longest_ms
        for key, window in zip(keys.free, limit.windows, strict=True):
            assert await client.zcard(key) <= window.requests


async def test_client_close_sends_every_release(redis_url: str) -> None:
    sim = Simulator(rate_limit=None, latency=0.01)
    org = new_org()
    async with RedisLimiterBackend(redis_url) as backend:
        async with sim.client(org_id=org, limiter_backend=backend) as cja:
            await asyncio.gather(*(cja.users.me() for _ in range(5)))
        # Right after the client closed, nothing is left in flight in Redis.
        keys = OrgKeys.of("cja-async", org, 2)
        async with redis.asyncio.Redis.from_url(redis_url) as client:
            assert await client.zcard(keys.leases) == 0


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="url"):
        RedisLimiterBackend("")
    with pytest.raises(ValueError, match="key_prefix"):
        RedisLimiterBackend(key_prefix="a{b")
    with pytest.raises(ValueError, match="lease_seconds"):
        RedisLimiterBackend(lease_seconds=0)
    with pytest.raises(TypeError, match="timeout"):
        RedisLimiterBackend(timeout="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fallback_workers"):
        RedisLimiterBackend(fallback_workers=0)
    backend = RedisLimiterBackend()
    org = new_org()
    backend.limiter_for(org, RateLimit())
    with pytest.raises(RateLimitMismatchError, match="same rate_limit"):
        backend.limiter_for(org, RateLimit(concurrency=1))


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- a URL redis-py cannot use: refused when made, or a CJAError when used -----------------


@pytest.mark.parametrize(
    "bad", ["nope", "localhost:6379", "http://h:6379/0", "redis://u:pw-secret@h:port/0", ""]
)
def test_a_malformed_url_is_refused_when_the_backend_is_made(bad: str) -> None:
    with pytest.raises(ValueError, match=r"redis://, rediss:// or unix:// URL") as caught:
        RedisLimiterBackend(bad)
    assert "pw-secret" not in str(caught.value)


def test_a_url_that_is_not_a_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="url must be a str"):
        RedisLimiterBackend(6379)  # type: ignore[arg-type]


async def test_what_redis_py_refuses_in_a_url_reaches_the_request_as_a_cja_error() -> None:
    # A known scheme and port, but an option redis-py cannot read: found only when it connects.
    url = "redis://u:pw-secret@127.0.0.1:6379/0?socket_timeout=abc"
    sim = Simulator(rate_limit=None)
    backend = RedisLimiterBackend(url)
    async with backend, sim.client(org_id=new_org(), limiter_backend=backend) as cja:
        with pytest.raises(LimiterUnavailableError, match="check the RedisLimiterBackend url"):
            await cja.users.me()
    assert sim.stats.requests == 0
