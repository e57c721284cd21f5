"""Data views: ``/data/dataviews``."""

from __future__ import annotations

from typing import Any

from ._base import Model, model
from ._common import Owner


@model
class ExternalData(Model):
    """Ids that tie a data view to an outside system."""

    external_id: str | None = None
    external_parent_id: str | None = None


@model
class ContainerNames(Model):
    """What the event, session and people containers are called in this data view."""

    event: str | None = None
    session: str | None = None
    people: str | None = None


@model
class SessionDefinition(Model):
    """How sessions end: after inactivity or before certain events."""

    num_periods: int | None = None
    granularity: str | None = None
    func: str | None = None
    events: list[str] | None = None


@model
class DataView(Model):
    """A data view. Lists return little more than ``id`` unless ``expansion`` asks for more.

    Build one for ``create`` with what it needs: ``DataView(name=..., parent_data_group_id=...)``.
    """

    id: str | None = None
    name: str | None = None
    description: str | None = None
    owner: Owner | None = None
    is_deleted: bool | None = None
    parent_data_group_id: str | None = None
    segment_list: list[str] | None = None
    current_timezone_offset: float | None = None
    timezone_designator: str | None = None
    modified_date: str | None = None
    created_date: str | None = None
    organization: str | None = None
    modified_by: str | None = None
    curation_enabled: bool | None = None
    recent_recorded_access: str | None = None
    session_definition: list[SessionDefinition] | None = None
    external_data: ExternalData | None = None
    container_names: ContainerNames | None = None
    tags: list[dict[str, Any]] | None = None
