"""Per-call extras on every resource method (``extra_query``, ``extra_headers``,
``timeout``) and the requests resources declare (cache group, read or write).

The options are in every method's signature (``**options: Unpack[RequestOptions]``) and each
method passes them to the helper that declares its request; these tests hold every method
to that at run time (test_request_options_types.py holds the signatures to it for mypy)."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import httpx
import pytest
from api_calls import CALLS
from spec_check import RecordingTransport

from cja_async import Client, RequestOptions, TransportError
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


class _PerCall:
    """``resource`` whose every public method is called with ``options`` added: what a user
    passing them to each call does (attributes and private names pass through)."""

    def __init__(self, resource: Resource, options: RequestOptions) -> None:
        self._resource = resource
        self._options = options

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._resource, name)
        if name.startswith("_") or not callable(member):
            return member
        return functools.partial(member, **self._options)


@pytest.mark.parametrize("key", sorted(CALLS), ids=[".".join(k) for k in sorted(CALLS)])
async def test_every_method_sends_its_per_call_options_with_each_of_its_requests(
    key: tuple[str, str], sim: Simulator, org_id: str
) -> None:
    """Each method takes the three options for one call and every request it makes carries
    them: pagers on every page, and the methods that send more than one request (validate
    before write, ``get_many``'s chunks, ``run_all``'s pages, ``transfer``'s batches, the
    freeform table's breakdowns, the read before a calculated-metric update) on each."""
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        for attr, resource in list(vars(cja).items()):
            if isinstance(resource, Resource):
                options: RequestOptions = {
                    "extra_query": {"probe": attr},
                    "extra_headers": {"x-probe": attr},
                    "timeout": 123.0,
                }
                setattr(cja, attr, _PerCall(resource, options))
        await CALLS[key](cja)
    assert capture.sent
    for request in capture.sent:
        probe = request.headers.get("x-probe")
        assert probe is not None, f"{request.method} {request.url.path} lost the options"
        assert request.url.params["probe"] == probe
        assert request.extensions["timeout"]["read"] == 123.0
    assert key[0] in {request.headers["x-probe"] for request in capture.sent}


async def test_per_call_options_go_on_top_of_bound_ones_for_that_call_only(
    sim: Simulator, org_id: str
) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        view = await cja.dataviews.create(DataView(name="A", parent_data_group_id="dg"))
        capture.sent.clear()
        bound = cja.dataviews.with_options(
            extra_query={"a": "bound", "b": "bound"}, extra_headers={"x-h": "bound"}, timeout=9.0
        )
        await bound.get(
            view.id, extra_query={"b": ["c1", "c2"]}, extra_headers={"x-h": "call"}, timeout=3.0
        )
        await bound.get(view.id, timeout=None)  # None: not given, the bound one applies
    per_call, plain = capture.sent
    assert per_call.url.params["a"] == "bound"
    assert per_call.url.params.get_list("b") == ["c1", "c2"]
    assert per_call.headers["x-h"] == "call"
    assert per_call.extensions["timeout"]["read"] == 3.0
    assert (plain.url.params["b"], plain.headers["x-h"]) == ("bound", "bound")
    assert plain.extensions["timeout"]["read"] == 9.0


async def test_an_httpx_timeout_is_taken_per_call(sim: Simulator, org_id: str) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        await cja.users.me(timeout=httpx.Timeout(4.0, connect=1.5))
    (request,) = capture.sent
    assert request.extensions["timeout"]["connect"] == 1.5
    assert request.extensions["timeout"]["read"] == 4.0


_BAD_OPTIONS = [
    ({"extra_querry": {"a": "1"}}, TypeError, "unexpected keyword argument 'extra_querry'"),
    ({"expansions": ["name"]}, TypeError, "unexpected keyword argument 'expansions'"),
    ({"extra_query": "a=1"}, TypeError, "extra_query must be a mapping"),
    ({"extra_query": {"a": 1}}, TypeError, r"extra_query\['a'\] must be a str or a sequence"),
    ({"extra_query": {"a": ["1", 2]}}, TypeError, r"extra_query\['a'\] must be .* got list$"),
    ({"extra_headers": {"authorization": b"x"}}, TypeError, r"\['authorization'\] .* got bytes$"),
    ({"extra_query": {1: "1"}}, TypeError, "extra_query keys must be non-empty str"),
    ({"extra_headers": {"x-a": 1}}, TypeError, r"extra_headers\['x-a'\] must be a str"),
    ({"extra_headers": ["x-a"]}, TypeError, "extra_headers must be a mapping"),
    ({"timeout": "5"}, TypeError, "timeout must be seconds or an httpx.Timeout, got str"),
    ({"timeout": True}, TypeError, "timeout must be seconds or an httpx.Timeout, got bool"),
    ({"timeout": 0}, ValueError, "timeout must be a positive finite number of seconds, got 0"),
    ({"timeout": float("nan")}, ValueError, "timeout must be a positive finite number"),
    ({"timeout": float("inf")}, ValueError, "timeout must be a positive finite number"),
    # The client's own headers: the limiter, the token and the cache go by them.
    ({"extra_headers": {"authorization": "Bearer x"}}, ValueError, "cannot set Authorization"),
    ({"extra_headers": {"X-Gw-Ims-Org-Id": "O"}}, ValueError, "cannot set x-gw-ims-org-id"),
]


@pytest.mark.parametrize(("options", "error", "match"), _BAD_OPTIONS)
async def test_a_bad_option_is_refused_naming_it_before_anything_is_sent(
    options: dict[str, Any], error: type[Exception], match: str, sim: Simulator, org_id: str
) -> None:
    """Typed callers get these from mypy; untyped ones get them here, from every kind of
    method (a coroutine, a pager, a report walk, a freeform table, ``with_options``), at
    the call, not at the first page."""
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        with pytest.raises(error, match=match):
            await cja.dataviews.get("dv", **options)
        with pytest.raises(error, match=match):
            cja.segments.list(**options)
        with pytest.raises(error, match=match):
            cja.reports.rows({"rsid": "dv", "dimension": "variables/page"}, **options)
        with pytest.raises(error, match=match):
            cja.reports.freeform_table(
                "dv", dimensions=["variables/page"], metrics=["metrics/visits"], **options
            )
        with pytest.raises(error, match=match):
            cja.tags.with_options(**options)
    assert capture.sent == []


async def test_a_list_refuses_extra_query_that_sets_its_paging(sim: Simulator, org_id: str) -> None:
    """The pager sends its own page size and number with every page: an ``extra_query`` one
    would be silently overruled (or, winning, break the walk), so it is refused at the call."""
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        for make in (
            lambda: cja.segments.list(extra_query={"limit": "3"}),
            lambda: cja.dataviews.list(limit=10, extra_query={"page": "2"}),
            lambda: cja.audit_logs.list(extra_query={"pageSize": "5"}),
            lambda: cja.tags.with_options(extra_query={"limit": "3"}).list(),
        ):
            with pytest.raises(ValueError, match=r"extra_query cannot set .* pass limit="):
                make()
        assert capture.sent == []
        page = await cja.segments.list(limit=2, extra_query={"includeType": "all"})
        assert len(page.items) == 2
        assert capture.sent[-1].url.params["includeType"] == "all"


async def test_a_raw_request_refuses_the_clients_own_headers(sim: Simulator, org_id: str) -> None:
    capture = Capture(sim)
    async with sim.client(org_id=org_id, transport=capture) as cja:
        with pytest.raises(ValueError, match="headers cannot set x-api-key"):
            await cja.request("GET", "/configuration/users/me", headers={"X-API-KEY": "other"})
        assert capture.sent == []
        assert await cja.request("GET", "/configuration/users/me", headers={"x-note": "1"})
        assert capture.sent[-1].headers["x-note"] == "1"
