"""Audit logs: ``/auditlogs/api/v1/auditlogs`` and its criteria search."""

from __future__ import annotations

from ._base import Model, api_id, model


@model
class AuditUser(Model):
    """Who did it: ``id_type`` is ``IMS`` or ``OKTA``."""

    id: str | None = None
    id_type: str | None = None
    name: str | None = None
    email: str | None = None


@model
class AuditComponent(Model):
    """What it was done to: ``id_type`` is the component type (``FILTER``, ``PROJECT``, ...)."""

    id: str | None = None
    id_type: str | None = None
    name: str | None = None


@model
class AuditLog(Model):
    """One audit-log record."""

    id: str = api_id()
    date_created: str | None = None
    action: str | None = None
    description: str | None = None
    ims_org_id: str | None = None
    user: AuditUser | None = None
    component: AuditComponent | None = None


@model
class AuditLogField(Model):
    """One condition of a search: ``field_type`` (``ACTION``, ``USER_EMAIL``, ...),
    ``operator`` (``EQUALS``, ``NOT_EQUALS``, ``CONTAINS``, ``IN``) and its values."""

    field_type: str | None = None
    value: list[str] | None = None
    operator: str | None = None


@model
class AuditLogCriteria(Model):
    """The conditions of an audit-log search: ``fields`` joined by ``field_operator``
    (``AND``/``OR``), joined to ``sub_criteria`` by ``sub_criteria_operator``."""

    field_operator: str | None = None
    fields: list[AuditLogField] | None = None
    sub_criteria_operator: str | None = None
    sub_criteria: AuditLogCriteria | None = None
