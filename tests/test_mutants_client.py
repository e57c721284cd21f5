"""The client's loop as a user meets it: where success ends, what it counts, what a cached
answer still knows (written for the mutation run of issue #18: each test here catches a
planted bug nothing else caught)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from cja_async import (
    APIStatusError,
    AuthenticationError,
    ClientClosedError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimit,
    RequestTimeoutError,
    ResponseCache,
    ResponseDecodeError,
    ServerError,
    TransportError,
    Window,
)
from cja_async._call import Call
from cja_async._response import read_body, status_error, transport_error
from cja_async._scrub import Scrubber
from cja_async.resources._base import Resource
from cja_async.testing import TOKEN_PATH, Request, Response, Simulator


@pytest.mark.parametrize(("status", "success"), [(200, True), (299, True), (300, False)])
@pytest.mark.anyio
async def test_success_ends_below_300(
    sim: Simulator, org_id: str, status: int, success: bool
) -> None:
    @sim.route("GET", "/things/{id}")
    async def thing(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"id": "t1"}, status)

    async with sim.client(org_id=org_id) as cja:
        if success:
            assert await cja.request("GET", "/things/t1") == {"id": "t1"}
        else:  # a 3xx (httpx follows no redirect for us) is not an answer to read
            with pytest.raises(APIStatusError) as caught:
                await cja.request("GET", "/things/t1")
            assert caught.value.status_code == status
    assert sim.stats.requests == 1  # neither is sent again


@pytest.mark.anyio
async def test_every_token_renewal_is_counted(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()  # a token to revoke
        for renewals in (1, 2, 3):
            sim.revoke_tokens()
            assert (await cja.users.me()).email
            assert cja.stats.token_renewals == renewals
        assert cja.stats.retries == 0  # a renewal is not a retry


@pytest.mark.anyio
async def test_a_cached_answer_read_another_way_still_names_its_request(
    sim: Simulator, org_id: str
) -> None:
    # A raw GET caches the answer; a typed read of the same URL is served from the cache and
    # finds it of the wrong shape: the error still names the request id the server gave.
    @sim.route("GET", "/data/dataviews")
    async def odd(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"content": "not a list"})  # the simulator adds x-request-id

    async with sim.client(org_id=org_id, cache=ResponseCache(ttl=60)) as cja:
        params = {"limit": "10", "page": "0"}
        assert await cja.request("GET", "/data/dataviews", params=params) == {
            "content": "not a list"
        }
        with pytest.raises(ResponseDecodeError) as caught:
            await cja.dataviews.list(limit=10)
        assert cja.cache_stats.hits == 1 and sim.stats.requests == 1
    assert caught.value.request_id  # the cached answer's, for support to look up


@pytest.mark.parametrize(
    ("body", "message", "code", "details", "request_id"),
    [
        # The gateway's shape, the service's shapes, and the identity server's.
        (
            {"error_code": "403003", "message": "Api Key is invalid"},
            "Api Key is invalid",
            "403003",
            None,
            None,
        ),
        ({"errorCode": "c", "errorDescription": "d", "errorId": "e-1"}, "d", "c", None, "e-1"),
        (
            {"errorCode": "c", "errorMessage": "m", "errorDetails": {"f": 1}},
            "m",
            "c",
            {"f": 1},
            None,
        ),
        (
            {"error": "invalid_client", "error_description": "no"},
            "no",
            "invalid_client",
            None,
            None,
        ),
        (None, "Forbidden", None, None, None),  # no body: the reason phrase
    ],
    ids=["gateway", "service-description", "service-message", "identity", "empty"],
)
def test_an_error_answer_of_any_shape_says_what_the_server_said(
    body: Any, message: str, code: str | None, details: Any, request_id: str | None
) -> None:
    content = b"" if body is None else json.dumps(body).encode()
    response = httpx.Response(403, content=content)
    error = status_error(response, content, "GET", "/p", Scrubber("secret"))
    assert isinstance(error, PermissionDeniedError)
    assert (error.message, error.error_code, error.details) == (message, code, details)
    assert error.request_id == request_id
    assert (error.method, error.path, error.status_code) == ("GET", "/p", 403)


def test_a_request_id_header_wins_over_the_bodys_error_id() -> None:
    content = json.dumps({"errorId": "from-body"}).encode()
    response = httpx.Response(500, content=content, headers={"x-request-id": "from-header"})
    error = status_error(response, content, "GET", "/p", Scrubber("secret"))
    assert isinstance(error, ServerError) and error.request_id == "from-header"


@pytest.mark.parametrize(
    ("failure", "method", "reached", "expected"),
    [
        (httpx.ConnectError("x"), "POST", False, TransportError),
        (httpx.ReadError("x"), "POST", True, OutcomeUnknownError),
        (httpx.ReadTimeout("x"), "GET", True, RequestTimeoutError),
        (httpx.ReadError("x"), "GET", True, TransportError),
    ],
    ids=["never-left", "post-may-have-landed", "timeout", "get-read-error"],
)
def test_a_network_failure_names_its_request(
    failure: httpx.TransportError, method: str, reached: bool, expected: type[Exception]
) -> None:
    error = transport_error(failure, method, "/segments", method != "POST", reached)
    assert type(error) is expected
    assert (error.method, error.path) == (method, "/segments")


@pytest.mark.parametrize(
    ("content", "read", "says"),
    [
        (b"<html>", None, "HTTP 200 with a body that is not JSON"),
        (b'{"a": 1}', lambda data: data["b"], "not of the expected shape: 'b'"),
    ],
    ids=["not-json", "wrong-shape"],
)
def test_an_unreadable_success_names_its_request(content: bytes, read: Any, says: str) -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        read_body(200, content, "GET", "/segments", read, Scrubber("secret"), "req-7")
    error = caught.value
    assert says in str(error)
    assert (error.method, error.path, error.request_id) == ("GET", "/segments", "req-7")
    # Nothing chained is shown: the JSON or lookup error would quote the body.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


@pytest.mark.anyio
async def test_a_closed_client_says_so_naming_the_request(sim: Simulator, org_id: str) -> None:
    cja = sim.client(org_id=org_id)
    async with cja:
        await cja.users.me()
    with pytest.raises(ClientClosedError, match="this client is closed") as caught:
        await cja.users.me()
    assert (caught.value.method, caught.value.path) == ("GET", "/configuration/users/me")


@pytest.mark.anyio
@pytest.mark.parametrize(("body", "requests"), [(b"", 1), (b"null", 1), (b"<html>", 4)])
async def test_an_empty_success_is_of_the_wrong_shape_not_garbage(
    sim: Simulator, org_id: str, body: bytes, requests: int
) -> None:
    # An empty body reads as JSON null: asking again would bring the same (not retried);
    # garbage from a proxy is worth asking again (retried up to max_retries).
    @sim.route("GET", "/data/dataviews/{id}")
    async def empty(_sim: Simulator, _req: Request) -> Response:
        return Response(200, body)

    async with sim.client(org_id=org_id, max_retries=3) as cja:
        with pytest.raises(ResponseDecodeError):
            await cja.dataviews.get("dv_1")
    assert sim.stats.requests == requests


@pytest.mark.anyio
async def test_a_network_failure_through_the_client_names_its_request(
    sim: Simulator, org_id: str
) -> None:
    sim.on("GET", "/data/dataviews/{id}", ["cut"])
    async with sim.client(org_id=org_id, max_retries=0) as cja:
        with pytest.raises(TransportError) as caught:
            await cja.dataviews.get("dv_1")
    assert (caught.value.method, caught.value.path) == ("GET", "/data/dataviews/dv_1")


class Lookups(Resource, group="segments"):
    """Requests of the segments group at paths that say nothing about what they do."""

    async def lookup(self) -> Any:
        """A POST that only reads, declared so (its path does not look like a read)."""
        return await self._client._send(self._declare("POST", "/test/lookup", body={}, reads=True))

    async def touch(self) -> Any:
        """A write of the segments group at a path of its own."""
        return await self._client._send(self._declare("POST", "/test/touch", body={}))


@pytest.mark.anyio
async def test_the_cache_follows_what_a_request_declares_not_its_path(
    sim: Simulator, org_id: str
) -> None:
    async def empty(_sim: Simulator, _req: Request) -> Response:
        return Response.json({})

    for route in ("/test/lookup", "/test/touch"):
        sim.route("POST", route)(empty)

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        await cja.segments.list(limit=5)
        await cja.dataviews.list(limit=5)
        await Lookups(cja).lookup()  # reads: drops nothing
        assert cja.cache_stats.invalidations == 0
        await cja.segments.list(limit=5)
        assert cja.cache_stats.hits == 1
        await Lookups(cja).touch()  # writes its declared group, and only that one
        assert cja.cache_stats.invalidations == 1
        await cja.segments.list(limit=5)
        await cja.dataviews.list(limit=5)
        assert (cja.cache_stats.hits, cja.cache_stats.misses) == (2, 3)


@pytest.mark.parametrize(
    ("options", "params", "headers", "timeout"),
    [
        ({}, {"a": "1"}, {"h": "1"}, 5.0),
        ({"extra_query": {"b": "2"}}, {"a": "1", "b": "2"}, {"h": "1"}, 5.0),
        ({"extra_headers": {"h": "2"}}, {"a": "1"}, {"h": "2"}, 5.0),
        ({"timeout": 1.0}, {"a": "1"}, {"h": "1"}, 1.0),
    ],
    ids=["none", "query", "headers", "timeout"],
)
def test_options_add_to_what_a_call_sends_and_keep_the_rest(
    options: Any, params: Any, headers: Any, timeout: float
) -> None:
    call = Call("GET", "/p", "g", True, True, params={"a": "1"}, headers={"h": "1"}, timeout=5.0)
    applied = call.with_options(options)
    assert (applied.params, applied.headers, applied.timeout) == (params, headers, timeout)
    assert (call.params, call.headers) == ({"a": "1"}, {"h": "1"})  # the call is not changed


@pytest.mark.anyio
async def test_every_429_is_counted(sim: Simulator, org_id: str) -> None:
    refusals = sim.on("GET", "/configuration/users/me").fail(429, times=2)
    async with sim.client(org_id=org_id) as cja:
        assert (await cja.users.me()).email
    assert [call.status for call in refusals.calls] == [429, 429, 200]
    assert (cja.stats.rate_limited, cja.stats.retries) == (2, 2)


@pytest.mark.anyio
@pytest.mark.parametrize(("length", "kept"), [(300, 300), (301, 297)])
async def test_a_shape_error_is_quoted_whole_up_to_300_characters(
    sim: Simulator, org_id: str, length: int, kept: int
) -> None:
    @sim.route("GET", "/thing")
    async def thing(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"a": 1})

    def reader(_data: Any) -> Any:
        raise ValueError("x" * length)

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(ResponseDecodeError) as caught:
            await cja.request("GET", "/thing", parse=reader)
    quoted = caught.value.message.rsplit(": ", 1)[-1]
    assert quoted == "x" * kept + ("..." if kept < length else "")


@pytest.mark.anyio
async def test_a_token_refused_after_the_limiter_wait_frees_the_window_slot(org_id: str) -> None:
    """A request that waited for its slot, then found its token expired and could not renew
    it, never reached the API: its slot must not count against the window."""
    sim = Simulator(rate_limit=None, token_ttl=20.0)  # renewed 2 s early: usable for 18 s
    one_per_30s = RateLimit(concurrency=6, windows=(Window(1, 30.0),))
    loop = asyncio.get_running_loop()
    async with sim.client(org_id=org_id, rate_limit=one_per_30s) as cja:
        await cja.users.me()  # t=0: the window's one slot, and a token
        sim.on("POST", TOKEN_PATH).fail(401, times=1)
        with pytest.raises(AuthenticationError):
            await cja.users.me()  # admitted at t=30, when its token has expired
        admitted = loop.time()
        assert admitted >= 30.0
        assert (await cja.users.me()).email  # the slot is free again: no wait
        assert loop.time() - admitted < 1.0
    assert sim.stats.requests == 2


@pytest.mark.anyio
async def test_answers_for_one_user_token_never_answer_another(sim: Simulator, org_id: str) -> None:
    """A per-user header (``x-user-auth``, the audit logs' user token) is part of the cache
    key: the same GET for another user is asked, the same user's is answered from the cache."""

    @sim.route("GET", "/whoasks")
    async def who(_sim: Simulator, req: Request) -> Response:
        return Response.json({"user": req.headers.get("x-user-auth")})

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        for user in ("u1", "u2", "u1", "U1"):
            answer = await cja.request("GET", "/whoasks", headers={"x-user-auth": user})
            assert answer == {"user": user}
        assert (cja.cache_stats.hits, cja.cache_stats.misses) == (1, 3)


@pytest.mark.anyio
async def test_a_token_renewal_is_not_delayed(sim: Simulator, org_id: str) -> None:
    """A rejected token is renewed and the request sent again at once: a renewal is not a
    retry with backoff."""
    loop = asyncio.get_running_loop()
    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()
        sim.revoke_tokens()
        started = loop.time()
        assert (await cja.users.me()).email
        assert cja.stats.token_renewals == 1
        assert loop.time() - started < 0.5  # two round trips at the simulator's latency


@pytest.mark.anyio
async def test_a_429_is_waited_out_by_its_pause_alone(sim: Simulator, org_id: str) -> None:
    """After a 429 the org pauses (the limiter holds the retry); the loop adds no wait."""

    @sim.route("GET", "/busy")
    async def busy(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"ok": True})

    too_many = {"error_code": "429050", "message": "Too many requests"}
    # No Retry-After: the first pause is 0.25-0.5 s of backoff.
    sim.on("GET", "/busy").respond(Response.json(too_many, 429), times=1)
    loop = asyncio.get_running_loop()
    async with sim.client(org_id=org_id) as cja:
        started = loop.time()
        assert await cja.request("GET", "/busy") == {"ok": True}
        waited = loop.time() - started
    assert cja.stats.rate_limited == 1
    assert 0.25 <= waited < 0.9, waited
