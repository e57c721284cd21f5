"""Bulk fetch by id (``Resource._get_many``, used by ``segments.get_many``/``projects.get_many``).

Ids are packed into ``filterByIds`` so each URL stays under ``MAX_URL_LENGTH``; the chunks
run concurrently through the limiter; missing ids raise ``NotFoundError`` naming them.
"""

from __future__ import annotations

import math

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cja_async import Client, NotFoundError
from cja_async.models import Segment
from cja_async.resources._base import MAX_URL_LENGTH, Resource, chunk_ids
from cja_async.testing import Recorder, Request, Response, Simulator, paged

pytestmark = pytest.mark.anyio


def encoded(value: str) -> int:
    return len(str(httpx.QueryParams({"": value}))) - 1


async def test_500_segments_in_as_few_requests_as_urls_allow(
    rec: Client, recorder: Recorder, sim: Simulator, org_id: str
) -> None:
    ids = [s.id or "" async for s in rec.segments.list(pagination=False)]
    wanted = ids[:500] if len(ids) >= 500 else ids
    recorder.clear()
    sim.reset_stats()
    got = await rec.segments.get_many(wanted)
    assert [s.id for s in got] == wanted
    urls = [str(sent.url) for sent in recorder.sent]
    assert all(len(url) <= MAX_URL_LENGTH for url in urls)
    # No packing can beat the total length of the ids over the room one URL leaves for them.
    overhead = len(urls[0]) - encoded(recorder.sent[0].params["filterByIds"])
    room = MAX_URL_LENGTH - overhead
    payload = sum(encoded(i) for i in wanted) + encoded(",") * (len(wanted) - 1)
    assert len(urls) <= math.ceil(payload / room) + 1
    # The bulk-by-id target: at most ceil(n/100) + 1 requests for realistic segment ids.
    assert len(urls) <= math.ceil(len(wanted) / 100) + 1
    # Every id went exactly once, and the chunks ran side by side.
    sent_ids = [i for sent in recorder.sent for i in sent.params["filterByIds"].split(",")]
    assert sorted(sent_ids) == sorted(wanted)
    assert sim.org_stats(org_id).max_in_flight > 1
    for sent in recorder.sent:
        assert int(sent.params["limit"]) >= len(sent.params["filterByIds"].split(","))


class Items(Resource):
    """A resource over a test-only endpoint whose ids are short."""

    async def get_many(self, ids: list[str]) -> list[Segment]:
        return await self._get_many(Segment, "/test/items", ids, params={"locale": "en_US"})


async def test_500_short_ids_take_at_most_six_requests(
    rec: Client, recorder: Recorder, sim: Simulator
) -> None:
    store = [{"id": f"item-{n:07d}", "name": f"Item {n}"} for n in range(800)]

    @sim.route("GET", "/test/items")
    async def items(_sim: Simulator, req: Request) -> Response:
        wanted = set(req.csv_param("filterByIds"))
        return Response.json(paged([i for i in store if i["id"] in wanted], req, "analytics"))

    wanted = [item["id"] for item in store[::-1][:500]]
    got = await Items(rec).get_many(wanted)
    assert [item.id for item in got] == wanted
    assert len(recorder.sent) <= math.ceil(500 / 100) + 1
    assert all(len(str(sent.url)) <= MAX_URL_LENGTH for sent in recorder.sent)
    assert all(sent.params["locale"] == "en_US" for sent in recorder.sent)


async def test_order_duplicates_and_missing_ids(rec: Client, recorder: Recorder) -> None:
    first = (await rec.segments.list(limit=3)).items
    a, b, c = (s.id or "" for s in first)
    recorder.clear()
    got = await rec.segments.get_many([c, a, c, b])
    assert [s.id for s in got] == [c, a, c, b]
    assert got[0] is got[2]
    assert len(recorder.sent) == 1
    assert recorder.sent[0].params["filterByIds"].split(",") == [c, a, b]

    with pytest.raises(NotFoundError) as caught:
        await rec.segments.get_many([a, "s1_missing", b, "s2_missing"])
    assert caught.value.missing_ids == ("s1_missing", "s2_missing")
    assert "s1_missing" in str(caught.value) and "s2_missing" in str(caught.value)
    assert caught.value.status_code == 404

    recorder.clear()
    assert await rec.segments.get_many([]) == []
    assert await rec.projects.get_many(iter([])) == []
    assert recorder.sent == []


async def test_deleted_segments_are_found_like_get_finds_them(rec: Client) -> None:
    segment = (await rec.segments.list(limit=1)).items[0]
    assert segment.id is not None
    await rec.segments.delete(segment.id)
    [again] = await rec.segments.get_many([segment.id], expansion=["isDeleted"])
    assert again.id == segment.id and again.is_deleted is True
    with pytest.raises(NotFoundError):
        await rec.segments.get_many([segment.id], include_type=None)


async def test_bad_ids_fail_before_any_request(rec: Client, recorder: Recorder) -> None:
    with pytest.raises(ValueError, match=r"segment_ids\[1\]"):
        await rec.segments.get_many(["ok", ""])
    with pytest.raises(TypeError, match=r"project_ids\[0\]"):
        await rec.projects.get_many([5])  # type: ignore[list-item]
    # A str is iterable: it must not become one id per character.
    for get_many, name in (
        (rec.segments.get_many, "segment_ids"),
        (rec.calculated_metrics.get_many, "metric_ids"),
        (rec.date_ranges.get_many, "date_range_ids"),
    ):
        with pytest.raises(TypeError, match=rf"not a single str: pass {name}=\['abc'\]"):
            await get_many("abc")
    with pytest.raises(TypeError, match=r"component_ids must be a list of str ids, not"):
        await rec.tags.remove_all("abc", "segment")
    with pytest.raises(TypeError, match=r"pass tag_names=\['abc'\]"):
        await rec.tags.component_ids("abc", "segment")
    assert recorder.sent == []


def test_chunk_ids_greedy_and_within_room() -> None:
    ids = [f"id{n}" for n in range(10)]
    assert chunk_ids(ids, room=1000, max_per_chunk=4) == [ids[:4], ids[4:8], ids[8:]]
    # "id0%2Cid1%2Cid2" is 15 characters: exactly fits.
    assert chunk_ids(ids[:4], room=15, max_per_chunk=100) == [ids[:3], ids[3:4]]
    # An id longer than the room still gets a request of its own.
    assert chunk_ids(["x" * 50, "y"], room=10, max_per_chunk=100) == [["x" * 50], ["y"]]


@given(
    st.lists(st.text(min_size=1, max_size=40), max_size=60, unique=True),
    st.integers(min_value=40, max_value=400),
    st.integers(min_value=1, max_value=20),
)
def test_chunk_ids_properties(ids: list[str], room: int, cap: int) -> None:
    chunks = chunk_ids(ids, room, cap)
    assert [i for chunk in chunks for i in chunk] == ids
    for chunk in chunks:
        assert 1 <= len(chunk) <= cap
        if len(chunk) > 1:
            assert encoded(",".join(chunk)) <= room
