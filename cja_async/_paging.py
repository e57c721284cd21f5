"""Pages and the async pager.

``parse_page`` reads the three page shapes of API-NOTES ("Paging") into one ``Page``; the
pager only knows how to ask for page ``n``. Awaiting the pager gives one page; iterating it
gives every item. After the first page tells how many there are, later pages are requested
concurrently (the limiter decides when each starts) and handed out in order, with at most
``lookahead`` pages requested ahead of the consumer, so memory stays bounded on huge walks.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["AsyncPager", "Page", "parse_page"]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list endpoint.

    ``total_elements`` and ``total_pages`` are ``None`` when the endpoint answered a bare
    JSON array. ``is_last`` says whether a further page could hold more items.
    """

    items: list[T]
    number: int
    total_elements: int | None = None
    total_pages: int | None = None
    is_last: bool = True


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_page(body: Any, number: int, limit: int | None, *, whole: bool = False) -> Page[Any]:
    """Read any of the three page shapes into a ``Page`` of raw JSON items.

    ``number`` and ``limit`` are what was asked for; ``whole`` says a bare array is the
    complete result (``pagination=false``), not one page of it. Raises ``TypeError`` or
    ``ValueError`` when the body is none of the shapes.
    """
    if isinstance(body, list):
        short = limit is None or len(body) < limit
        return Page(items=body, number=number, is_last=whole or short)
    if not isinstance(body, dict) or not isinstance(body.get("content"), list):
        raise TypeError("expected a page object with a 'content' list or a JSON array")
    items: list[Any] = body["content"]
    pageable = body.get("pageable")
    page_number = _int_or_none(body.get("number"))
    if page_number is None and isinstance(pageable, dict):
        page_number = _int_or_none(pageable.get("pageNumber"))
    if page_number is None:
        page_number = number
    total_pages = _int_or_none(body.get("totalPages"))
    # Analytics pages say ``lastPage``, Spring pages say ``last``; else count, else a short page.
    last = body.get("lastPage", body.get("last"))
    if isinstance(last, bool):
        is_last = last
    elif total_pages is not None:
        is_last = page_number + 1 >= total_pages
    else:
        is_last = not items or (limit is not None and len(items) < limit)
    return Page(
        items=items,
        number=page_number,
        total_elements=_int_or_none(body.get("totalElements")),
        total_pages=total_pages,
        is_last=is_last,
    )


FetchPage = Callable[[int], Awaitable[Page[T]]]


class AsyncPager(Generic[T]):
    """A lazy list result: ``await`` it for one page, ``async for`` it for every item.

    >>> page = await cja.dataviews.list(limit=50, page=2)      # one Page
    >>> async for dv in cja.dataviews.list(limit=50): ...       # every item, in order
    >>> async for page in cja.dataviews.list(limit=50).pages(): ...

    Nothing is sent until the pager is awaited or iterated. Stopping an iteration early
    (``break``) cancels the pages requested ahead.
    """

    def __init__(self, fetch: FetchPage[T], *, first_page: int = 0, lookahead: int = 12) -> None:
        self._fetch = fetch
        self._first_page = first_page
        self._lookahead = max(1, lookahead)
        #: The page an item walk (``async for item in pager``) most recently reached, so a
        #: caller can show progress (``total_elements``) while it walks items.
        self.last_page: Page[T] | None = None

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(self._first_page).__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        # Offset paging over a list that changes while we walk shifts items across page
        # boundaries: an item added before the cursor shows the previous page's last items
        # again. Skipping ids seen on the last few pages (as many as can be in flight at once,
        # plus one) drops those repeats and keeps memory bounded, unlike a set of every id.
        recent: deque[set[object]] = deque(maxlen=self._lookahead + 1)
        async for page in self.pages():
            self.last_page = page
            seen_now: set[object] = set()
            for item in page.items:
                key = getattr(item, "id", None)
                if isinstance(key, str | int):
                    if key in seen_now or any(key in ids for ids in recent):
                        continue
                    seen_now.add(key)
                yield item
            recent.append(seen_now)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the first one asked for, in order."""
        page = await self._fetch(self._first_page)
        yield page
        number = self._first_page + 1
        pending: deque[asyncio.Task[Page[T]]] = deque()
        try:
            # An empty page ends the walk even if the server claims more: no endless loops.
            while not page.is_last and page.items:
                # Ask ahead only as far as the known total, so no request is wasted.
                known_end = page.total_pages if page.total_pages is not None else number + 1
                ahead = number + len(pending)
                while len(pending) < self._lookahead and ahead < known_end:
                    pending.append(asyncio.ensure_future(self._fetch(ahead)))
                    ahead += 1
                if not pending:
                    pending.append(asyncio.ensure_future(self._fetch(number)))
                page = await pending.popleft()
                number += 1
                yield page
        finally:
            for task in pending:
                task.cancel()
            if pending:
                # Let the cancelled fetches give back their limiter slots before we go.
                await asyncio.gather(*pending, return_exceptions=True)
