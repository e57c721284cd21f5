"""The limiter's queue: first come first served, and nobody left waiting for nothing.

A bug here does not fail a request, it hangs every client of the org. So each test that
could hang runs under a (virtual) time limit and fails with an assertion instead.
On the virtual-time loop of ``cja_async.testing``; the one cross-thread test uses real loops
and ends in milliseconds when the code is right.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from cja_async import RateLimit, Window
from cja_async._limits import LimiterCore, Slot, safety_margin
from cja_async._limits import OrgLimiter as _OrgLimiter
from cja_async.testing import VirtualTimeLoop
from cja_async.testing import run_virtual_time as run


class OrgLimiter(_OrgLimiter):
    """The org limiter, keeping its slots so a test gives the oldest back with ``release()``."""

    def __init__(self, rate_limit: RateLimit) -> None:
        super().__init__(rate_limit)
        self.slots: deque[Slot] = deque()

    async def acquire(self) -> Slot:
        slot = await super().acquire()
        self.slots.append(slot)
        return slot

    def release(self) -> None:
        self.slots.popleft().release()


ONE_AT_A_TIME = RateLimit(concurrency=1, windows=(Window(100, 1.0),))


async def within(seconds: float, awaitable: Awaitable[Any]) -> Any:
    """``awaitable``, or a failed assertion if it has not finished ``seconds`` later."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        pytest.fail(f"still waiting after {seconds} s: a waiter was never woken")


async def queued(limiter: OrgLimiter, order: list[str], name: str) -> asyncio.Task[None]:
    """A task that waits for a slot, notes its turn and gives the slot back at once."""

    async def take_turn() -> None:
        await limiter.acquire()
        order.append(name)
        await asyncio.sleep(0.01)
        limiter.release()

    task = asyncio.ensure_future(take_turn())
    for _ in range(3):  # it stands in the queue after its first step
        await asyncio.sleep(0)
    assert not task.done()
    return task


def test_waiters_are_let_in_in_the_order_they_came() -> None:
    async def main() -> list[str]:
        limiter = OrgLimiter(ONE_AT_A_TIME)
        await limiter.acquire()
        order: list[str] = []
        tasks = [await queued(limiter, order, name) for name in "abcde"]
        assert limiter.waiting == 5
        limiter.release()
        # A newcomer right after the release finds the slot free but must not jump the queue.
        newcomer = asyncio.ensure_future(limiter.acquire())
        await within(10, asyncio.gather(*tasks))
        await within(10, newcomer)
        order.append("newcomer")
        limiter.release()
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return order

    assert run(main()) == ["a", "b", "c", "d", "e", "newcomer"]


def test_a_newcomer_queues_behind_a_waiter_held_by_the_window() -> None:
    # The window, not the concurrency, holds the head: a newcomer arriving while the head
    # sleeps must still wait behind it.
    limit = RateLimit(concurrency=5, windows=(Window(1, 1.0),))

    async def main() -> list[str]:
        limiter = OrgLimiter(limit)
        await limiter.acquire()
        limiter.release()  # the window's only slot frees in a second
        order: list[str] = []
        first = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.5)
        second = asyncio.ensure_future(limiter.acquire())
        for name, task in (("first", first), ("second", second)):
            await within(10, task)
            order.append(name)
            limiter.release()
        return order

    assert run(main()) == ["first", "second"]


@pytest.mark.parametrize("head_waits_for", ["a release", "the window"])
def test_cancelling_the_head_of_the_queue_wakes_the_next(head_waits_for: str) -> None:
    if head_waits_for == "a release":
        limit = ONE_AT_A_TIME
    else:
        limit = RateLimit(concurrency=5, windows=(Window(1, 1.0),))

    async def main() -> float:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(limit)
        await limiter.acquire()
        if head_waits_for == "the window":
            limiter.release()  # the slot frees at t0 + 1 s; the head sleeps until then
        t0 = loop.time()
        head = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.1)
        nxt = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.1)
        assert limiter.waiting == 2
        if head_waits_for == "a release":
            limiter.release()  # wakes the head, which is cancelled before it runs
        head.cancel()
        await within(10, nxt)
        waited = loop.time() - t0
        assert head.cancelled()
        limiter.release()
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return waited

    waited = run(main())
    if head_waits_for == "a release":
        assert waited == pytest.approx(0.2)  # at once
    else:
        assert 1.0 < waited < 1.01  # when the window allows, not later


def test_cancelling_a_waiter_behind_the_head_keeps_the_order() -> None:
    async def main() -> list[str]:
        limiter = OrgLimiter(ONE_AT_A_TIME)
        await limiter.acquire()
        order: list[str] = []
        tasks = {name: await queued(limiter, order, name) for name in "abcd"}
        tasks["b"].cancel()
        await asyncio.sleep(0)
        assert limiter.waiting == 3
        limiter.release()
        await within(10, asyncio.gather(tasks["a"], tasks["c"], tasks["d"]))
        return order

    assert run(main()) == ["a", "c", "d"]


def abandon_a_waiter(limiter: OrgLimiter) -> None:
    """Queue a waiter on an event loop of another thread, then close that loop under it."""

    def other_thread() -> None:
        loop = VirtualTimeLoop()
        loop.create_task(limiter.acquire())  # never awaited again: its loop goes away
        for _ in range(3):
            loop.run_until_complete(asyncio.sleep(0))
        loop.close()

    waiting = limiter.waiting
    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert limiter.waiting == waiting + 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("where", ["head", "middle"])
