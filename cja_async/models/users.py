"""Users: ``/configuration/users/me`` and ``/configuration/orgs/users``."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, json_field, model


@model
class Role(Model):
    """A role of the current user."""

    principal: str | None = None
    organization: str | None = None
    named_role: str | None = json_field("named_role")
    target: str | None = None


@model
class User(Model):
    """The user (or technical account) the credentials act for: ``users.me()``.

    Adobe's guides and its spec describe different answers (``id``/``fullName`` in the
    Python guide, ``userId``/``first_name`` in the spec's examples): both are modelled.
    """

    id: str | None = None
    user_id: str | None = None
    ims_user_id: str | None = None
    email: str | None = None
    login: str | None = None
    name: str | None = None
    display_name: str | None = None
    full_name: str | None = None
    first_name: str | None = json_field("first_name")
    last_name: str | None = json_field("last_name")
    organization: str | None = None
    country_code: str | None = None
    phone_number: str | None = None
    utc_offset: str | None = None
    email_verified: bool | None = None
    mrkt_perm: str | None = None
    mrkt_perm_email: bool | None = None
    admin: bool | None = None
    roles: list[Role] | None = None


@model
class LicenseGroup(Model):
    """A product profile an org user belongs to."""

    id: str | None = None
    name: str | None = None


@model
class OrgUser(Model):
    """A user of the org: ``users.list()``."""

    id: str = api_id()
    ims_org_id: str | None = None
    tenant_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    type: str | None = None
    storage_reclamation_action: str | None = None
    editable: bool | None = None
    externally_managed: bool | None = None
    license_groups: list[LicenseGroup] | None = None
    admin: bool | None = None
    ims_org_admin: bool | None = None
    ims_product_admin: bool | None = None
    images: dict[str, Any] | None = None
