"""The client's loop as a user meets it: where success ends, what it counts, what a cached
answer still knows (written for the mutation run of issue #18: each test here catches a
planted bug nothing else caught)."""

from __future__ import annotations

import pytest

from cja_async import APIStatusError, ResponseCache, ResponseDecodeError
from cja_async.testing import Request, Response, Simulator

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("status", "success"), [(200, True), (299, True), (300, False)])
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


async def test_every_token_renewal_is_counted(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id) as cja:
        await cja.users.me()  # a token to revoke
        for renewals in (1, 2, 3):
            sim.revoke_tokens()
            assert (await cja.users.me()).email
            assert cja.stats.token_renewals == renewals
        assert cja.stats.retries == 0  # a renewal is not a retry


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
