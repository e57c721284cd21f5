"""Segments: ``/segments``."""

from __future__ import annotations

from typing import Any

from ._base import Model, json_field, model
from ._common import DataViewAsset, Owner


@model
class Segment(DataViewAsset):
    """A segment (filter). Lists return few members unless ``expansion`` asks for more.

    Build one for ``create`` with what it needs:
    ``Segment(name=..., rsid=data_view_id, definition={...})``. ``definition`` is the
    free-form segment definition JSON (``{"func": "segment-def", "container": ...}``).
    """

    data_name: str | None = None
    report_suite: str | None = json_field("report_suite")
    owner: Owner | None = None
    owner_full_name: str | None = None
    definition: dict[str, Any] | None = None
    compatibility: dict[str, Any] | None = None
    organization: str | None = None
    modified: str | None = None
    modified_by_id: str | None = None
    created: str | None = None
    create_date: str | None = None
    created_date: str | None = None
    created_by: str | None = None
    definition_last_modified: str | None = None
    recent_recorded_access: str | None = None
    performance_score: str | None = None
    performance_score_weight_version: str | None = None
    disabled: bool | None = None
    internal: bool | None = None
    template: bool | None = None
    is_deleted: bool | None = None
    approved: bool | None = None
    favorite: bool | None = None
    publishing_status: str | None = None
    categories: list[Any] | None = None
    tags: list[dict[str, Any]] | None = None
    shares: list[dict[str, Any]] | None = None
    used_in: list[dict[str, Any]] | None = None
    usage_summary: dict[str, Any] | None = None


@model
class SegmentValidation(Model):
    """What ``segments.validate`` answers; ``valid`` tells whether the definition is good."""

    valid: bool | None = None
    message: str | None = None
    validator_version: str | None = json_field("validator_version")
    supported_products: list[str] | None = json_field("supported_products")
    supported_schema: list[str] | None = json_field("supported_schema")
    supported_features: list[str] | None = json_field("supported_features")
    # The spec says strings; other validators answer objects: keep whatever comes.
    errors: list[Any] | None = None

    @property
    def is_valid(self) -> bool | None:
        """``valid`` when the answer holds a boolean there, else ``None``."""
        return self.valid if isinstance(self.valid, bool) else None
