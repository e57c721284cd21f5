"""``cja.audit_logs``: who did what, when (``/auditlogs/api/v1/auditlogs``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Unpack

from .._paging import AsyncPager
from ..models.audit_logs import AuditLog, AuditLogCriteria
from ._base import RequestOptions, Resource, body_of, query, repeated_query
from .annotations import iso

# Known values from Adobe's guide, for readers and editors; any str is accepted.
Action = Literal[
    "CREATE", "EDIT", "DELETE", "LOGIN_FAILED", "LOGIN_SUCCESSFUL", "API_REQUEST", "LOGOUT",
    "APPROVE", "UNAPPROVE", "SHARE", "UNSHARE", "TRANSFER", "ORG_CHANGE",
]  # fmt: skip
Component = Literal[
    "ANNOTATION", "CALCULATED_METRIC", "CONNECTION", "DATA_GROUP", "DATA_VIEW", "DATE_RANGE",
    "FILTER", "MOBILE", "PROJECT", "REPORT", "SCHEDULED_PROJECT",
]  # fmt: skip
UserType = Literal["IMS", "OKTA"]

_URL = "/auditlogs/api/v1/auditlogs"
# Audit logs page with pageSize/pageNumber (Adobe's default page holds 100 records).
_SIZE, _NUMBER = "pageSize", "pageNumber"


def _user_auth(user_token: str | None) -> dict[str, str] | None:
    # The token itself never appears in an error message.
    if user_token is None:
        return None
    if not isinstance(user_token, str) or not user_token.strip():
        raise ValueError("user_token must be a non-empty str when given")
    return {"x-user-auth": user_token}


class AuditLogs(Resource, group="audit_logs"):
    """Audit logs: a filtered list, and a search with AND/OR criteria.

    Adobe declares an ``x-user-auth`` header (an IMS *user* access token) on both calls;
    pass it as ``user_token=`` when your org requires it. It is sent as a header only and
    never logged or shown.
    """

    def list(
        self,
        *,
        start_date: str | datetime | None = None,
        end_date: str | datetime | None = None,
        action: Sequence[Action | str] | Action | str | None = None,
        component: Sequence[Component | str] | Component | str | None = None,
        component_id: str | None = None,
        user_type: UserType | str | None = None,
        user_id: str | None = None,
        user_email: str | None = None,
        description: str | None = None,
        user_token: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[AuditLog]:
        """Audit-log records, newest first; every filter given must match (AND).
        ``start_date`` and ``end_date`` go together (Adobe's default: the last 3 months)."""
        if (start_date is None) != (end_date is None):
            raise ValueError("start_date and end_date must be given together")
        params: dict[str, str | Sequence[str]] = {}
        params |= query(
            start_date=iso(start_date, "start_date"),
            end_date=iso(end_date, "end_date"),
            component_id=component_id,
            user_type=user_type,
            user_id=user_id,
            user_email=user_email,
            description=description,
        )
        # The audit-log guide repeats a parameter for several values
        # (action=CREATE&action=EDIT&action=DELETE) rather than joining them with commas.
        params |= repeated_query(action=action, component=component)
        headers = _user_auth(user_token)
        return self._pager(
            AuditLog,
            _URL,
            params,
            limit=limit,
            page=page,
            headers=headers,
            limit_key=_SIZE,
            page_key=_NUMBER,
            options=options,
        )

    def search(
        self,
        criteria: AuditLogCriteria | Mapping[str, Any],
        *,
        user_token: str | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[AuditLog]:
        """Audit-log records matching ``criteria`` (fields joined by AND or OR, with nested
        sub-criteria). ``BEGIN_DATE_RANGE`` needs ``END_DATE_RANGE``, both with ``EQUALS``.
        Only reads, so it is retried like a GET."""
        if isinstance(criteria, AuditLogCriteria):
            body: Any = body_of(criteria)
        elif isinstance(criteria, Mapping):
            body = dict(criteria)
        else:
            raise TypeError(f"criteria must be an AuditLogCriteria, got {type(criteria).__name__}")
        headers = _user_auth(user_token)
        return self._pager(
            AuditLog,
            f"{_URL}/search",
            {},
            limit=limit,
            page=page,
            method="POST",
            body={"criteria": body},
            paging_in_body=True,
            headers=headers,
            limit_key=_SIZE,
            page_key=_NUMBER,
            options=options,
        )
