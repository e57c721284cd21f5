"""A server that misbehaves must never hang us, flood it, blow our memory or leak a secret.

Each test plays one hostile server: the simulator with a route or an identity server of its
own (virtual time, see conftest.py), or a raw asyncio server on loopback (``hostile.py``) for
byte-level tricks, in real time with sub-second timings.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import logging
import math
import threading
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import anyio
import httpx
import pytest
from conftest import FAST_LIMITS
from hostile import IdentityServer, RawRequest, RawServer, assert_clean, raw_response

from cja_async import (
    AuthenticationError,
    BadRequestError,
    CJAError,
    Client,
    EventLoopError,
    OAuthCredentials,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    TransportError,
)
from cja_async._auth import token_lifetime
from cja_async._limits import InProcessLimiterBackend
from cja_async._retry import parse_retry_after
from cja_async._scrub import Scrubber
from cja_async.testing import (
    TOKEN_PATH,
    LossyTransport,
    Request,
    Response,
    Simulator,
    VirtualTimeLoop,
)

pytestmark = pytest.mark.anyio

# Real sockets need a real clock: these tests run on a plain asyncio loop.
real_time = pytest.mark.parametrize("anyio_backend", ["asyncio"])

SECRET = "hostile-secret-Zq8/+x=0123"
CLIENT_ID = "hostile-client"


def now() -> float:
    return asyncio.get_running_loop().time()


def raw_client(server: RawServer, org_id: str, **kwargs: Any) -> Client:
    """A client of ``server`` (its token endpoint included) with the known secret."""
    credentials = OAuthCredentials(
        client_id=CLIENT_ID, client_secret=SECRET, token_url=f"{server.base_url}{TOKEN_PATH}"
    )
    kwargs.setdefault("rate_limit", FAST_LIMITS)
    kwargs.setdefault("limiter_backend", InProcessLimiterBackend(private=True))
    return Client(org_id=org_id, credentials=credentials, base_url=server.base_url, **kwargs)


def sim_client(sim: Simulator, org_id: str, **kwargs: Any) -> Client:
    """A client of ``sim`` whose credentials hold the known secret."""
    sim.add_client(CLIENT_ID, SECRET, org_id)
    return sim.client(org_id=org_id, client_id=CLIENT_ID, client_secret=SECRET, **kwargs)


async def failure(call: Awaitable[Any]) -> BaseException:
    """The exception ``call`` raises (the test fails if it returns)."""
    try:
        await call
    except BaseException as exc:  # every kind: a bare one escaping is what we look for
        return exc
    raise AssertionError("the call did not fail")


# -- 1. 429: back off exponentially for the whole org -------------------------------------

PAST = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)


@pytest.mark.parametrize(
    "retry_after", ["0", "-5", PAST, None, "soon"], ids=["0", "-5", "past-date", "none", "soon"]
)
async def test_a_429_without_a_usable_retry_after_backs_off_exponentially(
    retry_after: str | None, sim: Simulator, org_id: str
) -> None:
    refused: list[float] = []

    @sim.route("GET", "/busy")
    async def busy(_sim: Simulator, _req: Request) -> Response:
        refused.append(now())
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        return Response.json({"error_code": "429050", "message": "Too many"}, 429, headers)

    async with sim.client(org_id=org_id, max_retries=5) as cja:
        await cja.users.me()
        error = await failure(cja.request("GET", "/busy"))
    assert isinstance(error, RateLimitError) and error.retry_after is None
    assert len(refused) == 6
    gaps = [b - a for a, b in itertools.pairwise(refused)]
    # Retry n waits at least half of 0.5 s * 2**(n-1): 0.25, 0.5, 1, 2, 4 (7.75 s in all).
    for n, gap in enumerate(gaps):
        assert gap >= 0.25 * 2**n, gaps
    assert refused[-1] - refused[0] >= 7.75


async def test_a_walk_outlasts_a_five_second_storm_of_429s(sim: Simulator, org_id: str) -> None:
    storm_until = 0.0
    refused = 0

    async def storm(scope: Any, receive: Any, send: Any) -> None:
        nonlocal refused
        if scope["type"] != "http" or scope["path"] == TOKEN_PATH or now() >= storm_until:
            await sim(scope, receive, send)
            return
        refused += 1
        body = b'{"error_code": "429050", "message": "Too many requests"}'
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async with sim.client(org_id=org_id, transport=httpx.ASGITransport(app=storm)) as cja:
        await cja.users.me()
        storm_until = now() + 5.0  # every request refused for five seconds, no Retry-After
        ids = [dv.id async for dv in cja.dataviews.list(limit=10)]
    assert len(ids) == len(set(ids)) == sim.dataviews
    assert refused <= 6 * 5  # a few per retry, not a flood (6 in flight at most each time)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("100000", 120.0),  # capped: a server asking for more is probably wrong
        ("0", None),
        ("-5", None),
        ("nan", None),
        ("soon", None),
        (PAST, None),
        (format_datetime(datetime(2030, 1, 1, 0, 0, 30, tzinfo=UTC), usegmt=True), 30.0),
    ],
    # Plain ids: a tool that passes test ids back to pytest (mutmut) cannot take every string.
    ids=["3", "0.5", "100000", "0", "-5", "nan", "soon", "past-date", "future-date"],
)
def test_only_a_usable_retry_after_counts(header: str, seconds: float | None) -> None:
    def clock() -> datetime:
        return datetime(2030, 1, 1, tzinfo=UTC)

    assert parse_retry_after({"retry-after": header}, now=clock) == seconds


async def test_429_backoff_holds_every_request_of_the_org(sim: Simulator, org_id: str) -> None:
    answered: list[float] = []  # when each 429 went back: the org's pause starts there

    @sim.route("GET", "/busy")
    async def busy(_sim: Simulator, _req: Request) -> Response:
        answered.append(now())
        return Response.json({"error_code": "429050"}, 429, {"Retry-After": "0"})

    async with sim.client(org_id=org_id, max_retries=4) as cja, sim.client(org_id=org_id) as other:
        await cja.users.me()
        await other.users.me()
        sim.reset_stats()

        async def steady() -> None:  # another client of the org keeps asking meanwhile
            for _ in range(40):
                await other.users.me()

        results = await asyncio.gather(
            cja.request("GET", "/busy"), steady(), return_exceptions=True
        )
    assert isinstance(results[0], RateLimitError) and results[1] is None
    for n, start in enumerate(answered):
        pause = (start, start + 0.25 * 2**n)
        inside = [t for t in sim.stats.starts if pause[0] < t < pause[1]]
        assert not inside, (n, pause, inside)


# -- 2. bodies that break the parser or the decoder: only CJAErrors, nothing chained -------

NESTED = b"[" * 200_000


async def test_deeply_nested_json_in_a_success_or_an_error_body(
    sim: Simulator, org_id: str
) -> None:
    @sim.route("GET", "/nested-ok")
    async def nested_ok(_sim: Simulator, _req: Request) -> Response:
        return Response(200, NESTED)

    @sim.route("GET", "/nested-error")
    async def nested_error(_sim: Simulator, _req: Request) -> Response:
        return Response(400, NESTED)

    async with sim_client(sim, org_id, max_retries=1) as cja:
        ok = await failure(cja.request("GET", "/nested-ok"))
        bad = await failure(cja.request("GET", "/nested-error"))
        token = await cja._auth.token()
    assert isinstance(ok, ResponseDecodeError) and "not JSON" in str(ok)
    assert isinstance(bad, BadRequestError) and bad.status_code == 400
    for error in (ok, bad):
        assert_clean(error, SECRET, token)


async def test_a_body_that_claims_gzip_but_is_not(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/bad-gzip")
    async def bad_gzip(_sim: Simulator, _req: Request) -> Response:
        return Response(200, b'{"not": "gzip"}', headers=[("Content-Encoding", "gzip")])

    async with sim_client(sim, org_id) as cja:
        error = await failure(cja.request("GET", "/bad-gzip"))
        token = await cja._auth.token()
    assert isinstance(error, ResponseDecodeError) and "gzip" in str(error)
    assert_clean(error, SECRET, token)


def identity_answering(
    status: int, body: bytes, headers: list[tuple[str, str]] | None = None
) -> Callable[[int, bytes, bytes], Awaitable[tuple[int, list[tuple[str, str]], bytes]]]:
    async def rewrite(_status: int, _body: bytes, _form: bytes) -> Any:
        return status, headers or [], body

    return rewrite


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (200, NESTED, [], AuthenticationError),
        (400, NESTED, [], AuthenticationError),
        (200, b"not gzip", [("content-encoding", "gzip")], ResponseDecodeError),
    ],
    ids=["nested-200", "nested-400", "bad-gzip"],
)
async def test_a_broken_token_answer_is_a_clear_error_without_the_form(
    status: int,
    body: bytes,
    headers: list[tuple[str, str]],
    expected: type[CJAError],
    sim: Simulator,
    org_id: str,
) -> None:
    identity = IdentityServer(sim, identity_answering(status, body, headers))
    async with sim_client(sim, org_id, transport=identity.transport()) as cja:
        error = await failure(cja.users.me())
    assert isinstance(error, expected)
    assert_clean(error, SECRET)
    assert len(identity.calls) == 1  # a refusal or a broken answer is not asked again


# -- 3. the size cap: a gzip bomb is cut off, in bounded memory, and not retried ----------


def gzip_bomb(inflated: int) -> bytes:
    """``inflated`` zero bytes, gzipped (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(inflated >> 20)]
    return b"".join([*parts, packer.flush()])


