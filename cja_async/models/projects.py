"""Workspace projects: ``/projects``."""

from __future__ import annotations

from typing import Any

from ._base import Model, model
from ._common import DataViewAsset, Owner


@model
class Project(DataViewAsset):
    """A Workspace project (``AnalyticsProject`` in Adobe's spec).

    Build one for ``create`` with what it needs:
    ``Project(name=..., rsid=data_view_id, type="project", definition={...})``.
    """

    owner: Owner | None = None
    type: str | None = None
    definition: dict[str, Any] | None = None
    external_references: dict[str, list[str]] | None = None
    access_level: str | None = None
    version_notes: str | None = None
    tags: list[dict[str, Any]] | None = None
    shares: list[dict[str, Any]] | None = None
    modified: str | None = None
    created: str | None = None


@model
class ProjectValidation(Model):
    """What ``projects.validate`` answers (``ProjectCompatibility``)."""

    valid: bool | None = None
    validator_version: str | None = None
    message: str | None = None
