"""``cja.connections``: connections, their datasets' backfills and the data source types."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Unpack

from .._paging import AsyncPager
from ..models.connections import Backfill, ConfigurationSettings, Connection, DataSourceType
from ._base import SORT_DIRECTIONS, RequestOptions, Resource, SortDirection, check_id, path
from ._base import query as make_query


class Connections(Resource, group="connections"):
    """Connections: list, search, get (with ``expansion=["dataSets"]`` for the datasets),
    the backfills of a connection's dataset, and the org's data source types."""

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        data_set_ids: Sequence[str] | None = None,
        connection_ids: Sequence[str] | None = None,
        sandbox_id: str | None = None,
        sandbox_name: str | None = None,
        include_type: Sequence[str] | None = None,
        filter_by_modified_after: str | None = None,
        cached: bool | None = None,
        locale: str | None = None,
        include_hidden_data_sets: bool | None = None,
        internal_label: str | None = None,
        internal_label_namespace: str | None = None,
        limit: int | None = None,
        page: int = 0,
        sort_direction: SortDirection | None = None,
        sort_property: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Connection]:
        """Connections of the org. Items carry only ``id`` unless ``expansion`` names more
        (``name``, ``owner``, ``dataSets``, ``modified``, ...).

        ``include_type`` adds connections left out by default (``systemUserOwned``,
        ``disabled``); ``filter_by_modified_after`` is an ISO 8601 date-time;
        ``sort_property`` is ``id`` (the default) or ``modifiedDate``.
        """
        params = make_query(
            SORT_DIRECTIONS,
            data_set_ids=data_set_ids,
            connection_ids=connection_ids,
            sandbox_id=sandbox_id,
            sandbox_name=sandbox_name,
            expansion=expansion,
            include_type=include_type,
            filter_by_modified_after=filter_by_modified_after,
            cached=cached,
            locale=locale,
            include_hidden_data_sets=include_hidden_data_sets,
            internal_label=internal_label,
            internal_label_namespace=internal_label_namespace,
            sort_direction=sort_direction,
            sort_property=sort_property,
        )
        return self._pager(
            Connection, "/data/connections", params, limit=limit, page=page, options=options
        )

    async def get(
        self,
        connection_id: str,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        include_hidden_data_sets: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Connection:
        """One connection; ``expansion=["name", "dataSets"]`` brings its datasets
        (add ``schemaInfo`` for their schemas)."""
        url = path("/data/connections/{}", check_id(connection_id, "connection_id"))
        params = make_query(
            expansion=expansion, locale=locale, include_hidden_data_sets=include_hidden_data_sets
        )
        return await self._call(Connection, "GET", url, params=params, options=options)

    def search(
        self,
        query: str,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        include_hidden_data_sets: bool | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Connection]:
        """Connections whose name or id matches ``query``."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        if not query.strip():
            raise ValueError("query must not be empty")
        params = make_query(
            query=query,
            expansion=expansion,
            locale=locale,
            include_hidden_data_sets=include_hidden_data_sets,
        )
        return self._pager(
            Connection, "/data/connections/search", params, limit=limit, page=page, options=options
        )

    def backfills(
        self,
        connection_id: str,
        dataset_id: str,
        *,
        include_status: Sequence[str] | None = None,
        limit: int | None = None,
        page: int = 0,
        sort_direction: SortDirection | None = None,
        sort_property: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Backfill]:
        """The backfills of one dataset of a connection (``sort_property="createdDate"``).

        ``include_status`` narrows them to ``inProgress``, ``completed`` and/or ``failed``
        (the guide's values; others are passed on, as Adobe may add some).
        """
        url = path(
            "/data/connections/{}/datasets/{}/backfills",
            check_id(connection_id, "connection_id"),
            check_id(dataset_id, "dataset_id"),
        )
        params = make_query(
            SORT_DIRECTIONS,
            include_status=include_status,
            sort_direction=sort_direction,
            sort_property=sort_property,
        )
        endpoint = "/data/connections/{id}/datasets/{id}/backfills"
        return self._pager(
            Backfill, url, params, limit=limit, page=page, endpoint=endpoint, options=options
        )

    async def data_source_types(
        self,
        *,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[DataSourceType]:
        """The kinds of data the org's datasets can be labelled with (``webData``, ...)."""
        settings = await self._call(
            ConfigurationSettings,
            "GET",
            "/data/connections/configurationSettings",
            params=make_query(locale=locale),
            options=options,
        )
        # ``list`` here would be the method above: the builtin is meant.
        return builtins.list(settings.data_source_types or [])