@real_time
async def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory_and_is_not_retried(
    org_id: str,
) -> None:
    bomb = gzip_bomb(200 << 20)  # 200 MiB inflated, 200 KiB on the wire

    async def serve_bomb(_req: RawRequest, writer: asyncio.StreamWriter) -> None:
        headers = [("content-encoding", "gzip"), ("content-type", "application/json")]
        writer.write(raw_response(200, bomb, headers))

    async with (
        RawServer(serve_bomb) as server,
        raw_client(server, org_id, max_response_bytes=1 << 20) as cja,
    ):
        await cja._auth.token()
        tracemalloc.start()
        try:
            error = await failure(cja.request("GET", "/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        token = await cja._auth.token()
    assert isinstance(error, ResponseTooLargeError) and error.limit == 1 << 20
    assert_clean(error, SECRET, token)
    assert len(server.api_requests) == 1  # an answer over the cap is not asked for again
    assert peak < 16 << 20, f"peak {peak / 2**20:.0f} MiB"


@real_time
async def test_a_declared_length_over_the_cap_is_refused_before_reading(org_id: str) -> None:
    async def endless(_req: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(raw_response(200, b"", [("content-length", str(10 << 30))]))
        while True:  # ten gigabytes promised: zeros for as long as anyone reads
            writer.write(bytes(1 << 16))
            await writer.drain()

    async with (
        RawServer(endless) as server,
        raw_client(server, org_id, max_response_bytes=1 << 20) as cja,
    ):
        with anyio.fail_after(5):
            error = await failure(cja.request("GET", "/huge"))
    assert isinstance(error, ResponseTooLargeError)
    assert len(server.api_requests) == 1


async def test_the_cap_is_generous_and_answers_under_it_arrive(sim: Simulator, org_id: str) -> None:
    page = {"content": [{"id": f"dv_{i}", "name": "x" * 1000} for i in range(5000)]}
    packed = gzip.compress(json.dumps(page).encode())

    @sim.route("GET", "/big")
    async def big(_sim: Simulator, _req: Request) -> Response:
        return Response(200, packed, headers=[("Content-Encoding", "gzip")])

    async with sim.client(org_id=org_id) as cja:
        assert cja.max_response_bytes >= 100 << 20  # report pages can be tens of megabytes
        assert await cja.request("GET", "/big") == page


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _cut_after(data: bytes, keep: int) -> bytes:
    """``data`` deflated, cut short where ``keep`` bytes of it inflate."""
    whole = zlib.compress(data)
    for end in range(len(whole)):
        if len(zlib.decompressobj().decompress(whole[:end])) == keep:
            return whole[:end]
    raise AssertionError("no such cut")


ANSWER = b'{"answer": 42}'
MALFORMED = {
    "not-http": b"garbage\r\n\r\n",
    "bad-length": raw_response(200, ANSWER, [("content-length", "abc")]),
    "bad-chunk": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nxx\r\n",
    "endless-headers": b"HTTP/1.1 200 OK\r\n" + b"x-filler: " + b"a" * 200_000 + b"\r\n",
    "nothing": b"",
    "brotli": raw_response(200, ANSWER, [("content-encoding", "br")]),
    "gzip-twice": raw_response(200, gzip.compress(ANSWER), [("content-encoding", "gzip, gzip")]),
    "truncated-gzip": raw_response(200, gzip.compress(ANSWER)[:12], [("content-encoding", "gzip")]),
    # Cut where what came out so far is valid JSON on its own: 42 of 420.
    "truncated-number": raw_response(200, _cut_after(b"420", 2), [("content-encoding", "deflate")]),
}


@real_time
@pytest.mark.parametrize("name", sorted(MALFORMED))
async def test_malformed_answers_on_the_wire_raise_only_cja_errors(name: str, org_id: str) -> None:
    async def malformed(_req: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(MALFORMED[name])

    async with (
        RawServer(malformed) as server,
        raw_client(server, org_id, max_retries=1, timeout=2) as cja,
    ):
        token = await cja._auth.token()
        with anyio.fail_after(10):
            error = await failure(cja.request("GET", "/malformed"))
    assert_clean(error, SECRET, token)
    assert len(server.api_requests) <= 2


@real_time
@pytest.mark.parametrize(
    ("coding", "body", "expected"),
    [
        ("gzip", gzip.compress(ANSWER), {"answer": 42}),
        ("deflate", zlib.compress(ANSWER), {"answer": 42}),  # zlib-wrapped, as meant
        ("deflate", _raw_deflate(ANSWER), {"answer": 42}),  # raw, as some servers send it
        ("identity", ANSWER, {"answer": 42}),
        ("gzip", b"", None),  # nothing to inflate: an empty body, not a broken stream
    ],
    # Plain ids: raw bytes in an id cannot be passed back to pytest (mutmut runs tests by id).
    ids=["gzip", "deflate-zlib", "deflate-raw", "identity", "gzip-empty"],
)
async def test_every_encoding_we_ask_for_is_undone(
    coding: str, body: bytes, expected: Any, org_id: str
) -> None:
    seen: list[str] = []

    async def encoded(req: RawRequest, writer: asyncio.StreamWriter) -> None:
        seen.append(req.headers.get("accept-encoding", ""))
        writer.write(raw_response(200, body, [("content-encoding", coding)]))

    async with RawServer(encoded) as server, raw_client(server, org_id) as cja:
        assert await cja.request("GET", "/encoded") == expected
    assert seen == ["gzip, deflate"]  # never br or zstd, which we could not inflate in steps


def test_the_cap_must_be_a_positive_int() -> None:
    creds = OAuthCredentials(client_id="i", client_secret="s")
    for bad, error in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="max_response_bytes"):
            Client(org_id="o@AdobeOrg", credentials=creds, max_response_bytes=bad)
    with pytest.raises(TypeError, match="max_response_bytes must be an int, got str"):
        Client(org_id="o@AdobeOrg", credentials=creds, max_response_bytes="1MB")  # type: ignore[arg-type]


# -- 6. a deadline for the whole response -------------------------------------------------


class Trickle:
    """An ASGI app: the simulator, but ``/slow`` (and the token endpoint, if asked) answers
    its headers, then one byte every ``every`` seconds, for ever."""

    def __init__(self, sim: Simulator, every: float, *, tokens: bool = False) -> None:
        self.sim = sim
        self.every = every
        self.tokens = tokens
        self.started: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path")
        if path != "/slow" and not (self.tokens and path == TOKEN_PATH):
            await self.sim(scope, receive, send)
            return
        self.started.append(now())
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1000000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        while True:
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await anyio.sleep(self.every)


async def test_a_trickled_body_is_cut_off_at_the_default_300_s_deadline(
    sim: Simulator, org_id: str
) -> None:
    trickle = Trickle(sim, every=1.0)  # well within any per-read timeout
    async with sim.client(org_id=org_id, transport=httpx.ASGITransport(app=trickle)) as cja:
        await cja.users.me()
        with anyio.fail_after(3000):  # virtual seconds: without a deadline it never ends
            t0 = now()
            error = await failure(cja.request("GET", "/slow", idempotent=False))
            alone = now() - t0
            error_retried = await failure(cja.request("GET", "/slow"))
    assert isinstance(error, TransportError) and "within 300 s" in str(error)
    assert 300 <= alone < 301  # one attempt (a POST-like request is not retried)
    assert isinstance(error_retried, RequestTimeoutError)
    assert len(trickle.started) == 1 + 6  # then 6 attempts of 300 s each, not one for ever


async def test_a_trickling_identity_server_is_cut_off_too(sim: Simulator, org_id: str) -> None:
    trickle = Trickle(sim, every=1.0, tokens=True)
    transport = httpx.ASGITransport(app=trickle)
    async with sim_client(sim, org_id, transport=transport, timeout=20, max_retries=1) as cja:
        with anyio.fail_after(1000):
            t0 = now()
            error = await failure(cja.users.me())
    assert isinstance(error, RequestTimeoutError) and "identity server" in str(error)
    assert 40 <= now() - t0 < 45  # two attempts of 20 s and one backoff
    assert_clean(error, SECRET)


@real_time
async def test_a_trickled_body_over_a_real_socket_is_cut_off(org_id: str) -> None:
    async def trickle(_req: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(raw_response(200, b"", [("content-length", "1000000")]))
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.02)

    async with (
        RawServer(trickle) as server,
        raw_client(server, org_id, timeout=0.3, max_retries=0) as cja,
    ):
        await cja._auth.token()
        with anyio.fail_after(5):
            t0 = now()
            error = await failure(cja.request("GET", "/slow"))
    assert isinstance(error, RequestTimeoutError) and "within 0.3 s" in str(error)
    assert now() - t0 < 3  # a deadline of 0.3 s (and room for a loaded machine), not for ever


# -- 7. tokens: bounded lifetimes, one shared fetch, a shared failure --------------------


def expiring_in(value: Any) -> Callable[[int, bytes, bytes], Awaitable[Any]]:
    async def rewrite(status: int, body: bytes, _form: bytes) -> Any:
        data = json.loads(body)
        data["expires_in"] = value
        return status, [("content-type", "application/json")], json.dumps(data).encode()

    return rewrite


@pytest.mark.parametrize("expires_in", [0, -5, math.nan, "soon", None, 1e300, math.inf])
async def test_a_nonsense_expires_in_causes_no_token_storm(
    expires_in: Any, sim: Simulator, org_id: str
) -> None:
    identity = IdentityServer(sim, expiring_in(expires_in))
    async with sim.client(org_id=org_id, transport=identity.transport()) as cja:
        with anyio.fail_after(30):
            await asyncio.gather(*(cja.users.me() for _ in range(100)))
    assert len(identity.calls) == 1  # not one (or two) per call
    assert sim.stats.requests == 100


@pytest.mark.parametrize(
    ("expires_in", "seconds"),
    [
        (86399, 86399.0),
        ("3600", 3600.0),
        (2, 2.0),  # short, but a simulator may mean it
        (0.01, 1.0),
        (0, 60.0),
        (-5, 60.0),
        (math.nan, 60.0),
        ("soon", 60.0),
        (None, 60.0),
        (1e300, 86400.0),
        (math.inf, 86400.0),
    ],
)
def test_token_lifetimes_are_held_within_sane_bounds(expires_in: Any, seconds: float) -> None:
    assert token_lifetime(expires_in) == seconds


async def test_an_absurdly_long_token_life_is_capped_at_a_day(sim: Simulator, org_id: str) -> None:
    identity = IdentityServer(sim, expiring_in(1e300))
    async with sim.client(org_id=org_id, transport=identity.transport()) as cja:
        await cja.users.me()
        await anyio.sleep(25 * 3600)
        await cja.users.me()
    assert len(identity.calls) == 2  # renewed before the day was out, without a 401 first
    assert sim.stats.auth_failures == 0


async def test_callers_waiting_for_a_failing_token_fetch_share_its_failure(
    sim: Simulator, org_id: str
) -> None:
    async def down(_status: int, _body: bytes, _form: bytes) -> Any:
        return 503, [], b'{"error": "temporarily_unavailable"}'

    identity = IdentityServer(sim, down)
    async with sim.client(org_id=org_id, transport=identity.transport(), max_retries=3) as cja:
        t0 = now()
        errors = await asyncio.gather(*(cja.users.me() for _ in range(100)), return_exceptions=True)
        elapsed = now() - t0
    assert all(isinstance(e, AuthenticationError) and e.status_code == 503 for e in errors)
    assert len(identity.calls) == 4  # one round of max_retries + 1 attempts for all 100
    assert elapsed < 4  # 0.25-0.5 + 0.5-1 + 1-2 s of backoff, not minutes
    gaps = [b - a for a, b in itertools.pairwise(identity.calls)]
    assert all(gap >= 0.25 * 2**n for n, gap in enumerate(gaps)), gaps  # it backs off


async def test_a_cancelled_token_fetch_is_taken_over_by_a_waiting_caller(
    sim: Simulator, org_id: str
) -> None:
    async def slow(status: int, body: bytes, _form: bytes) -> Any:
        await anyio.sleep(1.0)
        return status, [("content-type", "application/json")], body

    identity = IdentityServer(sim, slow)
    async with sim.client(org_id=org_id, transport=identity.transport()) as cja:
        first = asyncio.ensure_future(cja.users.me())
        await anyio.sleep(0.1)
        second = asyncio.ensure_future(cja.users.me())
        await anyio.sleep(0.1)
        first.cancel()
        assert (await second).email
    assert first.cancelled()
    assert len(identity.calls) == 2


async def test_an_unreachable_identity_server_is_a_network_error_naming_it(
    sim: Simulator, org_id: str
) -> None:
    attempts = 0

    def token_request(request: httpx.Request) -> bool:
        nonlocal attempts
        attempts += request.url.path == TOKEN_PATH
        return request.url.path == TOKEN_PATH

    refused = LossyTransport(
        httpx.ASGITransport(app=sim), token_request, httpx.ConnectError, after=False
    )
    async with sim_client(sim, org_id, transport=refused, max_retries=2) as cja:
        error = await failure(cja.users.me())
    assert isinstance(error, TransportError) and not hasattr(error, "status_code")
    assert "http://127.0.0.1/ims/token/v3" in str(error) and "after 3 attempts" in str(error)
    assert "ConnectError" in str(error)
    assert attempts == 3
    assert_clean(error, SECRET)


# -- 8. a server that echoes the request: no secret or token in any error or log ----------


async def test_an_echoing_server_never_gets_a_secret_into_an_error_or_a_log(
    sim: Simulator, org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    @sim.route("GET", "/echo")
    async def echo(_sim: Simulator, req: Request) -> Response:
        headers = dict(req.headers)
        body = {
            "errorCode": headers.get("authorization"),
            "errorDescription": f"you sent {headers}",
            "errorDetails": {"headers": headers},
            "errorId": headers.get("authorization"),
        }
        return Response.json(body, 400, {"x-request-id": headers.get("authorization", "")})

    async def echo_form(_status: int, _body: bytes, form: bytes) -> Any:
        text = form.decode()
        answer = {"error": text, "error_description": f"bad request: {text}"}
        return 400, [], json.dumps(answer).encode()

    caplog.set_level(logging.DEBUG)
    async with sim_client(sim, org_id) as cja:
        api_error = await failure(cja.request("GET", "/echo"))
        token = await cja._auth.token()
    identity = IdentityServer(sim, echo_form)
    async with sim_client(sim, org_id, transport=identity.transport()) as cja:
        token_error = await failure(cja.users.me())
    assert isinstance(api_error, BadRequestError) and "***" in str(api_error)
    assert isinstance(token_error, AuthenticationError) and "***" in str(token_error)
    for error in (api_error, token_error):
        assert_clean(error, SECRET, token, "Zq8%2F%2Bx%3D0123")  # the form-encoded secret too
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert SECRET not in logged and token not in logged


def test_the_scrubber_masks_every_form_of_a_known_secret() -> None:
    scrubber = Scrubber('se/cr"et+1 2')
    for echo in ('se/cr"et+1 2', "se%2Fcr%22et%2B1+2", "se%2Fcr%22et%2B1%202", 'se/cr\\"et+1 2'):
        assert scrubber.text(f"you sent {echo}!") == "you sent ***!"
        assert scrubber.bytes(f"[{echo}]".encode()) == b"[***]"
    for n in range(6):
        scrubber.add_token(f"token-number-{n}")
    assert scrubber.text("token-number-5 token-number-2") == "*** ***"
    assert scrubber.text("token-number-1") == "token-number-1"  # only the last four are kept
    assert Scrubber("abc").text("abc") == "abc"  # too short to tell from ordinary words


# -- 9. one client, one event loop ---------------------------------------------------------


def test_a_client_used_from_another_event_loop_says_so() -> None:
    sim = Simulator(rate_limit=FAST_LIMITS)
    cja = sim.client(org_id="LOOPS@AdobeOrg")

    def run(coro: Any) -> Any:
        loop = VirtualTimeLoop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()

    async def use() -> str | None:
        return (await cja.users.me()).email

    home = VirtualTimeLoop()
    assert home.run_until_complete(use())
    with pytest.raises(EventLoopError, match="one Client per event loop") as caught:
        run(use())  # a second asyncio.run, say
    assert (caught.value.method, caught.value.path) == ("GET", "/configuration/users/me")
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            run(use())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], EventLoopError)
    assert home.run_until_complete(use())  # still fine on its own loop
    home.run_until_complete(cja.aclose())
    home.close()


@real_time
async def test_a_body_without_a_length_over_the_cap_names_the_cap(org_id: str) -> None:
    async def unannounced(_req: RawRequest, writer: asyncio.StreamWriter) -> None:
        # No Content-Length and no chunking: the body runs until the connection closes.
        writer.write(
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n"
        )
        writer.write(b"[" + b"0," * (1 << 20) + b"0]")
        await writer.drain()
        writer.close()

    async with (
        RawServer(unannounced) as server,
        raw_client(server, org_id, max_response_bytes=1 << 16) as cja,
    ):
        error = await failure(cja.request("GET", "/unannounced"))
    assert isinstance(error, ResponseTooLargeError) and error.limit == 1 << 16
    assert len(server.api_requests) == 1
