"""The client pipeline against the simulator: tokens, retries, errors, paging, round trips.

All on a virtual-time loop (see conftest.py): seconds of backoff and windows cost nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import anyio
import httpx
import pytest
from conftest import FAST_LIMITS, LATENCY

from cja_async import (
    AuthenticationError,
    Client,
    ClientClosedError,
    NotFoundError,
    OAuthCredentials,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StaticToken,
    Window,
)
from cja_async.models import DataView, User
from cja_async.testing import Faults, LossyTransport, Request, Response, Simulator, every_nth

pytestmark = pytest.mark.anyio


def now() -> float:
    return asyncio.get_running_loop().time()


# -- tokens ---------------------------------------------------------------------------


async def test_many_tasks_needing_a_token_cause_one_token_request(
    cja: Client, sim: Simulator
) -> None:
    await asyncio.gather(*(cja.users.me() for _ in range(20)))
    assert sim.stats.token_requests == 1


async def test_token_is_renewed_before_it_expires(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=LATENCY, token_ttl=3.0)
    async with sim.client(org_id=org_id) as cja:
        for _ in range(10):
            await cja.users.me()
            await anyio.sleep(1.0)
    # About one token per 2.7 s of use, and no request ever met an expired token.
    assert 3 <= sim.stats.token_requests <= 5
    assert sim.stats.auth_failures == 0


async def test_revoked_token_is_renewed_once_and_the_request_retried(
    cja: Client, sim: Simulator
) -> None:
    await cja.users.me()
    sim.revoke_tokens()
    me = await cja.users.me()
    assert me.email
    assert sim.stats.token_requests == 2
    assert cja.stats.token_renewals == 1


async def test_a_token_the_api_keeps_rejecting_is_renewed_once_not_in_a_loop(
    sim: Simulator, org_id: str
) -> None:
    @sim.route("GET", "/always/401")
    async def reject(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"error_code": "401013", "message": "Oauth token is not valid"}, 401)

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(AuthenticationError) as caught:
            await cja.request("GET", "/always/401")
    assert caught.value.error_code == "401013"
    assert sim.stats.token_requests == 2


@pytest.mark.parametrize("body", [b"", b" \r\n\t "])
async def test_a_success_with_an_empty_body_is_none(
    sim: Simulator, org_id: str, body: bytes
) -> None:
    @sim.route("DELETE", "/things/{id}")
    async def delete(_sim: Simulator, _req: Request) -> Response:
        return Response(200, body)

    async with sim.client(org_id=org_id) as cja:
        assert await cja.request("DELETE", "/things/1") is None
        assert await cja.request("DELETE", "/things/2", parse=lambda data: [data]) == [None]


async def test_refused_credentials_raise_authentication_error_without_the_secret(
    sim: Simulator, org_id: str
) -> None:
    sim.add_client("known", "right-secret", org_id)
    async with sim.client(org_id=org_id, client_id="known", client_secret="wrong-secret-42") as cja:
        with pytest.raises(AuthenticationError) as caught:
            await cja.users.me()
    assert "wrong-secret-42" not in str(caught.value) + repr(caught.value)
    assert sim.stats.token_requests == 1  # a refusal is final: no retries


async def test_identity_server_down_gives_bounded_retries_then_authentication_error(
    org_id: str,
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(token_error_rate=1.0))
    async with sim.client(org_id=org_id, max_retries=3) as cja:
        with pytest.raises(AuthenticationError, match="could not get a token") as caught:
            await cja.users.me()
    assert sim.stats.token_requests == 4  # max_retries holds for token requests too
    assert "after 4 attempts" in str(caught.value)
    assert caught.value.status_code == 503  # what the server said, not a made-up 401


async def test_static_token_is_sent_as_is(sim: Simulator, org_id: str) -> None:
    token = await _token(sim, org_id)
    async with Client(
        org_id=org_id,
        credentials=StaticToken(access_token=token, client_id=f"client-{org_id}"),
        base_url="http://127.0.0.1",
        rate_limit=FAST_LIMITS,
        transport=httpx.ASGITransport(app=sim),
    ) as cja:
        assert (await cja.users.me()).email
        sim.revoke_tokens()
        with pytest.raises(AuthenticationError):
            await cja.users.me()


async def _token(sim: Simulator, org_id: str) -> str:
    sim.add_client(f"client-{org_id}", "secret", org_id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim), base_url="http://127.0.0.1"
    ) as http:
        response = await http.post(
            "/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": f"client-{org_id}",
                "client_secret": "secret",
                "scope": "openid",
            },
        )
    token: str = response.json()["access_token"]
    return token


# -- headers and errors ---------------------------------------------------------------


async def test_every_request_carries_the_documented_headers(sim: Simulator, org_id: str) -> None:
    seen: list[httpx.Request] = []
    transport = LossyTransport(httpx.ASGITransport(app=sim), fail=lambda r: False)
    async with sim.client(org_id=org_id, transport=transport) as cja:
        await cja.dataviews.create(DataView(name="n", parent_data_group_id="dg"))
        seen = [r for r in transport.sent if not r.url.path.startswith("/ims/")]
    (request,) = seen
    assert request.headers["authorization"].startswith("Bearer ")
    assert request.headers["x-api-key"] == f"client-{org_id}"
    assert request.headers["x-gw-ims-org-id"] == org_id
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"


async def test_service_error_body_fills_the_error(cja: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        await cja.dataviews.get("dv_missing")
    error = caught.value
    assert error.status_code == 404
    assert error.error_code == "resource_not_found"
    assert error.request_id
    assert "GET /data/dataviews/dv_missing" in str(error)


async def test_gateway_error_body_fills_the_error(sim: Simulator, org_id: str) -> None:
    token = await _token(sim, org_id)
    async with Client(
        org_id=org_id,
        credentials=StaticToken(access_token=token, client_id="some-other-key"),
        base_url="http://127.0.0.1",
        rate_limit=FAST_LIMITS,
        transport=httpx.ASGITransport(app=sim),
    ) as cja:
        with pytest.raises(PermissionDeniedError) as caught:
            await cja.users.me()
    assert caught.value.error_code == "403003"
    assert caught.value.message == "Api Key is invalid"
    assert token not in str(caught.value)


# -- retries --------------------------------------------------------------------------


async def test_gateway_errors_are_retried_then_raised(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, faults=Faults(error_rate=1.0, error_statuses=(503,)))
    async with sim.client(org_id=org_id, max_retries=3) as cja:
        with pytest.raises(ServerError) as caught:
            await cja.users.me()
    assert caught.value.status_code == 503
    assert sim.stats.requests == 4
    assert cja.stats.retries == 3


async def test_retry_after_is_honoured_for_the_whole_org(sim: Simulator, org_id: str) -> None:
    calls = 0

    @sim.route("GET", "/busy")
    async def busy(_sim: Simulator, _req: Request) -> Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return Response.json(
                {"error_code": "429050", "message": "Too many requests"}, 429, {"Retry-After": "3"}
            )
        return Response.json({"ok": True})

    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()  # the token is there: only the 429 costs time
        t0 = now()
        first = asyncio.ensure_future(cja.request("GET", "/busy"))
        await asyncio.sleep(0.2)
        # Another task of the same org, started after the 429, waits for the pause too.
        other_started = now()
        await cja.users.me()
        assert now() - t0 >= 3.0 and now() > other_started + 2.5
        assert await first == {"ok": True}
    assert cja.stats.rate_limited == 1


async def test_429s_from_someone_else_s_traffic_slow_the_walk_and_it_completes(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id) as cja, sim.client(org_id=org_id) as other:
        # A second program with its own limiter state spends the same org budget.
        other._limiter = type(other._limiter)(FAST_LIMITS)
        walk = [dv.id async for dv in cja.dataviews.list(limit=10)]
        await asyncio.gather(*(other.users.me() for _ in range(30)), return_exceptions=True)
    assert len(walk) == len(set(walk)) == sim.dataviews


async def test_rate_limit_error_after_retries_ran_out(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/always/429")
    async def always(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"error_code": "429050", "message": "Too many requests"}, 429)

    async with sim.client(org_id=org_id, max_retries=2) as cja:
        with pytest.raises(RateLimitError) as caught:
            await cja.request("GET", "/always/429")
    assert caught.value.status_code == 429


async def test_post_is_not_retried_after_a_read_timeout(sim: Simulator, org_id: str) -> None:
    transport = LossyTransport(httpx.ASGITransport(app=sim), every_nth(1, "POST"))
    async with sim.client(org_id=org_id, transport=transport) as cja:
        with pytest.raises(OutcomeUnknownError, match="outcome is unknown"):
            await cja.dataviews.create(DataView(name="once", parent_data_group_id="dg"))
        # The server did create it: exactly one, never a duplicate.
        created = [dv async for dv in cja.dataviews.list(expansion=["name"], limit=1000)]
    assert [dv.name for dv in created].count("once") == 1


async def test_post_is_retried_when_the_connection_was_never_made(
    sim: Simulator, org_id: str
) -> None:
    transport = LossyTransport(
        httpx.ASGITransport(app=sim), every_nth(1, "POST"), httpx.ConnectError, after=False
    )
    async with sim.client(org_id=org_id, transport=transport, max_retries=2) as cja:
        with pytest.raises(Exception) as caught:
            await cja.dataviews.create(DataView(name="never", parent_data_group_id="dg"))
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert cja.stats.retries == 2


async def test_get_is_retried_after_a_read_timeout(sim: Simulator, org_id: str) -> None:
    transport = LossyTransport(httpx.ASGITransport(app=sim), every_nth(2))
    async with sim.client(org_id=org_id, transport=transport) as cja:
        ids = [dv.id async for dv in cja.dataviews.list(limit=50)]
    assert len(ids) == len(set(ids)) == sim.dataviews
    assert cja.stats.retries > 0


async def test_put_and_delete_are_retried_after_a_read_timeout(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    transport = LossyTransport(httpx.ASGITransport(app=sim), every_nth(2))
    async with sim.client(org_id=org_id, transport=transport) as lossy:
        first = (await lossy.dataviews.list(limit=1)).items[0]
        view = await lossy.dataviews.get(first.id or "")
        view.name = "renamed"
        assert (await lossy.dataviews.update(first.id or "", view)).name == "renamed"
        await lossy.dataviews.delete(first.id or "")
    with pytest.raises(NotFoundError):
        await cja.dataviews.get(first.id or "")


async def test_network_failures_are_wrapped(sim: Simulator, org_id: str) -> None:
    transport = LossyTransport(httpx.ASGITransport(app=sim), every_nth(1), httpx.ReadTimeout)
    async with sim.client(org_id=org_id, transport=transport, max_retries=1) as cja:
        with pytest.raises(RequestTimeoutError) as caught:
            await cja.users.me()
    assert not isinstance(caught.value, httpx.HTTPError)
    assert caught.value.path == "/configuration/users/me"


# -- the limiter, end to end ----------------------------------------------------------


async def test_a_burst_of_twelve_calls_is_not_queued_for_seconds(
    cja: Client, sim: Simulator
) -> None:
    await cja.users.me()  # token fetched; the burst is what a web backend would see
    await anyio.sleep(1.0)  # and the windows are clear again
    t0 = now()
    await asyncio.gather(*(cja.users.me() for _ in range(12)))
    elapsed = now() - t0
    assert elapsed <= 1.2 * FAST_LIMITS.least_possible_time(12, LATENCY)
    assert sim.stats.rejected_429 == 0


async def test_a_bulk_walk_takes_about_the_least_possible_time(cja: Client, sim: Simulator) -> None:
    sim_pages = sim.dataviews // 2  # limit=2: a walk of 150 requests
    t0 = now()
    ids = [dv.id async for dv in cja.dataviews.list(limit=2)]
    elapsed = now() - t0
    assert len(ids) == len(set(ids)) == sim.dataviews
    assert sim.stats.rejected_429 == 0
    assert elapsed <= 1.03 * FAST_LIMITS.least_possible_time(sim_pages, LATENCY)


async def test_clients_of_one_org_share_one_budget(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id) as a, sim.client(org_id=org_id) as b:
        await asyncio.gather(*(c.users.me() for c in (a, b) for _ in range(40)))
    assert sim.stats.rejected_429 == 0


async def test_cancelling_a_request_frees_its_slot_at_once(org_id: str) -> None:
    limits = RateLimit(concurrency=1, windows=(Window(100, 1.0),))
    sim = Simulator(rate_limit=limits, latency=10.0)
    async with sim.client(org_id=org_id) as cja:
        slow = asyncio.ensure_future(cja.users.me())
        await asyncio.sleep(1.0)
        assert cja._limiter.in_flight == 1
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert cja._limiter.in_flight == 0
        sim.latency = 0.1
        t0 = now()
        await cja.users.me()
        # Not delayed by the cancelled one's concurrency slot (its window slot still counts).
        assert now() - t0 < 0.5


async def test_closing_the_client_ends_requests_in_flight_with_a_clear_error(
    org_id: str,
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=5.0)
    cja = sim.client(org_id=org_id)
    running = [asyncio.ensure_future(cja.users.me()) for _ in range(8)]
    await asyncio.sleep(1.0)
    await cja.aclose()
    results = await asyncio.gather(*running, return_exceptions=True)
    assert all(isinstance(r, ClientClosedError) for r in results)
    assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
    with pytest.raises(ClientClosedError):
        await cja.users.me()


async def test_closing_leaves_no_cancellation_behind_and_keeps_the_callers_own(
    org_id: str,
) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=5.0)
    cja = sim.client(org_id=org_id)

    async def call_then_go_on() -> str:
        with pytest.raises(ClientClosedError):
            await cja.users.me()
        await asyncio.sleep(0.5)  # the close's cancellation is spent: this await is not hit
        return "went on"

    going_on = asyncio.ensure_future(call_then_go_on())
    cancelled_by_caller = asyncio.ensure_future(cja.users.me())
    await asyncio.sleep(1.0)
    cancelled_by_caller.cancel()  # the caller cancels, then the client closes at once
    await cja.aclose()
    assert await going_on == "went on"
    with pytest.raises(asyncio.CancelledError):
        await cancelled_by_caller  # the caller's own cancellation is not turned into an error
    assert cja._limiter.in_flight == 0


# -- paging ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["analytics", "spring"])
async def test_both_page_objects_walk_every_item_once(shape: Any, org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, page_shape=shape, dataviews=95)
    async with sim.client(org_id=org_id) as cja:
        page = await cja.dataviews.list(limit=10, page=9)
        assert (page.number, page.total_elements, page.total_pages) == (9, 95, 10)
        assert page.is_last and len(page.items) == 5
        ids = [dv.id async for dv in cja.dataviews.list(limit=10)]
        pages = [p.number async for p in cja.dataviews.list(limit=10, page=3).pages()]
    assert len(ids) == len(set(ids)) == 95
    assert pages == list(range(3, 10))
    assert sim.stats.requests == 1 + 10 + 7  # never a request past the last page


async def test_bare_array_pages_stop_on_a_short_page(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/things")
    async def things(_sim: Simulator, req: Request) -> Response:
        limit, page = int(req.param("limit") or 10), int(req.param("page") or 0)
        items = [{"id": f"t{i}"} for i in range(23)][page * limit : (page + 1) * limit]
        return Response.json(items)

    async with sim.client(org_id=org_id) as cja:
        pager = cja.dataviews._pager(DataView, "/things", {}, limit=10)
        ids = [dv.id async for dv in pager]
    assert ids == [f"t{i}" for i in range(23)]


async def test_breaking_out_of_a_walk_cancels_the_pages_fetched_ahead(
    cja: Client, sim: Simulator
) -> None:
    async for _ in cja.dataviews.list(limit=10):
        break
    await asyncio.sleep(5)
    assert cja._limiter.in_flight == 0 and cja._limiter.waiting == 0
    assert sim.stats.requests <= 1 + 2 * FAST_LIMITS.concurrency


# -- models ---------------------------------------------------------------------------


async def test_get_change_update_keeps_every_member(cja: Client, sim: Simulator) -> None:
    first = (await cja.dataviews.list(limit=1)).items[0]
    assert first.id
    before = await cja.dataviews.get(first.id)
    stored_before = dict(sim.org(cja.org_id).dataviews.get(first.id))
    before.name = "Renamed"
    await cja.dataviews.update(first.id, before)
    stored_after = sim.org(cja.org_id).dataviews.get(first.id)
    changed = {k for k in stored_before if stored_before[k] != stored_after.get(k)}
    assert changed <= {"name", "modifiedDate"}
    assert set(stored_after) == set(stored_before)
    assert before.extra  # the simulator's members the model does not know came back too


async def test_created_model_sends_only_what_was_set(sim: Simulator, org_id: str) -> None:
    transport = LossyTransport(httpx.ASGITransport(app=sim), fail=lambda r: False)
    async with sim.client(org_id=org_id, transport=transport) as cja:
        created = await cja.dataviews.create(DataView(name="n", parent_data_group_id="dg"))
    body = json.loads(
        next(
            r for r in transport.sent if r.method == "POST" and not r.url.path.startswith("/ims/")
        ).content
    )
    assert body == {"name": "n", "parentDataGroupId": "dg"}
    assert created.id and created.name == "n"


# -- construction ---------------------------------------------------------------------


def test_http_is_refused_except_for_loopback() -> None:
    creds = OAuthCredentials(client_id="id", client_secret="s")
    with pytest.raises(ValueError, match="https"):
        Client(org_id="o@AdobeOrg", credentials=creds, base_url="http://cja.adobe.io")
    with pytest.raises(ValueError, match="https"):  # only a whole ".localhost" label
        Client(org_id="o@AdobeOrg", credentials=creds, base_url="http://notlocalhost")
    for url in (
        "http://127.0.0.1:8000",
        "http://localhost",
        "http://[::1]:9",
        "http://api.localhost",
    ):
        local = OAuthCredentials(client_id="id", client_secret="s", token_url=f"{url}/ims/t")
        Client(org_id="o@AdobeOrg", credentials=local, base_url=url)
    with pytest.raises(ValueError, match="token_url"):
        Client(
            org_id="o@AdobeOrg",
            credentials=OAuthCredentials(
                client_id="i", client_secret="s", token_url="http://x.io/t"
            ),
        )


def test_adobe_s_identity_server_for_an_api_on_loopback_is_refused() -> None:
    # The secret would go to Adobe while every call goes to a local simulator: a mistake.
    creds = OAuthCredentials(client_id="id", client_secret="s")
    with pytest.raises(ValueError, match=r"token_url='http://127\.0\.0\.1:8000/ims/token/v3'"):
        Client(org_id="o@AdobeOrg", credentials=creds, base_url="http://127.0.0.1:8000")
    static = StaticToken(access_token="t", client_id="id")  # no token request: nothing to say
    Client(org_id="o@AdobeOrg", credentials=static, base_url="http://127.0.0.1:8000")


def test_reprs_hide_secrets() -> None:
    creds = OAuthCredentials(client_id="id", client_secret="hunter2-secret")
    static = StaticToken(access_token="eyJ-token-value", client_id="id")
    client = Client(org_id="o@AdobeOrg", credentials=creds)
    for text in (repr(creds), str(creds), repr(static), repr(client)):
        assert "hunter2-secret" not in text and "eyJ-token-value" not in text


def test_credentials_from_environment_and_console_json(tmp_path: Any) -> None:
    env = {"CJA_CLIENT_ID": "cid", "CJA_CLIENT_SECRET": "sec", "CJA_SCOPES": "openid, AdobeID"}
    creds = OAuthCredentials.from_env(environ=env)
    assert (creds.client_id, creds.client_secret, creds.scopes) == (
        "cid",
        "sec",
        ("openid", "AdobeID"),
    )
    with pytest.raises(ValueError, match="CJA_CLIENT_SECRET"):
        OAuthCredentials.from_env(environ={"CJA_CLIENT_ID": "x"})

    console = {
        "CLIENT_SECRETS": ["p8e-secret"],
        "ORG_ID": "ABC@AdobeOrg",
        "SCOPES": ["openid", "AdobeID", "read_organizations"],
        "CLIENT_ID": "console-id",
        "TECHNICAL_ACCOUNT_ID": "x@techacct.adobe.com",
    }
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(console))
    creds = OAuthCredentials.from_console_json(path)
    assert (creds.client_id, creds.client_secret) == ("console-id", "p8e-secret")
    assert creds.scopes == ("openid", "AdobeID", "read_organizations")
    client = Client.from_console_json(path)
    assert client.org_id == "ABC@AdobeOrg"

    project = {
        "project": {
            "org": {"ims_org_id": "P@AdobeOrg"},
            "workspace": {
                "details": {
                    "credentials": [
                        {
                            "oauth_server_to_server": {
                                "client_id": "pid",
                                "client_secrets": ["ps"],
                                "scopes": ["openid"],
                            }
                        }
                    ]
                }
            },
        }
    }
    assert Client.from_console_json(project).org_id == "P@AdobeOrg"


def test_a_credential_json_without_what_it_needs_says_what_is_missing() -> None:
    with pytest.raises(
        ValueError, match=r"^the credential JSON must hold a client id and a client secret$"
    ):
        Client.from_console_json({"ORG_ID": "O@AdobeOrg", "CLIENT_ID": "cid"})
    no_oauth = {"project": {"workspace": {"details": {"credentials": [{"jwt": {}}]}}}}
    with pytest.raises(
        ValueError, match=r"^the project JSON holds no OAuth server-to-server credential$"
    ):
        Client.from_console_json(no_oauth)


def test_client_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CJA_ORG_ID", "ENV@AdobeOrg")
    monkeypatch.setenv("CJA_CLIENT_ID", "cid")
    monkeypatch.setenv("CJA_CLIENT_SECRET", "sec")
    client = Client.from_env()
    assert client.org_id == "ENV@AdobeOrg"


@pytest.mark.parametrize(
    "bad", ["ABC123", "ABC123@adobeorg", "ABC123@AdobeID", "@AdobeOrg", " A@AdobeOrg"]
)
def test_an_org_id_without_at_adobeorg_is_refused_at_construction(
    bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = OAuthCredentials(client_id="id", client_secret="secret")
    with pytest.raises(ValueError, match="ending in '@AdobeOrg'") as caught:
        Client(org_id=bad, credentials=credentials)
    assert repr(bad) in str(caught.value) and "secret" not in str(caught.value)
    # The same check wherever the org id comes from (the environment's values are stripped
    # first, see test_credential_values.py).
    for name, value in {"ORG_ID": bad, "CLIENT_ID": "id", "CLIENT_SECRET": "s"}.items():
        monkeypatch.setenv(f"CJA_{name}", value)
    if bad != bad.strip():
        assert Client.from_env().org_id == bad.strip()
        return
    with pytest.raises(ValueError, match="@AdobeOrg"):
        Client.from_env()


def test_timeout_error_no_longer_shadows_the_builtin_and_its_old_name_warns() -> None:
    import cja_async

    namespace: dict[str, Any] = {}
    exec("from cja_async import *", namespace)
    assert "TimeoutError" not in namespace and "RequestTimeoutError" in namespace
    assert not issubclass(RequestTimeoutError, TimeoutError)  # the builtin: not ours
    with pytest.warns(DeprecationWarning, match="RequestTimeoutError"):
        old = cja_async.TimeoutError  # type: ignore[attr-defined]
    assert old is RequestTimeoutError
    with pytest.raises(AttributeError, match="NoSuchError"):
        cja_async.NoSuchError  # type: ignore[attr-defined]  # noqa: B018


# -- every constructor argument is checked at construction ----------------------------------

_SECRET = "s3cret-never-shown"


@pytest.mark.parametrize(
    ("argument", "value", "error", "message"),
    [
        ("timeout", "10", TypeError, "timeout must be seconds or an httpx.Timeout, got str"),
        ("timeout", None, TypeError, "timeout must be seconds or an httpx.Timeout"),
        ("timeout", True, TypeError, "timeout must be seconds"),
        ("timeout", 0, ValueError, "timeout must be a positive finite number"),
        ("timeout", float("inf"), ValueError, "timeout must be a positive finite number"),
        ("org_id", 123, TypeError, "org_id must be a str such as 'XXXX@AdobeOrg', got int"),
        ("org_id", None, TypeError, "org_id must be a str"),
        ("org_id", "  ", ValueError, "org_id must be a non-empty string"),
        ("base_url", 8080, TypeError, "base_url must be a str"),
        ("base_url", "cja.adobe.io", ValueError, "base_url must be an https:// URL"),
        ("max_retries", "5", TypeError, "max_retries must be an int, got str"),
        ("max_retries", -1, ValueError, "max_retries must be at least 0"),
        ("max_response_bytes", 2.5, TypeError, "max_response_bytes must be an int"),
        ("page_size", "100", TypeError, "page_size must be an int, got str"),
        ("page_size", 5000, ValueError, "page_size must be between 1 and 1000"),
        ("rate_limit", {"concurrency": 6}, TypeError, "rate_limit must be a RateLimit"),
        (
            "transport",
            object(),
            TypeError,
            "transport must be an httpx.AsyncBaseTransport, got object",
        ),
        ("credentials", _SECRET, TypeError, "credentials must be OAuthCredentials"),
        (
            "limiter_backend",
            object(),
            TypeError,
            "limiter_backend must have a limiter_for(org_id, rate_limit) method",
        ),
    ],
)
def test_a_wrong_constructor_argument_fails_at_construction_naming_it(
    argument: str, value: object, error: type[Exception], message: str
) -> None:
    kwargs: dict[str, Any] = {
        "org_id": "O@AdobeOrg",
        "credentials": OAuthCredentials(client_id="id", client_secret=_SECRET),
        argument: value,
    }
    with pytest.raises(error, match=re.escape(message)) as caught:
        Client(**kwargs)
    assert _SECRET not in str(caught.value)


def test_a_password_in_a_refused_base_url_is_not_shown() -> None:
    credentials = OAuthCredentials(client_id="id", client_secret="s")
    with pytest.raises(ValueError, match="https://") as caught:
        Client(org_id="O@AdobeOrg", credentials=credentials, base_url=f"http://u:{_SECRET}@h")
    assert _SECRET not in str(caught.value) and "u:***@h" in str(caught.value)


async def test_a_timeout_in_seconds_still_applies(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.0)
    async with sim.client(org_id=org_id, timeout=10) as cja:
        assert isinstance(await cja.users.me(), User)
