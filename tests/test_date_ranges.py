"""``cja.date_ranges`` against the simulator, and Adobe's example answers."""

from __future__ import annotations

from typing import Any

import pytest
from postman_examples import examples

from cja_async import Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import DateRange
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio


async def test_list_paging_filters_and_expansion(cja: Client) -> None:
    first = await cja.date_ranges.list(limit=4)
    assert first.total_elements and not first.is_last
    assert first.items[0].name and first.items[0].definition is None
    everything = [d async for d in cja.date_ranges.list(limit=4)]
    assert len({d.id for d in everything}) == len(everything) == first.total_elements
    with_templates = await cja.date_ranges.list(include_type=["templates"], limit=1)
    assert (with_templates.total_elements or 0) > len(everything)
    picked = [str(d.id) for d in everything[:2]]
    page = await cja.date_ranges.list(filter_by_ids=picked, expansion=["definition", "tags"])
    assert {d.id for d in page.items} == set(picked)
    assert all(isinstance(d.definition, str) and d.tags == [] for d in page.items)


async def test_crud_and_partial_update(cja: Client) -> None:
    created = await cja.date_ranges.create(
        DateRange(name="This month", description="keep me", definition="tm/tm+1m")
    )
    assert created.id and created.definition == "tm/tm+1m"
    updated = await cja.date_ranges.update(created.id, DateRange(name="Renamed"))
    assert updated.name == "Renamed" and updated.description == "keep me"
    assert (await cja.date_ranges.get(created.id)).name == "Renamed"
    got = await cja.date_ranges.get_many([created.id])
    assert got[0].id == created.id
    await cja.date_ranges.delete(created.id)
    with pytest.raises(NotFoundError):
        await cja.date_ranges.get(created.id)
    with pytest.raises(NotFoundError, match=created.id):
        await cja.date_ranges.get_many([created.id])


async def test_definition_may_be_an_object(cja: Client) -> None:
    created = await cja.date_ranges.create(DateRange(name="d", definition={"range": "x"}))
    assert created.definition == {"range": "x"}


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    with pytest.raises(ValueError, match="date_range_id"):
        await cja.date_ranges.get("")
    with pytest.raises(TypeError, match="date_range"):
        await cja.date_ranges.create({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page"):
        cja.date_ranges.list(page=-1)
    assert sim.org_stats(org_id).requests == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/dateranges"),  # the spec says one object here; lists are pages in the guide
        ("POST", "/dateranges"),
        ("GET", "/dateranges/:id"),
        ("PUT", "/dateranges/:id"),
    ],
)
def test_postman_examples_round_trip(method: str, path: str) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        model: Any = DateRange
        assert unstructure(structure(body, model)) == body, name
