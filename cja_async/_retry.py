"""Retry decisions as pure functions of (attempt, status, method, Retry-After): no sleeping here."""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "backoff_delay", "parse_retry_after"]

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

    Exponential with "full jitter" (a random share of ``base * 2**(attempt-1)``, capped), so
    many clients that failed together do not retry together; never less than the server's
    ``Retry-After``.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    delay = ceiling * (0.5 + rand() / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return float(delay)
