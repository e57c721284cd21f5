"""The limiter's guarantee, proved over random workloads on a virtual clock.

Guarantee (API.md): for every window, at most ``requests`` requests can be counted in any
span of ``seconds``, wherever between send and response the server counts them; and at most
``concurrency`` are in flight. We check the strongest form: no span of ``seconds`` meets
more than ``requests`` of the [send, response] intervals.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cja_async import RateLimit, Window
from cja_async._limits import LimiterCore, OrgLimiter, limiter_for_org
from cja_async.testing import run_virtual_time as run

Interval = tuple[float, float]


def max_intervals_meeting_a_span(intervals: list[Interval], seconds: float) -> int:
    """The most intervals that any half-open span [a, a + seconds) intersects.

    An interval [s, e] meets [a, a + seconds) iff s < a + seconds and e >= a. The maximum is
    reached with ``a`` at some interval's end, so checking those ends is enough.
    """
    best = 0
    for _, a in intervals:
        best = max(best, sum(1 for s, e in intervals if s < a + seconds and e >= a))
    return best


def max_concurrent(intervals: list[Interval]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    current = best = 0
    for _, delta in events:  # ends sort before starts at the same instant
        current += delta
        best = max(best, current)
    return best


def assert_guarantee(intervals: list[Interval], limit: RateLimit) -> None:
    assert max_concurrent(intervals) <= limit.concurrency
    for window in limit.windows:
        assert max_intervals_meeting_a_span(intervals, window.seconds) <= window.requests


async def drive(
    limiter: OrgLimiter, workload: list[tuple[float, float, bool]]
) -> tuple[list[Interval], int]:
    """Start one task per (delay, latency, cancelled) item; return the completed intervals."""
    loop = asyncio.get_running_loop()
    intervals: list[Interval] = []
    cancelled = 0

    async def one(delay: float, latency: float, cancel: bool) -> None:
        await asyncio.sleep(delay)
        async with limiter.slot():  # released on the way out, also when cancelled
            start = loop.time()
            try:
                await asyncio.sleep(latency)
            finally:
                # A cancelled request still may have been counted: it holds its window slots.
                intervals.append((start, loop.time()))

    tasks = [asyncio.ensure_future(one(d, lat, c)) for d, lat, c in workload]
    for task, (delay, latency, cancel) in zip(tasks, workload, strict=True):
        if cancel and latency > 0:  # cancelled before it could finish, while queued or running
            loop.call_later(delay + latency / 2, task.cancel)
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            cancelled += 1
    return intervals, cancelled


rate_limits = st.builds(
    RateLimit,
    concurrency=st.integers(1, 8),
    windows=st.lists(
        st.builds(Window, requests=st.integers(1, 15), seconds=st.floats(0.05, 5.0)),
        min_size=1,
        max_size=3,
    ).map(tuple),
)
workloads = st.lists(
    st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 2.0), st.booleans()),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(limit=rate_limits, workload=workloads)
def test_no_window_and_no_concurrency_limit_is_ever_exceeded(
    limit: RateLimit, workload: list[tuple[float, float, bool]]
) -> None:
    limiter = OrgLimiter(limit)
    intervals, cancelled = run(drive(limiter, workload))
    assert cancelled == sum(1 for _, latency, cancel in workload if cancel and latency > 0)
    assert len(intervals) >= len(workload) - cancelled
    assert limiter.in_flight == 0 and limiter.waiting == 0
    assert_guarantee(intervals, limit)


@settings(max_examples=100, deadline=None)
@given(
    limit=rate_limits,
    steps=st.lists(st.tuples(st.floats(0.0, 3.0), st.booleans()), min_size=1, max_size=80),
)
def test_core_admits_only_within_every_window(
    limit: RateLimit, steps: list[tuple[float, bool]]
) -> None:
    """The pure core, driven step by step: admit when it says 0, release the oldest otherwise."""
    core = LimiterCore(limit)
    now = 0.0
    open_starts: list[float] = []
    intervals: list[Interval] = []
    for gap, finish in steps:
        now += gap
        if finish and open_starts:
            core.release(now)
            intervals.append((open_starts.pop(0), now))
        delay = core.delay(now)
        if delay == 0.0:
            core.admit()
            open_starts.append(now)
        elif delay is None:
            assert open_starts, "only a release can help, so something must be in flight"
        else:
            assert delay > 0
    for start in open_starts:
        core.release(now + 1)
        intervals.append((start, now + 1))
    assert_guarantee(intervals, limit)


def test_a_burst_of_twelve_starts_at_once_and_in_two_waves() -> None:
    """A web backend's 12 parallel calls: 6 now, 6 as soon as the first 6 answer."""
    limit = RateLimit(concurrency=6, windows=(Window(60, 60.0), Window(12, 6.0)))

    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(limit)
        t0 = loop.time()
        intervals, _ = await drive(limiter, [(0.0, 0.05, False)] * 12)
        return sorted(s - t0 for s, _ in intervals)

    starts = run(main())
    assert starts[:6] == [0.0] * 6
    assert all(math.isclose(s, 0.05) for s in starts[6:])


