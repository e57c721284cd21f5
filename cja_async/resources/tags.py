"""``cja.tags``: the org's tags and the tags on components."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Literal, Unpack

from .._paging import AsyncPager
from ..models.tags import ComponentTags, Tag
from ._base import (
    RequestOptions,
    Resource,
    bodies_of,
    check_id,
    check_ids,
    check_int_id,
    path,
    query,
)

# Known values (the spec's list), for readers and editors; Adobe adds component types,
# so any non-empty str is accepted.
ComponentType = Literal[
    "segment",
    "dashboard",
    "bookmark",
    "calculatedMetric",
    "project",
    "dateRange",
    "metric",
    "dimension",
    "virtualReportSuite",
    "scheduledJob",
    "alert",
    "classificationSet",
    "dataView",
]


class Tags(Resource, group="tags"):
    """Tags: the org's tags, and which tags are on which components."""

    def list(
        self, *, limit: int | None = None, page: int = 0, **options: Unpack[RequestOptions]
    ) -> AsyncPager[Tag]:
        """Every tag of the org."""
        return self._pager(
            Tag, "/componentmetadata/tags", {}, limit=limit, page=page, options=options
        )

    async def create(
        self, tags: Sequence[Tag], **options: Unpack[RequestOptions]
    ) -> builtins.list[Tag]:
        """Create tags (each with ``name``, optionally ``description`` and the
        ``components`` to put it on); returns them with their new ids."""
        body = bodies_of(tags, Tag, "tags")
        return await self._call(
            builtins.list[Tag], "POST", "/componentmetadata/tags", body=body, options=options
        )

    async def get(self, tag_id: int, **options: Unpack[RequestOptions]) -> Tag:
        """One tag, by its integer id."""
        url = path("/componentmetadata/tags/{}", check_int_id(tag_id, "tag_id"))
        return await self._call(Tag, "GET", url, options=options)

    async def delete(self, tag_id: int, **options: Unpack[RequestOptions]) -> None:
        """Delete a tag; it comes off every component that had it."""
        url = path("/componentmetadata/tags/{}", check_int_id(tag_id, "tag_id"))
        await self._send("DELETE", url, options=options)

    async def remove_all(
        self,
        component_ids: Sequence[str],
        component_type: ComponentType | str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Take every tag off these components (all of one type); the tags stay in the org."""
        params = query(
            component_ids=check_ids(component_ids, "component_ids"),
            component_type=check_id(component_type, "component_type"),
        )
        await self._send("DELETE", "/componentmetadata/tags", params=params, options=options)

    async def of_component(
        self,
        component_id: str,
        component_type: ComponentType | str,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Tag]:
        """The tags on one component."""
        return await self._get(
            builtins.list[Tag],
            "/componentmetadata/tags/search",
            component_id=check_id(component_id, "component_id"),
            component_type=check_id(component_type, "component_type"),
            options=options,
        )

    def search(
        self,
        component_type: ComponentType | str,
        component_ids: Sequence[str],
        *,
        data_id: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[ComponentTags]:
        """The tags on each of these components (all of one type), one item per component."""
        url = "/componentmetadata/tags/component/search"
        return self._component_search(
            ComponentTags,
            url,
            component_type,
            component_ids,
            data_id,
            {},
            limit,
            page,
            options=options,
        )

    async def component_ids(
        self,
        tag_names: Sequence[str],
        component_type: ComponentType | str,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[str]:
        """Ids of the components of ``component_type`` that carry any of ``tag_names``."""
        return await self._get(
            builtins.list[str],
            "/componentmetadata/tags/tagnames",
            tag_names=check_ids(tag_names, "tag_names"),
            component_type=check_id(component_type, "component_type"),
            options=options,
        )

    async def replace(
        self, items: Sequence[ComponentTags], **options: Unpack[RequestOptions]
    ) -> builtins.list[ComponentTags]:
        """Set the tags of components: each component ends up with exactly the tags given
        (tags named but missing are created; tags not given come off). Overwrites."""
        body = bodies_of(items, ComponentTags, "items")
        return await self._call_list(
            ComponentTags, "PUT", "/componentmetadata/tags/tagitems", body=body, options=options
        )