def test_a_waiter_whose_loop_closed_is_dropped(where: str) -> None:
    async def main() -> list[str]:
        limiter = OrgLimiter(ONE_AT_A_TIME)
        await limiter.acquire()
        order: list[str] = []
        tasks = []
        if where == "middle":
            tasks.append(await queued(limiter, order, "before"))
        abandon_a_waiter(limiter)
        tasks.append(await queued(limiter, order, "after"))
        limiter.release()
        await within(10, asyncio.gather(*tasks))
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return order

    expected = ["before", "after"] if where == "middle" else ["after"]
    assert run(main()) == expected


def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)


def test_a_release_on_one_thread_wakes_a_waiter_on_another() -> None:
    limiter = OrgLimiter(ONE_AT_A_TIME)
    admitted = threading.Event()
    failure: list[BaseException] = []

    async def wait_for_slot() -> None:
        await asyncio.wait_for(limiter.acquire(), 5.0)
        admitted.set()
        limiter.release()

    def other_thread() -> None:
        try:
            asyncio.run(wait_for_slot())
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)

    async def main() -> None:
        await limiter.acquire()
        thread = threading.Thread(target=other_thread)
        thread.start()
        await asyncio.to_thread(until, lambda: limiter.waiting == 1 or not thread.is_alive())
        limiter.release()
        await asyncio.to_thread(thread.join)

    asyncio.run(main())
    assert not failure and admitted.is_set()
    assert (limiter.in_flight, limiter.waiting) == (0, 0)


def test_acquire_returns_the_seconds_waited() -> None:
    limit = RateLimit(concurrency=5, windows=(Window(2, 1.0),))

    async def main() -> list[float]:
        limiter = OrgLimiter(limit)
        waits = [(await limiter.acquire()).waited, (await limiter.acquire()).waited]
        limiter.release()
        limiter.release()
        waits.append((await limiter.acquire()).waited)
        limiter.release()
        return waits

    first, second, third = run(main())
    assert first == second == 0.0
    assert third == pytest.approx(1.0 + safety_margin(1.0))


# -- LimiterCore: the admission decisions as tables ----------------------------------------


def test_safety_margin_is_a_millisecond_and_a_thousandth_of_the_window() -> None:
    assert safety_margin(0.0) == 0.001
    assert safety_margin(60.0) == pytest.approx(0.061)


def core(concurrency: int = 2, *windows: Window) -> LimiterCore:
    return LimiterCore(RateLimit(concurrency=concurrency, windows=windows or (Window(3, 10.0),)))


def test_core_counts_requests_in_flight_against_the_concurrency() -> None:
    c = core(2)
    assert c.delay(0.0) == 0.0
    c.admit()
    assert c.delay(0.0) == 0.0
    c.admit()
    assert c.delay(0.0) is None  # only a release helps
    c.release(1.0, reached_server=False)
    assert c.in_flight == 1
    assert c.delay(1.0) == 0.0


def test_core_holds_a_finished_request_s_slot_for_the_window() -> None:
    margin = safety_margin(10.0)
    c = core(5)  # 3 per 10 s
    for _ in range(3):
        c.admit()
    assert c.delay(0.0) is None  # all three slots held by requests in flight
    c.release(1.0)
    assert c.delay(1.0) == pytest.approx(10.0 + margin)  # frees 10 s after its answer
    c.release(2.0)
    c.release(3.0)
    assert c.delay(3.0) == pytest.approx(8.0 + margin)
    assert c.delay(11.0 + margin) == 0.0  # the first slot is free again, exactly then
    c.admit()
    assert c.delay(11.0 + margin) == pytest.approx(1.0)  # the next frees at 12 s + margin


def test_core_frees_a_slot_at_once_when_the_request_never_reached_the_server() -> None:
    c = core(5, Window(1, 10.0))
    c.admit()
    c.release(1.0, reached_server=False)
    assert c.delay(1.0) == 0.0
    c.admit()
    c.release(1.0)
    assert c.delay(1.0) == pytest.approx(10.0 + safety_margin(10.0))


def test_core_waits_for_the_slowest_window() -> None:
    c = core(5, Window(2, 1.0), Window(3, 10.0))
    for t in (0.0, 0.1):
        c.admit()
        c.release(t)
    # The 1 s window is full until 1.0 s; the 10 s window has one slot left.
    assert c.delay(0.2) == pytest.approx(1.0 + safety_margin(1.0) - 0.2)
    c.admit()
    c.release(2.0)
    # Now the 10 s window is full until 10 s after the first release.
    assert c.delay(2.0) == pytest.approx(10.0 + safety_margin(10.0) - 2.0)


def test_core_release_times_never_go_backwards() -> None:
    c = core(5, Window(2, 10.0))
    c.admit()
    c.admit()
    c.release(5.0)
    c.release(4.0)  # another loop's clock a hair behind
    assert c.delay(4.0) == pytest.approx(11.0 + safety_margin(10.0))
    assert c.delay(15.0 + safety_margin(10.0)) == 0.0


def test_core_pause_holds_everything_and_never_shortens() -> None:
    c = core(5)
    assert c.paused_until == -math.inf
    c.pause(5.0, 2.0)
    assert c.delay(5.0) == 2.0
    c.pause(6.0, 0.5)  # a shorter pause does not cut the longer one short
    assert c.delay(6.0) == 1.0
    c.pause(6.0, 3.0)
    assert c.delay(6.0) == 3.0
    assert c.delay(9.0) == 0.0


def test_a_release_without_an_admit_is_an_error() -> None:
    c = core()
    with pytest.raises(RuntimeError, match="without a matching admit"):
        c.release(0.0)


def test_org_limiter_pause_delays_the_next_request() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        limiter = OrgLimiter(ONE_AT_A_TIME)
        limiter.pause(3.0)
        t0 = loop.time()
        waited = (await limiter.acquire()).waited
        limiter.release()
        assert waited == pytest.approx(loop.time() - t0)
        return waited

    assert run(main()) == pytest.approx(3.0)
