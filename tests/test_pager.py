"""The pager's walk: how far it asks ahead, where it stops, and which repeats it drops.

Page fetches here are plain coroutines on the virtual-time loop, so the test can count what
is in flight at once; the last test walks the simulator while another client writes.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from types import SimpleNamespace
from typing import Any

import pytest

from cja_async import Client
from cja_async._paging import AsyncPager, Page
from cja_async.models import DataView
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio


class Server:
    """Serves ``pages`` (lists of items) with a delay, counting requests in flight."""

    def __init__(
        self,
        pages: list[list[Any]],
        *,
        total: bool = True,
        latency: float = 0.1,
        slower: float = 0.0,
        claimed_total: int | None = None,
    ):
        self.pages = pages
        self.total = total
        self.latency = latency
        self.slower = slower  # each page this much slower than the one before
        self.claimed_total = claimed_total
        self.asked: list[int] = []
        self.in_flight = 0
        self.peak = 0

    async def fetch(self, number: int) -> Page[Any]:
        self.asked.append(number)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.latency + self.slower * number)
        finally:
            self.in_flight -= 1
        items = self.pages[number] if number < len(self.pages) else []
        return Page(
            items=items,
            number=number,
            total_pages=self.claimed_total or (len(self.pages) if self.total else None),
            is_last=number >= len(self.pages) - 1,
        )


def numbered(pages: int, size: int = 3) -> list[list[str]]:
    return [[f"{n}-{i}" for i in range(size)] for n in range(pages)]


@pytest.mark.parametrize(("lookahead", "peak"), [(1, 1), (4, 4), (None, 12), (0, 1), (50, 19)])
async def test_pages_are_fetched_ahead_at_most_lookahead_at_once(
    lookahead: int | None, peak: int
) -> None:
    server = Server(numbered(20))
    loop = asyncio.get_running_loop()
    started = loop.time()
    pager = (
        AsyncPager(server.fetch)
        if lookahead is None
        else AsyncPager(server.fetch, lookahead=lookahead)
    )
    items = [item async for item in pager]
    elapsed = loop.time() - started
    assert items == [item for page in server.pages for item in page]
    assert server.peak == peak
    assert sorted(server.asked) == list(range(20))  # each page once, none past the end
    # The first page alone, then the other 19 in waves of `peak` requests.
    assert elapsed == pytest.approx(0.1 * (1 + -(-19 // peak)))


async def test_without_a_known_total_pages_are_fetched_one_at_a_time() -> None:
    server = Server(numbered(5), total=False)
    items = [item async for item in AsyncPager(server.fetch, lookahead=8)]
    assert len(items) == 15
    assert server.peak == 1
    assert server.asked == [0, 1, 2, 3, 4]


async def test_an_empty_page_ends_the_walk_whatever_the_server_claims() -> None:
    async def fetch(number: int) -> Page[int]:
        asked.append(number)
        items = [] if number == 2 else [number]
        return Page(items=items, number=number, total_pages=None, is_last=False)

    asked: list[int] = []
    assert [item async for item in AsyncPager(fetch)] == [0, 1]
    assert asked == [0, 1, 2]


async def test_a_last_page_ends_the_walk_before_the_known_total() -> None:
    async def fetch(number: int) -> Page[int]:
        asked.append(number)
        return Page(items=[number], number=number, total_pages=3, is_last=number == 0)

    asked: list[int] = []
    assert [item async for item in AsyncPager(fetch)] == [0]
    assert asked == [0]


async def test_awaiting_gives_the_first_page_asked_for_and_walks_start_there() -> None:
    server = Server(numbered(6))
    page = await AsyncPager(server.fetch, first_page=2)
    assert (page.number, page.items) == (2, server.pages[2])
    pages = [p.number async for p in AsyncPager(server.fetch, first_page=3).pages()]
    assert pages == [3, 4, 5]


async def test_stopping_a_walk_early_cancels_the_pages_asked_ahead_and_returns_cleanly() -> None:
    server = Server(numbered(20), slower=0.1)  # pages 2-4 are still coming at the break
    pages = AsyncPager(server.fetch, lookahead=4).pages()
    async with aclosing(pages):
        async for page in pages:
            if page.number == 1:
                break
    assert server.in_flight == 0  # the pages asked ahead were cancelled and waited for
    assert max(server.asked) == 4  # page 0, then 1 to 4 ahead; nothing after the break


async def test_pages_past_a_stale_total_are_fetched_while_the_server_says_more() -> None:
    # The first page counted 1 page, but says it is not the last (the list grew).
    server = Server(numbered(3), claimed_total=1)
    assert len([item async for item in AsyncPager(server.fetch)]) == 9
    assert server.asked == [0, 1, 2]


def with_ids(*pages: str) -> list[list[SimpleNamespace]]:
    """Pages of items whose ids are the letters of each string."""
    return [[SimpleNamespace(id=letter) for letter in page] for page in pages]


async def ids_walked(pages: list[list[Any]], lookahead: int = 12) -> list[Any]:
    server = Server(pages, latency=0.0)
    return [item.id async for item in AsyncPager(server.fetch, lookahead=lookahead)]


async def test_items_repeated_on_the_next_pages_are_yielded_once() -> None:
    # An item added before the cursor pushes the previous page's last items onto this one.
    assert await ids_walked(with_ids("abc", "cde", "def", "gh")) == list("abcdefgh")
    assert await ids_walked(with_ids("abca", "bd")) == list("abcd")  # within one page too


async def test_an_item_met_pages_earlier_is_still_yielded_once() -> None:
    assert await ids_walked(with_ids("a", "b", "c", "ad", "e"), lookahead=1) == list("abcde")


async def test_items_without_an_id_are_never_dropped() -> None:
    pages: list[list[Any]] = [
        [{"id": "x"}, SimpleNamespace(id=None)],
        [{"id": "x"}, SimpleNamespace(id=None), SimpleNamespace(id=7), SimpleNamespace(id=7)],
    ]
    server = Server(pages, latency=0.0)
    walked = [item async for item in AsyncPager(server.fetch)]
    assert len(walked) == 5


async def test_a_walk_over_a_list_growing_before_the_cursor_sees_repeats_and_yields_none(
    org_id: str,
) -> None:
    # Sorted by name, and the writer adds names that sort first: each addition pushes every
    # page one item further, so pages fetched afterwards start with the item the previous page
    # ended with. The raw pages show those repeats; the item walk drops them.
    sim = Simulator(latency=0.01, dataviews=120)

    async def walk(cja: Client, writer: Client, by_page: bool) -> list[str]:
        pager = cja.dataviews.list(limit=10, sort_property="name", expansion=["name"])
        seen: list[str] = []
        added = 0

        async def grow() -> None:
            nonlocal added
            added += 1
            await writer.dataviews.create(
                DataView(name=f"!{by_page}{added:03}", parent_data_group_id="dg")
            )

        if by_page:
            async for page in pager.pages():
                seen += [view.id or "" for view in page.items]
                await grow()
        else:
            async for view in pager:
                seen.append(view.id or "")
                if len(seen) % 10 == 0:
                    await grow()
        return seen

    async with sim.client(org_id=org_id) as cja, sim.client(org_id=org_id) as writer:
        before = [view.id or "" async for view in cja.dataviews.list(limit=1000)]
        items = await walk(cja, writer, by_page=False)
        raw = await walk(cja, writer, by_page=True)
    assert len(raw) > len(set(raw))  # the scenario really produces repeats ...
    assert sorted(items) == sorted(before)  # ... and the walk yields each item once, none lost


async def test_ids_that_are_neither_str_nor_int_count_as_no_id() -> None:
    # A flag or a float where an id belongs is not an id (``True == 1`` and ``1.0 == 1`` would
    # make distinct items look alike), and an unhashable one must not break the walk: such
    # items are all yielded, like items without an id.
    odd: list[list[Any]] = [
        [SimpleNamespace(id=True), SimpleNamespace(id=True), SimpleNamespace(id=1.5)],
        [SimpleNamespace(id=1.5), SimpleNamespace(id=[1]), SimpleNamespace(id=[1])],
    ]
    server = Server(odd, latency=0.0)
    walked = [item async for item in AsyncPager(server.fetch)]
    assert walked == [item for page in odd for item in page]


async def test_last_page_follows_an_item_walk_page_by_page() -> None:
    server = Server(numbered(3), latency=0.0)
    pager = AsyncPager(server.fetch)
    assert pager.last_page is None  # nothing walked yet
    reached = [(item, pager.last_page.number if pager.last_page else None) async for item in pager]
    assert reached == [(item, n) for n, page in enumerate(server.pages) for item in page]
    assert pager.last_page is not None and pager.last_page.total_pages == 3
