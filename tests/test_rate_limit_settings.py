"""Bad rate limits are refused when they are made, naming the argument and what it must be
(``RateLimit``, ``Window``), and a good one scales as documented."""

from __future__ import annotations

import math
from typing import Any

import pytest

from cja_async import RateLimit, Window


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: RateLimit(windows=5), TypeError, "windows must be a sequence of Window"),
        (lambda: RateLimit(windows=[1]), TypeError, "windows must hold Window objects, got int"),
        (lambda: RateLimit(concurrency=0), ValueError, "concurrency must be at least 1, got 0"),
        (lambda: RateLimit(concurrency=True), TypeError, "concurrency must be an int, got bool"),
        (lambda: RateLimit(concurrency=2.0), TypeError, "concurrency must be an int, got float"),
        (lambda: Window(0, 1.0), ValueError, "requests must be at least 1, got 0"),
        (lambda: Window(1, 0), ValueError, "seconds must be a positive finite number, got 0.0"),
        (lambda: Window(1, math.inf), ValueError, "seconds must be a positive finite number"),
        (lambda: Window(1, math.nan), ValueError, "seconds must be a positive finite number"),
        (lambda: RateLimit().scaled(0), ValueError, "speed must be a positive number, got 0"),
        (lambda: RateLimit().scaled(True), ValueError, "speed must be a positive number"),
    ],
    ids=[
        "windows-not-a-sequence",
        "windows-of-ints",
        "no-concurrency",
        "bool-concurrency",
        "float-concurrency",
        "no-requests",
        "no-seconds",
        "endless-window",
        "nan-window",
        "no-speed",
        "bool-speed",
    ],
)
def test_bad_limits_are_refused_naming_the_argument(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        make()
    assert str(caught.value).startswith(message)


def test_one_window_counts_as_a_sequence_of_one_and_scaling_shortens_each() -> None:
    limit = RateLimit(concurrency=3, windows=Window(10, 6))
    assert limit.windows == (Window(10, 6.0),)
    assert RateLimit(windows=[Window(60, 60.0)]).windows == (Window(60, 60.0),)
    fast = RateLimit().scaled(10)
    assert fast == RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))
    # A speed under 1 is a slower simulator: the windows grow.
    slow = RateLimit().scaled(0.5)
    assert slow == RateLimit(concurrency=6, windows=(Window(60, 120.0), Window(12, 12.0)))
