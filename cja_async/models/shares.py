"""Shares: ``/componentmetadata/shares``."""

from __future__ import annotations

from typing import Any

from ._base import Model, model


@model
class Share(Model):
    """One share of a component with a user, a group or everyone (``share_to_type``)."""

    share_id: int | None = None
    ims_org_id: str | None = None
    share_to_id: int | None = None
    share_to_ims_id: str | None = None
    share_to_type: str | None = None
    share_from_ims_id: str | None = None
    component_type: str | None = None
    component_id: str | None = None
    share_to_display_name: str | None = None
    share_to_login: str | None = None
    access_level: str | None = None


@model
class ComponentShares(Model):
    """The shares of one component (share search by components, replacing shares)."""

    component_type: str | None = None
    component_id: str | None = None
    shares: list[Share] | None = None
    status: dict[str, Any] | None = None
