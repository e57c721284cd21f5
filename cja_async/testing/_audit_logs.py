"""Audit logs: ``GET /auditlogs/api/v1/auditlogs`` (AND filters) and ``POST .../search``
(criteria joined by AND/OR, nested sub-criteria). Spring pages, ``pageSize`` (default 100)
and ``pageNumber``, newest first. Creating, changing or deleting calculated metrics, date
ranges and annotations in the simulator adds records, as it does at Adobe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._component_helpers import body_object, parse_instant
from ._http import Response
from ._paging import JSON, bad_parameter, int_param
from ._request import Request
from ._router import Router

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()
_FIELD_TYPES = {
    "COMPONENT",
    "COMPONENT_ID",
    "USER",
    "USER_ID",
    "USER_EMAIL",
    "BEGIN_DATE_RANGE",
    "END_DATE_RANGE",
    "ACTION",
    "DESCRIPTION",
}
_OPERATORS = {"EQUALS", "NOT_EQUALS", "CONTAINS", "IN"}


def _field_value(record: Mapping[str, Any], field_type: str) -> str:
    user, component = record.get("user") or {}, record.get("component") or {}
    values = {
        "COMPONENT": component.get("idType"),
        "COMPONENT_ID": component.get("id"),
        "USER": user.get("name") or user.get("id"),
        "USER_ID": user.get("id"),
        "USER_EMAIL": user.get("email"),
        "ACTION": record.get("action"),
        "DESCRIPTION": record.get("description"),
    }
    return str(values.get(field_type) or "")


Predicate = Callable[[Mapping[str, Any]], bool]


def _created(record: Mapping[str, Any]) -> datetime:
    return parse_instant(str(record["dateCreated"]), "dateCreated")


def _condition(field_type: str, operator: str, values: list[str]) -> Predicate:
    lowered = [value.lower() for value in values]

    def test(record: Mapping[str, Any]) -> bool:
        actual = _field_value(record, field_type).lower()
        if operator == "CONTAINS":
            return any(value in actual for value in lowered)
        if operator == "NOT_EQUALS":
            return actual not in lowered
        return actual in lowered  # EQUALS, IN

    return test


def _date_window(start: str, end: str) -> Predicate:
    begin, until = parse_instant(start, "startDate"), parse_instant(end, "endDate")
    if begin > until:
        raise bad_parameter("the start of the date range must not be after its end")
    return lambda record: begin <= _created(record) <= until


def _criteria(criteria: Any) -> Predicate:
    """A predicate for a ``criteria`` object; 400 for anything malformed."""
    if not isinstance(criteria, dict):
        raise bad_parameter("criteria must be an object")
    field_operator = str(criteria.get("fieldOperator") or "AND").upper()
    if field_operator not in ("AND", "OR"):
        raise bad_parameter(f"fieldOperator must be AND or OR, got {field_operator!r}")
    fields = criteria.get("fields") or []
    if not isinstance(fields, list):
        raise bad_parameter("criteria.fields must be an array")
    tests: list[Predicate] = []
    dates: dict[str, str] = {}
    for field in fields:
        if not isinstance(field, dict):
            raise bad_parameter("every field must be an object")
        field_type, operator = field.get("fieldType"), field.get("operator")
        values = field.get("value")
        if field_type not in _FIELD_TYPES:
            raise bad_parameter(f"unknown fieldType {field_type!r}")
        if operator not in _OPERATORS:
            raise bad_parameter(f"unknown operator {operator!r}")
        if not isinstance(values, list) or not values:
            raise bad_parameter(f"field {field_type} needs a non-empty value array")
        if field_type in ("BEGIN_DATE_RANGE", "END_DATE_RANGE"):
            if operator != "EQUALS":
                raise bad_parameter(f"{field_type} must use the EQUALS operator")
            dates[field_type] = str(values[0])
            continue
        tests.append(_condition(field_type, operator, [str(v) for v in values]))
    if dates and len(dates) != 2:
        raise bad_parameter("BEGIN_DATE_RANGE and END_DATE_RANGE must be set together")
    window = _date_window(dates["BEGIN_DATE_RANGE"], dates["END_DATE_RANGE"]) if dates else None
    join = all if field_operator == "AND" else any
    sub = criteria.get("subCriteria")
    sub_test = _criteria(sub) if sub is not None else None
    sub_join = all if str(criteria.get("subCriteriaOperator") or "AND").upper() == "AND" else any

    def matches(record: Mapping[str, Any]) -> bool:
        # The date window always restricts; the other fields combine by fieldOperator.
        if window is not None and not window(record):
            return False
        own = join(test(record) for test in tests) if tests else True
        if sub_test is None:
            return own
        return sub_join((own, sub_test(record)))

    return matches


def _page(records: list[JSON], size: int, number: int) -> JSON:
    total = len(records)
    pages = -(-total // size)
    content = records[number * size : (number + 1) * size]
    sort = {"sorted": False, "unsorted": True, "empty": True}
    return {
        "content": content,
        "pageable": {
            "sort": dict(sort),
            "offset": number * size,
            "pageNumber": number,
            "pageSize": size,
            "paged": True,
            "unpaged": False,
        },
        "last": number + 1 >= pages,
        "totalElements": total,
        "totalPages": pages,
        "size": size,
        "number": number,
        "sort": sort,
        "numberOfElements": len(content),
        "first": number == 0,
        "empty": not content,
    }


def _newest_first(sim: Simulator, req: Request, test: Predicate) -> list[JSON]:
    records = [r for r in sim.org(req.org_id).audit_logs.list() if test(r)]
    return sorted(records, key=lambda r: (_created(r), r["id"]), reverse=True)


def _check_user_auth(req: Request) -> None:
    # Adobe declares the header; when it is sent it must hold a token.
    if "x-user-auth" in req.headers and not req.headers["x-user-auth"].strip():
        raise bad_parameter("x-user-auth must hold an IMS user access token")


@router.route("GET", "/auditlogs/api/v1/auditlogs")
async def list_audit_logs(sim: Simulator, req: Request) -> Response:
    """Records matching every filter given (AND), newest first."""
    _check_user_auth(req)
    start, end = req.param("startDate"), req.param("endDate")
    if bool(start) != bool(end):
        raise bad_parameter("startDate and endDate must be set together")
    tests: list[Predicate] = []
    if start and end:
        tests.append(_date_window(start, end))
    for param, field_type, operator in (
        ("action", "ACTION", "IN"),
        ("component", "COMPONENT", "IN"),
        ("componentId", "COMPONENT_ID", "EQUALS"),
        ("userId", "USER_ID", "EQUALS"),
        ("userEmail", "USER_EMAIL", "CONTAINS"),
        ("description", "DESCRIPTION", "CONTAINS"),
    ):
        values = req.csv_param(param)
        if values:
            tests.append(_condition(field_type, operator, values))
    user_type = req.param("userType")
    if user_type:
        tests.append(lambda r: str((r.get("user") or {}).get("idType")) == user_type.upper())
    size = int_param(req, "pageSize", 100, 1, 1000)
    number = int_param(req, "pageNumber", 0, 0)
    records = _newest_first(sim, req, lambda r: all(test(r) for test in tests))
    return Response.json(_page(records, size, number))


@router.route("POST", "/auditlogs/api/v1/auditlogs/search")
async def search_audit_logs(sim: Simulator, req: Request) -> Response:
    """Records matching ``criteria``; ``pageSize``/``pageNumber`` come in the body."""
    _check_user_auth(req)
    body = body_object(req)
    test = _criteria(body.get("criteria", {}))
    size, number = body.get("pageSize", 100), body.get("pageNumber", 0)
    if not isinstance(size, int) or not 1 <= size <= 1000:
        raise bad_parameter(f"pageSize must be between 1 and 1000, got {size!r}")
    if not isinstance(number, int) or number < 0:
        raise bad_parameter(f"pageNumber must be 0 or more, got {number!r}")
    return Response.json(_page(_newest_first(sim, req, test), size, number))
