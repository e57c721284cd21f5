"""One org budget for every process that names the same Redis.

:class:`RedisLimiterBackend` hands out a :class:`RedisLimiter` per org. Every decision is the
Lua script of ``_script.py`` (``LimiterCore`` over Redis keys, on Redis' clock); this module
only does the I/O around it:

- A FIFO queue per process: only a *driver* task talks to Redis for the whole queue, and one
  script run admits as many queued requests as fit, so a burst costs one round trip.
- Waiting never polls. A script run that cannot admit says how long to sleep (a window or a
  pause) or that only a release can help; then the driver waits for a release published on
  the org's channel, or for the soonest lease to run out (a crashed process's slot).
- Each admitted request holds a *lease*: a time limit, renewed every third of it while this
  process lives. A process killed mid-request stops renewing, and its slots come back when
  the lease runs out (window slots ``seconds`` after that, as for any response).
- A slot (:class:`_Lease`) names its lease, so releasing it gives back exactly that one.
  ``slot.release()`` and ``pause`` are synchronous (the client calls them in ``finally``),
  so they schedule their script runs; :meth:`RedisLimiter.settle` (called when a client
  closes) and :meth:`RedisLimiterBackend.aclose` wait for them.
- Redis unreachable: fail closed with :class:`LimiterUnavailableError`, or, with
  ``fallback_workers=N``, fall back to an in-process limiter holding ``1/N`` of the budget.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import uuid
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Final

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

from .._checks import check_positive, check_redis_url, masked_url
from .._closing import AsyncClosing
from .._config import RateLimit, Window
from .._exceptions import LimiterUnavailableError, RateLimitMismatchError
from .._limits import Limiter, OrgLimiter, Slot
from ._script import SCRIPT, AcquireResult, OrgKeys, config_args, fingerprint, script_args

__all__ = ["LimiterUnavailableError", "RedisLimiter", "RedisLimiterBackend"]

logger = logging.getLogger("cja_async.redis")

# How long a process that lost Redis stays on its fallback limiter before trying Redis again.
FALLBACK_RECHECK_SECONDS: Final = 5.0


class _Unavailable(Exception):
    """Internal: a Redis call failed for a reason that is Redis' (network, server)."""


_FALLBACK: Final = "fallback"
_LEASE: Final = "lease"


class _Lease(Slot):
    """One admitted request's slot: its lease in Redis, on the loop that took it."""

    __slots__ = ("_limiter", "_state", "lease_id")

    def __init__(
        self, limiter: RedisLimiter, state: _LoopState, lease_id: str, waited: float
    ) -> None:
        super().__init__(waited)
        self._limiter, self._state, self.lease_id = limiter, state, lease_id

    def _give_back(self, reached_server: bool) -> None:
        self._limiter._release(self._state, self.lease_id, reached_server)


@dataclass(eq=False)
class _Waiter:
    lease_id: str
    future: asyncio.Future[str]


@dataclass(eq=False)
class _Connection:
    """The Redis client of the event loop the backend serves."""

    loop: asyncio.AbstractEventLoop
    client: aioredis.Redis
    script: Any  # redis.commands.core.AsyncScript (not exported with types)


@dataclass(eq=False)
class _LoopState:
    """Everything of a limiter that belongs to one event loop (dropped if the loop goes)."""

    connection: _Connection
    queue: deque[_Waiter] = field(default_factory=deque)
    leases: set[str] = field(default_factory=set)  # ids of the leases held
    pending: set[asyncio.Task[None]] = field(default_factory=set)
    # Releases not yet sent: (lease id, reached the server, loop time of the release).
    outbox: list[tuple[str, bool, float]] = field(default_factory=list)
    sender: asyncio.Task[None] | None = None
    driver: asyncio.Task[None] | None = None
    heartbeat: asyncio.Task[None] | None = None
    listener: asyncio.Task[None] | None = None
    subscribed: asyncio.Future[None] | None = None
    released: asyncio.Future[None] | None = None
    paused_until: float = -math.inf


