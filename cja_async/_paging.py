"""Pages and the async pager.

``parse_page`` reads the three page shapes of API-NOTES ("Paging") into one ``Page``; the
pager only knows how to ask for page ``n`` (of a given size). Awaiting the pager gives one
page; iterating it gives every item. After the first page tells how many there are, later
pages are requested concurrently (the limiter decides when each starts) and handed out in
order, with at most ``lookahead`` pages requested ahead of the consumer, so memory stays
bounded on huge walks.

Page sizes (README, "Page sizes"): when the caller passes no ``limit`` the client chooses the
size, the largest the endpoint accepts. A server may refuse it (400): the walk then falls back
to a smaller size, remembered per endpoint and org for the process (``PageSizing``). A server
that answers smaller pages than asked is paged by its own size. A ``limit`` the caller passed
is never changed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Hashable,
)
from contextlib import aclosing
from heapq import merge
from typing import Any, Generic, Protocol, TypeVar

import attrs

from ._call import Call
from ._convert import structure
from ._exceptions import BadRequestError

__all__ = ["AsyncPager", "Listing", "Page", "PageOf", "PageShape", "PageSizing", "parse_page"]

logger = logging.getLogger("cja_async.paging")

T = TypeVar("T")

# Adobe's default page (the spec's ``limit`` default) and a middle step: the sizes a walk
# falls back to, in order, when the server refuses the size the client chose.
FALLBACK_SIZES = (100, 10)


@attrs.frozen
class Page(Generic[T]):
    """One page of a list endpoint.

    ``total_elements`` and ``total_pages`` are ``None`` when the endpoint answered a bare
    JSON array. ``is_last`` says whether a further page could hold more items. ``size`` is
    the page size the server says it used (``size`` or ``pageable.pageSize``), if it says.
    """

    items: list[T]
    number: int
    total_elements: int | None = None
    total_pages: int | None = None
    is_last: bool = True
    size: int | None = None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_page(body: Any, number: int, limit: int | None, *, whole: bool = False) -> Page[Any]:
    """Read any of the three page shapes into a ``Page`` of raw JSON items.

    ``number`` and ``limit`` are what was asked for; ``whole`` says a bare array is the
    complete result (``pagination=false``), not one page of it. Raises ``TypeError`` or
    ``ValueError`` when the body is none of the shapes.

    The page is the one asked for: a body's own ``number`` (some servers count from 1) is
    not trusted over it, so ``totalPages`` is always counted from the number we sent.
    """
    if isinstance(body, list):
        short = limit is None or len(body) < limit
        return Page(items=body, number=number, is_last=whole or short)
    if not isinstance(body, dict) or not isinstance(body.get("content"), list):
        raise TypeError("expected a page object with a 'content' list or a JSON array")
    items: list[Any] = body["content"]
    pageable = body.get("pageable")
    size = _int_or_none(body.get("size"))
    if size is None and isinstance(pageable, dict):
        size = _int_or_none(pageable.get("pageSize"))
    if size is not None and size < 1:
        size = None
    total_pages = _int_or_none(body.get("totalPages"))
    # Analytics pages say ``lastPage``, Spring pages say ``last``; else count, else a short page
    # (short against the server's own page size when it says one smaller than ours).
    last = body.get("lastPage", body.get("last"))
    if isinstance(last, bool):
        is_last = last
    elif total_pages is not None:
        is_last = number + 1 >= total_pages
    else:
        full = min((s for s in (limit, size) if s is not None), default=None)
        is_last = not items or (full is not None and len(items) < full)
    return Page(
        items=items,
        number=number,
        total_elements=_int_or_none(body.get("totalElements")),
        total_pages=total_pages,
        is_last=is_last,
        size=size,
    )


class PageShape(Protocol):
    """Reads a page body into a ``Page`` of raw JSON items (``parse_page`` reads the usual
    three shapes; reports list theirs under ``rows``). Raises ``TypeError``/``ValueError``
    on a body of another shape."""

    def __call__(
        self, body: Any, number: int, limit: int | None, *, whole: bool = False
    ) -> Page[Any]: ...


@attrs.define
class PageOf(Generic[T]):
    """Expect page ``number`` (of ``asked`` items) of ``model`` in the page ``shape``."""

    model: type[T]
    number: int
    asked: int | None
    whole: bool = False
    shape: PageShape = parse_page

    def __call__(self, data: Any) -> Page[T]:
        raw = self.shape(data, self.number, self.asked, whole=self.whole)
        items: list[T] = structure(raw.items, list[self.model])  # type: ignore[name-defined]
        return attrs.evolve(raw, items=items)


@attrs.frozen
class Listing(Generic[T]):
    """A list endpoint as declared: ``call`` asks for its first page without paging
    parameters; ``fetch(n, size)`` asks for page ``n`` of ``size`` through ``send``.

    ``limit_key``/``page_key`` name the paging parameters (audit logs use ``pageSize``/
    ``pageNumber``); ``paging_in_body`` puts them in the JSON body of a search instead of
    the query; ``whole`` sends none (``pagination=false``: one bare array is everything).
    """

    send: Callable[[Call], Awaitable[Any]]
    call: Call
    model: type[T]
    whole: bool = False
    shape: PageShape = parse_page
    limit_key: str = "limit"
    page_key: str = "page"
    paging_in_body: bool = False

    async def fetch(self, number: int, size: int) -> Page[T]:
        call = self.call
        params, body = call.params, call.body
        asked: int | None = None
        if not self.whole:
            asked = size
            paging = {self.limit_key: size, self.page_key: number}
            if self.paging_in_body:
                body = {**(body or {}), **paging}
            else:
                params = {**(params or {}), **{k: str(v) for k, v in paging.items()}}
        read = PageOf(self.model, number, asked, self.whole, self.shape)
        page: Page[T] = await self.send(attrs.evolve(call, params=params, body=body, read=read))
        return page


class _SizeMemory:
    """Page sizes servers refused: the largest size still worth asking, per endpoint key.

    Process-wide on purpose (README, "Page sizes"): one refusal teaches every later walk of
    that endpoint and org, so no walk pays for the lesson again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caps: dict[Hashable, int] = {}

    def cap(self, key: Hashable) -> int | None:
        with self._lock:
            return self._caps.get(key)

    def lower(self, key: Hashable, size: int) -> None:
        with self._lock:
            self._caps[key] = min(size, self._caps.get(key, size))


