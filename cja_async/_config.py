"""Rate-limit configuration: the values users pass, validated once."""

from __future__ import annotations

import asyncio
import time

import attrs

from ._checks import check_int, check_positive, items_of

__all__ = ["RateLimit", "Window", "loop_time"]


def loop_time() -> float:
    """The clock of the limiter, the token cache and the response cache: the running loop's.

    Every stock asyncio loop (and uvloop) reads ``time.monotonic``, so state shared between
    loops agrees; a virtual-time test loop makes all three follow its virtual clock. Outside
    a loop it is ``time.monotonic`` itself.
    """
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_int(value, attribute.name, minimum=1)


def _positive_float(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_positive(value, attribute.name)


@attrs.frozen
class Window:
    """At most ``requests`` requests in any span of ``seconds``.

    A request holds its slot from the moment it is sent until ``seconds`` after its
    response arrived, because the server may count it at any moment in between.
    """

    requests: int = attrs.field(validator=_positive_int)
    seconds: float = attrs.field(converter=float, validator=_positive_float)


def _default_windows() -> tuple[Window, ...]:
    return (Window(requests=60, seconds=60.0), Window(requests=12, seconds=6.0))


def _to_windows(value: object) -> tuple[Window, ...]:
    if isinstance(value, Window):
        return (value,)
    if not isinstance(value, tuple | list):
        raise TypeError("windows must be a sequence of Window")
    return items_of(value, Window, "windows", "Window objects")


@attrs.frozen
class RateLimit:
    """Adobe's per-org limits: ``concurrency`` requests in flight and every window held.

    The default is what Adobe documents: 6 in flight, 60 a minute and 12 per 6 seconds.
    Pass ``Window(60, 6.0)``-style values to run ten times faster against a simulator.
    """

    concurrency: int = attrs.field(default=6, validator=_positive_int)
    windows: tuple[Window, ...] = attrs.field(factory=_default_windows, converter=_to_windows)

    def scaled(self, speed: float) -> RateLimit:
        """These limits with every window ``speed`` times shorter (a simulator at that speed)."""
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not speed > 0:
            raise ValueError(f"speed must be a positive number, got {speed!r}")
        windows = tuple(Window(w.requests, w.seconds / speed) for w in self.windows)
        return RateLimit(concurrency=self.concurrency, windows=windows)

    def least_possible_time(self, requests: int, latency: float) -> float:
        """The wall time a perfect scheduler needs for ``requests`` calls of ``latency`` each.

        This is the yardstick of the benchmarks: every request starts as early as the
        concurrency limit and every window (slots freed ``seconds`` after a response) allow.
        """
        if requests <= 0:
            return 0.0
        # Greedy is optimal when every request takes the same time, and its start
        # times never decrease, so ``ends`` stays sorted.
        ends: list[float] = []
        for index in range(requests):
            start = 0.0
            if index >= self.concurrency:
                start = max(start, ends[index - self.concurrency])
            for window in self.windows:
                if index >= window.requests:
                    start = max(start, ends[index - window.requests] + window.seconds)
            ends.append(start + latency)
        return max(ends)
