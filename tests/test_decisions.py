"""The pure decisions, as tables: Retry-After, backoff, page ends, cache invalidation.

Each row is a case a server really sends (or a bound the design promises); mutation testing
(``nox -s mutants``) found that the suite let wrong answers to most of them through.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cja_async import (
    BadRequestError,
    ClientClosedError,
    ResponseCache,
    ResponseDecodeError,
    ServerError,
)
from cja_async._cache import CachedResponse, OrgCache, cache_group, cache_key
from cja_async._paging import parse_page
from cja_async._retry import MAX_RETRY_AFTER, backoff_delay, parse_retry_after
from cja_async.testing import Request, Response, Simulator

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def at(value: str | None) -> float | None:
    headers = httpx.Headers({} if value is None else {"Retry-After": value})
    return parse_retry_after(headers, now=lambda: NOW)


# -- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("3", 3.0),
        (" 7 ", 7.0),
        ("2.5", 2.5),
        # Zero, negative or past: unusable, so the caller backs off as if there were none.
        ("0", None),
        ("-5", None),
        ("0.001", 0.001),
        ("119.5", 119.5),
        ("120", MAX_RETRY_AFTER),
        ("121", MAX_RETRY_AFTER),  # clamped down: a server asking for an hour gets 120 s
        ("3600", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("-inf", None),
        ("nan", None),
        ("", None),
        ("soon", None),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),  # HTTP-date: seconds from now
        ("Sun, 01 Mar 2026 13:00:30 +0100", 30.0),  # any zone
        ("Sun, 01 Mar 2026 12:00:30 -0000", 30.0),  # "-0000": no zone given, taken as UTC
        ("Sun, 01 Mar 2026 11:59:00 GMT", None),  # in the past: unusable
        ("Sun, 01 Mar 2026 12:00:00 GMT", None),  # now: unusable
        ("Sun, 01 Mar 2026 14:00:00 GMT", MAX_RETRY_AFTER),  # too far: clamped
        ("Sun, 99 Foo 2026 12:00:30 GMT", None),
    ],
)
def test_retry_after_forms_and_clamps(value: str | None, seconds: float | None) -> None:
    assert at(value) == seconds


def test_retry_after_http_date_is_measured_from_the_real_clock_by_default() -> None:
    when = datetime.now(UTC) + timedelta(seconds=60)
    value = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    seconds = parse_retry_after({"retry-after": value})
    assert seconds is not None and 55.0 <= seconds <= 60.0


# -- backoff -----------------------------------------------------------------------------


def fixed(value: float) -> Any:
    return lambda: value


@pytest.mark.parametrize(
    ("attempt", "rand", "delay"),
    [
        # Full jitter between half and all of base * 2**(attempt-1), base 0.5 s, cap 30 s.
        (1, 0.0, 0.25),
        (1, 0.5, 0.375),
        (1, 1.0, 0.5),
        (2, 0.0, 0.5),
        (2, 1.0, 1.0),
        (3, 0.0, 1.0),
        (3, 1.0, 2.0),
        (4, 0.5, 3.0),
        (0, 1.0, 0.5),  # no retry yet counts as the first
        (-3, 1.0, 0.5),
        (7, 1.0, 30.0),  # 0.5 * 2**6 = 32: capped
        (7, 0.0, 15.0),
        (50, 1.0, 30.0),
    ],
)
def test_backoff_bounds(attempt: int, rand: float, delay: float) -> None:
    assert backoff_delay(attempt, rand=fixed(rand)) == delay


def test_backoff_base_and_cap_are_settings() -> None:
    assert backoff_delay(3, base=1.0, cap=100.0, rand=fixed(1.0)) == 4.0
    assert backoff_delay(3, base=1.0, cap=3.0, rand=fixed(1.0)) == 3.0
    assert backoff_delay(3, base=1.0, cap=3.0, rand=fixed(0.0)) == 1.5


@pytest.mark.parametrize(
    ("attempt", "retry_after", "delay"),
    [
        (1, 10.0, 10.0),  # the server's wish wins over a shorter backoff
        (1, 0.0, 0.25),  # ... but never shortens it
        (6, 2.0, 8.0),
        (1, None, 0.25),
    ],
)
def test_backoff_is_never_shorter_than_retry_after(
    attempt: int, retry_after: float | None, delay: float
) -> None:
    assert backoff_delay(attempt, retry_after=retry_after, rand=fixed(0.0)) == delay


def test_backoff_jitter_spreads_clients_within_the_bounds() -> None:
    delays = {backoff_delay(3) for _ in range(200)}
    assert all(1.0 <= d <= 2.0 for d in delays)
    assert len(delays) > 100  # random: clients that failed together do not retry together


# -- retries in the client: 5xx and 429 with Retry-After -----------------------------------


def now() -> float:
    return asyncio.get_running_loop().time()


def flaky(sim: Simulator, path: str, answers: list[Response]) -> list[float]:
    """Route ``GET path`` to answer ``answers`` in turn, then 200; returns the send times."""
    times: list[float] = []

    @sim.route("GET", path)
    async def answer(_sim: Simulator, _req: Request) -> Response:
        times.append(now())
        if len(times) <= len(answers):
            return answers[len(times) - 1]
        return Response.json({"ok": True})

    return times


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_with_retry_after_is_retried_no_earlier(
    sim: Simulator, org_id: str, status: int
) -> None:
    times = flaky(sim, "/flaky", [Response.json({}, status, {"Retry-After": "7"})])
    async with sim.client(org_id=org_id) as cja:
        assert await cja.request("GET", "/flaky") == {"ok": True}
    assert len(times) == 2
    assert 7.0 <= times[1] - times[0] < 7.5


@pytest.mark.anyio
async def test_a_503_with_an_http_date_retry_after_is_retried_no_earlier(
    sim: Simulator, org_id: str
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    header = {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    times = flaky(sim, "/dated", [Response.json({}, 503, header)])
    async with sim.client(org_id=org_id) as cja:
        assert await cja.request("GET", "/dated") == {"ok": True}
    # The date is read against the wall clock (a second may pass), the wait on the loop's.
    assert 18.0 <= times[1] - times[0] < 21.0


@pytest.mark.anyio
@pytest.mark.parametrize(("header", "low", "high"), [("3", 3.0, 3.5), ("3600", 120.0, 121.0)])
async def test_a_429_holds_the_org_for_retry_after_clamped(
    sim: Simulator, org_id: str, header: str, low: float, high: float
) -> None:
    times = flaky(sim, "/busy", [Response.json({}, 429, {"Retry-After": header})])
    async with sim.client(org_id=org_id) as cja:
        assert await cja.request("GET", "/busy") == {"ok": True}
    assert low <= times[1] - times[0] < high


@pytest.mark.anyio
async def test_a_5xx_is_retried_after_the_backoff_then_raised(sim: Simulator, org_id: str) -> None:
    times = flaky(sim, "/down", [Response.json({}, 503)] * 10)
    async with sim.client(org_id=org_id, max_retries=3) as cja:
        with pytest.raises(ServerError):
            await cja.request("GET", "/down")
        assert cja.stats.retries == 3
    assert len(times) == 4  # the first try and max_retries more
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Retry n waits between half and all of 0.5 * 2**(n-1) s (plus the simulator's latency).
    for n, gap in enumerate(gaps, start=1):
        assert 0.25 * 2 ** (n - 1) <= gap <= 0.5 * 2 ** (n - 1) + 0.2


@pytest.mark.anyio
async def test_a_post_is_not_retried_on_a_5xx_but_is_on_a_429(sim: Simulator, org_id: str) -> None:
    sent: list[int] = []

    @sim.route("POST", "/post/{kind}")
    async def answer(_sim: Simulator, req: Request) -> Response:
        status = int(req.path_params["kind"])
        sent.append(status)
        if len(sent) == 1 or sent[-1] != sent[-2]:
            return Response.json({}, status, {"Retry-After": "1"})
        return Response.json({"ok": True})

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(ServerError):
            await cja.request("POST", "/post/500", json={})
        assert sent == [500]
        assert await cja.request("POST", "/post/429", json={}) == {"ok": True}
        assert await cja.request("POST", "/post/500", json={}, idempotent=True) is not None
    assert sent == [500, 429, 429, 500, 500]


# -- page ends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "number", "limit", "whole", "is_last"),
    [
        # A bare JSON array: only its length tells.
        ([1, 2, 3], 0, 3, False, False),  # full: there may be more
        ([1, 2], 0, 3, False, True),  # short: the end
        ([], 4, 3, False, True),
        ([1, 2, 3], 0, None, False, True),  # no limit asked: the whole list
        ([1, 2, 3], 0, 3, True, True),  # pagination=false: the whole list, however long
    ],
)
def test_page_end_of_a_bare_array(
    body: list[int], number: int, limit: int | None, whole: bool, is_last: bool
) -> None:
    page = parse_page(body, number, limit, whole=whole)
    assert page.is_last is is_last
    assert (page.items, page.number, page.total_pages, page.total_elements) == (
        body,
        number,
        None,
        None,
    )


FULL = [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "number", "is_last"),
    [
        # Spring pages say "last", analytics pages "lastPage"; either wins over any count.
        ({"content": FULL, "last": True, "totalPages": 9}, 0, True),
        ({"content": FULL, "last": False, "totalPages": 1}, 0, False),
        ({"content": [1], "lastPage": False}, 0, False),
        ({"content": FULL, "lastPage": True}, 0, True),
        ({"content": FULL, "lastPage": False, "last": True}, 0, False),  # lastPage first
        ({"content": FULL, "lastPage": True, "last": False}, 0, True),
        # Else totalPages, counted from the page number asked for.
        ({"content": FULL, "totalPages": 4}, 2, False),
        ({"content": FULL, "totalPages": 4}, 3, True),
        ({"content": FULL, "totalPages": 4}, 5, True),
        ({"content": [1], "totalPages": 4}, 1, False),  # a short page mid-walk
        ({"content": FULL, "totalPages": 4, "number": 3}, 0, False),  # the body's own number
        ({"content": FULL, "totalPages": 4, "pageable": {"pageNumber": 3}}, 0, False),
        ({"content": FULL, "totalPages": 0}, 0, True),
        # "last" that is not a bool is no answer.
        ({"content": FULL, "last": "true", "totalPages": 5}, 1, False),
        ({"content": FULL, "last": None}, 0, False),
        # Else the page's length: a full page without last/lastPage/totalPages is NOT the end.
        ({"content": FULL}, 0, False),
        ({"content": [1, 2]}, 0, True),
        ({"content": []}, 0, True),
        ({"content": FULL, "totalPages": "4"}, 0, False),  # not a number: ignored
        ({"content": FULL, "totalPages": True}, 0, False),  # a bool is not a count
        # ... full against the server's own page size when it says a smaller one.
        ({"content": [1, 2], "size": 2}, 0, False),
        ({"content": [1], "size": 2}, 0, True),
        ({"content": [1, 2], "pageable": {"pageSize": 2}}, 0, False),
        ({"content": [1, 2], "size": 5}, 0, True),
        ({"content": [1, 2], "size": 0}, 0, True),  # an unusable size: ours
        ({"content": [1], "size": 1}, 0, False),  # a size of one is a size
    ],
)
def test_page_end_of_a_page_object(body: dict[str, Any], number: int, is_last: bool) -> None:
    assert parse_page(body, number, 3).is_last is is_last


def test_page_object_without_a_limit_ends_only_on_an_empty_page() -> None:
    assert parse_page({"content": FULL}, 0, None).is_last is False
    assert parse_page({"content": []}, 0, None).is_last is True


@pytest.mark.parametrize(
    ("body", "total_pages", "total_elements"),
    [
        ({"content": FULL, "number": 2, "totalPages": 5, "totalElements": 14}, 5, 14),
        ({"content": FULL, "pageable": {"pageNumber": 3}}, None, None),
        ({"content": FULL, "totalElements": 2.5, "totalPages": None}, None, None),
        ({"content": FULL, "totalElements": True, "totalPages": "5"}, None, None),
    ],
)
def test_page_object_numbers(
    body: dict[str, Any], total_pages: int | None, total_elements: int | None
) -> None:
    page = parse_page(body, 7, 3)
    # The page is the one asked for, whatever number the body gives itself.
    assert (page.number, page.total_pages, page.total_elements) == (7, total_pages, total_elements)
    assert page.items is body["content"]


@pytest.mark.parametrize("body", [None, "page", 3, {}, {"content": None}, {"content": {"a": 1}}])
def test_a_body_of_no_page_shape_is_a_type_error(body: Any) -> None:
    with pytest.raises(TypeError) as caught:
        parse_page(body, 0, 10)
    assert str(caught.value) == "expected a page object with a 'content' list or a JSON array"


def test_a_bare_array_is_one_page_of_many_unless_told_otherwise() -> None:
    assert parse_page([1, 2, 3], 0, 3).is_last is False


# -- response cache invalidation --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/segments", "segments"),
        ("/segments/s1", "segments"),
        ("/segments/s1/validate", "segments"),
        ("/segmentsx", "other"),
        ("/data/dataviews/dv_1", "dataviews"),
        ("/data/connections", "connections"),
        ("/componentmetadata/tags/tagitems", "tags"),
        ("/componentmetadata/shares", "shares"),
        ("/componentmetadata/assets/u/transfer", "assets"),
        ("/calculatedmetrics/cm1", "calculated_metrics"),
        ("/configuration/users/me", "users"),
        ("/unknown", "other"),
        ("/", "other"),
    ],
)
def test_cache_groups(path: str, group: str) -> None:
    assert cache_group(path) == group


def filled_cache() -> OrgCache:
    cache = OrgCache(ResponseCache())
    for path in ("/segments", "/segments/s1", "/data/dataviews", "/projects/p1", "/other"):
        cache.put(cache_key("c", "GET", path, None, None), CachedResponse(200, b"{}", None))
    return cache


def cached_paths(cache: OrgCache) -> set[str]:
    return {
        path
        for path in ("/segments", "/segments/s1", "/data/dataviews", "/projects/p1", "/other")
        if cache.get(cache_key("c", "GET", path, None, None)) is not None
    }


EVERYTHING = {"/segments", "/segments/s1", "/data/dataviews", "/projects/p1", "/other"}


@pytest.mark.parametrize(
    ("method", "path", "writes", "left"),
    [
        ("GET", "/segments/s1", False, EVERYTHING),
        ("HEAD", "/segments", False, EVERYTHING),
        # POSTs that only read.
        ("POST", "/segments/validate", False, EVERYTHING),
        ("POST", "/segments/validate/", False, EVERYTHING),
        ("POST", "/calculatedmetrics/search", False, EVERYTHING),
        ("POST", "/reports", False, EVERYTHING),
        # Writes drop their own group only ...
        ("POST", "/segments", True, EVERYTHING - {"/segments", "/segments/s1"}),
        ("PUT", "/segments/s1", True, EVERYTHING - {"/segments", "/segments/s1"}),
        ("PATCH", "/segments/s1", True, EVERYTHING - {"/segments", "/segments/s1"}),
        ("DELETE", "/projects/p1", True, EVERYTHING - {"/projects/p1"}),
        ("POST", "/segments/validated", True, EVERYTHING - {"/segments", "/segments/s1"}),
        # ... except where they show in other groups' answers (or are unknown): everything.
        ("PUT", "/componentmetadata/tags/tagitems", True, set()),
        ("POST", "/componentmetadata/shares", True, set()),
        ("PUT", "/componentmetadata/assets/u/transfer", True, set()),
        ("POST", "/something/new", True, set()),
    ],
)
def test_cache_invalidation(method: str, path: str, writes: bool, left: set[str]) -> None:
    cache = filled_cache()
    assert cache.invalidate(method, path) is writes
    assert cached_paths(cache) == left


SEGMENTS = {"/segments", "/segments/s1"}


@pytest.mark.parametrize(
    ("path", "declared", "writes", "left"),
    [
        # A declaration wins over the guess from the path ...
        (
            "/segments/s1",
            {"group": "projects", "reads": False},
            True,
            EVERYTHING - {"/projects/p1"},
        ),
        ("/segments", {"group": "segments", "reads": True}, False, EVERYTHING),
        # ... and what is not declared is guessed, each part on its own.
        ("/segments/validate", {"group": "projects"}, False, EVERYTHING),
        ("/segments/s1", {"group": "projects"}, True, EVERYTHING - {"/projects/p1"}),
        ("/segments/s1", {"reads": False}, True, EVERYTHING - SEGMENTS),
        ("/segments/validate", {"reads": False}, True, EVERYTHING - SEGMENTS),
        ("/segments/s1", {"group": "tags", "reads": False}, True, set()),
    ],
)
def test_cache_invalidation_as_declared(
    path: str, declared: dict[str, Any], writes: bool, left: set[str]
) -> None:
    cache = filled_cache()
    assert cache.invalidate("POST", path, **declared) is writes
    assert cached_paths(cache) == left


@pytest.mark.anyio
async def test_a_failed_write_still_drops_what_it_may_have_changed(
    sim: Simulator, org_id: str
) -> None:
    @sim.route("PUT", "/segments/{id}")
    async def fail(_sim: Simulator, _req: Request) -> Response:
        return Response.json({}, 400)

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        await cja.segments.list(limit=5)
        with pytest.raises(BadRequestError):
            await cja.request("PUT", "/segments/s1", json={})
        assert cja.cache_stats.invalidations == 1
        await cja.segments.list(limit=5)
        assert (cja.cache_stats.hits, cja.cache_stats.misses) == (0, 2)


# -- the client's other retry decisions -----------------------------------------------------


@pytest.mark.anyio
async def test_a_body_not_json_is_read_again_while_retries_last(
    sim: Simulator, org_id: str
) -> None:
    garbage = Response(200, b"<html>proxy error</html>", content_type="text/html")
    times = flaky(sim, "/garbled", [garbage, garbage])
    async with sim.client(org_id=org_id, max_retries=2) as cja:
        assert await cja.request("GET", "/garbled") == {"ok": True}
        assert cja.stats.retries == 2
    assert len(times) == 3
    times = flaky(sim, "/garbled-once", [garbage])
    async with sim.client(org_id=org_id, max_retries=0) as cja:
        with pytest.raises(ResponseDecodeError, match="HTTP 200 with a body that is not JSON"):
            await cja.request("GET", "/garbled-once")
    assert len(times) == 1


@pytest.mark.anyio
async def test_bodies_are_sent_as_compact_json(sim: Simulator, org_id: str) -> None:
    bodies: list[bytes] = []

    @sim.route("POST", "/echo")
    async def echo(_sim: Simulator, req: Request) -> Response:
        bodies.append(req.body)
        return Response.json({})

    async with sim.client(org_id=org_id) as cja:
        await cja.request("POST", "/echo", json={"a": 1, "b": [1, "x"]})
    assert bodies == [b'{"a":1,"b":[1,"x"]}']


@pytest.mark.anyio
async def test_time_spent_waiting_for_the_limiter_is_counted(cja: Any) -> None:
    await asyncio.gather(*(cja.users.me() for _ in range(20)))  # more than a window allows
    assert cja.stats.limiter_wait > 0.5
    assert cja.stats.requests == 20


class SwallowsCancellation(httpx.AsyncBaseTransport):
    """A transport that answers 503 when cancelled instead of letting the cancellation
    through (some middleware does): the close must still end the request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.entered = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/hang":
            return await self.inner.handle_async_request(request)
        self.entered.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        return httpx.Response(503)


@pytest.mark.anyio
async def test_a_close_whose_cancellation_was_swallowed_still_ends_the_request(
    sim: Simulator, org_id: str
) -> None:
    transport = SwallowsCancellation(httpx.ASGITransport(app=sim))
    cja = sim.client(org_id=org_id, transport=transport)
    task = asyncio.ensure_future(cja.request("GET", "/hang"))
    await transport.entered.wait()
    await cja.aclose()
    with pytest.raises(ClientClosedError) as caught:
        await task
    error = caught.value
    assert (error.message, error.method, error.path) == ("this client is closed", "GET", "/hang")
