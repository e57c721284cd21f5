"""``cja.users``: the current user and the org's users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from .._paging import AsyncPager
from ..models.users import OrgUser, User
from ._base import RequestOptions, Resource, query


class Users(Resource, group="users"):
    """Users of the org."""

    async def me(
        self, *, expansion: Sequence[str] | None = None, **options: Unpack[RequestOptions]
    ) -> User:
        """The user (or technical account) these credentials act for."""
        return await self._call(
            User,
            "GET",
            "/configuration/users/me",
            params=query(expansion=expansion),
            options=options,
        )

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        use_cache: bool | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[OrgUser]:
        """Every user of the org."""
        params = query(expansion=expansion, use_cache=use_cache)
        return self._pager(
            OrgUser, "/configuration/orgs/users", params, limit=limit, page=page, options=options
        )