_refused = _SizeMemory()


@attrs.frozen
class PageSizing:
    """The page size of a walk whose size the client chose (no ``limit`` from the caller).

    ``preferred`` is the size to ask for; ``key`` names the endpoint and org whose refusals
    are remembered; ``what`` names the endpoint in the DEBUG log line.
    """

    preferred: int
    key: Hashable
    what: str = ""

    def start(self) -> int:
        """The size to ask for now: ``preferred``, or less if the server refused more."""
        cap = _refused.cap(self.key)
        return self.preferred if cap is None else min(self.preferred, cap)

    def remember(self, refused: int, accepted: int) -> None:
        """The server refused ``refused`` (400) and then answered ``accepted``: ask no more
        than that from now on."""
        _refused.lower(self.key, accepted)
        logger.debug(
            "%s refused a page size of %d (400) and accepted %d: asking for %d from now on",
            self.what or "the server",
            refused,
            accepted,
            accepted,
        )


FetchPage = Callable[[int], Awaitable[Page[T]]]
# Page ``n`` of ``size`` items.
FetchSized = Callable[[int, int], Awaitable[Page[T]]]


class _SeenIds:
    """Every item id one walk has met, for about 8 bytes each.

    A list that changes while we walk shifts items across page boundaries, and a server that
    ignores ``page`` answers the same items again: either way an id must never be yielded
    twice, however far apart. A set of every id would cost ~80 bytes an id (megabytes on a
    100,000-item walk); this keeps each id's 64-bit hash in sorted arrays merged as they grow
    (a log-structured set), so memory stays small and lookups stay fast. Two ids of one
    64-bit hash would count as one: odds of about n^2 / 2^65, nil for any real list.
    """

    _BATCH = 2048

    def __init__(self) -> None:
        self._runs: list[array[int]] = []  # sorted, each at least twice the next one's size
        self._fresh: set[int] = set()

    def add(self, key: object) -> bool:
        """Record ``key``; ``False`` if it was met before."""
        digest = hash(key)
        if digest in self._fresh:
            return False
        for run in self._runs:
            at = bisect_left(run, digest)
            if at < len(run) and run[at] == digest:
                return False
        self._fresh.add(digest)
        if len(self._fresh) >= self._BATCH:
            run = array("q", sorted(self._fresh))
            self._fresh.clear()
            while self._runs and len(self._runs[-1]) <= 2 * len(run):
                run = array("q", merge(self._runs.pop(), run))
            self._runs.append(run)
        return True


def _item_id(item: object) -> str | int | None:
    key = getattr(item, "id", None)
    return key if isinstance(key, str | int) and not isinstance(key, bool) else None


