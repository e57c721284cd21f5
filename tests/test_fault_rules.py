"""Per-route fault rules (``sim.on``) and the record of calls (``sim.calls``, ``rule.calls``)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from api_calls import SEGMENT_DEFINITION
from conftest import FAST_LIMITS

from cja_async import (
    AuthenticationError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimit,
    ResponseDecodeError,
    ServerError,
    TransportError,
    Window,
)
from cja_async.models import DataView, Segment
from cja_async.testing import TOKEN_PATH, Faults, Response, Simulator, Strike

pytestmark = pytest.mark.anyio


async def test_503_twice_on_get_segments_then_it_answers(sim: Simulator, org_id: str) -> None:
    segments = sim.on("GET", "/segments").fail(503, times=2)
    async with sim.client(org_id=org_id) as cja:
        page = await cja.segments.list(limit=5)
        views = [dv.id async for dv in cja.dataviews.list(limit=5)]
    assert len(page.items) == 5 and len(views) == sim.dataviews
    assert [call.status for call in segments.calls] == [503, 503, 200]
    assert cja.stats.retries == 2
    assert sim.stats.faults_injected == 2
    # Other routes were not touched, and the rule saw only its own route.
    assert {call.path for call in segments.calls} == {"/segments"}
    assert all(call.status == 200 for call in sim.calls if call.path == "/data/dataviews")


async def test_rules_match_templates_methods_and_orgs(sim: Simulator, org_id: str) -> None:
    one = sim.on("GET", "/segments/{id}").fail(404)
    other_org = sim.on("*", "/segments", org_id="OTHER@AdobeOrg").fail(500)
    async with sim.client(org_id=org_id) as cja:
        first = (await cja.segments.list(limit=1)).items[0]
        with pytest.raises(NotFoundError):
            await cja.segments.get(first.id or "")
    assert [(c.method, c.path, c.status) for c in one.calls] == [
        ("GET", f"/segments/{first.id}", 404)
    ]
    assert not other_org.called and other_org.call_count == 0


async def test_sim_calls_keep_what_was_sent_but_never_the_token(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id) as cja:
        views = await cja.dataviews.list(limit=3)
        await cja.segments.create(
            Segment(name="mine", rsid=views.items[0].id or "", definition=SEGMENT_DEFINITION)
        )
    listed, created = sim.calls[0], sim.calls[-1]
    assert (listed.method, listed.path, listed.params["limit"]) == ("GET", "/data/dataviews", "3")
    assert listed.org_id == org_id and listed.status == 200
    assert (created.method, created.path, created.status) == ("POST", "/segments", 200)
    assert created.json()["name"] == "mine"
    assert created.headers["x-gw-ims-org-id"] == org_id
    assert "authorization" not in created.headers
    assert "Bearer" not in repr(sim.calls) and "authorization" not in repr(sim.calls)
    assert [call.at for call in sim.calls] == sorted(call.at for call in sim.calls)
    sim.reset_stats()
    assert sim.calls == []


async def test_a_sequence_of_outcomes_then_normal_answers(sim: Simulator, org_id: str) -> None:
    teapot = Response.json({"error_code": "teapot", "message": "short and stout"}, 418)
    rule = sim.on("GET", "/data/dataviews", ["cut", "garbage", teapot, None, 502])
    async with sim.client(org_id=org_id, max_retries=0) as cja:
        with pytest.raises(TransportError):
            await cja.dataviews.list(limit=1)
        with pytest.raises(ResponseDecodeError):
            await cja.dataviews.list(limit=1)
        with pytest.raises(Exception) as caught:
            await cja.dataviews.list(limit=1)
        assert getattr(caught.value, "status_code", None) == 418
        assert len((await cja.dataviews.list(limit=1)).items) == 1
        with pytest.raises(ServerError):
            await cja.dataviews.list(limit=1)
        assert len((await cja.dataviews.list(limit=1)).items) == 1  # the sequence ran out
    # A cut connection was never answered in full: no status recorded.
    assert [c.status for c in rule.calls] == [None, 200, 418, 200, 502, 200]
    assert sim.stats.faults_injected == 4


async def test_callable_and_faults_side_effects(sim: Simulator, org_id: str) -> None:
    def fail_big_pages(req: object) -> int | None:
        return 400 if req.param("limit") == "7" else None

    sim.on("GET", "/data/dataviews", fail_big_pages)
    outage = sim.on("GET", "/segments", Faults(error_rate=1.0, error_statuses=(504,)))
    async with sim.client(org_id=org_id, max_retries=1) as cja:
        assert len((await cja.dataviews.list(limit=6)).items) == 6
        with pytest.raises(Exception) as caught:
            await cja.dataviews.list(limit=7)
        assert getattr(caught.value, "status_code", None) == 400
        with pytest.raises(ServerError):
            await cja.segments.list(limit=1)
        assert (await cja.users.me()).email  # other routes see no outage
    assert [c.status for c in outage.calls] == [504, 504]
    outage.reset()
    assert outage.calls == [] and outage.side_effect is None


async def test_delay_holds_requests_longer(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.0)
    rule = sim.on("GET", "/data/dataviews").delay(2.0, times=1)
    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()
        await cja.dataviews.list(limit=1)
        await cja.dataviews.list(limit=1)
    first, second = sim.stats.spans[-2:]
    assert first[1] - first[0] >= 2.0 and second[1] - second[0] < 0.5
    assert rule.call_count == 2


async def test_a_rule_on_the_token_endpoint_fails_the_identity_server(
    sim: Simulator, org_id: str
) -> None:
    tokens = sim.on("POST", TOKEN_PATH).fail(503, times=1)
    async with sim.client(org_id=org_id) as cja:
        assert (await cja.users.me()).email
    assert [c.status for c in tokens.calls] == [503, 200]
    assert sim.calls[0].path == "/configuration/users/me"  # sim.calls: API requests only
    assert sim.stats.token_requests == 2
    assert all(c.body == b"" for c in tokens.calls)  # the form with the secret is not kept


async def test_rules_see_only_requests_the_gateway_admits(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.05)
    rule = sim.on("GET", "/configuration/users/me").fail(503, times=1)
    # A client that ignores the org's limits: the gateway refuses some of its requests.
    careless = RateLimit(concurrency=50, windows=(Window(10_000, 0.001),))
    async with sim.client(org_id=org_id, rate_limit=careless, max_retries=10) as cja:
        await asyncio.gather(*(cja.users.me() for _ in range(30)))
    answered = [c.status for c in rule.calls]
    assert answered.count(429) > 0  # rejected ones are recorded ...
    assert answered.count(503) == 1  # ... but did not use up the "503 once"
    assert answered.count(200) == 30


def test_bad_outcomes_are_refused_when_the_rule_is_made() -> None:
    sim = Simulator()
    with pytest.raises(ValueError, match="HTTP status"):
        sim.on("GET", "/segments").fail(42)
    with pytest.raises(ValueError, match="times"):
        sim.on("GET", "/segments").fail(503, times=-1)
    assert Strike(delay=1.0, status=503, cut=True).faults == 3


async def test_record_calls_off_keeps_nothing(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, record_calls=False)
    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()
    assert sim.calls == [] and sim.stats.requests == 1


async def test_an_exception_outcome_loses_the_answer_after_the_work_is_done(
    sim: Simulator, org_id: str
) -> None:
    reads = sim.on("GET", "/configuration/users/me").raises(httpx.ReadTimeout("lost"), times=1)
    writes = sim.on("POST", "/data/dataviews", [httpx.ReadTimeout("lost")])
    async with sim.client(org_id=org_id) as cja:
        assert (await cja.users.me()).email  # a GET is retried
        with pytest.raises(OutcomeUnknownError):
            await cja.dataviews.create(DataView(name="once", parent_data_group_id="dg"))
        names = [dv.name async for dv in cja.dataviews.list(expansion=["name"], limit=1000)]
    assert reads.call_count == 2 and cja.stats.retries >= 1
    assert writes.call_count == 1 and names.count("once") == 1  # carried out, never repeated
    assert writes.calls[0].status is None  # no answer was sent


async def test_every_kind_of_rule_acts_on_the_identity_server(sim: Simulator, org_id: str) -> None:
    """Delay, a cut connection, an HTML page and a raised error reach the token request as
    they reach API requests (a rule on TOKEN_PATH only ever failed it by its status)."""
    loop = asyncio.get_running_loop()
    # Rules are asked in order: the first two fail one token request each, the third holds
    # the next one before it is answered.
    sim.on("POST", TOKEN_PATH).cut(times=1)
    sim.on("POST", TOKEN_PATH).raises(httpx.ReadTimeout("lost"), times=1)
    sim.on("POST", TOKEN_PATH).delay(5.0, times=1)
    faults = sim.stats.faults_injected
    started = loop.time()
    async with sim.client(org_id=org_id) as cja:
        assert (await cja.users.me()).email  # the client's token retries get past them
        assert loop.time() - started >= 5.0
    assert sim.stats.token_requests == 3
    assert sim.stats.faults_injected - faults == 3
    sim.on("POST", TOKEN_PATH).garbage(times=1)  # a proxy's page: 200, but no token in it
    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(AuthenticationError, match="200 without a usable access_token"):
            await cja.users.me()
