"""``cja.audit_logs`` against the simulator."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from cja_async import BadRequestError, Client, ResponseCache
from cja_async._convert import structure, unstructure
from cja_async.models import AuditLog, AuditLogCriteria, AuditLogField, CalculatedMetric
from cja_async.testing import TOKEN_PATH, Simulator

pytestmark = pytest.mark.anyio


class Headers(httpx.AsyncBaseTransport):
    """Remembers the headers and query of every API request, then lets the simulator answer."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = httpx.ASGITransport(app=sim)
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != TOKEN_PATH:
            self.seen.append(request)
        return await self.inner.handle_async_request(request)


async def test_list_pages_with_page_size_and_number(sim: Simulator, org_id: str) -> None:
    transport = Headers(sim)
    async with sim.client(org_id=org_id, transport=transport) as cja:
        first = await cja.audit_logs.list(limit=40)
        assert first.total_elements == 250 and first.total_pages == 7
        records = [r async for r in cja.audit_logs.list(limit=40)]
    assert len({r.id for r in records}) == 250
    assert [r.date_created for r in records] == sorted(
        (r.date_created for r in records), reverse=True
    )
    params = transport.seen[-1].url.params
    assert params["pageSize"] == "40" and "pageNumber" in params
    assert "limit" not in params and "page" not in params


async def test_list_filters(cja: Client) -> None:
    creates = [r async for r in cja.audit_logs.list(action=["CREATE", "EDIT"])]
    assert creates and {r.action for r in creates} <= {"CREATE", "EDIT"}
    metrics = [r async for r in cja.audit_logs.list(component="CALCULATED_METRIC")]
    assert metrics and all(
        r.component and r.component.id_type == "CALCULATED_METRIC" for r in metrics
    )
    window = [
        r
        async for r in cja.audit_logs.list(
            start_date=datetime(2022, 1, 1, tzinfo=UTC), end_date="2022-06-30T23:59:59+00"
        )
    ]
    assert window and all("2022-01-01" <= str(r.date_created) < "2022-07" for r in window)


async def test_several_values_repeat_the_parameter_as_the_guide_does(
    sim: Simulator, org_id: str
) -> None:
    transport = Headers(sim)
    async with sim.client(org_id=org_id, transport=transport) as cja:
        records = [
            r
            async for r in cja.audit_logs.list(
                action=["CREATE", "EDIT", "DELETE"], component=["DATA_VIEW", "PROJECT"], limit=50
            )
        ]
    query = transport.seen[0].url.query.decode()
    # The guide: ?...&action=CREATE&action=EDIT&action=DELETE&component=SCHEDULED_PROJECT...
    assert "action=CREATE&action=EDIT&action=DELETE" in query
    assert "component=DATA_VIEW&component=PROJECT" in query
    assert "%2C" not in query and "," not in query
    assert records and {r.action for r in records} <= {"CREATE", "EDIT", "DELETE"}
    assert {r.component.id_type for r in records if r.component} <= {"DATA_VIEW", "PROJECT"}


async def test_the_simulator_answers_the_guides_filtered_request(cja: Client) -> None:
    # The audit-log guide's "Get audit logs with filters applied", parameter for parameter.
    page = await cja.request(
        "GET",
        "/auditlogs/api/v1/auditlogs",
        params={
            "startDate": "2021-08-01T00:00:00-07",
            "endDate": "2030-09-30T00:00:00-07",
            "action": ["CREATE", "EDIT", "DELETE"],
            "component": "DATA_VIEW",
            "userType": "IMS",
            "pageSize": "2",
        },
    )
    assert page["size"] == 2 and page["content"]
    assert {r["action"] for r in page["content"]} <= {"CREATE", "EDIT", "DELETE"}


