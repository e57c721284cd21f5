"""The per-org limiter: every client of an org in this process draws from one budget.

How it decides (see API-NOTES, "Limits"): Adobe's gateway counts a request at some moment
between our send and the response's arrival, and we cannot know when. So a request holds
one slot of every window from the moment it is admitted; when its response arrives, the
slot stays taken for another ``window.seconds`` (plus a hair of margin) and only then frees.
With that bookkeeping, no span of ``seconds`` can ever see more than ``requests`` counted
requests, whatever moment the server counts them at, and no guess about jitter is needed.

Why not aiolimiter here: a leaky bucket lets ``AsyncLimiter(60, 60)`` start 119 requests in
the first minute, and ``AsyncLimiter(1, 1)`` makes a burst of 12 wait 11 seconds. The
sliding log below admits the burst at once and still never exceeds a window.

The decision logic is :class:`LimiterCore`, a pure object driven by explicit timestamps, so
property tests can check the guarantee without an event loop. :class:`OrgLimiter` wraps it
with a FIFO queue of waiting tasks; it holds no loop-bound objects between calls, so one
limiter serves clients on any event loop or thread (each test may make a new loop).

A request holds a :class:`Slot` while it runs (``async with limiter.slot() as slot``) and
gives back exactly that slot, saying whether the request may have reached the server: a
backend with per-request state (a Redis lease) finds it in the slot, not by guessing.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from ._config import RateLimit, loop_time
from ._registry import OrgRegistry

__all__ = [
    "InProcessLimiterBackend",
    "Limiter",
    "LimiterBackend",
    "LimiterCore",
    "OrgLimiter",
    "Slot",
    "limiter_for_org",
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def safety_margin(seconds: float) -> float:
    """Extra time a freed slot stays taken: clock granularity and float rounding, no more."""
    return 0.001 + seconds * 0.001


class LimiterCore:
    """Admission decisions for one org, from explicit times (no I/O, no clock).

    ``in_flight`` requests each hold a slot of every window; ``_free_at[i]`` holds, in
    ascending order, the times at which finished requests' slots of window ``i`` free.
    """

    def __init__(self, rate_limit: RateLimit) -> None:
        self.rate_limit = rate_limit
        self.in_flight = 0
        self.paused_until = -math.inf
        self._free_at: list[deque[float]] = [deque() for _ in rate_limit.windows]
        self._margins = [safety_margin(w.seconds) for w in rate_limit.windows]

    def delay(self, now: float) -> float | None:
        """How long until a request may start: ``0.0`` now, ``None`` when only a release helps."""
        if self.in_flight >= self.rate_limit.concurrency:
            return None
        wait = max(0.0, self.paused_until - now)
        for window, free_at in zip(self.rate_limit.windows, self._free_at, strict=True):
            while free_at and free_at[0] <= now:
                free_at.popleft()
            excess = self.in_flight + len(free_at) - window.requests
            if excess < 0:
                continue
            if excess >= len(free_at):
                return None  # every slot of this window is held by a request in flight
            wait = max(wait, free_at[excess] - now)
        return wait

    def admit(self) -> None:
        """Count a request as started (call only when :meth:`delay` gave ``0.0``)."""
        self.in_flight += 1

    def release(self, now: float, *, reached_server: bool = True) -> None:
        """A request ended at ``now``; its window slots free ``seconds`` later.

        ``reached_server=False`` (the connection was never made) frees them at once.
        """
        if self.in_flight <= 0:
            raise RuntimeError("release() without a matching admit()")
        self.in_flight -= 1
        if not reached_server:
            return
        for window, free_at, margin in zip(
            self.rate_limit.windows, self._free_at, self._margins, strict=True
        ):
            stamp = now + window.seconds + margin
            # Release times come from a monotonic clock, so appending keeps the deque sorted;
            # the guard only matters if two loops' clocks disagree by a hair.
            if free_at and stamp < free_at[-1]:
                stamp = free_at[-1]
            free_at.append(stamp)

    def pause(self, now: float, seconds: float) -> None:
        """Start nothing for ``seconds``: the server said the org's budget is spent."""
        self.paused_until = max(self.paused_until, now + seconds)


