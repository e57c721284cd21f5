"""``cja.calculated_metrics``: calculated metrics and the function catalogue."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Unpack

from .._paging import AsyncPager
from ..models.calculated_metrics import CalculatedMetric, MetricFunction, MetricValidation
from ._base import (
    SORT_DIRECTIONS,
    RequestOptions,
    Resource,
    SortDirection,
    body_of,
    check_id,
    ensure_valid,
    model_arg,
    path,
    query,
)

# Known values, for readers and editors; Adobe adds more, so any str is accepted.
IncludeType = Literal[
    "all", "shared", "templates", "unauthorized", "deleted", "internal", "curatedItem"
]
SortProperty = Literal["name", "modified_date", "id"]
# What ``get_many`` asks for by default: every kind of metric an id may name, so a deleted,
# template or internal metric resolves as it does with ``get``.
_EVERY_KIND: tuple[IncludeType, ...] = ("shared", "templates", "deleted", "internal")
_VALIDATE = "/calculatedmetrics/validate"


def _metric_body(metric: object, name: str) -> Any:
    if isinstance(metric, Mapping):
        return dict(metric)
    return body_of(model_arg(metric, CalculatedMetric, name))


class CalculatedMetrics(Resource, group="calculated_metrics"):
    """Calculated metrics: list, get, create, update (partial), delete, validate, and the
    functions a definition can use."""

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[IncludeType | str] | None = None,
        data_ids: Sequence[str] | None = None,
        owner_id: str | None = None,
        filter_by_ids: Sequence[str] | None = None,
        to_be_used_in_rsid: str | None = None,
        locale: str | None = None,
        favorite: bool | None = None,
        approved: bool | None = None,
        pagination: bool | None = None,
        limit: int | None = None,
        page: int | None = None,
        sort_direction: SortDirection | None = None,
        sort_property: SortProperty | str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[CalculatedMetric]:
        """Calculated metrics the caller can see. Items carry only ``id`` unless
        ``expansion`` names more (``name``, ``definition``, ``ownerFullName``, ``tags``, ...).

        ``pagination=False`` asks for everything in one answer (no ``limit``/``page``: 10
        and 0 otherwise); ``include_type`` widens the set (``all``, ``shared``, ``deleted``, ...).
        """
        params = query(
            SORT_DIRECTIONS,
            expansion=expansion,
            include_type=include_type,
            data_ids=data_ids,
            owner_id=owner_id,
            filter_by_ids=filter_by_ids,
            to_be_used_in_rsid=to_be_used_in_rsid,
            locale=locale,
            favorite=favorite,
            approved=approved,
            pagination=pagination,
            sort_direction=sort_direction,
            sort_property=sort_property,
        )
        return self._pager(
            CalculatedMetric,
            "/calculatedmetrics",
            params,
            limit=limit,
            page=page,
            pagination=pagination,
            options=options,
        )

    async def get(
        self,
        metric_id: str,
        *,
        expansion: Sequence[str] | None = None,
        include_hidden: bool | None = None,
        to_be_used_in_rsid: str | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> CalculatedMetric:
        """One calculated metric (a deleted one can still be fetched by id)."""
        url = path("/calculatedmetrics/{}", check_id(metric_id, "metric_id"))
        params = query(
            expansion=expansion,
            include_hidden=include_hidden,
            to_be_used_in_rsid=to_be_used_in_rsid,
            locale=locale,
        )
        return await self._call(CalculatedMetric, "GET", url, params=params, options=options)

    async def get_many(
        self,
        metric_ids: Iterable[str],
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[IncludeType | str] | None = _EVERY_KIND,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[CalculatedMetric]:
        """Many calculated metrics by id, in the order of ``metric_ids``, in as few requests
        as the URL length allows (``filterByIds``). Raises ``NotFoundError`` naming the ids
        not found. ``include_type`` defaults to every kind, so any id ``get`` finds is found.
        """
        params = query(expansion=expansion, include_type=include_type, locale=locale)
        return await self._get_many(
            CalculatedMetric,
            "/calculatedmetrics",
            metric_ids,
            params=params,
            name="metric_ids",
            options=options,
        )

    async def create(
        self, metric: CalculatedMetric, *, validate: bool = False, **options: Unpack[RequestOptions]
    ) -> CalculatedMetric:
        """Create a calculated metric (``name``, ``data_id`` and ``definition`` at least);
        returns it with its new ``id``. ``POST /calculatedmetrics`` is in Adobe's guide but
        not in its spec. Not retried after it may have reached the server.

        ``validate=True`` first checks the metric with :meth:`validate` (one more request)
        and raises ``BadRequestError`` (``error_code="invalid_definition"``) without
        creating anything if the validator says it is invalid.
        """
        model_arg(metric, CalculatedMetric, "metric")
        if validate:
            await self._validate_first(metric, options)
        return await self._call(
            CalculatedMetric, "POST", "/calculatedmetrics", body=body_of(metric), options=options
        )

    async def update(
        self,
        metric_id: str,
        metric: CalculatedMetric,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        cached: bool | None = None,
        validate: bool = False,
        **options: Unpack[RequestOptions],
    ) -> CalculatedMetric:
        """Change a calculated metric: the members ``metric`` has replace the stored ones and
        every other member stays, so ``CalculatedMetric(precision=2)`` changes the precision
        and keeps the name, the definition and whatever else the metric has.

        Adobe's ``PUT /calculatedmetrics/{id}`` takes the whole metric (its spec requires
        ``definition``), so this reads the metric first (one more request, past the response
        cache, ``definition`` included), lays the members of ``metric`` over it, members this
        version of cja-async does not know included, and sends the whole.

        ``validate=True`` checks the metric being written with :meth:`validate` when
        ``metric`` changes its ``definition`` (one more request) and raises
        ``BadRequestError`` (``error_code="invalid_definition"``) without changing anything
        if it is invalid.
        """
        url = path("/calculatedmetrics/{}", check_id(metric_id, "metric_id"))
        model_arg(metric, CalculatedMetric, "metric")
        changes: dict[str, Any] = body_of(metric)
        stored = await self._call(
            CalculatedMetric,
            "GET",
            url,
            params=query(expansion=["definition"], locale=locale),
            fresh=True,
            options=options,
        )
        whole: dict[str, Any] = {**body_of(stored), **changes}
        if stored.id is not None:  # the path names the metric being changed
            whole["id"] = stored.id
        if validate and "definition" in changes:
            await self._validate_first(whole, options)
        params = query(expansion=expansion, locale=locale, cached=cached)
        return await self._call(
            CalculatedMetric, "PUT", url, params=params, body=whole, options=options
        )

    async def _validate_first(
        self, metric: CalculatedMetric | Mapping[str, Any], options: RequestOptions
    ) -> None:
        result = await self.validate(metric, **options)
        ensure_valid(result, what="calculated metric", path=_VALIDATE)

    async def delete(
        self, metric_id: str, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a calculated metric: gone from lists, still fetchable by id."""
        url = path("/calculatedmetrics/{}", check_id(metric_id, "metric_id"))
        await self._send("DELETE", url, params=query(locale=locale), options=options)

    async def validate(
        self,
        metric: CalculatedMetric | Mapping[str, Any],
        *,
        locale: str | None = None,
        migrating: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> MetricValidation:
        """Check a calculated metric (its ``definition`` against its data view ``data_id``)
        without saving it; ``result.is_valid`` tells. Only reads, so it is retried."""
        body = _metric_body(metric, "metric")
        if not isinstance(body.get("definition"), Mapping):
            raise ValueError("metric must have a definition (a JSON object)")
        return await self._call(
            MetricValidation,
            "POST",
            _VALIDATE,
            params=query(locale=locale, migrating=migrating),
            body=body,
            reads=True,
            options=options,
        )

    async def functions(
        self, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> builtins.list[MetricFunction]:
        """Every function a calculated-metric definition can use."""
        return await self._call(
            builtins.list[MetricFunction],
            "GET",
            "/calculatedmetrics/functions",
            params=query(locale=locale),
            options=options,
        )

    async def function(
        self, function_id: str, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> MetricFunction:
        """One function of the catalogue (``divide``, ``col-sum``, ...)."""
        url = path("/calculatedmetrics/functions/{}", check_id(function_id, "function_id"))
        return await self._get(MetricFunction, url, locale=locale, options=options)
