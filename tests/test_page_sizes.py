"""Page sizes: the fewest requests per job (README, "Page sizes").

A walk without ``limit`` asks for the largest page the endpoint accepts; a caller's ``limit``
is sent as given; a size the server refuses falls back (remembered per endpoint and org); a
server that answers smaller pages is paged by its own size; ``get_many`` stops paging a
chunk once every id of it is in. Also the walks a misbehaving server must not make endless
(a server that ignores ``page``, a 1-based page ``number``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import pytest

from cja_async import BadRequestError, Client
from cja_async._paging import PageSizing
from cja_async.models import Segment
from cja_async.resources._base import MAX_LOOKAHEAD, Resource
from cja_async.testing import Recorder, Request, Response, Simulator

pytestmark = pytest.mark.anyio

DATAVIEWS = 2345


@pytest.fixture
def sim() -> Simulator:
    """Limits off: these tests count requests, not time."""
    return Simulator(rate_limit=None, dataviews=DATAVIEWS)


def sizes(recorder: Recorder, key: str = "limit") -> list[int]:
    return [int(sent.params[key]) for sent in recorder.sent]


def serve_dataviews(sim: Simulator, answer: Callable[[int, int], dict[str, Any]]) -> None:
    """A misbehaving data view list: ``answer(page, limit)`` is the body of each page."""

    @sim.route("GET", "/data/dataviews")
    async def pages(_sim: Simulator, req: Request) -> Response:
        return Response.json(answer(int(req.param("page") or 0), int(req.param("limit") or 10)))


async def test_a_walk_without_limit_costs_ceil_n_over_1000_requests(
    rec: Client, recorder: Recorder
) -> None:
    ids = [view.id async for view in rec.dataviews.list()]
    assert len(set(ids)) == len(ids) == DATAVIEWS
    assert len(recorder.sent) == math.ceil(DATAVIEWS / 1000)
    assert sizes(recorder) == [1000] * 3


async def test_every_list_the_library_pages_uses_the_largest_page(
    rec: Client, recorder: Recorder
) -> None:
    view = await rec.dataviews.list()
    dv = view.items[0].id or ""
    pagers: list[Any] = [
        rec.segments.list(),
        rec.calculated_metrics.list(),
        rec.connections.list(),
        rec.projects.list(),
        rec.date_ranges.list(),
        rec.annotations.list(),
        rec.tags.list(),
        rec.shares.list(),
        rec.users.list(),
        rec.dataviews.list_dimensions(dv),
        rec.dataviews.list_metrics(dv),
    ]
    for pager in pagers:
        recorder.clear()
        await pager
        assert sizes(recorder) == [1000], recorder.sent[0].path
    recorder.clear()
    await rec.audit_logs.list()
    assert sizes(recorder, "pageSize") == [1000]
    recorder.clear()
    await rec.audit_logs.search({"fieldName": "ACTION", "value": "CREATE"})
    assert recorder.sent[0].body["pageSize"] == 1000


async def test_client_page_size_sets_the_default(sim: Simulator, org_id: str) -> None:
    recorder = Recorder(sim)
    async with sim.client(org_id=org_id, transport=recorder, page_size=250) as cja:
        ids = [view.id async for view in cja.dataviews.list()]
    assert len(ids) == DATAVIEWS
    assert sizes(recorder) == [250] * math.ceil(DATAVIEWS / 250)
    with pytest.raises(ValueError, match="page_size"):
        sim.client(org_id=org_id, page_size=1001)


async def test_a_callers_limit_is_sent_as_given(rec: Client, recorder: Recorder) -> None:
    page = await rec.dataviews.list(limit=7, page=3)
    assert len(page.items) == 7
    assert recorder.sent[0].params == {"limit": "7", "page": "3"}
    recorder.clear()
    ids = [view.id async for view in rec.segments.list(limit=50)]
    assert set(sizes(recorder)) == {50}
    assert len(recorder.sent) == math.ceil(len(ids) / 50)


async def test_a_refused_size_falls_back_and_is_remembered(
    org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    sim = Simulator(rate_limit=None, dataviews=DATAVIEWS, page_cap=100)
    recorder = Recorder(sim)
    caplog.set_level(logging.DEBUG, logger="cja_async.paging")
    async with sim.client(org_id=org_id, transport=recorder) as cja:
        ids = [view.id async for view in cja.dataviews.list()]
        assert sorted(ids) == sorted(set(ids)) and len(ids) == DATAVIEWS
        # One refused request, then pages of 100.
        assert sizes(recorder) == [1000] + [100] * math.ceil(DATAVIEWS / 100)
        assert "refused a page size of 1000" in caplog.text
        # Remembered for the endpoint and org: the next walk asks for 100 at once...
        recorder.clear()
        assert len((await cja.dataviews.list()).items) == 100
        assert sizes(recorder) == [100]
        # ... but other endpoints still start at the largest size.
        recorder.clear()
        await cja.segments.list()
        assert sizes(recorder) == [1000, 100]
        # Paging in a search body falls back the same way.
        recorder.clear()
        await cja.audit_logs.search({"fieldName": "ACTION", "value": "CREATE"})
        assert [sent.body["pageSize"] for sent in recorder.sent] == [1000, 100]
        # A caller's limit is never changed: its 400 is raised.
        recorder.clear()
        with pytest.raises(BadRequestError, match="at most 100"):
            await cja.connections.list(limit=500)
        assert sizes(recorder) == [500]


async def test_a_fallback_from_a_later_page_starts_at_the_same_item(org_id: str) -> None:
    sim = Simulator(rate_limit=None, dataviews=DATAVIEWS, page_cap=100)
    async with sim.client(org_id=org_id) as cja:
        page = await cja.dataviews.list(page=2)  # items 2000.. at the size of 1000
    async with Simulator(rate_limit=None, dataviews=DATAVIEWS).client(org_id=org_id) as cja:
        expected = await cja.dataviews.list(limit=100, page=20)
    assert [v.id for v in page.items] == [v.id for v in expected.items]


async def test_a_400_no_size_cures_is_raised_and_not_remembered(
    rec: Client, recorder: Recorder
) -> None:
    with pytest.raises(BadRequestError, match="sortProperty"):
        await rec.segments.list(sort_property="nonsense")
    recorder.clear()
    await rec.segments.list()
    assert sizes(recorder) == [1000]


async def test_a_server_with_smaller_pages_is_paged_by_its_own_size(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    store = [{"id": f"item-{n:05d}"} for n in range(1234)]
    # Silently answers pages of at most 100, saying so only in ``size``; no last flag, no
    # total (so only the page size tells that a page of 100 is not the last).
    serve_dataviews(
        sim, lambda page, limit: {"content": store[page * 100 : page * 100 + 100], "size": 100}
    )

    ids = [view.id async for view in rec.dataviews.list()]
    assert ids == [item["id"] for item in store]
    assert len(recorder.sent) == 13  # 13 pages of 100; the 13th is short, so the last


class Items(Resource):
    """A resource over a test-only endpoint."""

    async def get_many(self, ids: list[str]) -> list[Segment]:
        return await self._get_many(Segment, "/test/items", ids)


async def test_get_many_stops_paging_a_chunk_once_all_ids_are_in(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    store = [{"id": f"item-{n:04d}"} for n in range(50)]

    @sim.route("GET", "/test/items")
    async def never_last(_sim: Simulator, req: Request) -> Response:
        # Never marks a last page, never tells a total: a full page looks like more to come.
        wanted = set(req.csv_param("filterByIds"))
        return Response.json({"content": [i for i in store if i["id"] in wanted]})

    wanted = [item["id"] for item in store[::-1]]
    got = await Items(rec).get_many(wanted)
    assert [item.id for item in got] == wanted
    assert len(recorder.sent) == 1


async def test_a_server_that_ignores_page_ends_the_walk(
    sim: Simulator, rec: Client, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    items = [{"id": f"dv-{n}"} for n in range(10)]
    serve_dataviews(sim, lambda _page, _limit: {"content": items, "lastPage": False, "number": 0})

    with caplog.at_level(logging.WARNING, logger="cja_async.paging"):
        ids = [view.id async for view in rec.dataviews.list()]
    assert ids == [item["id"] for item in items]
    assert len(recorder.sent) == 2
    # Said, so the user knows the list may be incomplete: the page, and why the walk ended.
    assert (
        "page 1 held only items already met: the server seems to ignore the page asked for; "
        "ending the walk here" in caplog.text
    )
    recorder.clear()
    pages = [page async for page in rec.dataviews.list(limit=10).pages()]
    assert len(pages) == 1 and len(recorder.sent) == 2


async def test_a_server_that_cycles_never_yields_an_id_twice(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    # Page n answers page n mod 20, claiming more for ever, with a total far beyond: the
    # repeats come back further apart than the pages in flight at once.
    store = [{"id": f"dv-{n:04d}"} for n in range(200)]

    def cycling(page: int, _limit: int) -> dict[str, Any]:
        number = page % 20
        content = store[number * 10 : number * 10 + 10]
        return {"content": content, "totalPages": 10_000, "number": number}

    serve_dataviews(sim, cycling)
    ids = [view.id async for view in rec.dataviews.list(limit=10)]
    assert ids == [item["id"] for item in store]
    # The 20 pages, the repeat that ends the walk, and at most the pages asked ahead.
    assert len(recorder.sent) <= 21 + MAX_LOOKAHEAD


async def test_a_one_based_page_number_loses_no_item(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    store = [{"id": f"dv-{n:02d}"} for n in range(30)]
    serve_dataviews(
        sim,
        lambda page, _limit: {
            "content": store[page * 10 : page * 10 + 10],
            "totalPages": 3,
            "number": page + 1,
        },
    )

    ids = [view.id async for view in rec.dataviews.list(limit=10)]
    assert ids == [item["id"] for item in store]
    assert len(recorder.sent) == 3


def test_the_seen_ids_of_a_walk_are_exact_past_many_merges() -> None:
    from cja_async._paging import _SeenIds

    seen = _SeenIds()
    ids = [f"dv_{n:024x}" for n in range(20_000)]
    assert all(seen.add(key) for key in ids)
    assert not any(seen.add(key) for key in ids[::7])
    assert seen.add("dv_new") and not seen.add("dv_new")


async def test_the_simulator_refuses_pages_over_its_cap_as_adobe_does(org_id: str) -> None:
    with pytest.raises(ValueError, match="page_cap"):
        Simulator(page_cap=0)
    sim = Simulator(rate_limit=None, page_cap=50)
    async with sim.client(org_id=org_id) as cja:
        assert len((await cja.segments.list(limit=50)).items) == 50
        with pytest.raises(BadRequestError) as caught:
            await cja.segments.list(limit=51)
    assert caught.value.status_code == 400
    assert caught.value.error_code == "invalid_parameters"


async def test_a_repeating_server_of_items_without_ids_ends_the_walk() -> None:
    from cja_async import AsyncPager, Page

    asked: list[int] = []

    async def same_rows(number: int) -> Page[dict[str, int]]:
        asked.append(number)
        return Page(items=[{"row": 1}, {"row": 2}], number=number, is_last=False)

    rows = [row async for row in AsyncPager(same_rows)]
    assert rows == [{"row": 1}, {"row": 2}]
    assert asked == [0, 1]


def capped_server(
    store: list[dict[str, Any]], cap: int, says: dict[str, Any]
) -> Callable[[int, int], dict[str, Any]]:
    """Honours ``page`` as an offset of ``page * limit`` items but answers at most ``cap``
    of them, adding ``says`` to every page (what it tells of its size)."""

    def answer(page: int, limit: int) -> dict[str, Any]:
        start = page * limit
        return {"content": store[start : start + min(limit, cap)], **says}

    return answer


@pytest.mark.parametrize(
    "says",
    [{"size": 100}, {"lastPage": False}, {"pageable": {"pageSize": 100}}],
    ids=["size", "only-not-last", "pageable"],
)
async def test_a_server_capping_pages_below_the_size_asked_loses_no_item(
    sim: Simulator, rec: Client, recorder: Recorder, says: dict[str, Any]
) -> None:
    # Asked for 1000, it answers 100; asking page 1 of 1000 next would skip items 100-999.
    store = [{"id": f"item-{n:04d}"} for n in range(450)]
    serve_dataviews(sim, capped_server(store, 100, says))

    ids = [view.id async for view in rec.dataviews.list()]
    assert ids == [item["id"] for item in store]
    assert sizes(recorder)[0] == 1000
    assert set(sizes(recorder)[1:]) == {100}


async def test_a_callers_limit_is_kept_even_when_the_server_answers_less(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    store = [{"id": f"item-{n:04d}"} for n in range(450)]
    serve_dataviews(sim, capped_server(store, 100, {"size": 100}))

    [view.id async for view in rec.dataviews.list(limit=200)]
    # The caller's size, as documented (README, "Page sizes"): a short page of it is the last.
    assert sizes(recorder) == [200, 200, 200]


async def test_a_size_the_server_claims_above_ours_is_not_taken_up(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    store = [{"id": f"item-{n:04d}"} for n in range(2500)]
    serve_dataviews(sim, capped_server(store, 1000, {"size": 5000}))

    ids = [view.id async for view in rec.dataviews.list()]
    assert ids == [item["id"] for item in store]
    assert sizes(recorder) == [1000, 1000, 1000]


@pytest.mark.parametrize(
    "body",
    [[{"id": "a"}, {"id": "b"}], {"content": [{"id": "a"}, {"id": "b"}], "lastPage": True}],
    ids=["bare-array", "last-without-size"],
)
async def test_a_single_page_that_says_nothing_of_its_size_is_the_whole_walk(
    sim: Simulator, rec: Client, recorder: Recorder, body: Any
) -> None:
    serve_dataviews(sim, lambda _page, _limit: body)

    assert [view.id async for view in rec.dataviews.list()] == ["a", "b"]
    assert len(recorder.sent) == 1


def test_a_refusal_never_raises_the_size_remembered() -> None:
    # Two walks of one endpoint may learn in any order: the smallest accepted size stands.
    sizing = PageSizing(1000, key=("test", object()))
    assert sizing.start() == 1000
    sizing.remember(1000, 10)
    sizing.remember(1000, 100)
    assert sizing.start() == 10
    assert PageSizing(50, key=sizing.key).start() == 10


async def test_pages_past_a_stale_total_keep_the_size_of_the_walk(
    sim: Simulator, rec: Client, recorder: Recorder
) -> None:
    # The first page counted one page in all, but no page says it is the last until the
    # third (the list grew): the pages past that total are asked one at a time, same size.
    store = [{"id": f"item-{n:04d}"} for n in range(2500)]

    def stale(page: int, limit: int) -> dict[str, Any]:
        content = store[page * limit : page * limit + limit]
        return {"content": content, "totalPages": 1, "lastPage": page == 2}

    serve_dataviews(sim, stale)
    ids = [view.id async for view in rec.dataviews.list()]
    assert ids == [item["id"] for item in store]
    assert sizes(recorder) == [1000, 1000, 1000]
