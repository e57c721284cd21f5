"""The opt-in response cache: hits, misses, expiry, invalidation, isolation, bounds."""

from __future__ import annotations

import asyncio
import inspect

import anyio
import pytest
from conftest import FAST_LIMITS

from cja_async import BadRequestError, Client, ClientClosedError, ResponseCache
from cja_async.models import DataView
from cja_async.testing import Request, Response, Simulator

pytestmark = pytest.mark.anyio


def api_requests(sim: Simulator) -> int:
    return sim.stats.requests


async def test_cache_is_off_by_default(cja: Client, sim: Simulator) -> None:
    await cja.users.me()
    await cja.users.me()
    assert api_requests(sim) == 2
    assert cja.cache_stats.hits == 0


async def test_walking_the_same_list_twice_costs_nothing_the_second_time(
    sim: Simulator, org_id: str
) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache(ttl=60)) as cja:
        first = [dv async for dv in cja.dataviews.list(expansion=["name"], limit=50)]
        sent = api_requests(sim)
        second = [dv async for dv in cja.dataviews.list(expansion=["name"], limit=50)]
        assert api_requests(sim) == sent
        assert [d.id for d in first] == [d.id for d in second]
        assert cja.cache_stats.hits == sent and cja.cache_stats.requests_saved == sent
        assert cja.cache_stats.misses == sent


