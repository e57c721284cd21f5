"""Annotations: ``/annotations`` (documented in Adobe's guides, not in the spec)."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, model
from ._common import Owner


@model
class AnnotationMetric(Model):
    """A metric an annotation is scoped to."""

    id: str | None = None
    component_type: str | None = None


@model
class AnnotationFilter(Model):
    """A dimension filter an annotation is scoped to."""

    id: str | None = None
    operator: str | None = None
    dimension_type: str | None = None
    terms: list[str] | None = None
    component_type: str | None = None


@model
class AnnotationScope(Model):
    """Which metrics and filters an annotation applies to."""

    metrics: list[AnnotationMetric] | None = None
    filters: list[AnnotationFilter] | None = None


@model
class Annotation(Model):
    """A note on a date range of a data view's reports.

    ``date_range`` is two ISO 8601 instants joined by ``/``; ``color`` is ``STANDARD1`` to
    ``STANDARD9``. Create needs ``name``, ``data_id``, ``date_range`` and ``color``.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    date_range: str | None = None
    color: str | None = None
    apply_to_all_reports: bool | None = None
    scope: AnnotationScope | None = None
    created_date: str | None = None
    modified_date: str | None = None
    modified_by_id: str | None = None
    tags: list[dict[str, Any]] | None = None
    shares: list[dict[str, Any]] | None = None
    approved: bool | None = None
    favorite: bool | None = None
    usage_summary: dict[str, Any] | None = None
    owner: Owner | None = None
    ims_org_id: str | None = None
    data_name: str | None = None
    data_id: str | None = None
    rsid: str | None = None
