"""Shared fixtures: a strict simulator at 10x speed and a client wired to it in-process.

Async tests run on a virtual-time loop (``cja_async.testing.VirtualTimeLoop``): windows of
seconds, latency and backoff play out instantly and deterministically. Each test gets its own
org, so the process-wide limiter registry never carries state from one test to the next.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from cja_async import Client, RateLimit, Window, _convert
from cja_async.testing import Recorder, Simulator, VirtualTimeLoop, report_events

# Adobe's limits at ten times the speed: 6 in flight, 60 per 6 s, 12 per 0.6 s.
FAST_LIMITS = RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))
LATENCY = 0.05


@pytest.fixture(autouse=True)
def _fresh_converters_under_mutation_testing() -> None:
    """Under ``nox -s mutants`` (mutmut sets MUTANT_UNDER_TEST), each test builds the
    converter functions it uses afresh. They are memoized per process, and mutmut runs for
    a mutant only the tests that executed the mutated function: without this, only the
    first test to structure a model would ever test the code that builds its functions."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        _convert._structurers.clear()
        _convert._unstructurers.clear()


@pytest.fixture
def anyio_backend() -> Any:
    """Async tests run on a virtual-time loop: limits and backoff play out instantly."""
    return ("asyncio", {"loop_factory": VirtualTimeLoop})


@pytest.fixture
def org_id() -> str:
    """An org of this test alone."""
    return f"T{uuid.uuid4().hex[:16].upper()}@AdobeOrg"


@pytest.fixture
def sim() -> Simulator:
    """A strict simulator at 10x speed with 50 ms responses."""
    return Simulator(rate_limit=FAST_LIMITS, latency=LATENCY)


@pytest.fixture
async def cja(sim: Simulator, org_id: str) -> AsyncIterator[Client]:
    """A client of ``org_id`` talking to ``sim`` in-process."""
    async with sim.client(org_id=org_id) as client:
        yield client


@pytest.fixture
def recorder(sim: Simulator) -> Recorder:
    """Sees every request the ``rec`` client sends to ``sim``."""
    return Recorder(sim)


@pytest.fixture
async def rec(sim: Simulator, org_id: str, recorder: Recorder) -> AsyncIterator[Client]:
    """A client whose requests ``recorder`` sees."""
    async with sim.client(org_id=org_id, transport=recorder) as client:
        yield client


@pytest.fixture
async def view(cja: Client) -> str:
    """A data view of the test's org (reports, freeform tables)."""
    page = await cja.dataviews.list(limit=1)
    return str(page.items[0].id)


@pytest.fixture
def events(sim: Simulator, org_id: str, view: str) -> list[dict[str, Any]]:
    """The data view's seeded events, to compute expected report numbers without the engine."""
    return report_events(sim, org_id, view)
