"""The client against the simulator served by uvicorn on loopback: real sockets, real time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cja_async import Client, OAuthCredentials, OutcomeUnknownError, RateLimit, Window
from cja_async.models import DataView
from cja_async.testing import Faults, Simulator, serve

pytestmark = pytest.mark.anyio

LIMITS = RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"  # real sockets need a real clock


@pytest.fixture
def served() -> Iterator[tuple[Simulator, str]]:
    """A simulator served by uvicorn on 127.0.0.1 (a free port), in a thread of its own."""
    sim = Simulator(rate_limit=LIMITS, latency=0.02, dataviews=120)
    with serve(sim) as url:
        yield sim, url


def client_for(base_url: str, org_id: str, sim: Simulator, **kwargs: Any) -> Client:
    sim.add_client("uv-client", "uv-secret", org_id)
    credentials = OAuthCredentials(
        client_id="uv-client", client_secret="uv-secret", token_url=f"{base_url}/ims/token/v3"
    )
    kwargs.setdefault("rate_limit", LIMITS)
    return Client(org_id=org_id, credentials=credentials, base_url=base_url, **kwargs)


async def test_walk_over_a_real_socket_with_limits_held(
    served: tuple[Simulator, str], org_id: str
) -> None:
    sim, base_url = served
    async with client_for(base_url, org_id, sim) as cja:
        me = await cja.users.me()
        ids = [dv.id async for dv in cja.dataviews.list(limit=10)]
    assert me.email
    assert len(ids) == len(set(ids)) == 120
    assert sim.stats.rejected_429 == 0


async def test_read_timeouts_on_a_real_socket(served: tuple[Simulator, str], org_id: str) -> None:
    sim, base_url = served
    async with client_for(base_url, org_id, sim, timeout=0.3, max_retries=1) as cja:
        await cja.users.me()  # token first, before the server turns slow
        sim.faults = Faults(slow_rate=1.0, slow_seconds=1.0)
        with pytest.raises(OutcomeUnknownError):
            await cja.dataviews.create(DataView(name="slow", parent_data_group_id="dg"))
        sim.faults = Faults()
    assert cja.stats.retries == 0  # the POST was not sent twice


async def test_socket_faults_mid_walk_lose_and_duplicate_nothing(
    served: tuple[Simulator, str], org_id: str
) -> None:
    """Bodies cut off mid-way (the server drops the connection) and answers slower than the
    read timeout, on a real socket: the walk retries them and yields every item once."""
    sim, base_url = served
    async with client_for(base_url, org_id, sim, timeout=0.25, max_retries=8) as cja:
        await cja.users.me()  # the token first
        sim.faults = Faults(cut_rate=0.1, slow_rate=0.1, slow_seconds=0.5)
        ids = [dv.id async for dv in cja.dataviews.list(limit=5)]
        sim.faults = Faults()
    assert len(ids) == len(set(ids)) == 120
    assert sim.stats.faults_injected >= 2
    assert cja.stats.retries >= 2
    assert sim.stats.rejected_429 == 0