class Slot:
    """One admitted request's place in its org's budget, given back exactly once.

    ``release(reached_server=False)`` says the request never reached the server (the
    connection was not made), so its window slots free at once; otherwise they stay taken
    for a window's length after the release. ``waited`` is the time spent queueing for it.
    Backends subclass it and implement :meth:`_give_back`.
    """

    __slots__ = ("_released", "waited")

    def __init__(self, waited: float) -> None:
        self.waited = waited
        self._released = False

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called."""
        return self._released

    def release(self, *, reached_server: bool = True) -> None:
        """Give the slot back; synchronous, so that it runs in any ``finally`` (also while
        the task is being cancelled)."""
        if self._released:
            raise RuntimeError("this limiter slot was already released")
        self._released = True
        self._give_back(reached_server)

    def _give_back(self, reached_server: bool) -> None:
        raise NotImplementedError


class _OrgSlot(Slot):
    __slots__ = ("_limiter",)

    def __init__(self, limiter: OrgLimiter, waited: float) -> None:
        # Slot's fields set here, not through super(): one of these is made per request.
        self.waited = waited
        self._released = False
        self._limiter = limiter

    def _give_back(self, reached_server: bool) -> None:
        self._limiter._release(reached_server=reached_server)


class _HeldSlot:
    """``async with limiter.slot() as slot``: acquire on entry, release on exit unless the
    body released it (counted as reached: the body may have sent the request)."""

    __slots__ = ("_limiter", "_slot")

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter
        self._slot: Slot | None = None

    async def __aenter__(self) -> Slot:
        self._slot = await self._limiter.acquire()
        return self._slot

    async def __aexit__(self, *exc_info: object) -> None:
        if self._slot is not None and not self._slot.released:
            self._slot.release()


@runtime_checkable
class Limiter(Protocol):
    """What the client needs of an org's limiter (in-process or shared through Redis).

    Implementations subclass it for :meth:`slot` and :meth:`settle` as they are here.
    """

    rate_limit: RateLimit

    async def acquire(self) -> Slot:
        """Wait for this org's turn; returns the slot, to release exactly once."""
        ...

    def slot(self) -> _HeldSlot:
        """``async with limiter.slot() as slot``: a slot held for the block (see :class:`Slot`)."""
        return _HeldSlot(self)

    def pause(self, seconds: float) -> None:
        """Hold every request of the org for ``seconds`` (a 429's ``Retry-After``)."""
        ...

    async def settle(self) -> None:
        """Wait for work that releases and pauses scheduled (a Redis round trip); a limiter
        without such work has nothing to wait for."""
        return None  # a body, not "...": implementations without such work inherit it

    @property
    def in_flight(self) -> int:
        """Requests of this process admitted and not yet released."""
        ...

    @property
    def waiting(self) -> int:
        """Tasks of this process queued for a slot."""
        ...


