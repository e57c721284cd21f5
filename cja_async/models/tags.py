"""Tags: ``/componentmetadata/tags``."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, model


@model
class TaggedComponent(Model):
    """A component a tag is on: its type (``segment``, ``project``, ...) and id."""

    component_type: str | None = None
    component_id: str | None = None


@model
class Tag(Model):
    """A tag of the org. ``id`` is an integer Adobe assigns; build one with just ``name``
    (and ``description``, ``components``) to create it."""

    id: int = api_id()
    name: str | None = None
    description: str | None = None
    components: list[TaggedComponent] | None = None
    status: dict[str, Any] | None = None


@model
class ComponentTags(Model):
    """The tags on one component (tag search by components, replacing tags)."""

    component_type: str | None = None
    component_id: str | None = None
    tags: list[Tag] | None = None
    status: dict[str, Any] | None = None
