"""The benchmark harness itself (benchmarks/ is not otherwise run by the test suite).

No timing is asserted here: these check that the harness runs, counts what it says it
counts, and computes its yardsticks right. The figures come from ``nox -s bench``.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks import walks
from benchmarks._common import FAST_LIMITS
from cja_async import RateLimit, Window


def test_the_walk_floor_is_page_zero_then_the_rest() -> None:
    limit = RateLimit(concurrency=6, windows=(Window(12, 0.6),))
    # 12 pages at 0.5 s: page 0, then 11 more in two rounds of at most 6.
    assert walks.least_walk_time(limit, 12, 0.5) == pytest.approx(1.5)
    assert walks.least_walk_time(limit, 1, 0.5) == pytest.approx(0.5)
    assert walks.least_walk_time(limit, 0, 0.5) == 0.0
    assert walks.least_walk_time(FAST_LIMITS, 50, 0.05) > FAST_LIMITS.least_possible_time(50, 0.05)


@pytest.mark.parametrize(("impl", "mode"), [("cja-async", "walk"), ("aiolimiter 60/6", "burst")])
def test_a_run_counts_requests_429s_and_unsafe_starts(impl: str, mode: str) -> None:
    run = asyncio.run(walks.run_one(impl, mode, 12, 0.01))
    assert run.admitted == 12 and run.rejected_429 == 0
    assert run.unsafe == 0  # 12 requests meet no window of 12
    assert len(run.starts) == 12 and all(start >= 0 for start in run.starts)
    assert run.wall > 0 and run.least == FAST_LIMITS.least_possible_time(12, 0.01)
