"""``cja.segments``: segments (filters)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Unpack

from .._paging import AsyncPager
from ..models._common import Owner
from ..models.segments import Segment, SegmentValidation
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

__all__ = ["PublishedFilter", "SegmentIncludeType", "Segments"]

# Spec: shared, templates, deleted, internal; the guide adds ``all`` (admins: every owner's).
SegmentIncludeType = Literal["shared", "all", "templates", "deleted", "internal"]
PublishedFilter = Literal["all", "true", "false"]

_CHOICES = {
    **SORT_DIRECTIONS,
    "include_type": ("shared", "all", "templates", "deleted", "internal"),
    "filter_by_published_segments": ("all", "true", "false"),
}
# What ``get_many`` asks for by default: every kind of segment an id may name, so a
# deleted or template segment resolves as it does with ``get``.
_EVERY_KIND: tuple[SegmentIncludeType, ...] = ("shared", "templates", "deleted", "internal")
_VALIDATE = "/segments/validate"


class Segments(Resource, group="segments"):
    """Segments: list, get, get_many, create, partial update, validate, delete."""

    def list(
        self,
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[SegmentIncludeType] | None = None,
        rsids: Sequence[str] | None = None,
        data_ids: Sequence[str] | None = None,
        owner_id: str | None = None,
        filter_by_ids: Sequence[str] | None = None,
        to_be_used_in_rsid: str | None = None,
        name: str | None = None,
        tag_names: Sequence[str] | None = None,
        filter_by_published_segments: PublishedFilter | bool | None = None,
        filter_by_modified_after: str | None = None,
        locale: str | None = None,
        cached: bool | None = None,
        pagination: bool | None = None,
        limit: int | None = None,
        page: int | None = None,
        sort_direction: SortDirection | None = None,
        sort_property: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Segment]:
        """Segments visible to the caller.

        Items carry few members unless ``expansion`` names more (``definition``,
        ``owner``, ``tags``, ``compatibility``, ``modified``, ``usedIn``, ...).
        ``include_type`` adds segments the caller does not own (``shared``, ``all``) and
        other kinds (``templates``, ``deleted``, ``internal``). ``rsids``/``data_ids``
        keep the segments of those data views; ``name`` matches a part of the name;
        ``filter_by_modified_after`` takes an ISO 8601 date; ``sort_property`` is e.g.
        ``name``, ``modified_date``, ``performanceScore`` or ``id``.
        ``pagination=False`` fetches the whole result in one request (no ``limit``).
        """
        if isinstance(filter_by_published_segments, bool):
            filter_by_published_segments = "true" if filter_by_published_segments else "false"
        params = query(
            _CHOICES,
            expansion=expansion,
            include_type=include_type,
            rsids=rsids,
            data_ids=data_ids,
            owner_id=owner_id,
            filter_by_ids=filter_by_ids,
            to_be_used_in_rsid=to_be_used_in_rsid,
            name=name,
            tag_names=tag_names,
            filter_by_published_segments=filter_by_published_segments,
            filter_by_modified_after=filter_by_modified_after,
            locale=locale,
            cached=cached,
            pagination=pagination,
            sort_direction=sort_direction,
            sort_property=sort_property,
        )
        return self._pager(
            Segment,
            "/segments",
            params,
            limit=limit,
            page=page,
            pagination=pagination,
            options=options,
        )

    async def get(
        self,
        segment_id: str,
        *,
        expansion: Sequence[str] | None = None,
        to_be_used_in_rsid: str | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Segment:
        """One segment, also one that was deleted (deleted segments leave lists only)."""
        url = path("/segments/{}", check_id(segment_id, "segment_id"))
        params = query(expansion=expansion, to_be_used_in_rsid=to_be_used_in_rsid, locale=locale)
        return await self._call(Segment, "GET", url, params=params, options=options)

    async def get_many(
        self,
        segment_ids: Iterable[str],
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[SegmentIncludeType] | None = _EVERY_KIND,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Segment]:
        """Many segments by id, in the order of ``segment_ids``, in as few requests as the
        URL length allows (``filterByIds``). Raises ``NotFoundError`` naming missing ids.

        ``include_type`` defaults to every kind (shared, templates, deleted, internal), so
        any id ``get`` can fetch is found; items carry what ``expansion`` asks for.
        """
        params = query(_CHOICES, expansion=expansion, include_type=include_type, locale=locale)
        return await self._get_many(
            Segment, "/segments", segment_ids, params=params, name="segment_ids", options=options
        )

    async def create(
        self,
        segment: Segment,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        validate: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Segment:
        """Create a segment; returns it with its new ``id``. Not retried after it may have
        reached the server (see ``OutcomeUnknownError``).

        ``validate=True`` first checks the definition with :meth:`validate` (one more
        request, against the segment's ``rsid``/``data_id``) and raises ``BadRequestError``
        (``error_code="invalid_definition"``) without creating anything if it is invalid.
        """
        model_arg(segment, Segment, "segment")
        params = query(expansion=expansion, locale=locale)
        body = body_of(segment)
        if validate:
            if segment.definition is None:
                raise ValueError("validate=True needs segment.definition to check")
            await self._validate_first(body, options)
        return await self._call(
            Segment, "POST", "/segments", params=params, body=body, options=options
        )

    async def update(
        self,
        segment_id: str,
        changes: Segment | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        definition: Mapping[str, Any] | None = None,
        rsid: str | None = None,
        data_id: str | None = None,
        owner: Owner | None = None,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        cached: bool | None = None,
        validate: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Segment:
        """Change some members of a segment; returns the whole updated segment.

        ``PUT /segments/{id}`` is a partial update: only the members given here are sent,
        the others stay as they are. Give them as keywords (``name=``, ``description=``,
        ``definition=``, ...) or as a ``Segment`` holding just the members to change
        (keywords win). Setting ``owner`` hands the segment to another user of the org.

        ``validate=True`` checks a definition being sent with :meth:`validate` first (one
        more request; against the ``rsid``/``data_id`` of this update, if it gives one) and
        raises ``BadRequestError`` (``error_code="invalid_definition"``) without changing
        anything if it is invalid. Without a definition in the update it does nothing.
        """
        url = path("/segments/{}", check_id(segment_id, "segment_id"))
        if changes is not None:
            model_arg(changes, Segment, "changes")
        if definition is not None and not isinstance(definition, Mapping):
            raise TypeError(f"definition must be a JSON object, got {type(definition).__name__}")
        if owner is not None and not isinstance(owner, Owner):
            raise TypeError(f"owner must be an Owner, got {type(owner).__name__}")
        body: dict[str, Any] = {} if changes is None else body_of(changes)
        given = {
            "name": name,
            "description": description,
            "definition": None if definition is None else dict(definition),
            "rsid": rsid,
            "dataId": data_id,
            "owner": None if owner is None else body_of(owner),
        }
        body.update({key: value for key, value in given.items() if value is not None})
        if not body:
            raise ValueError("update needs at least one member to change (name=, ...)")
        params = query(expansion=expansion, locale=locale, cached=cached)
        if validate and body.get("definition") is not None:
            await self._validate_first(body, options)
        return await self._call(Segment, "PUT", url, params=params, body=body, options=options)

    async def _validate_first(self, body: Mapping[str, Any], options: RequestOptions) -> None:
        """Validate the ``definition`` of a create/update ``body`` against its data view."""
        rsid = body.get("rsid") or body.get("dataId")
        result = await self.validate(body["definition"], rsid=rsid, **options)
        ensure_valid(result, what="segment", path=_VALIDATE)

    async def validate(
        self,
        definition: Mapping[str, Any],
        *,
        rsid: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SegmentValidation:
        """Check a segment definition (for the data view ``rsid``) without saving it.

        ``result.valid`` says whether it is good; ``result.errors`` says why not. The call
        only reads, so it is retried like a GET.
        """
        if not isinstance(definition, Mapping):
            raise TypeError(f"definition must be a JSON object, got {type(definition).__name__}")
        if not definition:
            raise ValueError("definition must not be empty")
        if rsid is not None:
            check_id(rsid, "rsid")
        return await self._call(
            SegmentValidation,
            "POST",
            _VALIDATE,
            params=query(rsid=rsid),
            body=dict(definition),
            reads=True,
            options=options,
        )

    async def delete(
        self, segment_id: str, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a segment: it leaves every list but can still be fetched by id."""
        url = path("/segments/{}", check_id(segment_id, "segment_id"))
        await self._send("DELETE", url, params=query(locale=locale), options=options)
