"""``cja.date_ranges``: saved date ranges."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Literal, Unpack

from .._paging import AsyncPager
from ..models.date_ranges import DateRange
from ._base import RequestOptions, Resource, body_of, check_id, model_arg, path, query

# Known values, for readers and editors; Adobe adds more, so any str is accepted.
IncludeType = Literal["all", "shared", "templates"]
Expansion = Literal["definition", "modified", "ownerFullName", "sharesFullName", "shares", "tags"]


def _check(date_range: object) -> DateRange:
    return model_arg(date_range, DateRange, "date_range")


class DateRanges(Resource, group="date_ranges"):
    """Date ranges: list, get, create, update (partial), delete."""

    def list(
        self,
        *,
        expansion: Sequence[Expansion | str] | None = None,
        include_type: Sequence[IncludeType | str] | None = None,
        filter_by_ids: Sequence[str] | None = None,
        locale: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[DateRange]:
        """Date ranges the caller owns (``include_type`` adds shared ones or templates)."""
        params = query(
            expansion=expansion,
            include_type=include_type,
            filter_by_ids=filter_by_ids,
            locale=locale,
        )
        return self._pager(
            DateRange, "/dateranges", params, limit=limit, page=page, options=options
        )

    async def get(
        self,
        date_range_id: str,
        *,
        expansion: Sequence[Expansion | str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DateRange:
        """One date range."""
        url = path("/dateranges/{}", check_id(date_range_id, "date_range_id"))
        return await self._get(DateRange, url, expansion=expansion, locale=locale, options=options)

    async def get_many(
        self,
        date_range_ids: Iterable[str],
        *,
        expansion: Sequence[Expansion | str] | None = None,
        include_type: Sequence[IncludeType | str] | None = ("templates",),
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[DateRange]:
        """Many date ranges by id, in the order of ``date_range_ids``, in as few requests as
        the URL length allows (``filterByIds``). Raises ``NotFoundError`` naming the ids not
        found. ``include_type`` defaults to templates too, so any id ``get`` finds is found.
        """
        params = query(expansion=expansion, include_type=include_type, locale=locale)
        return await self._get_many(
            DateRange,
            "/dateranges",
            date_range_ids,
            params=params,
            name="date_range_ids",
            options=options,
        )

    async def create(
        self,
        date_range: DateRange,
        *,
        expansion: Sequence[Expansion | str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DateRange:
        """Create a date range (``name`` and ``definition``); returns it with its new ``id``.
        Not retried after it may have reached the server."""
        body = body_of(_check(date_range))
        return await self._call(
            DateRange,
            "POST",
            "/dateranges",
            params=query(expansion=expansion, locale=locale),
            body=body,
            options=options,
        )

    async def update(
        self,
        date_range_id: str,
        date_range: DateRange,
        *,
        expansion: Sequence[Expansion | str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DateRange:
        """Change a date range: only the members ``date_range`` has are sent and changed."""
        url = path("/dateranges/{}", check_id(date_range_id, "date_range_id"))
        body = body_of(_check(date_range))
        params = query(expansion=expansion, locale=locale)
        return await self._call(DateRange, "PUT", url, params=params, body=body, options=options)

    async def delete(self, date_range_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a date range."""
        url = path("/dateranges/{}", check_id(date_range_id, "date_range_id"))
        await self._send("DELETE", url, options=options)