async def test_repeated_filters_are_cached_by_their_values(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        first = [r.id async for r in cja.audit_logs.list(action=["CREATE", "EDIT"])]
        again = [r.id async for r in cja.audit_logs.list(action=["CREATE", "EDIT"])]
        other = [r.id async for r in cja.audit_logs.list(action=["DELETE"])]
    assert first == again and cja.cache_stats.hits >= 1
    assert not set(first) & set(other)


async def test_changes_are_audited(cja: Client) -> None:
    metric = await cja.calculated_metrics.create(
        CalculatedMetric(name="Audited", data_id="dv", definition={"func": "calc-metric"})
    )
    found = [r async for r in cja.audit_logs.list(component_id=str(metric.id))]
    assert [(r.action, r.component and r.component.name) for r in found] == [("CREATE", "Audited")]


async def test_search_with_or_criteria_and_sub_criteria(sim: Simulator, org_id: str) -> None:
    transport = Headers(sim)
    criteria = AuditLogCriteria(
        field_operator="AND",
        fields=[
            AuditLogField(
                field_type="BEGIN_DATE_RANGE", value=["2021-01-01T00:00:00Z"], operator="EQUALS"
            ),
            AuditLogField(
                field_type="END_DATE_RANGE", value=["2030-01-01T00:00:00Z"], operator="EQUALS"
            ),
        ],
        sub_criteria_operator="AND",
        sub_criteria=AuditLogCriteria(
            field_operator="OR",
            fields=[
                AuditLogField(field_type="ACTION", value=["DELETE"], operator="IN"),
                AuditLogField(field_type="DESCRIPTION", value=["project"], operator="CONTAINS"),
            ],
        ),
    )
    async with sim.client(org_id=org_id, transport=transport) as cja:
        found = [r async for r in cja.audit_logs.search(criteria, limit=25, user_token="u-tok")]
        total = (await cja.audit_logs.list(limit=1)).total_elements
    assert found and len(found) < (total or 0)
    assert all(r.action == "DELETE" or "project" in str(r.description) for r in found)
    sent = transport.seen[-2]  # the last page of the search
    assert sent.method == "POST" and sent.headers["x-user-auth"] == "u-tok"
    body = httpx.Response(200, content=sent.content).json()
    assert body["pageSize"] == 25 and body["criteria"]["subCriteria"]["fieldOperator"] == "OR"


async def test_the_service_checks_criteria(cja: Client) -> None:
    half = {
        "fields": [{"fieldType": "BEGIN_DATE_RANGE", "value": ["2021-01-01"], "operator": "EQUALS"}]
    }
    with pytest.raises(BadRequestError, match="END_DATE_RANGE"):
        await cja.audit_logs.search(half)


async def test_user_token_is_never_shown(
    cja: Client, sim: Simulator, org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "eyJ-user-secret-token"
    caplog.set_level(logging.DEBUG)
    pager = cja.audit_logs.list(user_token=secret, limit=5)
    assert secret not in repr(pager)
    await pager
    with pytest.raises(ValueError) as info:
        cja.audit_logs.list(user_token=" ")
    assert secret not in caplog.text and secret not in str(info.value)


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    with pytest.raises(ValueError, match="start_date and end_date"):
        cja.audit_logs.list(start_date="2021-01-01T00:00:00Z")
    with pytest.raises(ValueError, match="limit"):
        cja.audit_logs.search({}, limit=0)
    with pytest.raises(TypeError, match="criteria"):
        cja.audit_logs.search([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        cja.audit_logs.list(start_date=datetime(2021, 1, 1), end_date=datetime(2021, 2, 1))
    assert sim.org_stats(org_id).requests == 0


def test_the_guides_example_round_trips() -> None:
    body = {
        "id": "61573795d9409a491f1a9604",
        "dateCreated": "2021-10-01T16:30:13.377+00:00",
        "action": "CREATE",
        "description": "Creating scheduled job: e1efbf6c",
        "imsOrgId": "EXAMPLEIMSORG@AdobeOrg",
        "user": {"id": "EXAMPLEUSER@AdobeID", "idType": "IMS", "name": None, "email": None},
        "component": {"id": "e1efbf6c", "idType": "SCHEDULED_PROJECT", "name": ""},
    }
    record = structure(body, AuditLog)
    assert record.user and record.user.name is None and "name" in unstructure(record)["user"]
    assert unstructure(record) == body
    criteria = {
        "fieldOperator": "AND",
        "fields": [{"fieldType": "COMPONENT", "value": ["FILTER"], "operator": "IN"}],
        "subCriteriaOperator": "AND",
        "subCriteria": {
            "fieldOperator": "OR",
            "fields": [],
            "subCriteriaOperator": None,
            "subCriteria": None,
        },
    }
    assert unstructure(structure(criteria, AuditLogCriteria)) == criteria