class _Waiter:
    __slots__ = ("future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()

    def wake(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._set()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._set)

    def _set(self) -> None:
        if not self.future.done():
            self.future.set_result(None)


class OrgLimiter(Limiter):
    """The FIFO gate in front of every request of one org.

    ``async with limiter.slot() as slot`` (or ``slot = await limiter.acquire()``) before
    sending; ``slot.release(reached_server=...)`` exactly once afterwards (also when the
    request failed or was cancelled). ``pause()`` stops every client of the org after a 429.
    """

    def __init__(
        self, rate_limit: RateLimit, *, clock: Clock = loop_time, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.rate_limit = rate_limit
        self._core = LimiterCore(rate_limit)
        self._clock = clock
        self._sleep = sleep
        # A threading lock, not an asyncio one: clients of one org may live on different loops.
        self._lock = threading.Lock()
        self._queue: deque[_Waiter] = deque()

    @property
    def in_flight(self) -> int:
        """Requests admitted and not yet released."""
        return self._core.in_flight

    @property
    def waiting(self) -> int:
        """Tasks queued for a slot."""
        return len(self._queue)

    async def acquire(self) -> Slot:
        """Wait for this org's turn; returns the slot, to release exactly once."""
        started = self._clock()
        with self._lock:
            # The common case of a web backend: nobody queued and room now. Admit without
            # building a waiter and a future.
            if not self._queue and self._core.delay(started) == 0.0:
                self._core.admit()
                return _OrgSlot(self, 0.0)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(loop)
        with self._lock:
            self._queue.append(waiter)
        try:
            while True:
                with self._lock:
                    delay = self._try_admit(waiter)
                    if delay == 0.0:
                        return _OrgSlot(self, self._clock() - started)
                    if delay is None and waiter.future.done():
                        waiter.future = loop.create_future()
                if delay is None:
                    await waiter.future
                else:
                    await self._sleep(delay)
        except BaseException:
            with self._lock:
                if waiter in self._queue:
                    was_head = self._queue[0] is waiter
                    self._queue.remove(waiter)
                    if was_head:
                        self._wake_head()
            raise

    def _try_admit(self, waiter: _Waiter) -> float | None:
        """Admit ``waiter`` if it is first in line and the budget allows (lock held)."""
        self._drop_closed_head()
        if self._queue[0] is not waiter:
            return None
        delay = self._core.delay(self._clock())
        if delay == 0.0:
            self._core.admit()
            self._queue.popleft()
            self._wake_head()  # the next in line may fit too
        return delay

    def _drop_closed_head(self) -> None:
        # A task of a loop that is gone can never take its turn, nor pass it on when woken.
        while self._queue and self._queue[0].loop.is_closed():
            self._queue.popleft()

    def _wake_head(self) -> None:
        self._drop_closed_head()
        if self._queue:
            self._queue[0].wake()

    def _release(self, *, reached_server: bool) -> None:
        """Give back a finished (or failed, or cancelled) request's slot: see :class:`Slot`."""
        with self._lock:
            self._core.release(self._clock(), reached_server=reached_server)
            self._wake_head()

    def pause(self, seconds: float) -> None:
        """Hold every request of this org for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            self._core.pause(self._clock(), seconds)


@runtime_checkable
class LimiterBackend(Protocol):
    """Where the limiters come from: one per org, shared by every client of that org."""

    def limiter_for(self, org_id: str, rate_limit: RateLimit) -> Limiter:
        """The limiter of ``org_id``; every client of one org must pass the same limits."""
        ...


class InProcessLimiterBackend:
    """The default backend: one :class:`OrgLimiter` per org in this process.

    ``InProcessLimiterBackend(private=True)`` keeps a registry of its own instead of the
    process-wide one: a simulator uses that, since its orgs are not Adobe's.
    """

    def __init__(self, *, private: bool = False) -> None:
        self._private = private
        self._registry = _new_registry() if private else None

    def limiter_for(self, org_id: str, rate_limit: RateLimit) -> Limiter:
        if self._registry is None:
            return limiter_for_org(org_id, rate_limit)
        return self._registry.get(org_id, rate_limit)

    def __repr__(self) -> str:
        return f"InProcessLimiterBackend(private={self._private})"


def _new_registry() -> OrgRegistry[RateLimit, OrgLimiter]:
    return OrgRegistry(OrgLimiter, lambda limiter: limiter.rate_limit, "rate_limit")


_limiters = _new_registry()


def limiter_for_org(org_id: str, rate_limit: RateLimit) -> OrgLimiter:
    """The process-wide limiter of ``org_id``, made on first use.

    Every client of one org must agree on its limits: a second, different ``RateLimit``
    for the same org is a mistake that would let two budgets run side by side.
    """
    return _limiters.get(org_id, rate_limit)
