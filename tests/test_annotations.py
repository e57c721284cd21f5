"""``cja.annotations`` against the simulator (the operations are in Adobe's guides only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cja_async import BadRequestError, Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import Annotation
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio

NEW = Annotation(
    name="Launch",
    data_id="dv_1",
    date_range="2030-02-14T00:00:00/2030-02-14T23:59:59",
    color="STANDARD1",
)


async def test_list_paging_expansion_and_filters(cja: Client) -> None:
    first = await cja.annotations.list(limit=7)
    assert first.total_elements == 30 and first.items[0].name is None  # only ids by default
    named = await cja.annotations.list(limit=7, expansion=["name", "dateRange", "color"])
    assert all(a.name and a.date_range and a.color for a in named.items)
    assert len([a async for a in cja.annotations.list(limit=7)]) == 30
    inside = [
        a
        async for a in cja.annotations.list(
            filter_by_date_range="2022-01-01T00:00:00Z/2022-12-31T23:59:59Z",
            expansion=["dateRange"],
        )
    ]
    assert 0 < len(inside) < 30
    assert all("2022-01-01" <= str(a.date_range) <= "2022-12-31T23:59:59/" for a in inside)
    created = await cja.annotations.create(NEW)
    recent = [
        a.id
        async for a in cja.annotations.list(
            filter_by_modified_after=datetime(2024, 6, 1, tzinfo=UTC)
        )
    ]
    assert created.id in recent


async def test_crud_partial_update_and_soft_delete(cja: Client) -> None:
    created = await cja.annotations.create(NEW)
    assert created.id and created.name is None  # Adobe answers only the id
    await cja.annotations.update(created.id, Annotation(description="More words"))
    fetched = await cja.annotations.get(created.id)
    assert (fetched.name, fetched.description, fetched.color) == (
        "Launch",
        "More words",
        "STANDARD1",
    )
    only = await cja.annotations.get(created.id, expansion=["name"])
    assert only.name == "Launch" and only.color is None
    await cja.annotations.delete(created.id)
    assert created.id not in [a.id async for a in cja.annotations.list(limit=100)]
    assert (await cja.annotations.get(created.id)).name == "Launch"  # still fetchable
    with pytest.raises(NotFoundError):
        await cja.annotations.delete(created.id)


async def test_the_service_checks_required_members(cja: Client) -> None:
    with pytest.raises(BadRequestError, match="color"):
        await cja.annotations.create(Annotation(name="x", data_id="dv", date_range="a/b"))
    with pytest.raises(BadRequestError, match="STANDARD"):
        await cja.annotations.create(
            Annotation(name="x", data_id="dv", date_range=NEW.date_range, color="PINK")
        )


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    with pytest.raises(ValueError, match="annotation_id"):
        await cja.annotations.get("..")
    with pytest.raises(TypeError, match="annotation"):
        await cja.annotations.update("a1", {"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        cja.annotations.list(filter_by_modified_after=datetime(2024, 1, 1))
    assert sim.org_stats(org_id).requests == 0


def test_the_guides_example_round_trips() -> None:
    # From Adobe's "Annotation definition data structure" page.
    body = {
        "id": "string",
        "name": "string",
        "dateRange": "string",
        "color": "STANDARD1",
        "applyToAllReports": True,
        "scope": {
            "metrics": [{"id": "string", "componentType": "string"}],
            "filters": [
                {
                    "id": "string",
                    "operator": "string",
                    "dimensionType": "string",
                    "terms": ["string"],
                    "componentType": "string",
                }
            ],
        },
        "tags": [{"additionalProp1": {}}],
        "usageSummary": {"additionalProp1": {}},
        "owner": {"imsUserId": "string", "ownerId": "string", "name": "string", "type": "imsUser"},
        "dataId": "string",
    }
    note = structure(body, Annotation)
    assert note.scope and note.scope.filters and note.scope.filters[0].terms == ["string"]
    assert unstructure(note) == body
