"""Per-call extras on every resource method (``extra_query``, ``extra_headers``,
``timeout``) and the requests resources declare (cache group, read or write)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from api_calls import CALLS
from spec_check import RecordingTransport

from cja_async import Client, TransportError
from cja_async._cache import guess_kind
from cja_async._call import Call
from cja_async.models import DataView
from cja_async.resources._base import Resource
from cja_async.testing import Request, Response, Simulator

pytestmark = pytest.mark.anyio


class Capture(httpx.AsyncBaseTransport):
    """Forwards to the simulator and keeps every API request as it left the client."""

    def __init__(self, sim: Simulator) -> None:
        self._inner = httpx.ASGITransport(app=sim)
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/ims/" not in request.url.path:
            self.sent.append(request)
        return await self._inner.handle_async_request(request)


async def test_one_call_takes_extra_query_headers_and_timeout(sim: Simulator, org_id: str) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        created = await cja.dataviews.create(DataView(name="A", parent_data_group_id="dg"))
        capture.sent.clear()
        got = await cja.dataviews.get(
            created.id,
            expansion=["name"],
            extra_query={"newFlag": "true", "expansion": "name,owner"},
            extra_headers={"x-new-header": "1"},
            timeout=7.5,
        )
        assert got.id == created.id
        await cja.dataviews.get(created.id)  # the next call has none of them
    first, second = capture.sent
    assert first.url.params["newFlag"] == "true"
    assert first.url.params["expansion"] == "name,owner"  # an extra overrides the method's
    assert first.headers["x-new-header"] == "1"
    assert first.extensions["timeout"]["read"] == 7.5
    assert "newFlag" not in second.url.params and "x-new-header" not in second.headers
    assert second.extensions["timeout"]["read"] == 300.0


async def test_a_pager_keeps_the_extras_on_every_page(sim: Simulator, org_id: str) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        pager = cja.dataviews.list(limit=1, extra_query={"newFlag": "x"})
        numbers = []
        async for page in pager.pages():
            numbers.append(page.number)
            if len(numbers) == 3:
                break
    assert numbers == [0, 1, 2]
    assert {"0", "1", "2"} <= {r.url.params["page"] for r in capture.sent}
    assert all(r.url.params["newFlag"] == "x" for r in capture.sent)


async def test_with_options_binds_extras_and_leaves_the_resource_alone(
    sim: Simulator, org_id: str
) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        flagged = cja.segments.with_options(extra_query={"a": "1"}).with_options(
            extra_query={"b": "2"}, extra_headers={"x-h": "v"}
        )
        await flagged.list(limit=5)
        await cja.segments.list(limit=5)
    flagged_request, plain = capture.sent
    assert (flagged_request.url.params["a"], flagged_request.url.params["b"]) == ("1", "2")
    assert flagged_request.headers["x-h"] == "v"
    assert "a" not in plain.url.params and "x-h" not in plain.headers


async def test_a_per_call_timeout_cuts_a_slow_answer(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/data/dataviews/{id}")
    async def slow(_sim: Simulator, _req: Request) -> Response:
        await asyncio.sleep(60)
        return Response.json({"id": "dv"})

    async with sim.client(org_id=org_id, max_retries=0) as cja:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(TransportError, match="no complete response within 2 s"):
            await cja.dataviews.get("dv", timeout=2.0)
        assert loop.time() - start < 10


@pytest.mark.parametrize("key", sorted(CALLS), ids=[".".join(k) for k in sorted(CALLS)])
async def test_every_method_sends_the_extras_and_declares_its_request(
    key: tuple[str, str], sim: Simulator, org_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every method goes through the one mechanism: extras bound on the resource reach every
    request it sends; and the group and read/write each request declares are the ones its
    path says (the cache used to guess them from the path; now it is told)."""
    declared: list[Call] = []
    send = Client._send

    async def spy(self: Client, call: Call) -> Any:
        declared.append(call)
        return await send(self, call)

    monkeypatch.setattr(Client, "_send", spy)
    recorder = RecordingTransport(httpx.ASGITransport(app=sim))
    async with sim.client(org_id=org_id, transport=recorder) as cja:
        for attr, resource in list(vars(cja).items()):
            if isinstance(resource, Resource):
                setattr(cja, attr, resource.with_options(extra_headers={"x-probe": attr}))
        await CALLS[key](cja)
    attr, _method = key
    mine = [r for r in recorder.requests if r.headers.get("x-probe") == attr]
    assert mine, f"{key} sent no request with its resource's extras"
    for call in declared:
        assert (call.group, call.reads) == guess_kind(call.method, call.path), call
