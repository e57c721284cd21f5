"""Small models shared by several API groups."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, json_field, model


@model
class Owner(Model):
    """The owner of a component (``owner`` expansion)."""

    id: int | str | None = None
    ims_user_id: str | None = None
    owner_id: str | None = None
    name: str | None = None
    type: str | None = None
    login: str | None = None


@model
class DataViewAsset(Model):
    """The members a project and a segment open with: their id, name and description and
    the data view they belong to (``rsid``; answers add ``data_id`` and ``report_suite_name``).

    Subclasses add their own members after these, so the order of fields is as before.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    rsid: str | None = None
    report_suite_name: str | None = None
    data_id: str | None = None


@model
class DeleteResult(Model):
    """What a DELETE answers: ``{"result": "success", "message": "..."}`` (the spec), or
    ``{"status": "ok", "message": "..."}`` (the segments guide)."""

    result: str | None = None
    status: str | None = None
    message: str | None = None


@model
class ValidationResult(Model):
    """The answer of a ``validate`` call; ``valid`` tells whether the definition is good."""

    valid: bool | None = None
    message: str | None = None
    validator_version: str | None = json_field("validator_version")
    # Not in the spec's data view answer; its sibling, the segment validator, types errors as
    # strings and the calculated-metric one answers objects: keep whatever comes.
    errors: list[Any] | None = None
