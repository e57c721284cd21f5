"""``cja.annotations``: notes on date ranges of reports (``/annotations``, documented in
Adobe's guides but not in its spec)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Unpack

from .._paging import AsyncPager
from ..models.annotations import Annotation
from ._base import RequestOptions, Resource, body_of, check_id, model_arg, path, query

IncludeType = Literal["all", "shared"]


def _check(annotation: object) -> Annotation:
    return model_arg(annotation, Annotation, "annotation")


def iso(moment: str | datetime | None, name: str) -> str | None:
    """A timestamp parameter: a ``datetime`` (timezone-aware) or the caller's own text."""
    if moment is None or isinstance(moment, str):
        return moment
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime or str, got {type(moment).__name__}")
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (Adobe reads it as an instant)")
    return moment.isoformat()


class Annotations(Resource, group="annotations"):
    """Annotations: list, get, create, update (partial), delete."""

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[IncludeType | str] | None = None,
        locale: str | None = None,
        filter_by_modified_after: str | datetime | None = None,
        filter_by_date_range: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Annotation]:
        """Annotations the caller owns (``include_type`` adds shared ones, or ``all`` for
        admins). Items carry only ``id`` unless ``expansion`` names more (``name``,
        ``dateRange``, ``color``, ...). ``filter_by_date_range`` is ``start/end`` in ISO 8601:
        only annotations wholly inside it."""
        params = query(
            expansion=expansion,
            include_type=include_type,
            locale=locale,
            filter_by_modified_after=iso(filter_by_modified_after, "filter_by_modified_after"),
            filter_by_date_range=filter_by_date_range,
        )
        return self._pager(
            Annotation, "/annotations", params, limit=limit, page=page, options=options
        )

    async def get(
        self,
        annotation_id: str,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Annotation:
        """One annotation (a deleted one can still be fetched by id)."""
        url = path("/annotations/{}", check_id(annotation_id, "annotation_id"))
        params = query(expansion=expansion, locale=locale)
        return await self._call(Annotation, "GET", url, params=params, options=options)

    async def create(self, annotation: Annotation, **options: Unpack[RequestOptions]) -> Annotation:
        """Create an annotation (``name``, ``data_id``, ``date_range``, ``color``). Adobe
        answers only the new ``id``. Not retried after it may have reached the server."""
        body = body_of(_check(annotation))
        return await self._call(Annotation, "POST", "/annotations", body=body, options=options)

    async def update(
        self, annotation_id: str, annotation: Annotation, **options: Unpack[RequestOptions]
    ) -> Annotation:
        """Change an annotation: only the members ``annotation`` has are sent and changed,
        so ``Annotation(name="New")`` renames it. Adobe answers only the ``id``."""
        url = path("/annotations/{}", check_id(annotation_id, "annotation_id"))
        return await self._call(
            Annotation, "PUT", url, body=body_of(_check(annotation)), options=options
        )

    async def delete(self, annotation_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete an annotation: hidden from lists, still fetchable by id."""
        url = path("/annotations/{}", check_id(annotation_id, "annotation_id"))
        await self._send("DELETE", url, options=options)