class AsyncPager(Generic[T]):
    """A lazy list result: ``await`` it for one page, ``async for`` it for every item.

    >>> page = await cja.dataviews.list(limit=50, page=2)      # one Page
    >>> async for dv in cja.dataviews.list(limit=50): ...       # every item, in order
    >>> async for page in cja.dataviews.list(limit=50).pages(): ...

    Nothing is sent until the pager is awaited or iterated. Stopping an iteration early
    (``break``) cancels the pages requested ahead. A walk ends at the last page, at an empty
    page, or at a page that brings no item it has not met already (a server that ignores
    ``page`` must not be polled for ever), and never yields one id twice.
    """

    def __init__(self, fetch: FetchPage[T], *, first_page: int = 0, lookahead: int = 12) -> None:
        self._start(lambda number, _size: fetch(number), first_page, lookahead)

    def _start(self, fetch: FetchSized[T], first_page: int, lookahead: int) -> None:
        self._fetch = fetch
        self._first_page = first_page
        self._lookahead = max(1, lookahead)
        #: The page an item walk (``async for item in pager``) most recently reached, so a
        #: caller can show progress (``total_elements``) while it walks items.
        self.last_page: Page[T] | None = None
        self._sizing: PageSizing | None = None
        self._size = 0  # the page size asked for; fixed (and unused) without sizing

    @classmethod
    def sized(
        cls, fetch: FetchSized[T], *, size: int | PageSizing, first_page: int, lookahead: int
    ) -> AsyncPager[T]:
        """A pager over ``fetch(n, size)``: ``size`` is the caller's (sent as given) or a
        ``PageSizing`` (the client's choice, which may fall back or follow the server)."""
        pager: AsyncPager[T] = cls.__new__(cls)
        pager._start(fetch, first_page, lookahead)
        if isinstance(size, PageSizing):
            pager._sizing = size
        else:
            pager._size = size
        return pager

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._one_page().__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _one_page(self) -> Page[T]:
        page, _number, _size = await self._first()
        return page

    async def _first(self) -> tuple[Page[T], int, int]:
        """The first page, falling back to a smaller size if the server refuses the one the
        client chose; with the page number and size the walk goes on from."""
        number, size = self._first_page, self._size
        if self._sizing is None:
            return await self._fetch(number, size), number, size
        size = chosen = self._sizing.start()
        refusal: BadRequestError | None = None
        while True:
            try:
                page = await self._fetch(number, size)
            except BadRequestError as exc:
                refusal = refusal or exc
                smaller = next((s for s in FALLBACK_SIZES if s < size), None)
                # Start from the same item: page ``n`` of ``size`` is page ``n*size/smaller``.
                # A 400 that no smaller size cures was not about the size: raise the first.
                if smaller is None or (number * size) % smaller:
                    raise refusal from None
                number, size = number * size // smaller, smaller
                continue
            if size != chosen:
                self._sizing.remember(chosen, size)
            return page, number, size

    async def _walk(self) -> AsyncGenerator[tuple[Page[T], list[T]], None]:
        """Every page with its items not met before; ends early on a page of repeats."""
        seen = _SeenIds()
        previous: list[T] | None = None
        # Each layer closes the one below at once, so leaving a walk (``break``, or a page of
        # repeats) cancels the pages requested ahead right away.
        async with aclosing(self._raw_pages()) as raw:
            async for page in raw:
                fresh: list[T] = []
                new_ids = without_id = 0
                for item in page.items:
                    key = _item_id(item)
                    if key is None:
                        without_id += 1
                        fresh.append(item)
                    elif seen.add(key):
                        new_ids += 1
                        fresh.append(item)
                repeated = not new_ids and (not without_id or page.items == previous)
                if page.items and previous is not None and repeated:
                    logger.warning(
                        "page %d held only items already met: the server seems to ignore the "
                        "page asked for; ending the walk here",
                        page.number,
                    )
                    return
                yield page, fresh
                previous = page.items

    async def _items(self) -> AsyncIterator[T]:
        async with aclosing(self._walk()) as walk:
            async for page, fresh in walk:
                self.last_page = page
                for item in fresh:
                    yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the first one asked for, in order."""
        async with aclosing(self._walk()) as walk:
            async for page, _fresh in walk:
                yield page

    async def _raw_pages(self) -> AsyncGenerator[Page[T], None]:
        page, number, size = await self._first()
        yield page
        if self._sizing is not None:
            # A server that answers smaller pages than asked is paged by its own size.
            served = page.size or (len(page.items) if not page.is_last else None)
            if served and served < size:
                size = served
        number += 1
        pending: deque[asyncio.Task[Page[T]]] = deque()
        try:
            # An empty page ends the walk even if the server claims more: no endless loops.
            while not page.is_last and page.items:
                # Ask ahead only as far as the known total, so no request is wasted.
                known_end = page.total_pages if page.total_pages is not None else number + 1
                ahead = number + len(pending)
                while len(pending) < self._lookahead and ahead < known_end:
                    pending.append(asyncio.ensure_future(self._fetch(ahead, size)))
                    ahead += 1
                if not pending:
                    pending.append(asyncio.ensure_future(self._fetch(number, size)))
                page = await pending.popleft()
                number += 1
                yield page
        finally:
            for task in pending:
                task.cancel()
            if pending:
                # Let the cancelled fetches give back their limiter slots before we go.
                await asyncio.gather(*pending, return_exceptions=True)
