"""``cja.dataviews``: data views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, Unpack

from .._paging import AsyncPager
from ..models._common import ValidationResult
from ..models.dataviews import DataView, Dimension, Metric
from ._base import (
    SORT_DIRECTIONS,
    RequestOptions,
    Resource,
    SortDirection,
    body_of,
    check_id,
    model_arg,
    path,
    query,
)

C = TypeVar("C", Dimension, Metric)


class ComponentOptions(RequestOptions, total=False):
    """The options of ``get_dimension`` and ``get_metric`` (and the per-call ones)."""

    locale: str | None
    expansion: Sequence[str] | None


class ComponentListOptions(ComponentOptions, total=False):
    """The options of ``list_dimensions`` and ``list_metrics``."""

    include_type: Sequence[str] | None
    limit: int | None
    page: int


# Components are listed as ``variables/x`` and ``metrics/x``, but fetched by the bare id.
_DIMENSION_PREFIX = "variables/"
_METRIC_PREFIX = "metrics/"


def _component_id(value: object, prefix: str, name: str) -> str:
    """The id as the path wants it: without the ``prefix`` the lists show."""
    component_id = check_id(value, name)
    if component_id.startswith(prefix):
        component_id = check_id(component_id[len(prefix) :], name)
    return component_id


def _data_view_arg(data_view: object) -> DataView:
    return model_arg(data_view, DataView, "data_view")


class DataViews(Resource, group="dataviews"):
    """Data views: list, get, create, update (whole overwrite), copy, validate, delete;
    and the dimensions and metrics of a data view."""

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
        limit: int | None = None,
        page: int = 0,
        sort_direction: SortDirection | None = None,
        sort_property: str | None = None,
        **options: Unpack[RequestOptions],
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
        return self._pager(
            DataView, "/data/dataviews", params, limit=limit, page=page, options=options
        )

    async def get(
        self,
        data_view_id: str,
        *,
        expansion: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> DataView:
        """One data view."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        return await self._get(DataView, url, expansion=expansion, options=options)

    async def create(
        self,
        data_view: DataView,
        *,
        expansion: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> DataView:
        """Create a data view; returns it with its new ``id``. Not retried after it may have
        reached the server (see ``OutcomeUnknownError``)."""
        return await self._call(
            DataView,
            "POST",
            "/data/dataviews",
            params=query(expansion=expansion),
            body=body_of(_data_view_arg(data_view)),
            options=options,
        )

    async def update(
        self,
        data_view_id: str,
        data_view: DataView,
        *,
        expansion: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> DataView:
        """Overwrite a data view whole. Fetch it, change it, send it back: members this
        version of cja-async does not know are kept."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        body = body_of(_data_view_arg(data_view))
        return await self._call(
            DataView, "PUT", url, params=query(expansion=expansion), body=body, options=options
        )

    async def delete(self, data_view_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a data view."""
        url = path("/data/dataviews/{}", check_id(data_view_id, "data_view_id"))
        await self._send("DELETE", url, options=options)

    async def copy(
        self,
        data_view_id: str,
        *,
        expansion: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> DataView:
        """Copy a data view; returns the new copy (with its own ``id``). Not retried after
        it may have reached the server: a retry could make a second copy."""
        url = path("/data/dataviews/copy/{}", check_id(data_view_id, "data_view_id"))
        return await self._call(
            DataView,
            "PUT",
            url,
            params=query(expansion=expansion),
            idempotent=False,
            options=options,
        )

    async def validate(
        self, data_view: DataView, **options: Unpack[RequestOptions]
    ) -> ValidationResult:
        """Check a data view definition without saving it; ``.valid`` tells the verdict."""
        return await self._call(
            ValidationResult,
            "POST",
            "/data/dataviews/validate",
            body=body_of(_data_view_arg(data_view)),
            reads=True,  # it only reads, so a lost answer can be asked again
            options=options,
        )

    def list_dimensions(
        self, data_view_id: str, **options: Unpack[ComponentListOptions]
    ) -> AsyncPager[Dimension]:
        """The dimensions of a data view; ``include_type=["hidden"]`` adds hidden ones.
        Items carry ``id``, ``name`` and ``type`` unless ``expansion`` names more.
        Takes ``include_type``, ``locale``, ``expansion``, ``limit`` and ``page``."""
        return self._list_components(Dimension, "dimensions", data_view_id, **options)

    async def get_dimension(
        self, data_view_id: str, dimension_id: str, **options: Unpack[ComponentOptions]
    ) -> Dimension:
        """One dimension; ``dimension_id`` with or without its ``variables/`` prefix.
        Takes ``locale`` and ``expansion``."""
        item = _component_id(dimension_id, _DIMENSION_PREFIX, "dimension_id")
        return await self._get_component(Dimension, "dimensions", data_view_id, item, **options)

    def list_metrics(
        self, data_view_id: str, **options: Unpack[ComponentListOptions]
    ) -> AsyncPager[Metric]:
        """The metrics of a data view; ``include_type=["hidden"]`` adds hidden ones.
        Items carry ``id``, ``name`` and ``type`` unless ``expansion`` names more.
        Takes ``include_type``, ``locale``, ``expansion``, ``limit`` and ``page``."""
        return self._list_components(Metric, "metrics", data_view_id, **options)

    async def get_metric(
        self, data_view_id: str, metric_id: str, **options: Unpack[ComponentOptions]
    ) -> Metric:
        """One metric; ``metric_id`` with or without its ``metrics/`` prefix.
        Takes ``locale`` and ``expansion``."""
        item = _component_id(metric_id, _METRIC_PREFIX, "metric_id")
        return await self._get_component(Metric, "metrics", data_view_id, item, **options)

    # The dimension and metric methods differ only in their model and path: one body each.

    def _list_components(
        self,
        model: type[C],
        kind: str,
        data_view_id: str,
        *,
        include_type: Sequence[str] | None = None,
        locale: str | None = None,
        expansion: Sequence[str] | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[C]:
        params = query(include_type=include_type, locale=locale, expansion=expansion)
        url = self._components_url(data_view_id, kind)
        endpoint = "/data/dataviews/{id}/" + kind
        return self._pager(
            model, url, params, limit=limit, page=page, endpoint=endpoint, options=options
        )

    async def _get_component(
        self,
        model: type[C],
        kind: str,
        data_view_id: str,
        item: str,
        *,
        locale: str | None = None,
        expansion: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> C:
        url = self._components_url(data_view_id, kind, item)
        return await self._get(model, url, locale=locale, expansion=expansion, options=options)

    @staticmethod
    def _components_url(data_view_id: str, kind: str, item: str | None = None) -> str:
        """``/data/dataviews/{id}/{kind}`` and, with ``item``, ``.../{item}``."""
        base = path("/data/dataviews/{}/" + kind, check_id(data_view_id, "data_view_id"))
        return base if item is None else base + path("/{}", item)