class RedisLimiterBackend(AsyncClosing):
    """Limiters shared through Redis by every process (and host) that names the same Redis::

        from cja_async.redis import RedisLimiterBackend

        backend = RedisLimiterBackend("redis://redis.internal:6379/0")
        async with backend, Client(org_id=..., credentials=..., limiter_backend=backend) as cja:
            ...

    The guarantee is the in-process limiter's, across all of them: per org, at most
    ``concurrency`` requests in flight and at most ``requests`` in any span of ``seconds``
    of every window, on Redis' clock.

    Args:
        url: where Redis is (``redis://``, ``rediss://``, ``unix://``; credentials may be in it).
        key_prefix: the start of every key; orgs are told apart inside it.
        lease_seconds: how long an in-flight slot outlives a process that died holding it.
            Live processes renew their leases every third of it, however long requests run.
        timeout: seconds to connect to Redis and for each reply.
        fallback_workers: ``None`` (the default) fails closed when Redis is unreachable:
            requests raise :class:`LimiterUnavailableError`. ``N`` falls back to an
            in-process limiter with ``1/N`` of every limit (N = the processes that share the
            org), rechecking Redis every few seconds.

    One backend serves one event loop at a time (a worker process's loop); close it with
    ``await backend.aclose()`` or ``async with backend``.
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        key_prefix: str = "cja-async",
        lease_seconds: float = 30.0,
        timeout: float = 5.0,
        fallback_workers: int | None = None,
    ) -> None:
        check_redis_url(url)
        if not isinstance(key_prefix, str) or not key_prefix or "{" in key_prefix:
            raise ValueError("key_prefix must be a non-empty string without '{'")
        check_positive(lease_seconds, "lease_seconds")
        check_positive(timeout, "timeout")
        if fallback_workers is not None and (
            isinstance(fallback_workers, bool)
            or not isinstance(fallback_workers, int)
            or fallback_workers < 1
        ):
            raise ValueError(
                f"fallback_workers must be None or an int >= 1, got {fallback_workers!r}"
            )
        self.url = url
        self.key_prefix = key_prefix
        self.lease_seconds = float(lease_seconds)
        self.timeout = float(timeout)
        self.fallback_workers = fallback_workers
        self._limiters: dict[str, RedisLimiter] = {}
        self._connection: _Connection | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"RedisLimiterBackend({masked_url(self.url)!r}, key_prefix={self.key_prefix!r}, "
            f"lease_seconds={self.lease_seconds}, fallback_workers={self.fallback_workers})"
        )

    def limiter_for(self, org_id: str, rate_limit: RateLimit) -> RedisLimiter:
        """The limiter of ``org_id`` (one per org and backend)."""
        limiter = self._limiters.get(org_id)
        if limiter is None:
            limiter = self._limiters[org_id] = RedisLimiter(self, org_id, rate_limit)
        elif limiter.rate_limit != rate_limit:
            raise RateLimitMismatchError(
                f"org {org_id!r} already has a limiter with {limiter.rate_limit!r}; every "
                "client of one org must use the same rate_limit"
            )
        return limiter

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closed

    async def aclose(self) -> None:
        """Finish scheduled releases, stop background tasks and close the connections.

        Requests still waiting for a slot fail with :class:`LimiterUnavailableError`;
        leases of requests still in flight run out by themselves.
        """
        if self._closed:
            return
        self._closed = True
        for limiter in self._limiters.values():
            await limiter._shutdown()
        connection, self._connection = self._connection, None
        if connection is not None and not connection.loop.is_closed():
            await connection.client.aclose()

    def _connect(self) -> _Connection:
        """The Redis client of the running loop, made on first use."""
        if self._closed:
            raise LimiterUnavailableError("the RedisLimiterBackend is closed")
        loop = asyncio.get_running_loop()
        connection = self._connection
        if connection is not None and connection.loop is loop:
            return connection
        if connection is not None and not connection.loop.is_closed():
            raise RuntimeError(
                "a RedisLimiterBackend serves one event loop at a time; make one backend per "
                "event loop (thread)"
            )
        # Connection errors are retried briefly (a restart, an idle connection cut) and then
        # reported: waiting longer would only hold requests that cannot be admitted anyway.
        try:
            client = aioredis.Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            )
        except (RedisError, ValueError, TypeError) as exc:
            # A URL of a known scheme redis-py still cannot read (a port that is not a
            # number, an unknown query option): a request cannot be admitted without it.
            raise LimiterUnavailableError(
                f"cannot connect to Redis at {masked_url(self.url)}: {type(exc).__name__}"
                " (check the RedisLimiterBackend url); the request was not sent"
            ) from None
        self._connection = _Connection(loop, client, client.register_script(SCRIPT))
        return self._connection


class RedisLimiter(Limiter):
    """One org's gate, shared through Redis (see :class:`RedisLimiterBackend`).

    ``async with limiter.slot() as slot`` (or ``slot = await limiter.acquire()``) before
    sending; ``slot.release(reached_server=...)`` exactly once afterwards, from any task;
    ``pause(seconds)`` holds the org in every process after a 429.
    """

    def __init__(self, backend: RedisLimiterBackend, org_id: str, rate_limit: RateLimit) -> None:
        self.rate_limit = rate_limit
        self.org_id = org_id
        self._backend = backend
        self._keys = OrgKeys.of(backend.key_prefix, org_id, len(rate_limit.windows))
        self._owner = uuid.uuid4().hex[:16]
        self._config = config_args(
            rate_limit, lease_seconds=backend.lease_seconds, channel=self._keys.channel
        )
        self._sequence = 0
        self._state: _LoopState | None = None
        self._fallback: OrgLimiter | None = None
        self._fallback_until = -math.inf
        # Script runs by operation (acquire, release, renew, pause): the Redis round trips.
        self.round_trips: dict[str, int] = dict.fromkeys(
            ("acquire", "release", "renew", "pause"), 0
        )
        if backend.fallback_workers is not None:
            self._fallback = OrgLimiter(_divided(rate_limit, backend.fallback_workers))

    def __repr__(self) -> str:
        return f"RedisLimiter(org_id={self.org_id!r}, rate_limit={self.rate_limit!r})"

    @property
    def lease_owner(self) -> str:
        """The prefix of this limiter's lease ids in Redis (``<owner>:<n>``)."""
        return self._owner

    @property
    def in_flight(self) -> int:
        """Requests of this process admitted and not yet released."""
        state = self._state
        fallback = 0 if self._fallback is None else self._fallback.in_flight
        return fallback + (0 if state is None else len(state.leases))

    @property
    def waiting(self) -> int:
        """Tasks of this process queued for a slot."""
        queued = 0 if self._state is None else len(self._state.queue)
        return queued + (0 if self._fallback is None else self._fallback.waiting)

    @property
    def fallback_active(self) -> bool:
        """Whether Redis was lately unreachable and requests use the in-process fallback."""
        return self._fallback is not None and _now() < self._fallback_until

    # -- acquire -------------------------------------------------------------------------

    async def acquire(self) -> Slot:
        """Wait for this org's turn in every process; returns the slot, to release once."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self.fallback_active:
            return await self._acquire_fallback(started)
        state = self._loop_state()
        self._sequence += 1
        waiter = _Waiter(f"{self._owner}:{self._sequence}", loop.create_future())
        state.queue.append(waiter)
        if state.driver is None:
            state.driver = loop.create_task(self._drive(state))
        try:
            outcome = await waiter.future
        except BaseException:
            self._abandon(state, waiter)
            raise
        if outcome == _FALLBACK:
            return await self._acquire_fallback(started)
        return _Lease(self, state, waiter.lease_id, loop.time() - started)

    async def _acquire_fallback(self, started: float) -> Slot:
        """A slot of the in-process fallback (it releases there); ``waited`` counts from
        the start, time queued for Redis included."""
        assert self._fallback is not None
        slot = await self._fallback.acquire()
        slot.waited = asyncio.get_running_loop().time() - started
        return slot

    def _abandon(self, state: _LoopState, waiter: _Waiter) -> None:
        """A waiter was cancelled: leave the queue, or give back what it was just given."""
        if waiter in state.queue:
            state.queue.remove(waiter)
            return
        future = waiter.future
        if not future.done() or future.cancelled():
            return
        admitted = future.exception() is None and future.result() == _LEASE
        if admitted and waiter.lease_id in state.leases:
            state.leases.discard(waiter.lease_id)
            self._send_release(state, waiter.lease_id, reached=False)

    def _loop_state(self) -> _LoopState:
        connection = self._backend._connect()
        state = self._state
        if state is None or state.connection is not connection:
            # First use, or the loop this limiter ran on is gone with its tasks: start afresh
            # (leases of that loop's requests run out by themselves).
            state = self._state = _LoopState(connection)
        return state

    async def _drive(self, state: _LoopState) -> None:
        """Admit the queue in order, one script run for as many as fit; sleep as told."""
        loop = asyncio.get_running_loop()
        try:
            while state.queue:
                hold = state.paused_until - loop.time()
                if hold > 0:  # our own 429: no point asking Redis before it ends
                    await asyncio.sleep(hold)
                    continue
                batch = list(state.queue)[: self.rate_limit.concurrency]
                # Made before the script runs: a release published after it wakes us.
                if state.released is None or state.released.done():
                    state.released = loop.create_future()
                released = state.released
                try:
                    reply = await self._run(state, "acquire", [w.lease_id for w in batch])
                except _Unavailable as exc:
                    self._unreachable(state, exc)
                    return
                result = AcquireResult.parse(reply)
                self._admit(state, batch[: result.admitted])
                if not state.queue or result.admitted == len(batch):
                    continue
                if result.delay is not None:
                    await asyncio.sleep(result.delay)
                    continue
                try:
                    listening = await self._listening(state)
                except _Unavailable as exc:
                    self._unreachable(state, exc)
                    return
                if not listening:
                    continue  # just subscribed: ask again, a release may have come before
                timeout = None if result.lease_wait is None else result.lease_wait + 0.001
                await asyncio.wait([released], timeout=timeout)
        except BaseException as exc:
            error = (
                exc
                if isinstance(exc, Exception)
                else LimiterUnavailableError("the limiter stopped")
            )
            while state.queue:
                waiter = state.queue.popleft()
                if not waiter.future.done():
                    waiter.future.set_exception(error)
            if not isinstance(exc, Exception):
                raise
        finally:
            state.driver = None

    def _admit(self, state: _LoopState, admitted: list[_Waiter]) -> None:
        for waiter in admitted:
            if waiter in state.queue and not waiter.future.done():
                state.queue.remove(waiter)
                state.leases.add(waiter.lease_id)
                waiter.future.set_result(_LEASE)
            else:  # cancelled while the script ran: it never sent anything
                self._send_release(state, waiter.lease_id, reached=False)
        if state.leases and state.heartbeat is None:
            state.heartbeat = asyncio.get_running_loop().create_task(self._renew(state))

    def _unreachable(self, state: _LoopState, exc: _Unavailable) -> None:
        """Redis failed while the queue waited: fall back, or fail every waiter (closed)."""
        where = masked_url(self._backend.url)
        if self._fallback is not None:
            if not self.fallback_active:
                logger.warning(
                    "Redis at %s is unreachable (%s); org %s runs on an in-process limiter "
                    "with 1/%d of its budget until Redis answers again",
                    where,
                    exc,
                    self.org_id,
                    self._backend.fallback_workers,
                )
            self._fallback_until = _now() + FALLBACK_RECHECK_SECONDS
        while state.queue:
            waiter = state.queue.popleft()
            if waiter.future.done():
                continue
            if self._fallback is not None:
                waiter.future.set_result(_FALLBACK)
            else:
                waiter.future.set_exception(
                    LimiterUnavailableError(
                        f"the org's shared limiter cannot reach Redis at {where} ({exc}); the "
                        "request was not sent. Pass fallback_workers=N to RedisLimiterBackend "
                        "to run on an in-process share of the budget while Redis is away"
                    )
                )

    # -- release, pause ------------------------------------------------------------------

    def _release(self, state: _LoopState, lease_id: str, reached_server: bool) -> None:
        """Give back the lease ``lease_id`` of ``state``'s loop: see :class:`_Lease`."""
        state.leases.discard(lease_id)
        if self._backend.closed:
            return  # nothing to tell; a lease left behind runs out by itself
        loop = state.connection.loop
        if _running_loop() is loop:
            self._send_release(state, lease_id, reached=reached_server)
        elif not loop.is_closed():  # released from another thread: hop onto the loop
            loop.call_soon_threadsafe(
                functools.partial(self._send_release, state, lease_id, reached=reached_server)
            )

    def pause(self, seconds: float) -> None:
        """Hold every request of the org, in every process, for ``seconds`` (a 429's wait)."""
        if self._fallback is not None:
            self._fallback.pause(seconds)
        if self._backend.closed:
            return
        # The first thing a limiter does may be to pass on a 429 another program caused.
        state = self._loop_state() if _running_loop() is not None else self._state
        if state is None:
            return
        loop = state.connection.loop
        state.paused_until = max(state.paused_until, loop.time() + seconds)
        if _running_loop() is loop:
            self._spawn(state, self._pause_remote(state, seconds))
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._spawn, state, self._pause_remote(state, seconds))

    def _send_release(self, state: _LoopState, lease_id: str, *, reached: bool) -> None:
        """Queue a release; releases that pile up while one is sent go in one script run."""
        state.outbox.append((lease_id, reached, state.connection.loop.time()))
        if state.sender is None:
            state.sender = self._spawn(state, self._send_releases(state))

    async def _send_releases(self, state: _LoopState) -> None:
        loop = state.connection.loop
        try:
            while state.outbox:
                batch, state.outbox = state.outbox, []
                sent = loop.time()
                extra: list[str] = []
                for lease_id, reached, at in batch:
                    # The age backdates the slot to the response (see the script).
                    extra += [lease_id, "1" if reached else "0", repr(max(0.0, sent - at))]
                try:
                    await self._run(state, "release", extra)
                except _Unavailable as exc:
                    logger.warning(
                        "could not release %d slot(s) of org %s in Redis (%s); they free "
                        "when their leases run out, within %.0f s",
                        len(batch),
                        self.org_id,
                        exc,
                        self._backend.lease_seconds,
                    )
                # Our own driver need not wait for the notification to come back round.
                if state.released is not None and not state.released.done():
                    state.released.set_result(None)
        finally:
            state.sender = None

    async def _pause_remote(self, state: _LoopState, seconds: float) -> None:
        try:
            await self._run(state, "pause", [repr(float(seconds))])
        except _Unavailable as exc:
            logger.warning("could not share a 429 pause of org %s (%s)", self.org_id, exc)

    def _spawn(self, state: _LoopState, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` on the limiter's loop (we are on it), kept until done for settle()."""
        task = state.connection.loop.create_task(work)
        state.pending.add(task)
        task.add_done_callback(state.pending.discard)
        return task

    async def settle(self) -> None:
        """Wait until every scheduled release and pause has reached Redis (or failed)."""
        state = self._state
        if state is None:
            return
        while state.pending:
            await asyncio.gather(*list(state.pending), return_exceptions=True)

    # -- background: lease renewal, release notifications ---------------------------------

    async def _renew(self, state: _LoopState) -> None:
        """Renew this process's leases every third of their time, while it holds any."""
        try:
            while True:
                await asyncio.sleep(self._backend.lease_seconds / 3)
                if not state.leases:
                    return
                try:
                    lost = await self._run(state, "renew", list(state.leases))
                except _Unavailable as exc:
                    logger.warning("could not renew leases of org %s (%s)", self.org_id, exc)
                    continue
                if int(lost):
                    logger.warning(
                        "%d lease(s) of org %s ran out before renewal (was this process "
                        "stalled for %.0f s?); renewed them",
                        int(lost),
                        self.org_id,
                        self._backend.lease_seconds,
                    )
        finally:
            state.heartbeat = None

    async def _listening(self, state: _LoopState) -> bool:
        """Whether release notifications reach us; if not, subscribe and return False."""
        subscribed = state.subscribed
        if (
            state.listener is not None
            and subscribed is not None
            and subscribed.done()
            and subscribed.exception() is None
        ):
            return True
        loop = asyncio.get_running_loop()
        state.subscribed = subscribed = loop.create_future()
        state.listener = loop.create_task(self._listen(state, subscribed))
        try:
            await subscribed
        except _Unavailable:
            raise
        except (RedisError, OSError) as exc:
            raise _Unavailable(str(exc) or type(exc).__name__) from exc
        return False

    async def _listen(self, state: _LoopState, subscribed: asyncio.Future[None]) -> None:
        pubsub = state.connection.client.pubsub()
        try:
            await pubsub.subscribe(self._keys.channel)
            while True:
                message = await pubsub.get_message(timeout=self._backend.lease_seconds)
                if message is None:
                    continue
                if message.get("type") == b"subscribe" or message.get("type") == "subscribe":
                    if not subscribed.done():
                        subscribed.set_result(None)
                    continue
                if state.released is not None and not state.released.done():
                    state.released.set_result(None)
        except Exception as exc:
            if not subscribed.done():
                subscribed.set_exception(exc)
            # The driver may be waiting for a release we can no longer hear: wake it; its
            # next script run finds out whether Redis is still there.
            if state.released is not None and not state.released.done():
                state.released.set_result(None)
        finally:
            if state.listener is asyncio.current_task():
                state.listener = None
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    # -- the script ----------------------------------------------------------------------

    async def _run(self, state: _LoopState, op: str, extra: list[str]) -> Any:
        self.round_trips[op] = self.round_trips.get(op, 0) + 1
        args = script_args(
            op,
            self.rate_limit,
            lease_seconds=self._backend.lease_seconds,
            channel=self._keys.channel,
            extra=extra,
            config=self._config,
        )
        try:
            return await state.connection.script(keys=self._keys.all, args=args)
        except ResponseError as exc:
            text = str(exc)
            if "CJA_CONFIG" in text:
                agreed = text.split("CJA_CONFIG", 1)[1].strip()
                raise RateLimitMismatchError(
                    f"org {self.org_id!r} already has a shared budget with {agreed} under "
                    f"key prefix {self._backend.key_prefix!r}; this process uses "
                    f"{fingerprint(self.rate_limit)}. Every process of one org must use the "
                    "same rate_limit"
                ) from exc
            raise _Unavailable(text) from exc
        except (RedisError, OSError) as exc:
            raise _Unavailable(str(exc) or type(exc).__name__) from exc

    async def _shutdown(self) -> None:
        """Stop for good (the backend closes): fail waiters, flush, stop background tasks."""
        state = self._state
        if state is None or state.connection.loop is not _running_loop():
            return
        while state.queue:
            waiter = state.queue.popleft()
            if not waiter.future.done():
                waiter.future.set_exception(
                    LimiterUnavailableError("the RedisLimiterBackend was closed")
                )
        await self.settle()
        tasks = [t for t in (state.driver, state.heartbeat, state.listener) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _divided(rate_limit: RateLimit, workers: int) -> RateLimit:
    """``rate_limit`` shared by ``workers`` processes: every limit divided, rounded down."""
    too_small = [
        name
        for name, value in (
            ("concurrency", rate_limit.concurrency),
            *((f"a window of {w.requests}", w.requests) for w in rate_limit.windows),
        )
        if value < workers
    ]
    if too_small:
        raise ValueError(
            f"fallback_workers={workers} cannot share {rate_limit!r}: {', '.join(too_small)} "
            "leaves less than one request per worker"
        )
    return RateLimit(
        concurrency=rate_limit.concurrency // workers,
        windows=tuple(Window(w.requests // workers, w.seconds) for w in rate_limit.windows),
    )


def _now() -> float:
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return -math.inf


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
