"""Strict per-org admission: concurrency plus sliding windows, like Adobe's gateway."""

from __future__ import annotations

import bisect
import math

from cja_async._config import RateLimit

__all__ = ["OrgLimiter"]


class OrgLimiter:
    """The admission state of one org: arrival times of admitted requests and in-flight count.

    A window ``Window(requests, seconds)`` is full when ``requests`` admitted
    requests arrived at times ``t`` with ``now - t < seconds``. Rejected requests
    are not recorded, so a client hammering a full window does not extend it.
    """

    def __init__(self) -> None:
        self.in_flight = 0
        # Non-decreasing, because the clock never goes back and arrivals are appended.
        self._arrivals: list[float] = []

    def retry_after(
        self, limit: RateLimit | None, now: float, *, concurrency: bool = True, windows: bool = True
    ) -> int | None:
        """Whole seconds to wait if a request arriving ``now`` must be rejected, else ``None``.

        ``concurrency``/``windows`` pick the checks (a gateway that counts a request after
        it arrived checks the windows then, and the concurrency at arrival).
        """
        if limit is None:
            return None
        self._forget(limit, now)
        waits: list[float] = []
        if concurrency and self.in_flight >= limit.concurrency:
            # Nobody knows when a request in flight ends; the gateway says "1".
            waits.append(1.0)
        for window in limit.windows if windows else ():
            # First arrival still inside the window (``now - t < seconds``).
            first = _first_inside(self._arrivals, now, window.seconds)
            inside = len(self._arrivals) - first
            if inside >= window.requests:
                # The window has room again once this arrival (the one that takes
                # the count below the limit) has left it.
                leaving = self._arrivals[first + inside - window.requests]
                waits.append(leaving + window.seconds - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def admit(self, limit: RateLimit | None, now: float, *, count: bool = True) -> None:
        """Record an admitted arrival (``count``: in the windows too, at ``now``)."""
        if limit is not None and count:
            self._arrivals.append(now)
        self.in_flight += 1

    def count(self, limit: RateLimit | None, now: float) -> None:
        """Count an admitted request in the windows at ``now`` (after its arrival)."""
        if limit is not None:
            self._arrivals.append(now)

    def release(self) -> None:
        """A request's response was sent: it no longer counts as in flight."""
        self.in_flight -= 1

    def _forget(self, limit: RateLimit, now: float) -> None:
        # Arrivals older than the longest window can never block again.
        longest = max((window.seconds for window in limit.windows), default=0.0)
        stale = _first_inside(self._arrivals, now, longest)
        if stale:
            del self._arrivals[:stale]


def _first_inside(arrivals: list[float], now: float, seconds: float) -> int:
    """Index of the first arrival ``t`` with ``now - t < seconds`` (``arrivals`` is sorted)."""
    # The same comparison everywhere, so float rounding cannot disagree between checks.
    return bisect.bisect_left(arrivals, True, key=lambda t: now - t < seconds)