def test_bulk_walk_is_as_fast_as_the_least_possible_time() -> None:
    """250 requests of 50 ms at 10x speed: the greedy limiter meets the yardstick."""
    limit = RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))

    async def main() -> float:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await drive(OrgLimiter(limit), [(0.0, 0.05, False)] * 250)
        return loop.time() - t0

    elapsed = run(main())
    least = limit.least_possible_time(250, 0.05)
    # Only the safety margin (about 7 ms per 6 s window) separates us from the optimum.
    assert least <= elapsed <= least * 1.01


def test_pause_holds_every_request_of_the_org() -> None:
    limit = RateLimit(concurrency=6, windows=(Window(100, 1.0),))

    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(limit)
        t0 = loop.time()
        limiter.pause(2.5)
        intervals, _ = await drive(limiter, [(0.0, 0.01, False)] * 3)
        return [s - t0 for s, _ in intervals]

    assert all(s >= 2.5 for s in run(main()))


def test_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    limit = RateLimit(concurrency=1, windows=(Window(100, 1.0),))

    async def main() -> float:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(limit)
        held = await limiter.acquire()  # hold the only slot
        stuck = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.1)
        stuck.cancel()
        next_one = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.1)
        held.release()
        t0 = loop.time()
        slot = await next_one
        waited = loop.time() - t0
        slot.release()
        assert limiter.in_flight == 0 and limiter.waiting == 0
        return waited

    assert run(main()) == 0.0


def test_one_limiter_per_org_shared_across_event_loops() -> None:
    limit = RateLimit(concurrency=2, windows=(Window(3, 0.2),))
    org = "shared-across-loops@AdobeOrg"
    first = limiter_for_org(org, limit)
    assert limiter_for_org(org, limit) is first
    with pytest.raises(ValueError, match="same rate_limit"):
        limiter_for_org(org, RateLimit())

    async def use() -> None:
        async with first.slot():
            pass

    # Two event loops one after the other (as two tests would): the state carries over and
    # nothing in the limiter is bound to the first loop.
    asyncio.run(use())
    asyncio.run(use())
    assert first.in_flight == 0


def test_a_slot_is_given_back_once_saying_whether_the_server_saw_the_request() -> None:
    limit = RateLimit(concurrency=2, windows=(Window(1, 1.0),))

    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(limit)
        t0 = loop.time()
        async with limiter.slot() as slot:  # never reached the server: the window frees now
            slot.release(reached_server=False)
            assert slot.released and limiter.in_flight == 0
            with pytest.raises(RuntimeError, match="already released"):
                slot.release()
        async with limiter.slot() as slot:  # released on the way out, counted as sent
            assert slot.waited == 0.0 and limiter.in_flight == 1
        assert limiter.in_flight == 0
        with pytest.raises(ValueError, match="boom"):
            async with limiter.slot():
                raise ValueError("boom")
        assert limiter.in_flight == 0
        slot = await limiter.acquire()
        slot.release()
        return [slot.waited, loop.time() - t0]

    waited, elapsed = run(main())
    # The second slot's window turn freed a second after it ended, the third's after that.
    assert waited == pytest.approx(1.0, abs=0.01) and elapsed == pytest.approx(2.0, abs=0.02)
