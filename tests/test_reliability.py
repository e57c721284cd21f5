"""Reliability under faults: nothing lost, nothing duplicated, nothing leaked, nothing stuck.

Against the in-process simulator on the virtual-time loop (conftest.py); socket-level faults
also run through uvicorn in test_uvicorn.py.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import ssl
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from conftest import FAST_LIMITS
from test_limiter import assert_guarantee

from cja_async import (
    CJAError,
    Client,
    ClientClosedError,
    OAuthCredentials,
    RateLimit,
    ResponseDecodeError,
    Window,
)
from cja_async.models import DataView
from cja_async.testing import Faults, Request, Response, Simulator

pytestmark = pytest.mark.anyio


def now() -> float:
    return asyncio.get_running_loop().time()


async def walk_ids(cja: Client, limit: int = 10) -> list[str]:
    return [dv.id or "" async for dv in cja.dataviews.list(limit=limit)]


@pytest.mark.parametrize(
    "faults",
    [
        Faults(error_rate=0.05),
        Faults(cut_rate=0.05),
        Faults(garbage_rate=0.05),
        Faults(error_rate=0.03, cut_rate=0.03, garbage_rate=0.03),
    ],
    ids=["5xx", "cut-short", "not-json", "all"],
)
async def test_a_bulk_walk_through_faults_yields_every_item_exactly_once(
    faults: Faults, org_id: str
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.05, dataviews=3000, faults=faults, seed=7)
    async with sim.client(org_id=org_id, max_retries=8) as cja:
        ids = await walk_ids(cja)
    assert sim.stats.faults_injected > 5
    assert len(ids) == len(set(ids)) == 3000
    assert sim.stats.rejected_429 == 0


async def test_tokens_expiring_mid_walk_are_renewed_without_a_failed_request(
    org_id: str,
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.05, dataviews=1000, token_ttl=2.0)
    async with sim.client(org_id=org_id) as cja:
        ids = await walk_ids(cja)
    assert len(set(ids)) == 1000
    assert sim.stats.token_requests >= 3
    assert sim.stats.auth_failures == 0


async def test_identity_server_down_for_a_while_then_back(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(token_error_rate=1.0))

    async def recover() -> None:
        await anyio.sleep(1.0)
        sim.faults = Faults()

    async with sim.client(org_id=org_id) as cja, anyio.create_task_group() as tg:
        tg.start_soon(recover)
        assert (await cja.users.me()).email
    assert 2 <= sim.stats.token_requests <= 4


async def test_a_page_that_changes_while_walking_gives_no_item_twice(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id) as cja, sim.client(org_id=org_id) as writer:
        seen: list[str] = []
        async for view in cja.dataviews.list(limit=10, sort_property="id"):
            seen.append(view.id or "")
            if len(seen) % 50 == 0:
                # Another program adds and deletes data views in the middle of our walk.
                await writer.dataviews.create(DataView(name="new", parent_data_group_id="dg"))
                await writer.dataviews.delete(seen[-1])
    assert len(seen) == len(set(seen))
    assert len(seen) >= sim.dataviews - 6


async def test_not_json_body_after_retries_names_the_endpoint_and_request_id(
    org_id: str,
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(garbage_rate=1.0))
    async with sim.client(org_id=org_id, max_retries=2) as cja:
        with pytest.raises(ResponseDecodeError) as caught:
            await cja.users.me()
    error = caught.value
    assert error.path == "/configuration/users/me" and error.method == "GET"
    assert error.request_id
    assert "not JSON" in str(error)


async def test_a_body_of_the_wrong_shape_is_a_clear_error_not_a_key_error(
    sim: Simulator, org_id: str
) -> None:
    @sim.route("GET", "/data/dataviews/{dataViewId}")
    async def wrong(_sim: Simulator, _req: Request) -> Response:
        return Response.json(["not", "an", "object"])

    @sim.route("GET", "/data/dataviews")
    async def wrong_page(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"content": {"id": 1}, "totalPages": "many"})

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(ResponseDecodeError) as caught:
            await cja.dataviews.get("dv_1")
        assert caught.value.request_id and "expected shape" in str(caught.value)
        with pytest.raises(ResponseDecodeError, match="expected shape"):
            await cja.dataviews.list()
    assert sim.stats.requests == 2  # a wrong shape is not retried: it would be wrong again


async def test_a_post_whose_answer_was_garbage_is_not_sent_twice(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(garbage_rate=1.0))
    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(ResponseDecodeError):
            await cja.dataviews.create(DataView(name="once", parent_data_group_id="dg"))
    assert sim.stats.by_path["/data/dataviews"] == 1


# -- cancellation and shutdown ----------------------------------------------------------


ONE_AT_A_TIME = RateLimit(concurrency=1, windows=(Window(1000, 1.0),))


@pytest.mark.parametrize("how", ["task", "task-group", "deadline"])
async def test_cancelling_mid_request_frees_the_slot_at_once(how: str, org_id: str) -> None:
    sim = Simulator(rate_limit=ONE_AT_A_TIME, latency=30.0)
    async with sim.client(org_id=org_id) as cja:
        await cja._auth.token()
        if how == "task":
            task = asyncio.ensure_future(cja.users.me())
            await anyio.sleep(1.0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        elif how == "task-group":
            async with anyio.create_task_group() as tg:
                tg.start_soon(cja.users.me)
                await anyio.sleep(1.0)
                tg.cancel_scope.cancel()
        else:
            with anyio.move_on_after(1.0):
                await cja.users.me()
        assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
        sim.latency = 0.05
        t0 = now()
        await cja.users.me()
        assert now() - t0 < 0.5  # the next request is not held by the cancelled one


async def test_cancelling_mid_backoff_leaves_nothing_held(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(error_rate=1.0, error_statuses=(503,)))
    async with sim.client(org_id=org_id) as cja:
        with anyio.move_on_after(2.0):
            await cja.users.me()
        assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
        assert sim.stats.requests >= 2  # it was between retries when cancelled


async def test_cancelling_mid_walk_cancels_the_pages_fetched_ahead(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id) as cja:
        got = 0
        with anyio.move_on_after(1.0):
            async for _ in cja.dataviews.list(limit=5):
                got += 1
        gc.collect()
        await anyio.lowlevel.checkpoint()
        assert 0 < got < sim.dataviews
        assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
        before = sim.stats.requests
        await anyio.sleep(10)
        assert sim.stats.requests == before  # nothing left running in the background


async def test_closing_mid_walk_ends_the_walk_with_a_clear_error(
    sim: Simulator, org_id: str
) -> None:
    cja = sim.client(org_id=org_id)
    before = asyncio.all_tasks()

    async def walk() -> int:
        return len(await walk_ids(cja, limit=5))

    task = asyncio.ensure_future(walk())
    await anyio.sleep(1.0)
    await cja.aclose()
    with pytest.raises(ClientClosedError):
        await task
    await anyio.sleep(1.0)
    assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
    assert asyncio.all_tasks() == before  # no page fetch left behind


async def test_a_thousand_coroutines_share_one_client_within_the_limits(
    sim: Simulator, org_id: str
) -> None:
    intervals: list[tuple[float, float]] = []

    async def one(cja: Client) -> None:
        await cja.users.me()

    async with sim.client(org_id=org_id) as cja:
        await asyncio.gather(*(one(cja) for _ in range(1000)))
    starts = sim.stats.starts
    assert len(starts) == 1000 and sim.stats.rejected_429 == 0
    # The simulator counted at arrival; each request lasted its latency.
    intervals = [(s, s + 0.05) for s in starts]
    assert_guarantee(intervals, FAST_LIMITS)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../segments", "a/b", "x?y=1", "#frag", "%2e%2e", " /"])
async def test_ids_are_escaped_into_one_path_segment(bad: str, org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS)
    sent: list[httpx.Request] = []

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await httpx.ASGITransport(app=sim).handle_async_request(request)

    async with sim.client(org_id=org_id, transport=Recording()) as cja:
        with pytest.raises(CJAError):
            await cja.dataviews.get(bad)
    api = [r for r in sent if not r.url.path.startswith("/ims/")]
    assert len(api) == 1
    raw = api[0].url.raw_path.decode()
    assert raw.startswith("/data/dataviews/") and "?" not in raw
    assert "/" not in raw.removeprefix("/data/dataviews/")
    assert api[0].url.path == "/data/dataviews/" + bad


# -- security ----------------------------------------------------------------------------


async def test_no_secret_or_token_in_any_log_record_at_debug(
    caplog: pytest.LogCaptureFixture, org_id: str
) -> None:
    secret = "S3CRET-value-that-must-not-leak"
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(error_rate=0.2), token_ttl=2.0)
    sim.add_client("leak-check", secret, org_id)
    caplog.set_level(logging.DEBUG)
    async with sim.client(org_id=org_id, client_id="leak-check", client_secret=secret) as cja:
        await walk_ids(cja)
        sim.revoke_tokens()
        await cja.users.me()
        token = await cja._auth.token()
        errors: list[BaseException] = []
        try:
            await cja.dataviews.get("missing")
        except CJAError as exc:
            errors.append(exc)
    text = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    text += "".join(str(e) + repr(e) + repr(vars(e)) for e in errors) + repr(cja)
    assert any(r.name.startswith("cja_async") for r in caplog.records)
    assert secret not in text and token not in text


def test_library_loggers_have_no_handlers() -> None:
    import cja_async  # noqa: F401

    names = [n for n in logging.root.manager.loggerDict if n.startswith("cja_async")]
    assert names
    assert all(not logging.getLogger(n).handlers for n in names)


def test_tls_verification_is_on() -> None:

    client = Client(
        org_id="o@AdobeOrg", credentials=OAuthCredentials(client_id="i", client_secret="s")
    )
    pool: Any = client._http._transport._pool  # type: ignore[attr-defined]

    assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert pool._ssl_context.check_hostname


async def test_redirects_are_not_followed_with_credentials(sim: Simulator, org_id: str) -> None:
    sent: list[httpx.Request] = []

    @sim.route("GET", "/moved")
    async def moved(_sim: Simulator, _req: Request) -> Response:
        return Response(status=302, headers=[("location", "https://elsewhere.example/steal")])

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await httpx.ASGITransport(app=sim).handle_async_request(request)

    async with sim.client(org_id=org_id, transport=Recording()) as cja:
        with pytest.raises(CJAError):
            await cja.request("GET", "/moved")
    assert all(r.url.host == "127.0.0.1" for r in sent)


# -- split writes ------------------------------------------------------------------------


async def test_a_split_transfer_reports_what_moved_and_a_rerun_moves_only_the_rest(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id, max_retries=1) as cja:
        users = [u.id or "" async for u in cja.users.list(limit=100)]
        giver, taker = users[0], users[1]
        projects = [p.id or "" async for p in cja.projects.list(owner_id=giver, limit=1000)]
        segments = [s.id or "" async for s in cja.segments.list(owner_id=giver, limit=1000)]
        assert len(projects) + len(segments) > 100  # two requests at least

        url = f"/componentmetadata/assets/{taker}/transfer"
        original, _ = sim.router.resolve("PUT", url)
        seen: list[Any] = []
        healthy = False

        @sim.route("PUT", "/componentmetadata/assets/{recipientImsUserId}/transfer")
        async def second_part_fails(s: Simulator, req: Request) -> Response:
            seen.append(req.json())
            if len(seen) >= 2 and not healthy:
                return Response.json({"errorCode": "unexpected_error"}, 500)
            return await original.handler(s, req)

        result = await cja.assets.transfer(taker, {"project": projects, "segment": segments})
        assert result.status == "status_partial_success"
        failed = {(e.component_type, e.component_id) for e in result.errors or []}
        sent_later = {
            (p["componentType"], i) for body in seen[1:] for p in body for i in p["componentIds"]
        }
        assert failed == sent_later  # exactly the ids of the parts that failed
        still_with_giver = {
            ("project", p.id) async for p in cja.projects.list(owner_id=giver, limit=1000)
        }
        still_with_giver |= {
            ("segment", s.id) async for s in cja.segments.list(owner_id=giver, limit=1000)
        }
        assert still_with_giver == failed  # and everything else moved

        healthy = True
        seen.clear()
        rerun = await cja.assets.transfer(taker, result.not_moved())
        assert rerun.ok
        resent = {(p["componentType"], i) for body in seen for p in body for i in p["componentIds"]}
        assert resent == failed  # only what was left was sent
        assert not [p async for p in cja.projects.list(owner_id=giver, limit=1000)]
