"""``cja.calculated_metrics`` against the simulator, and Adobe's example answers."""

from __future__ import annotations

from typing import Any

import pytest
from api_calls import CM_DEFINITION
from postman_examples import examples

from cja_async import BadRequestError, Client, NotFoundError, ResponseCache
from cja_async._convert import structure, unstructure
from cja_async.models import CalculatedMetric, MetricFunction, MetricValidation
from cja_async.testing import Recorder, Simulator

pytestmark = pytest.mark.anyio

DEFINITION: dict[str, Any] = CM_DEFINITION  # the one the conformance calls use too


async def test_list_walks_every_live_metric_once(cja: Client) -> None:
    first = await cja.calculated_metrics.list(limit=7)
    assert first.total_elements and first.total_pages == -(-first.total_elements // 7)
    ids = [m.id async for m in cja.calculated_metrics.list(limit=7)]
    assert len(ids) == len(set(ids)) == first.total_elements
    # Without expansion an item has its basic members but no definition.
    assert first.items[0].name and first.items[0].definition is None
    expanded = await cja.calculated_metrics.list(limit=3, expansion=["definition"])
    assert all(m.definition and m.definition["func"] == "calc-metric" for m in expanded.items)


async def test_list_filters(cja: Client, sim: Simulator, org_id: str) -> None:
    everything = (await cja.calculated_metrics.list(pagination=False)).items
    sim.reset_stats()
    whole = await cja.calculated_metrics.list(pagination=False, sort_property="name")
    assert sim.org_stats(org_id).requests == 1 and whole.is_last
    assert [m.name for m in whole.items] == sorted(m.name or "" for m in whole.items)
    with pytest.raises(ValueError, match="pagination=False"):  # as for segments and projects
        cja.calculated_metrics.list(pagination=False, limit=10)
    picked = [str(m.id) for m in everything[:3]]
    page = await cja.calculated_metrics.list(filter_by_ids=picked, limit=10)
    assert {m.id for m in page.items} == set(picked)
    owner = everything[0].owner
    assert owner is not None and owner.ims_user_id
    mine = [m async for m in cja.calculated_metrics.list(owner_id=owner.ims_user_id)]
    assert mine and all(m.owner and m.owner.ims_user_id == owner.ims_user_id for m in mine)
    data_id = str(everything[0].data_id)
    in_view = [m async for m in cja.calculated_metrics.list(data_ids=[data_id])]
    assert in_view and all(m.data_id == data_id for m in in_view)
    favs = [m async for m in cja.calculated_metrics.list(favorite=True, expansion=["favorite"])]
    assert all(m.favorite is True for m in favs)
    more = await cja.calculated_metrics.list(include_type=["templates", "internal"], limit=1)
    assert (more.total_elements or 0) > len(everything)
    desc = await cja.calculated_metrics.list(sort_direction="desc", limit=5)
    assert [m.id for m in desc.items] == sorted((m.id for m in desc.items), reverse=True)


async def test_crud_round_trip(cja: Client) -> None:
    created = await cja.calculated_metrics.create(
        CalculatedMetric(
            name="Visits per visitor", data_id="dv_x", type="DECIMAL", definition=DEFINITION
        )
    )
    assert created.id and created.owner and created.definition == DEFINITION
    # Partial update: only the name is sent; the definition stays.
    renamed = await cja.calculated_metrics.update(created.id, CalculatedMetric(name="VpV"))
    assert renamed.name == "VpV" and renamed.definition == DEFINITION
    fetched = await cja.calculated_metrics.get(created.id, expansion=["tags"])
    assert fetched.name == "VpV" and fetched.tags == []
    await cja.calculated_metrics.delete(created.id)
    gone = await cja.calculated_metrics.get(created.id)
    assert gone.is_deleted is True  # still fetchable by id
    assert created.id not in [m.id async for m in cja.calculated_metrics.list(limit=100)]
    with pytest.raises(NotFoundError):
        await cja.calculated_metrics.update(created.id, CalculatedMetric(name="x"))


async def test_get_update_keeps_unknown_members(cja: Client) -> None:
    page = await cja.calculated_metrics.list(limit=1)
    metric = await cja.calculated_metrics.get(str(page.items[0].id))
    assert "migratedIds" in unstructure(metric) and metric.migrated_ids == []
    metric.description = "changed"
    updated = await cja.calculated_metrics.update(str(metric.id), metric)
    assert unstructure(updated) | {"modified": None} == unstructure(metric) | {"modified": None}


async def test_update_sends_the_whole_metric_read_merged_and_loses_nothing(
    rec: Client, recorder: Recorder
) -> None:
    listed = (await rec.calculated_metrics.list(limit=1)).items[0]
    stored = await rec.calculated_metrics.get(listed.id, expansion=["definition"])
    assert stored.definition and "migratedIds" in stored.to_dict()  # not modelled by us
    recorder.clear()
    updated = await rec.calculated_metrics.update(listed.id, CalculatedMetric(precision=2))
    get, put = recorder.sent
    assert (get.method, put.method) == ("GET", "PUT")
    assert get.params["expansion"] == "definition"
    # Adobe's spec requires the definition in the PUT body: the whole metric goes, with the
    # change laid over it and members no model declares kept.
    assert put.body == {**stored.to_dict(), "precision": 2}
    assert updated.precision == 2 and updated.name == stored.name
    assert updated.definition == stored.definition


async def test_update_reads_past_the_response_cache(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id, cache=ResponseCache()) as cja:
        created = await cja.calculated_metrics.create(
            CalculatedMetric(name="Per visitor", data_id="dv_x", definition=DEFINITION)
        )
        await cja.calculated_metrics.get(created.id, expansion=["definition"])  # now cached
        async with sim.client(org_id=org_id) as other:  # someone else renames it
            await other.calculated_metrics.update(created.id, CalculatedMetric(name="Theirs"))
        mine = await cja.calculated_metrics.update(created.id, CalculatedMetric(precision=3))
    assert (mine.name, mine.precision) == ("Theirs", 3)  # their change survives ours


async def test_the_simulator_wants_a_definition_in_a_put_as_the_spec_does(cja: Client) -> None:
    metric = (await cja.calculated_metrics.list(limit=1)).items[0]
    with pytest.raises(BadRequestError, match="definition"):
        await cja.request("PUT", f"/calculatedmetrics/{metric.id}", json={"precision": 2})


async def test_get_many_in_order_with_missing_ids_named(cja: Client) -> None:
    ids = [str(m.id) async for m in cja.calculated_metrics.list(limit=50)][:5]
    got = await cja.calculated_metrics.get_many(list(reversed(ids)))
    assert [m.id for m in got] == list(reversed(ids))
    await cja.calculated_metrics.delete(ids[0])
    deleted = await cja.calculated_metrics.get_many([ids[0]], expansion=["isDeleted"])
    assert deleted[0].is_deleted is True
    with pytest.raises(NotFoundError, match="cm_missing"):
        await cja.calculated_metrics.get_many([ids[1], "cm_missing"])


async def test_validate_and_functions(cja: Client) -> None:
    ok = await cja.calculated_metrics.validate(
        CalculatedMetric(name="c", data_id="dv", definition=DEFINITION)
    )
    assert isinstance(ok, MetricValidation) and ok.is_valid is True
    assert ok.functions == ["divide"] and ok.validator_version == "1.0.0"
    bad_definition = {**DEFINITION, "formula": {"func": "frobnicate", "col": 1}}
    bad = await cja.calculated_metrics.validate({"dataId": "dv", "definition": bad_definition})
    assert bad.is_valid is False and bad.errors
    functions = await cja.calculated_metrics.functions()
    assert "divide" in {f.id for f in functions}
    divide = await cja.calculated_metrics.function("divide", locale="en_US")
    assert divide.definition and divide.definition.parameters
    with pytest.raises(NotFoundError):
        await cja.calculated_metrics.function("nope")


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    with pytest.raises(ValueError, match="metric_id"):
        await cja.calculated_metrics.get("")
    with pytest.raises(ValueError, match="limit"):
        await cja.calculated_metrics.list(limit=0)
    with pytest.raises(ValueError, match="sort_direction"):
        cja.calculated_metrics.list(sort_direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metric"):
        await cja.calculated_metrics.create({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="definition"):
        await cja.calculated_metrics.validate(CalculatedMetric(name="no definition"))
    with pytest.raises(ValueError, match="function_id"):
        await cja.calculated_metrics.function(" ")
    assert sim.org_stats(org_id).requests == 0


OPERATIONS: list[tuple[str, str, Any]] = [
    ("GET", "/calculatedmetrics/:id", CalculatedMetric),
    ("PUT", "/calculatedmetrics/:id", CalculatedMetric),
    ("GET", "/calculatedmetrics", list[CalculatedMetric]),
    ("GET", "/calculatedmetrics/functions", list[MetricFunction]),
    ("GET", "/calculatedmetrics/functions/:id", MetricFunction),
    ("POST", "/calculatedmetrics/validate", MetricValidation),
]


@pytest.mark.parametrize(("method", "path", "model"), OPERATIONS)
def test_postman_examples_round_trip(method: str, path: str, model: Any) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        assert unstructure(structure(body, model)) == body, name
