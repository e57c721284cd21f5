"""Workspace projects: ``/projects``."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, model
from ._common import Owner


@model
class Project(Model):
    """A Workspace project (``AnalyticsProject`` in Adobe's spec).

    Build one for ``create`` with what it needs:
    ``Project(name=..., rsid=data_view_id, type="project", definition={...})``.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    rsid: str | None = None
    report_suite_name: str | None = None
    data_id: str | None = None
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
