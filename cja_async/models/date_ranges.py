"""Date ranges: ``/dateranges``."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, model
from ._common import Owner
from .tags import Tag


@model
class DateRange(Model):
    """A saved date range. ``definition`` is whatever Adobe sent: the guide shows strings
    such as ``"tm/tm+1m"``, the spec an object, so it is kept as it came.

    Build one for ``create``: ``DateRange(name=..., definition="tm/tm+1m")``.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    rsid: str | None = None
    report_suite_name: str | None = None
    owner: Owner | None = None
    definition: Any = None
    tags: list[Tag] | None = None
    shares: list[dict[str, Any]] | None = None
    site_title: str | None = None
    created: str | None = None
    modified: str | None = None
    create_date: str | None = None
    disabled_date: str | None = None
