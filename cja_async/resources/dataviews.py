"""``cja.dataviews``: data views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .._paging import AsyncPager
from ..models.dataviews import DataView
from ._base import SORT_DIRECTIONS, Resource, body_of, check_id, path, query

SortDirection = Literal["ASC", "DESC", "asc", "desc"]


class DataViews(Resource):
    """Data views: list, get, create, update (whole overwrite), delete."""

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        parent_data_group_id: str | None = None,
        external_ids: Sequence[str] | None = None,
        external_parent_ids: Sequence[str] | None = None,
        data_view_ids: Sequence[str] | None = None,
        include_type: Sequence[str] | None = None,
        cached: bool | None = None,
        limit: int = 10,
        page: int = 0,
        sort_direction: SortDirection | None = None,
        sort_property: str | None = None,
    ) -> AsyncPager[DataView]:
        """Data views of the org. Items carry only ``id`` unless ``expansion`` names more
        (``name``, ``owner``, ``description``, ``parentDataGroupId``, ...)."""
        params = query(
            SORT_DIRECTIONS,
            expansion=expansion,
            parent_data_group_id=parent_data_group_id,
            external_ids=external_ids,
            external_parent_ids=external_parent_ids,
            data_view_ids=data_view_ids,
            include_type=include_type,
            cached=cached,
            sort_direction=sort_direction,
            sort_property=sort_property,
        )
        return self._pager(DataView, "/data/dataviews", params, limit=limit, page=page)

    async def get(self, data_view_id: str, *, expansion: Sequence[str] | None = None) -> DataView:
        """One data view."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        return await self._call(DataView, "GET", url, params=query(expansion=expansion))

    async def create(
        self, data_view: DataView, *, expansion: Sequence[str] | None = None
    ) -> DataView:
        """Create a data view; returns it with its new ``id``. Not retried after it may have
        reached the server (see ``OutcomeUnknownError``)."""
        if not isinstance(data_view, DataView):
            raise TypeError(f"data_view must be a DataView, got {type(data_view).__name__}")
        return await self._call(
            DataView,
            "POST",
            "/data/dataviews",
            params=query(expansion=expansion),
            body=body_of(data_view),
        )

    async def update(
        self, data_view_id: str, data_view: DataView, *, expansion: Sequence[str] | None = None
    ) -> DataView:
        """Overwrite a data view whole. Fetch it, change it, send it back: members this
        version of cja-async does not know are kept."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        if not isinstance(data_view, DataView):
            raise TypeError(f"data_view must be a DataView, got {type(data_view).__name__}")
        return await self._call(
            DataView, "PUT", url, params=query(expansion=expansion), body=body_of(data_view)
        )

    async def delete(self, data_view_id: str) -> None:
        """Delete a data view."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        await self._send("DELETE", url)
