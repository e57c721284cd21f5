"""Retry decisions as pure functions: what to do after one attempt (``decide``), how long to
back off, what ``Retry-After`` asked. No sleeping and no I/O here: the client's loop performs
the decision (see ``Client._attempts``)."""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import attrs

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "Attempt",
    "Decision",
    "Pause",
    "Raise",
    "Renew",
    "Retry",
    "Return",
    "backoff_delay",
    "decide",
    "parse_retry_after",
]

# 500 is included: Adobe's services answer it for passing faults, and only idempotent
# requests are retried on it. 429 is retried for every method: the server did nothing.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# A server asking for more than this is probably wrong; we wait at most this long per try.
MAX_RETRY_AFTER = 120.0


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], datetime] | None = None
) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` (seconds or an HTTP date).

    ``None`` when there is no usable value: absent, unreadable, NaN, zero, negative or a date
    already past. Such a header says nothing about when to come back, so the caller backs off
    as if there were none (retrying at once would flood a server that is already refusing).
    """
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = now() if now is not None else datetime.now(UTC)
        seconds = (when - current).total_seconds()
    if math.isnan(seconds) or seconds <= 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def backoff_delay(
    attempt: int,
    *,
    retry_after: float | None = None,
    base: float = 0.5,
    cap: float = 30.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """How long to wait before retry number ``attempt`` (1 for the first retry).

    Exponential with "equal jitter": half of ``base * 2**(attempt-1)`` (capped at ``cap``) for
    sure, plus a random share of the other half, so the wait is 50-100% of that backoff.
    The random half spreads clients that failed together (they do not retry together); the
    fixed half keeps a retry from coming back at once, as full jitter (0-100%) can. Never
    less than the server's ``Retry-After``.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    delay = ceiling * (0.5 + rand() / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return float(delay)


# -- what to do after one attempt -------------------------------------------------------------


@attrs.define
class Attempt:
    """What one attempt brought, as the decision needs it.

    ``status`` is ``None`` for a network failure (``reached_server`` then says whether a byte
    may have left). ``readable`` is ``False`` for a success whose body could not be read
    (``body_is_json`` says whether it was at least JSON: garbage from a proxy or a body cut
    short is worth one more read, a body of the wrong shape is not).
    """

    status: int | None
    reached_server: bool = True
    retry_after: float | None = None
    readable: bool = True
    body_is_json: bool = True


@attrs.frozen
class Return:
    """Done: return the result (``none=True``: return ``None``, the answer was lost)."""

    none: bool = False


@attrs.frozen
class Retry:
    """Send it again after ``delay`` seconds (the loop counts the retry)."""

    delay: float


@attrs.frozen
class Renew:
    """The API refused the token: renew it once and send again at once; if it cannot be
    renewed (a static token), raise."""


@attrs.frozen
class Pause:
    """The org's budget is spent (429): hold every request of the org ``seconds``, then send
    again through the limiter (``retry``) or raise."""

    seconds: float
    retry: bool


@attrs.frozen
class Raise:
    """Give up: raise the error of this attempt."""


Decision = Return | Retry | Renew | Pause | Raise

# The decisions without a value, made once (decide runs after every attempt).
_RETURN, _RETURN_NONE, _RENEW, _RAISE = Return(), Return(none=True), Renew(), Raise()


def decide(
    outcome: Attempt,
    *,
    method: str,
    attempt: int,
    max_retries: int,
    idempotent: bool,
    renewed: bool,
    maybe_done: bool,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """What to do after an attempt that brought ``outcome``.

    ``attempt`` is the retries made so far; ``renewed`` whether the token was renewed
    already (once per request, never in a loop); ``maybe_done`` whether an earlier attempt
    may have been carried out with its answer lost (so a DELETE's 404 is its success).
    """
    can_retry = attempt < max_retries
    status = outcome.status
    if status is None:  # a network failure: safe to repeat unless it may have been acted on
        if can_retry and (idempotent or not outcome.reached_server):
            return Retry(backoff_delay(attempt + 1, rand=rand))
        return _RAISE
    if status < 300:
        if outcome.readable:
            return _RETURN
        if idempotent and can_retry and not outcome.body_is_json:
            return Retry(backoff_delay(attempt + 1, rand=rand))
        return _RAISE
    if status == 404 and method == "DELETE" and maybe_done:
        return _RETURN_NONE  # the earlier attempt deleted it; its answer was lost
    if status == 401 and not renewed:
        return _RENEW
    if status == 429:
        # Someone spent the org's budget (maybe another program): hold the whole org, longer
        # after each 429 in a row (jittered, so clients refused together do not come back
        # together), never less than a usable Retry-After. Retried for every method: the
        # server did nothing.
        pause = backoff_delay(attempt + 1, retry_after=outcome.retry_after, rand=rand)
        return Pause(pause, retry=can_retry)
    if status in RETRY_STATUSES and idempotent and can_retry:
        return Retry(backoff_delay(attempt + 1, retry_after=outcome.retry_after, rand=rand))
    return _RAISE
