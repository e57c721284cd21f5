"""``cja.connections`` against the simulator: lists, filters, expansion, search, backfills."""

from __future__ import annotations

from typing import Any

import pytest

from cja_async import Client, NotFoundError
from cja_async.models import Connection, DataSourceType
from cja_async.testing import Simulator
from cja_async.testing._stores.connections import CONNECTIONS_PER_ORG

pytestmark = pytest.mark.anyio


async def everything(cja: Client, **kwargs: Any) -> list[Connection]:
    return [c async for c in cja.connections.list(limit=7, **kwargs)]


def stored(sim: Simulator, org_id: str) -> list[dict[str, Any]]:
    return sim.org(org_id).connections.list()


async def test_list_leaves_out_system_owned_and_disabled_unless_asked(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    default = await everything(cja, expansion=["owner", "isDisabled"])
    assert default and len({c.id for c in default}) == len(default)
    assert all(c.owner and c.owner.type == "imsUser" for c in default)
    assert all(c.is_disabled is False for c in default)
    page = await cja.connections.list(include_type=["systemUserOwned", "disabled"], limit=100)
    assert page.total_elements == CONNECTIONS_PER_ORG == len(page.items) > len(default)


async def test_list_items_carry_only_ids_unless_expanded(cja: Client) -> None:
    bare = (await cja.connections.list(limit=3)).items[0]
    assert bare.id and bare.id == f"dg_{bare.id_without_prefix}"
    assert bare.name is None and bare.data_sets is None
    full = (await cja.connections.list(expansion=["name", "dataSets"], limit=3)).items[0]
    assert full.name and full.data_sets and full.data_sets[0].data_set_id
    # The list guide's example: datasets without schemaInfo unless asked.
    assert full.data_sets[0].schema_info is None


async def test_get_a_connection_with_its_datasets(cja: Client, sim: Simulator, org_id: str) -> None:
    first = (await cja.connections.list(limit=1)).items[0]
    conn = await cja.connections.get(
        str(first.id), expansion=["name", "description", "owner", "dataSets", "schemaInfo"]
    )
    raw = sim.org(org_id).connections.get(str(first.id))
    assert conn.name == raw["name"] and conn.owner and conn.owner.ims_user_id
    shown = [d for d in raw["dataSets"] if not d["_hidden"]]
    assert [d.data_set_id for d in conn.data_sets or []] == [d["dataSetId"] for d in shown]
    data_set = (conn.data_sets or [])[0]
    assert data_set.schema_info and data_set.schema_info.schema_name
    assert data_set.schema_info.schema_ref and data_set.schema_info.schema_ref.content_type
    assert data_set.data_source_type and data_set.data_source_type.id


async def test_hidden_datasets_only_when_asked(cja: Client, sim: Simulator, org_id: str) -> None:
    raw = next(c for c in stored(sim, org_id) if any(d["_hidden"] for d in c["dataSets"]))
    plain = await cja.connections.get(raw["id"], expansion=["dataSets"])
    hidden = await cja.connections.get(
        raw["id"], expansion=["dataSets"], include_hidden_data_sets=True
    )
    assert len(hidden.data_sets or []) == len(raw["dataSets"]) == len(plain.data_sets or []) + 1


async def test_owner_full_name_expansion(cja: Client) -> None:
    conn = (await cja.connections.list(limit=1)).items[0]
    without = await cja.connections.get(str(conn.id), expansion=["owner"])
    named = await cja.connections.get(str(conn.id), expansion=["owner", "ownerFullName"])
    assert without.owner and without.owner.name is None
    assert named.owner and named.owner.name


async def test_b2b_connections_structure_their_containers(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    raw = next(c for c in stored(sim, org_id) if c["primaryIdType"] == "account")
    conn = await cja.connections.get(
        raw["id"], expansion=["primaryIdType", "configuredContainers", "dataSets"]
    )
    assert conn.primary_id_type == "account"
    containers = [c.container for c in conn.configured_containers or []]
    assert {"account", "globalAccount", "opportunity", "buyingGroup"} <= set(containers)
    fields = (conn.data_sets or [])[0].container_fields or []
    assert {f.container for f in fields} == {"account", "person"}
    assert all(f.system_field_value for f in fields)


async def test_filters(cja: Client, sim: Simulator, org_id: str) -> None:
    visible = await everything(cja, expansion=["dataSets", "sandboxName", "modified"])
    target = visible[3]
    data_set_id = str((target.data_sets or [])[0].data_set_id)
    by_data_set = await everything(cja, data_set_ids=[data_set_id])
    assert [c.id for c in by_data_set] == [target.id]
    by_id = await everything(cja, connection_ids=[str(visible[0].id), str(visible[1].id)])
    assert {c.id for c in by_id} == {visible[0].id, visible[1].id}
    dev = await everything(cja, sandbox_name="dev", expansion=["sandboxName"])
    assert dev and all(c.sandbox_name == "dev" for c in dev)
    assert len(dev) == sum(c.sandbox_name == "dev" for c in visible)
    moments = sorted(str(c.modified_date) for c in visible)
    middle = moments[len(moments) // 2]
    recent = await everything(cja, filter_by_modified_after=middle, expansion=["modified"])
    assert recent and all(str(c.modified_date) > middle for c in recent)
    labelled = await everything(cja, internal_label="certified", internal_label_namespace="cja")
    expected = {
        c["id"]
        for c in stored(sim, org_id)
        if c["internalLabels"] and c["owner"]["type"] == "imsUser" and not c["isDisabled"]
    }
    assert labelled and {c.id for c in labelled} == expected


async def test_sorting_and_walking_every_page(cja: Client) -> None:
    by_id = await everything(cja)
    assert [c.id for c in by_id] == sorted(str(c.id) for c in by_id)
    newest = await everything(
        cja, expansion=["modified"], sort_property="modifiedDate", sort_direction="desc"
    )
    dates = [str(c.modified_date) for c in newest]
    assert dates == sorted(dates, reverse=True) and len(newest) == len(by_id)


async def test_spring_pages_too(org_id: str) -> None:
    sim = Simulator(rate_limit=None, page_shape="spring")
    async with sim.client(org_id=org_id) as cja:
        page = await cja.connections.list(limit=4, page=1)
        walked = [c async for c in cja.connections.list(limit=4)]
    assert page.number == 1 and len(page.items) == 4
    assert page.total_elements == len(walked)


async def test_search_by_name_or_id(cja: Client) -> None:
    target = (await cja.connections.list(expansion=["name"], limit=1, page=2)).items[0]
    by_name = [c async for c in cja.connections.search(str(target.name).upper())]
    assert target.id in {c.id for c in by_name}
    by_id = (await cja.connections.search(str(target.id_without_prefix), expansion=["name"])).items
    assert [c.id for c in by_id] == [target.id] and by_id[0].name == target.name
    assert (await cja.connections.search("no such connection")).items == []


async def test_backfills_of_a_dataset(cja: Client, sim: Simulator, org_id: str) -> None:
    raw = max(stored(sim, org_id), key=lambda c: len(c["dataSets"][0]["_backfills"]))
    data_set = raw["dataSets"][0]
    backfills = [b async for b in cja.connections.backfills(raw["id"], data_set["dataSetId"])]
    assert sorted(b.id for b in backfills) == sorted(b["id"] for b in data_set["_backfills"])
    assert [b.created_date for b in backfills] == sorted(str(b.created_date) for b in backfills)
    assert all(b.data_set_id == data_set["dataSetId"] for b in backfills)
    done = [
        b
        async for b in cja.connections.backfills(
            raw["id"], data_set["dataSetId"], include_status=["completed"], sort_direction="DESC"
        )
    ]
    assert all(b.status == "COMPLETED" for b in done)
    assert len(done) == sum(b["status"] == "COMPLETED" for b in data_set["_backfills"])
    with pytest.raises(NotFoundError):
        await cja.connections.backfills(raw["id"], "not-a-dataset-of-it")


async def test_data_source_types(cja: Client) -> None:
    types = await cja.connections.data_source_types(locale="en_US")
    assert len(types) == 11 and all(isinstance(t, DataSourceType) for t in types)
    assert types[0].id == "webData" and types[0].type == "Web Data"


async def test_a_data_view_sits_on_a_connection(cja: Client) -> None:
    view = (await cja.dataviews.list(expansion=["parentDataGroupId"], limit=1)).items[0]
    conn = await cja.connections.get(str(view.parent_data_group_id), expansion=["name"])
    assert conn.id == view.parent_data_group_id and conn.name


async def test_unknown_members_are_kept(cja: Client) -> None:
    conn = (await cja.connections.list(expansion=["internalLabels"], limit=1)).items[0]
    assert "internalLabels" in conn.extra


async def test_missing_connection(cja: Client) -> None:
    with pytest.raises(NotFoundError):
        await cja.connections.get("dg_missing")


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda cja: cja.connections.get(""), ValueError, "connection_id"),
        (lambda cja: cja.connections.get(5), TypeError, "connection_id"),
        (lambda cja: cja.connections.list(limit=0), ValueError, "limit"),
        (lambda cja: cja.connections.list(page=-1), ValueError, "page"),
        (lambda cja: cja.connections.list(sort_direction="UP"), ValueError, "sort_direction"),
        (lambda cja: cja.connections.search(" "), ValueError, "query"),
        (lambda cja: cja.connections.search(None), TypeError, "query"),
        (lambda cja: cja.connections.backfills("dg_1", ""), ValueError, "dataset_id"),
        (lambda cja: cja.connections.backfills("", "ds"), ValueError, "connection_id"),
    ],
)
async def test_bad_arguments_raise_before_any_request(
    cja: Client, sim: Simulator, org_id: str, call: Any, error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        result = call(cja)
        if hasattr(result, "__await__"):
            await result
    assert sim.org_stats(org_id).requests == 0
