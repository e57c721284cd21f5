"""Tests of the in-process CJA simulator (``cja_async.testing``), spoken to with plain httpx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import anyio
import httpx
import pytest

from cja_async._config import RateLimit, Window
from cja_async.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_ORG_ID,
    Faults,
    Request,
    Response,
    Router,
    SimStats,
    Simulator,
    VirtualTimeLoop,
    expand,
)

pytestmark = pytest.mark.anyio

NO_LIMITS: Any = None
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "sim-client",
    "client_secret": "sim-secret",
    "scope": "openid,AdobeID,read_organizations",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Api:
    """A minimal hand-written caller: fetches a token and sends the gateway headers."""

    def __init__(self, http: httpx.AsyncClient, token: str, client_id: str, org_id: str) -> None:
        self.http = http
        self.headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": client_id,
            "x-gw-ims-org-id": org_id,
            "Accept": "application/json",
        }

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self.headers)

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, path, json=body, headers=self.headers)


def client_for(sim: Simulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url="http://testserver")


async def get_token(http: httpx.AsyncClient, **form: str) -> str:
    response = await http.post("/ims/token/v3", data={**TOKEN_FORM, **form})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def connect(
    http: httpx.AsyncClient,
    client_id: str = "sim-client",
    secret: str = "sim-secret",
    org_id: str = DEFAULT_ORG_ID,
) -> Api:
    token = await get_token(http, client_id=client_id, client_secret=secret)
    return Api(http, token, client_id, org_id)


@pytest.fixture
async def sim_api() -> AsyncIterator[tuple[Simulator, Api]]:
    sim = Simulator(rate_limit=NO_LIMITS)
    async with client_for(sim) as http:
        yield sim, await connect(http)


# -- token endpoint -----------------------------------------------------------------------


async def test_token_success_and_request_id() -> None:
    sim = Simulator(token_ttl=3600.5)
    async with client_for(sim) as http:
        response = await http.post("/ims/token/v3", data=TOKEN_FORM)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert response.headers["x-request-id"]
    assert sim.stats.token_requests == 1
    assert sim.stats.requests == 0


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({"client_id": "nobody"}, 401, "invalid_client", "invalid client_id parameter"),
        ({"client_secret": "wrong"}, 401, "invalid_client", "invalid client_secret parameter"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", None),
    ],
)
async def test_token_errors(
    form: dict[str, str], status: int, error: str, description: str | None
) -> None:
    async with client_for(Simulator()) as http:
        response = await http.post("/ims/token/v3", data={**TOKEN_FORM, **form})
    assert response.status_code == status
    assert response.json()["error"] == error
    if description:
        assert response.json()["error_description"] == description


async def test_token_error_rate_answers_503() -> None:
    sim = Simulator(faults=Faults(token_error_rate=1.0))
    async with client_for(sim) as http:
        response = await http.post("/ims/token/v3", data=TOKEN_FORM)
    assert response.status_code == 503
    assert sim.stats.faults_injected == 1


async def test_token_expires_on_sim_clock() -> None:
    sim = Simulator(rate_limit=NO_LIMITS, token_ttl=0.05)
    async with client_for(sim) as http:
        api = await connect(http)
        assert (await api.get("/configuration/users/me")).status_code == 200
        await anyio.sleep(0.06)
        response = await api.get("/configuration/users/me")
    assert response.status_code == 401
    assert response.json() == {"error_code": "401013", "message": "Oauth token is not valid"}


async def test_revoke_tokens_then_renew() -> None:
    sim = Simulator(rate_limit=NO_LIMITS)
    async with client_for(sim) as http:
        api = await connect(http)
        sim.revoke_tokens()
        assert (await api.get("/configuration/users/me")).status_code == 401
        api = await connect(http)
        assert (await api.get("/configuration/users/me")).status_code == 200


# -- gateway auth -------------------------------------------------------------------------


async def test_auth_errors_in_gateway_and_service_shapes(sim_api: tuple[Simulator, Api]) -> None:
    sim, api = sim_api
    http = api.http
    missing = await http.get("/data/dataviews", headers={"x-api-key": DEFAULT_CLIENT_ID})
    assert missing.status_code == 403
    assert missing.json() == {"error_code": "403010", "message": "Oauth token is missing."}
    assert missing.headers["x-request-id"]

    bad = await http.get("/data/dataviews", headers={**api.headers, "Authorization": "Bearer x"})
    assert bad.status_code == 401
    assert bad.json() == {"error_code": "401013", "message": "Oauth token is not valid"}

    key = await http.get("/data/dataviews", headers={**api.headers, "x-api-key": "other"})
    assert key.status_code == 403
    assert key.json() == {"error_code": "403003", "message": "Api Key is invalid"}

    org = await http.get("/data/dataviews", headers={**api.headers, "x-gw-ims-org-id": "X@Org"})
    assert org.status_code == 403
    assert org.json()["errorCode"] == "insufficient_access"
    assert {"errorDescription", "errorId"} <= set(org.json())

    assert sim.stats.auth_failures == 4
    assert sim.stats.requests == 0


# -- routing ------------------------------------------------------------------------------


async def test_unknown_path_and_wrong_method(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    unknown = await api.get("/no/such/thing")
    assert unknown.status_code == 404
    assert unknown.json()["errorCode"] == "resource_not_found"
    wrong = await api.send("PATCH", "/data/dataviews")
    assert wrong.status_code == 405
    assert wrong.json()["errorCode"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


async def test_routes_can_be_added_per_instance() -> None:
    sim = Simulator(rate_limit=NO_LIMITS)
    extra = Router()

    @extra.route("GET", "/things/{thingId}")
    async def thing(sim: Simulator, req: Request) -> Response:
        return Response.json(expand({"id": req.path_params["thingId"], "x": 1, "y": 2}, ["x"]))

    sim.router.include(extra)
    async with client_for(sim) as http:
        api = await connect(http)
        response = await api.get("/things/t1")
    assert response.json() == {"id": "t1", "x": 1}


async def test_lifespan_startup_and_shutdown() -> None:
    sim = Simulator()
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await sim({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


# -- users --------------------------------------------------------------------------------


async def test_current_user_and_admin_expansion(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    me = (await api.get("/configuration/users/me")).json()
    assert me["imsUserId"].endswith("@techacct.adobe.com")
    assert {"fullName", "email", "login", "organization"} <= set(me)
    assert "admin" not in me
    admin = (await api.get("/configuration/users/me", expansion="admin")).json()
    assert admin["admin"] is True


async def test_org_users_spring_pages(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    first = (await api.get("/configuration/orgs/users", limit=10)).json()
    assert first["totalElements"] == 25
    assert first["totalPages"] == 3
    assert first["first"] is True and first["last"] is False
    assert first["pageable"]["pageSize"] == 10
    assert "images" not in first["content"][0]
    last = (await api.get("/configuration/orgs/users", limit=10, page=2, expansion="images")).json()
    assert last["last"] is True
    assert last["numberOfElements"] == 5
    assert "images" in last["content"][0]


# -- data views: listing ------------------------------------------------------------------


async def test_dataviews_analytics_page_defaults(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    body = (await api.get("/data/dataviews")).json()
    assert set(body) == {
        "content",
        "totalElements",
        "totalPages",
        "numberOfElements",
        "number",
        "firstPage",
        "lastPage",
        "sort",
        "size",
    }
    assert body["totalElements"] == 300
    assert body["totalPages"] == 30
    assert body["size"] == 10
    assert body["firstPage"] is True and body["lastPage"] is False
    assert all(set(item) == {"id"} for item in body["content"])
    assert all(item["id"].startswith("dv_") for item in body["content"])


async def test_dataviews_paging_until_last_page(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    seen: list[str] = []
    page = 0
    while True:
        body = (await api.get("/data/dataviews", limit=70, page=page)).json()
        seen.extend(item["id"] for item in body["content"])
        assert body["number"] == page
        if body["lastPage"]:
            break
        page += 1
    assert page == 4
    assert body["numberOfElements"] == 20
    assert body["number"] + 1 == body["totalPages"]
    assert len(seen) == len(set(seen)) == 300

    past = (await api.get("/data/dataviews", limit=70, page=9)).json()
    assert past["content"] == []
    assert past["lastPage"] is True
    assert past["numberOfElements"] == 0


async def test_dataviews_spring_page_shape() -> None:
    sim = Simulator(rate_limit=NO_LIMITS, page_shape="spring", dataviews=25)
    async with client_for(sim) as http:
        api = await connect(http)
        body = (await api.get("/data/dataviews", limit=10, page=2, sortProperty="name")).json()
        past = (await api.get("/data/dataviews", limit=10, page=3)).json()
    assert body["pageable"] == {
        "pageNumber": 2,
        "pageSize": 10,
        "offset": 20,
        "paged": True,
        "unpaged": False,
        "sort": {"sorted": True, "unsorted": False, "empty": False},
    }
    assert (body["first"], body["last"], body["empty"]) == (False, True, False)
    assert (body["totalElements"], body["totalPages"], body["numberOfElements"]) == (25, 3, 5)
    assert (body["size"], body["number"]) == (10, 2)
    assert past["empty"] is True and past["last"] is True and past["content"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": "ten"},
        {"page": -1},
        {"sortProperty": "color"},
        {"sortDirection": "up"},
    ],
)
async def test_dataviews_bad_parameters(
    sim_api: tuple[Simulator, Api], params: dict[str, Any]
) -> None:
    _sim, api = sim_api
    response = await api.get("/data/dataviews", **params)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_parameters"


async def test_dataviews_limit_bounds_accepted(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    assert len((await api.get("/data/dataviews", limit=1000)).json()["content"]) == 300
    assert len((await api.get("/data/dataviews", limit=1)).json()["content"]) == 1


async def test_dataviews_expansion(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    body = (await api.get("/data/dataviews", expansion="name,owner,modified,nonsense")).json()
    item = body["content"][0]
    assert set(item) == {"id", "name", "owner", "modifiedDate"}
    assert set(item["owner"]) == {"imsUserId", "name"}


async def test_dataviews_filters(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    everything = (
        await api.get("/data/dataviews", limit=1000, expansion="parentDataGroupId,externalData")
    ).json()["content"]
    group = everything[0]["parentDataGroupId"]
    in_group = (await api.get("/data/dataviews", limit=1000, parentDataGroupId=group)).json()
    expected = [v["id"] for v in everything if v["parentDataGroupId"] == group]
    assert [v["id"] for v in in_group["content"]] == expected

    ids = [everything[3]["id"], everything[7]["id"]]
    by_id = (await api.get("/data/dataviews", dataViewIds=",".join(ids))).json()
    assert sorted(v["id"] for v in by_id["content"]) == sorted(ids)

    ext = everything[5]["externalData"]
    by_ext = (await api.get("/data/dataviews", externalIds=ext["externalId"])).json()
    assert [v["id"] for v in by_ext["content"]] == [everything[5]["id"]]
    by_parent = (
        await api.get("/data/dataviews", limit=1000, externalParentIds=ext["externalParentId"])
    ).json()
    assert everything[5]["id"] in {v["id"] for v in by_parent["content"]}
    assert by_parent["totalElements"] < 300


async def test_dataviews_sorting(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    by_id = (await api.get("/data/dataviews", limit=1000)).json()["content"]
    ids = [v["id"] for v in by_id]
    assert ids == sorted(ids)
    desc = (
        await api.get(
            "/data/dataviews",
            limit=1000,
            sortProperty="modifiedDate",
            sortDirection="desc",
            expansion="modified",
        )
    ).json()
    dates = [v["modifiedDate"] for v in desc["content"]]
    assert dates == sorted(dates, reverse=True)
    assert desc["sort"][0]["direction"] == "DESC"
    names = await api.get("/data/dataviews", limit=1000, sortProperty="name", expansion="name")
    listed = [v["name"] for v in names.json()["content"]]
    assert listed == sorted(listed)


# -- data views: CRUD ---------------------------------------------------------------------


async def test_dataview_crud_keeps_unknown_members(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    new = {
        "name": "Mine",
        "parentDataGroupId": "dg_1",
        "description": "d",
        "futureMember": {"nested": [1, 2, {"deep": True}]},
    }
    created = await api.send("POST", "/data/dataviews", new)
    assert created.status_code == 200
    view = created.json()
    assert view["id"].startswith("dv_") and len(view["id"]) == 27
    assert view["futureMember"] == new["futureMember"]
    assert {"createdDate", "modifiedDate"} <= set(view)

    fetched = (await api.get(f"/data/dataviews/{view['id']}")).json()
    assert fetched == view

    replaced = await api.send("PUT", f"/data/dataviews/{view['id']}", {"name": "Renamed"})
    assert replaced.status_code == 200
    stored = (await api.get(f"/data/dataviews/{view['id']}")).json()
    # A PUT overwrites whole: members the body left out are gone.
    assert set(stored) == {"id", "name", "modifiedDate"}
    assert stored["name"] == "Renamed"

    deleted = await api.send("DELETE", f"/data/dataviews/{view['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["result"] == "success"
    gone = await api.get(f"/data/dataviews/{view['id']}")
    assert gone.status_code == 404
    assert gone.json()["errorCode"] == "resource_not_found"
    listed = (await api.get("/data/dataviews", limit=1000)).json()
    assert view["id"] not in {v["id"] for v in listed["content"]}
    with_deleted = (await api.get("/data/dataviews", limit=1000, includeType="deleted")).json()
    assert view["id"] in {v["id"] for v in with_deleted["content"]}


async def test_seeded_dataview_full_object(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    first = (await api.get("/data/dataviews", limit=1)).json()["content"][0]
    view = (await api.get(f"/data/dataviews/{first['id']}")).json()
    for member in (
        "name",
        "description",
        "owner",
        "parentDataGroupId",
        "organization",
        "timezoneDesignator",
        "currentTimezoneOffset",
        "sessionDefinition",
        "externalData",
        "containerNames",
        "createdDate",
        "modifiedDate",
    ):
        assert member in view
    assert view["organization"] == DEFAULT_ORG_ID


@pytest.mark.parametrize(
    "body", [{"parentDataGroupId": "dg_1"}, {"name": "x"}, {"name": "", "parentDataGroupId": "g"}]
)
async def test_create_requires_name_and_group(
    sim_api: tuple[Simulator, Api], body: dict[str, Any]
) -> None:
    _sim, api = sim_api
    response = await api.send("POST", "/data/dataviews", body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_parameters"


async def test_invalid_json_and_missing_dataview(sim_api: tuple[Simulator, Api]) -> None:
    _sim, api = sim_api
    response = await api.http.post(
        "/data/dataviews",
        content=b"{not json",
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_parameters"
    for method in ("GET", "PUT", "DELETE"):
        missing = await api.send(method, "/data/dataviews/dv_missing", {"name": "x"})
        assert missing.status_code == 404, method


# -- orgs and determinism -----------------------------------------------------------------


async def test_orgs_are_isolated_and_seeded_deterministically() -> None:
    sim = Simulator(rate_limit=NO_LIMITS)
    sim.add_client(client_id="other", client_secret="s2", org_id="OTHER@AdobeOrg")
    async with client_for(sim) as http:
        mine = await connect(http)
        theirs = await connect(http, client_id="other", secret="s2", org_id="OTHER@AdobeOrg")
        made = (
            await mine.send("POST", "/data/dataviews", {"name": "n", "parentDataGroupId": "g"})
        ).json()
        assert (await theirs.get(f"/data/dataviews/{made['id']}")).status_code == 404
        my_ids = (await mine.get("/data/dataviews", limit=1000)).json()["content"]
        their_ids = (await theirs.get("/data/dataviews", limit=1000)).json()["content"]
    assert len(my_ids) == 301 and len(their_ids) == 300
    assert not {v["id"] for v in my_ids} & {v["id"] for v in their_ids}
    assert sim.org_stats("OTHER@AdobeOrg").requests == 2
    assert sim.org_stats(DEFAULT_ORG_ID).requests == 2
    assert sim.stats.requests == 4

    again = Simulator(rate_limit=NO_LIMITS)
    async with client_for(again) as http:
        api = await connect(http)
        same = (await api.get("/data/dataviews", limit=1000)).json()["content"]
    assert {v["id"] for v in same} == {v["id"] for v in my_ids} - {made["id"]}


# -- rate limits --------------------------------------------------------------------------


async def test_concurrency_limit_answers_429() -> None:
    limit = RateLimit(concurrency=2, windows=(Window(100, 60.0),))
    sim = Simulator(rate_limit=limit, latency=0.05)
    async with client_for(sim) as http:
        api = await connect(http)
        statuses: list[int] = []
        retry_after: list[str] = []

        async def call() -> None:
            response = await api.get("/configuration/users/me")
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.json() == {"error_code": "429050", "message": "Too many requests"}
                retry_after.append(response.headers["retry-after"])

        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(call)
    assert sorted(statuses) == [200, 200, 429]
    assert retry_after == ["1"]
    assert sim.stats.max_in_flight == 2
    assert sim.stats.rejected_429 == 1
    assert sim.stats.requests == 3
    assert len(sim.stats.starts) == 2
    assert sim.stats.in_flight == 0


async def test_sliding_window_answers_429_until_oldest_leaves() -> None:
    sim = Simulator(rate_limit=RateLimit(concurrency=10, windows=(Window(3, 0.2),)))
    async with client_for(sim) as http:
        api = await connect(http)
        for _ in range(3):
            assert (await api.get("/configuration/users/me")).status_code == 200
            await anyio.sleep(0.05)
        rejected = await api.get("/configuration/users/me")
        assert rejected.status_code == 429
        assert rejected.headers["retry-after"] == "1"
        # Rejected requests do not count: the window frees when the first admitted one leaves.
        await anyio.sleep(sim.stats.starts[0] + 0.2 - anyio.current_time() + 0.01)
        assert (await api.get("/configuration/users/me")).status_code == 200
        assert (await api.get("/configuration/users/me")).status_code == 429
    assert sim.stats.rejected_429 == 2
    assert len(sim.stats.starts) == 4
    assert sim.stats.by_path["/configuration/users/me"] == 6


async def test_retry_after_rounds_up_remaining_window() -> None:
    sim = Simulator(rate_limit=RateLimit(concurrency=10, windows=(Window(1, 2.5),)))
    async with client_for(sim) as http:
        api = await connect(http)
        assert (await api.get("/configuration/users/me")).status_code == 200
        rejected = await api.get("/configuration/users/me")
    assert rejected.headers["retry-after"] == "3"


async def test_token_requests_are_not_rate_limited() -> None:
    sim = Simulator(rate_limit=RateLimit(concurrency=1, windows=(Window(1, 10.0),)))
    async with client_for(sim) as http:
        for _ in range(5):
            await get_token(http)
    assert sim.stats.token_requests == 5
    assert sim.stats.rejected_429 == 0


async def test_latency_holds_requests_in_flight() -> None:
    sim = Simulator(rate_limit=RateLimit(concurrency=6, windows=(Window(6, 1.0),)), latency=0.05)
    async with client_for(sim) as http:
        api = await connect(http)
        started = anyio.current_time()
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(api.get, "/configuration/users/me")
        elapsed = anyio.current_time() - started
    assert elapsed >= 0.05
    assert sim.stats.max_in_flight == 6
    assert sim.stats.in_flight == 0
    assert sim.stats.rejected_429 == 0


# -- faults -------------------------------------------------------------------------------


async def test_error_faults_in_both_shapes() -> None:
    sim = Simulator(rate_limit=NO_LIMITS, faults=Faults(error_rate=1.0, error_statuses=(500,)))
    async with client_for(sim) as http:
        api = await connect(http)
        service = await api.get("/configuration/users/me")
        sim.faults.error_statuses = (503,)
        gateway = await api.get("/configuration/users/me")
        sim.faults.error_rate = 0.0
        healthy = await api.get("/configuration/users/me")
    assert service.status_code == 500
    assert service.json()["errorCode"] == "unexpected_error"
    assert service.json()["errorDescription"] == "Simulated failure"
    assert gateway.status_code == 503
    assert gateway.json()["error_code"] == "503000"
    assert healthy.status_code == 200
    assert sim.stats.faults_injected == 2


async def test_slow_faults_add_delay() -> None:
    sim = Simulator(rate_limit=NO_LIMITS, faults=Faults(slow_rate=1.0, slow_seconds=0.05))
    async with client_for(sim) as http:
        api = await connect(http)
        started = anyio.current_time()
        response = await api.get("/configuration/users/me")
        elapsed = anyio.current_time() - started
    assert response.status_code == 200
    assert elapsed >= 0.05
    assert sim.stats.faults_injected == 1


def test_faults_validate_rates() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="page_shape"):
        Simulator(page_shape="xml")  # type: ignore[arg-type]


def test_response_json_helper() -> None:
    response = Response.json({"a": 1}, 201, {"X-Thing": "y"})
    assert json.loads(response.body) == {"a": 1}
    assert response.header("x-thing") == "y"


@pytest.mark.parametrize("anyio_backend", [("asyncio", {"loop_factory": VirtualTimeLoop})])
@pytest.mark.parametrize("count_at", ["random", "response"])
async def test_counting_after_arrival_rejects_clients_that_only_pace_sends(count_at: Any) -> None:
    """Sends spaced exactly at the window's rate pass a gateway counting at arrival, but not
    one that counts later in each request's life, as Adobe's may."""
    limit = RateLimit(concurrency=6, windows=(Window(3, 0.3),))
    sim = Simulator(rate_limit=limit, latency=0.08, count_at=count_at, seed=3)
    async with sim.client(org_id="PACE@AdobeOrg") as cja:
        token = await cja._auth.token()
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": "client-PACE@AdobeOrg",
            "x-gw-ims-org-id": "PACE@AdobeOrg",
        }

        async def one() -> int:
            response = await cja._http.get("/configuration/users/me", headers=headers)
            return response.status_code

        tasks = []
        for _ in range(30):  # one send every 0.1 s: exactly 3 per 0.3 s by arrival
            tasks.append(asyncio.ensure_future(one()))
            await anyio.sleep(0.1)
        statuses = await asyncio.gather(*tasks)
        await anyio.sleep(1.0)  # the windows clear
        rejected = sim.stats.rejected_429
        # cja-async's own limiter holds under every counting model.
        ids = [dv.id async for dv in cja.dataviews.list(limit=5)]
    if count_at == "random":
        assert 429 in statuses
    assert set(statuses) <= {200, 429}
    assert len(ids) == sim.dataviews
    assert sim.stats.rejected_429 == rejected


def test_unsafe_starts_are_those_a_late_counting_gateway_could_refuse() -> None:
    limit = RateLimit(concurrency=6, windows=(Window(2, 1.0),))
    stats = SimStats()
    # At 1.2 both earlier requests ended less than 1 s before: a gateway counting them at
    # 0.5 and 0.9 (their ends) and this one at 1.2 has 3 in [0.5, 1.5).
    stats.spans = [(1.2, 1.3), (0.0, 0.5), (0.5, 0.9)]
    assert stats.unsafe_starts(limit) == 1
    stats.spans = [(0.0, 0.5), (0.5, 0.9), (1.6, 1.7)]  # the first slot is surely free at 1.5
    assert stats.unsafe_starts(limit) == 0
    stats.spans = [(0.0, 5.0), (0.1, 0.2), (0.3, 0.4)]  # one still in flight holds its slot
    assert stats.unsafe_starts(limit) == 1


@pytest.mark.parametrize("anyio_backend", [("asyncio", {"loop_factory": VirtualTimeLoop})])
async def test_a_pacer_can_pass_an_arrival_counting_gateway_and_still_be_unsafe() -> None:
    """Spacing sends evenly gets no 429 from a gateway that counts at arrival, but a
    gateway that counts at the response could refuse; cja-async is safe against both."""
    limit = RateLimit(concurrency=6, windows=(Window(12, 0.6),))
    paced = Simulator(rate_limit=limit, latency=0.5)
    async with client_for(paced) as http:
        api = await connect(http)

        async def one(delay: float) -> None:
            await anyio.sleep(delay)
            assert (await api.get("/configuration/users/me")).status_code == 200

        async with anyio.create_task_group() as tg:
            for index in range(24):  # 1 per 0.09 s: 7 arrivals per 0.6 s, 6 in flight
                tg.start_soon(one, index * 0.09)
    assert paced.stats.rejected_429 == 0
    assert paced.stats.unsafe_starts(limit) > 0
    safe = Simulator(rate_limit=limit, latency=0.5, count_at="random")
    async with safe.client(rate_limit=limit) as cja:
        await asyncio.gather(*(cja.users.me() for _ in range(24)))
    assert len(safe.stats.spans) == 24
    assert safe.stats.rejected_429 == 0 and safe.stats.unsafe_starts(limit) == 0