async def test_a_hit_takes_no_limiter_slot(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        await cja.users.me()
        await anyio.sleep(10)
        t0 = asyncio.get_running_loop().time()
        await asyncio.gather(*(cja.users.me() for _ in range(500)))
        assert asyncio.get_running_loop().time() == t0  # not a tick of waiting
    assert api_requests(sim) == 1


async def test_entries_expire_after_their_ttl_per_group(sim: Simulator, org_id: str) -> None:
    policy = ResponseCache(ttl=100, ttl_by_group={"users": 5})
    async with sim.client(org_id=org_id, cache=policy) as cja:
        first = (await cja.dataviews.list(limit=1)).items[0].id or ""
        await cja.users.me()
        await cja.dataviews.get(first)
        await anyio.sleep(6)
        await cja.users.me()  # expired: 5 s
        await cja.dataviews.get(first)  # still fresh: 100 s
        assert cja.cache_stats.hits == 1 and cja.cache_stats.misses == 4


async def test_writes_drop_what_they_touch(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        page = await cja.dataviews.list(expansion=["name"], limit=5)
        target = page.items[0].id or ""
        view = await cja.dataviews.get(target)
        me = await cja.users.me()

        view.name = "Changed"
        await cja.dataviews.update(target, view)
        assert (await cja.dataviews.get(target)).name == "Changed"
        relisted = await cja.dataviews.list(expansion=["name"], limit=5)
        assert relisted.items[0].name == "Changed"
        # Other groups were left alone.
        before = api_requests(sim)
        assert (await cja.users.me()) == me
        assert api_requests(sim) == before

        await cja.dataviews.delete(target)
        ids = [dv.id async for dv in cja.dataviews.list(limit=50)]
        assert target not in ids

        created = await cja.dataviews.create(DataView(name="New", parent_data_group_id="dg"))
        ids = [dv.id async for dv in cja.dataviews.list(limit=50)]
        assert created.id in ids


async def test_every_write_method_invalidates_its_group(sim: Simulator, org_id: str) -> None:
    """Any non-GET of a group (except validate/search reads) empties that group's entries."""
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        assert cja._cache is not None
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            await cja.dataviews.list(limit=3)
            await cja.users.me()
            size = len(cja._cache)
            assert cja._cache.invalidate(method, "/data/dataviews/dv_1")
            assert len(cja._cache) == size - 1  # the list is gone, the user stays
        await cja.dataviews.list(limit=3)
        assert not cja._cache.invalidate("POST", "/data/dataviews/validate")
        assert cja._cache.invalidate("PUT", "/componentmetadata/tags/tagitems")
        assert len(cja._cache) == 0  # tags show in every component list: all dropped


async def test_one_org_never_answers_another(sim: Simulator, org_id: str) -> None:
    policy = ResponseCache()
    # Orgs of this test alone: the caches are process-wide, and a rerun must start empty.
    async with (
        sim.client(org_id=f"A{org_id}", cache=policy) as a,
        sim.client(org_id=f"B{org_id}", cache=policy) as b,
    ):
        me_a = await a.users.me()
        me_b = await b.users.me()
    assert me_a.email != me_b.email
    assert b.cache_stats.hits == 0


async def test_clients_of_one_org_share_the_cache(sim: Simulator, org_id: str) -> None:
    policy = ResponseCache()
    async with sim.client(org_id=org_id, cache=policy) as a:
        await a.users.me()
    async with sim.client(org_id=org_id, client_id=f"client-{org_id}", cache=policy) as b:
        await b.users.me()
        assert b.cache_stats.hits == 1


async def test_a_write_by_a_client_without_the_cache_drops_what_it_touches(
    sim: Simulator, org_id: str
) -> None:
    """The store is the org's: a client that does not read through it must still not leave
    answers in it that its writes made stale (a cached reader, a plain writer)."""
    async with sim.client(org_id=org_id, cache=ResponseCache(ttl=300)) as reader:
        segment = (await reader.segments.list(limit=1)).items[0]
        assert (await reader.segments.get(segment.id, expansion=["name"])).name == segment.name
        async with sim.client(org_id=org_id) as writer:
            await writer.segments.update(segment.id, name="written by the other client")
            await writer.request("GET", f"/segments/{segment.id}")  # a read drops nothing
        got = await reader.segments.get(segment.id, expansion=["name"])
        assert got.name == "written by the other client"
        assert reader.cache_stats.hits == 0 and writer.cache_stats.invalidations == 1


async def test_the_store_is_bounded_least_recently_used_first(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache(max_entries=3)) as cja:
        ids = [dv.id or "" async for dv in cja.dataviews.list(limit=10)][:5]
        assert cja._cache is not None
        for dv_id in ids:
            await cja.dataviews.get(dv_id)
        assert len(cja._cache) == 3
        sent = api_requests(sim)
        await cja.dataviews.get(ids[-1])  # recent: a hit
        await cja.dataviews.get(ids[0])  # evicted: sent again
        assert api_requests(sim) == sent + 1


async def test_cached_models_are_not_shared_between_callers(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        target = (await cja.dataviews.list(limit=1)).items[0].id or ""
        one = await cja.dataviews.get(target)
        one.name = "mutated by caller one"
        assert one.session_definition is not None
        one.session_definition.clear()
        two = await cja.dataviews.get(target)
        assert cja.cache_stats.hits == 1
        assert two.name != "mutated by caller one" and two.session_definition


def test_bad_cache_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        ResponseCache(ttl=0)
    with pytest.raises(ValueError, match="ttl_by_group"):
        ResponseCache(ttl_by_group={"segments": -1})
    with pytest.raises(ValueError, match="max_entries"):
        ResponseCache(max_entries=0)
    assert "cache" in inspect.signature(Client).parameters


async def test_segment_writes_drop_the_cached_get_and_lists(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        first = (await cja.segments.list(expansion=["name"], limit=5)).items[0]
        assert first.id
        await cja.segments.get(first.id)
        await cja.segments.update(first.id, name="Renamed by update")
        assert (await cja.segments.get(first.id)).name == "Renamed by update"
        listed = await cja.segments.list(expansion=["name"], limit=5)
        assert listed.items[0].name == "Renamed by update"
        await cja.segments.delete(first.id)
        ids = [s.id async for s in cja.segments.list(limit=1000)]
        assert first.id not in ids
        # A validation only reads: it leaves the cache alone.
        hits = cja.cache_stats.hits
        before = cja.cache_stats.invalidations
        await cja.segments.validate({"func": "segment-def", "version": [1, 0, 0]})
        assert cja.cache_stats.invalidations == before
        assert cja.cache_stats.hits == hits


async def test_tag_replacement_drops_every_component_list(sim: Simulator, org_id: str) -> None:
    from cja_async.models import ComponentTags, Tag

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        segment = (await cja.segments.list(limit=1)).items[0]
        assert segment.id
        await cja.segments.get(segment.id, expansion=["tags"])
        await cja.dataviews.list(limit=1)
        tags = [
            ComponentTags(component_type="segment", component_id=segment.id, tags=[Tag(name="x")])
        ]
        await cja.tags.replace(tags)
        # Tags show in every component's answers: nothing cached may answer after this.
        sent = sim.stats.requests
        await cja.segments.get(segment.id, expansion=["tags"])
        await cja.dataviews.list(limit=1)
        assert sim.stats.requests == sent + 2


async def test_identical_concurrent_walks_share_one_request_per_page(org_id: str) -> None:
    sim = Simulator(rate_limit=FAST_LIMITS, latency=0.05, dataviews=130)
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:

        async def walk() -> list[DataView]:
            return [dv async for dv in cja.dataviews.list(expansion=["name"], limit=10)]

        walks = await asyncio.gather(*(walk() for _ in range(10)))
    assert api_requests(sim) <= 14  # 13 pages; without single flight, 10 x 13
    assert all([d.id for d in w] == [d.id for d in walks[0]] for w in walks)
    assert len(walks[0]) == 130
    # Each walk got its own model objects, not the leader's.
    firsts = [w[0] for w in walks]
    assert len({id(model) for model in firsts}) == 10
    firsts[0].name = "changed by one caller"
    assert all(model.name != "changed by one caller" for model in firsts[1:])


def flaky_get(sim: Simulator, failure: Response) -> list[str]:
    """``GET /data/dataviews/{id}``: the first call answers ``failure`` after a while (so
    others join its flight), every later one a data view."""
    calls: list[str] = []

    @sim.route("GET", "/data/dataviews/{id}")
    async def get(_sim: Simulator, req: Request) -> Response:
        calls.append(req.path)
        await anyio.sleep(0.5)
        if len(calls) == 1:
            return failure
        return Response.json({"id": req.path_params["id"], "name": "Web"})

    return calls


async def test_a_failed_leader_caches_nothing_and_followers_ask_again(
    sim: Simulator, org_id: str
) -> None:
    calls = flaky_get(sim, Response.json({"errorCode": "bad", "errorDescription": "no"}, 400))
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        results = await asyncio.gather(
            *(cja.dataviews.get("dv_1") for _ in range(10)), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        views = [r for r in results if isinstance(r, DataView)]
        # The leader's error is its own; the followers asked again, one request for all.
        assert len(errors) == 1 and isinstance(errors[0], BadRequestError)
        assert len(views) == 9 and len({id(v) for v in views}) == 9
        assert len(calls) == 2
        # What is cached is the success, not the failure.
        assert (await cja.dataviews.get("dv_1")).name == "Web"
        assert len(calls) == 2


async def test_a_cancelled_leader_leaves_the_followers_to_ask(sim: Simulator, org_id: str) -> None:
    calls = flaky_get(sim, Response.json({"id": "dv_1", "name": "never seen"}))
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        leader = asyncio.ensure_future(cja.dataviews.get("dv_1"))
        await anyio.sleep(0.1)
        followers = [asyncio.ensure_future(cja.dataviews.get("dv_1")) for _ in range(5)]
        await anyio.sleep(0.1)
        leader.cancel()
        views = await asyncio.gather(*followers)
        assert leader.cancelled()
        assert [v.name for v in views] == ["Web"] * 5
        assert len(calls) == 2


def slow_dataview(sim: Simulator) -> dict[str, str]:
    """``GET /data/dataviews/{id}`` answers, a second after it arrives, the ``name`` the
    returned state held when it arrived."""
    state = {"name": "old"}

    @sim.route("GET", "/data/dataviews/{id}")
    async def slow_get(_sim: Simulator, req: Request) -> Response:
        name = state["name"]  # what the server saw when the read arrived
        await anyio.sleep(1.0)
        return Response.json({"id": req.path_params["id"], "name": name})

    return state


async def test_a_read_after_a_write_does_not_join_a_read_sent_before_it(
    sim: Simulator, org_id: str
) -> None:
    state = slow_dataview(sim)

    @sim.route("PUT", "/data/dataviews/{id}")
    async def put(_sim: Simulator, req: Request) -> Response:
        state["name"] = req.json()["name"]
        return Response.json(req.json())

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:

        async def rename_while_a_read_is_on_its_way(name: str) -> asyncio.Future[DataView]:
            before = asyncio.ensure_future(cja.dataviews.get("dv_1"))
            await anyio.sleep(0.1)
            await cja.dataviews.update("dv_1", DataView(name=name))
            return before

        # A read asked after the write sends its own request...
        before = await rename_while_a_read_is_on_its_way("renamed")
        assert (await cja.dataviews.get("dv_1")).name == "renamed"
        assert (await before).name == "old"
        # ... and the answer of a read sent before a write is not kept.
        before = await rename_while_a_read_is_on_its_way("renamed again")
        assert (await before).name == "renamed"
        assert (await cja.dataviews.get("dv_1")).name == "renamed again"


async def test_a_fresh_read_does_not_join_a_read_on_its_way(sim: Simulator, org_id: str) -> None:
    state = slow_dataview(sim)
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        before = asyncio.ensure_future(cja.dataviews.get("dv_1"))
        await anyio.sleep(0.1)
        state["name"] = "changed elsewhere"
        fresh = await cja.request("GET", "/data/dataviews/dv_1", fresh=True)
        assert fresh["name"] == "changed elsewhere"
        assert (await before).name == "old"


async def test_followers_of_a_read_a_write_cut_loose_still_get_its_answer(
    sim: Simulator, org_id: str
) -> None:
    # They asked before the write, as the leader did: its answer is theirs too (not kept in
    # the cache, and not asked again).
    gets: list[str] = []

    @sim.route("GET", "/data/dataviews/{id}")
    async def slow_get(_sim: Simulator, req: Request) -> Response:
        gets.append(req.path)
        await anyio.sleep(1.0)
        return Response.json({"id": req.path_params["id"], "name": "before"})

    @sim.route("PUT", "/data/dataviews/{id}")
    async def put(_sim: Simulator, req: Request) -> Response:
        return Response.json(req.json())

    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        leader = asyncio.ensure_future(cja.dataviews.get("dv_1"))
        await anyio.sleep(0.1)
        followers = [asyncio.ensure_future(cja.dataviews.get("dv_1")) for _ in range(3)]
        await anyio.sleep(0.1)
        await cja.request("PUT", "/data/dataviews/dv_1", json={"name": "after"})
        views = await asyncio.gather(leader, *followers)
        assert [view.name for view in views] == ["before"] * 4
        assert len(gets) == 1
        await cja.dataviews.get("dv_1")  # not kept: it may predate the write
        assert len(gets) == 2


async def test_clients_of_one_org_with_other_credentials_do_not_share_answers(
    sim: Simulator, org_id: str
) -> None:
    # Another API credential may have other product profiles: it gets its own answers.
    sim.add_client(f"other-{org_id}", "other-secret", org_id)
    policy = ResponseCache()
    async with sim.client(org_id=org_id, cache=policy) as a:
        await a.users.me()
    async with sim.client(
        org_id=org_id, client_id=f"other-{org_id}", client_secret="other-secret", cache=policy
    ) as b:
        await b.users.me()
        assert (b.cache_stats.hits, b.cache_stats.misses) == (0, 1)


async def test_a_raw_post_that_only_reads_leaves_the_cache_alone(
    sim: Simulator, org_id: str
) -> None:
    # Guessed from its method and path (a raw request declares nothing): a validation reads.
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        await cja.segments.list(limit=5)
        definition = {"func": "segment-def", "version": [1, 0, 0]}
        await cja.request("POST", "/segments/validate", json=definition)
        assert cja.cache_stats.invalidations == 0
        await cja.segments.list(limit=5)
        assert cja.cache_stats.hits == 1


async def test_followers_of_a_read_the_close_cut_short_learn_the_client_is_closed(
    sim: Simulator, org_id: str
) -> None:
    @sim.route("GET", "/data/dataviews/{id}")
    async def slow_get(_sim: Simulator, req: Request) -> Response:
        await anyio.sleep(1.0)
        return Response.json({"id": req.path_params["id"]})

    cja = sim.client(org_id=org_id, cache=ResponseCache())
    async with cja:
        reads = [asyncio.ensure_future(cja.dataviews.get("dv_1")) for _ in range(3)]
        await anyio.sleep(0.1)  # the first leads, the others follow its flight
    outcomes = await asyncio.gather(*reads, return_exceptions=True)
    assert all(isinstance(error, ClientClosedError) for error in outcomes)
    assert [str(error) for error in outcomes] == [
        "the client was closed while this request ran (GET /data/dataviews/dv_1)",  # leader
        "this client is closed (GET /data/dataviews/dv_1)",
        "this client is closed (GET /data/dataviews/dv_1)",
    ]
