"""``cja.shares``: who components are shared with."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Literal, Unpack

from .._paging import AsyncPager
from ..models.shares import ComponentShares, Share
from ._base import (
    RequestOptions,
    Resource,
    bodies_of,
    check_id,
    check_int_id,
    path,
    query,
)
from .tags import ComponentType

IncludeType = Literal["sharedTo"]


class Shares(Resource, group="shares"):
    """Shares of components with users and groups."""

    def list(
        self,
        *,
        include_type: Sequence[IncludeType | str] | None = None,
        user_id: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Share]:
        """Shares the current user made; ``include_type=["sharedTo"]`` lists the shares
        made to them instead. Admins may pass ``user_id`` to act for another user."""
        params = query(include_type=include_type)
        if user_id is not None:
            # The API spells this one parameter in lower case.
            params["userid"] = check_id(user_id, "user_id")
        return self._pager(
            Share, "/componentmetadata/shares", params, limit=limit, page=page, options=options
        )

    async def replace(
        self,
        items: Sequence[ComponentShares],
        *,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[ComponentShares]:
        """Set the shares of components (all of one type): each ends up shared with exactly
        the users and groups given, every other share of it is deleted. Overwrites."""
        body = bodies_of(items, ComponentShares, "items")
        types = {item.get("componentType") for item in body}
        if len(types) > 1:
            # Adobe refuses mixed types with a 400; say so before spending a request.
            raise ValueError("items must all have the same component_type")
        # The spec answers one object, the guide an array: always a list.
        url, params = "/componentmetadata/shares", query(locale=locale)
        return await self._call_list(
            ComponentShares, "PUT", url, params=params, body=body, options=options
        )

    async def get(self, share_id: int, **options: Unpack[RequestOptions]) -> Share:
        """One share, by its integer id."""
        url = path("/componentmetadata/shares/{}", check_int_id(share_id, "share_id"))
        return await self._call(Share, "GET", url, options=options)

    async def delete(
        self, share_id: int, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete one share (the component stays)."""
        url = path("/componentmetadata/shares/{}", check_int_id(share_id, "share_id"))
        await self._send("DELETE", url, params=query(locale=locale), options=options)

    async def shared_with_me(
        self, component_type: ComponentType | str, **options: Unpack[RequestOptions]
    ) -> builtins.list[str]:
        """Ids of the components of ``component_type`` shared with the current user."""
        return await self._get(
            builtins.list[str],
            "/componentmetadata/shares/sharedto/me",
            component_type=check_id(component_type, "component_type"),
            options=options,
        )

    def search(
        self,
        component_type: ComponentType | str,
        component_ids: Sequence[str],
        *,
        data_id: str | None = None,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[ComponentShares]:
        """The shares of each of these components (all of one type), one item per component;
        ``expansion=["sharesFullName"]`` adds the names of who they are shared with."""
        params = query(expansion=expansion, locale=locale)
        url = "/componentmetadata/shares/component/search"
        return self._component_search(
            ComponentShares,
            url,
            component_type,
            component_ids,
            data_id,
            params,
            limit,
            page,
            options=options,
        )
