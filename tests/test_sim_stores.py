"""The simulator's typed per-org stores: seed through a store and read through the client,
write through the client and assert on the store; the store API itself; seeding that
stays put; route modules that hold no state of their own."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cja_async import Client, NotFoundError
from cja_async.models import Annotation, DataView, Tag, TaggedComponent
from cja_async.testing import (
    HexIdStore,
    IntIdStore,
    ItemNotFound,
    OrgState,
    Request,
    Response,
    Simulator,
    Store,
    technical_account_id,
)

pytestmark = pytest.mark.anyio

TESTING = Path(__file__).resolve().parent.parent / "cja_async" / "testing"


def caller(cja: Client) -> str:
    """The technical account ``sim.client(org_id=...)`` acts as."""
    return technical_account_id(f"client-{cja.org_id}")


# -- seed through a store, read through the client ------------------------------------------


async def test_a_data_view_added_to_the_store_is_served(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    org = sim.org(org_id)
    group = org.connections.list()[0]["id"]
    added = org.dataviews.add({"name": "From the test", "parentDataGroupId": group})
    assert added["id"].startswith("dv_") and len(added["id"]) == 3 + 24
    view = await cja.dataviews.get(added["id"])
    assert view.name == "From the test" and view.parent_data_group_id == group
    names = {dv.name async for dv in cja.dataviews.list(expansion=["name"])}
    assert "From the test" in names and len(names) <= len(org.dataviews)


async def test_a_segment_added_without_an_id_gets_the_orgs_company_prefix(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    segments = sim.org(org_id).segments
    company = segments.ids()[0].split("_")[0]
    added = segments.add({"name": "Mine", "rsid": "dv_x", "definition": {}})
    assert added["id"].startswith(f"{company}_") and added["id"] in segments
    assert (await cja.segments.get(added["id"])).name == "Mine"


async def test_a_soft_deleted_object_changed_in_the_store_leaves_the_lists(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    views = sim.org(org_id).dataviews
    gone = views.ids()[0]
    views.update(gone, {"isDeleted": True})
    assert gone not in {dv.id async for dv in cja.dataviews.list()}
    with pytest.raises(NotFoundError):
        await cja.dataviews.get(gone)
    assert len(views.live()) == len(views) - 1


async def test_an_object_deleted_from_the_store_is_404(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    projects = sim.org(org_id).projects
    gone = projects.delete(projects.ids()[0])
    with pytest.raises(NotFoundError):
        await cja.projects.get(gone["id"])


# -- write through the client, assert on the store ------------------------------------------


async def test_a_data_view_created_copied_and_deleted_by_the_client(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    views = sim.org(org_id).dataviews
    made = await cja.dataviews.create(DataView(name="Made", parent_data_group_id="dg_1"))
    assert made.id is not None
    stored = views.get(made.id)
    assert stored["name"] == "Made" and stored["createdDate"] == stored["modifiedDate"]
    await cja.dataviews.delete(made.id)
    assert views.get(made.id)["isDeleted"] is True
    assert made.id not in {item["id"] for item in views.live()}


async def test_a_project_deleted_by_the_client_is_gone_from_the_store(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    projects = sim.org(org_id).projects
    victim = projects.ids()[3]
    await cja.projects.delete(victim)
    assert victim not in projects
    with pytest.raises(ItemNotFound):
        projects.get(victim)


async def test_tags_made_by_the_client_are_on_the_component_in_the_store(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    tags = sim.org(org_id).tags
    on = TaggedComponent(component_type="segment", component_id="s1")
    [made] = await cja.tags.create([Tag(name="q1", components=[on])])
    assert made.id is not None
    assert tags.get(made.id)["name"] == "q1" and tags.named("q1") == tags.get(made.id)
    assert [tag["name"] for tag in tags.on("segment", "s1")] == ["q1"]
    assert tags.components_with(made.id) == [("segment", "s1")]
    await cja.tags.delete(made.id)
    assert made.id not in tags and tags.on("segment", "s1") == []


async def test_an_annotation_created_by_the_client_is_stored_and_audited(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    org = sim.org(org_id)
    view_id = org.dataviews.ids()[0]
    made = await cja.annotations.create(
        Annotation(
            name="Launch",
            data_id=view_id,
            date_range="2024-01-01T00:00:00/2024-01-02T00:00:00",
            color="STANDARD1",
        )
    )
    assert made.id is not None
    stored = org.annotations.get(made.id)
    assert stored["dataId"] == view_id and stored["owner"] == {"imsUserId": caller(cja)}
    [record] = [r for r in org.audit_logs.list() if r["component"]["id"] == made.id]
    assert record["action"] == "CREATE" and record["user"]["id"] == caller(cja)
    assert record["component"] == {"id": made.id, "idType": "ANNOTATION", "name": "Launch"}


async def test_a_transfer_by_the_client_moves_ownership_in_the_store(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    org = sim.org(org_id)
    giver, taker = (user["id"] for user in org.users.list()[:2])
    moved = [project["id"] for project in org.projects.owned_by(giver)][:3]
    assert moved
    before = len(org.projects.owned_by(taker))
    result = await cja.assets.transfer(taker, {"project": moved})
    assert result.status == "status_success"
    assert not set(moved) & {p["id"] for p in org.projects.owned_by(giver)}
    assert len(org.projects.owned_by(taker)) == before + len(moved)


# -- the store API ----------------------------------------------------------------------------


def test_store_get_find_and_the_typed_not_found() -> None:
    segments = Simulator().org("A@AdobeOrg").segments
    with pytest.raises(ItemNotFound) as missing:
        segments.get("s1_nothing")
    assert isinstance(missing.value, KeyError)
    assert (missing.value.kind, missing.value.item_id) == ("segment", "s1_nothing")
    assert str(missing.value) == "no segment with id 's1_nothing' in org A@AdobeOrg"
    assert segments.find("s1_nothing") is None and "s1_nothing" not in segments
    first = segments.ids()[0]
    assert segments.find(first) is segments.get(first) is segments.list()[0]


def test_store_add_replace_update_delete() -> None:
    views = Simulator(dataviews=3).org("A@AdobeOrg").dataviews
    added = views.add({"id": "dv_mine", "name": "Mine", "description": "keep"})
    assert views.ids()[-1] == "dv_mine" and len(views) == 4
    with pytest.raises(ValueError, match="exists already"):
        views.add({"id": "dv_mine"})
    updated = views.update("dv_mine", {"name": "Renamed"})
    assert updated == {**added, "name": "Renamed"} and views.get("dv_mine") is updated
    replaced = views.replace({"id": "dv_mine", "name": "Whole"})
    assert "description" not in views.get("dv_mine") and replaced["name"] == "Whole"
    with pytest.raises(ItemNotFound):
        views.replace({"id": "dv_other"})
    assert views.delete("dv_mine") == replaced and "dv_mine" not in views
    with pytest.raises(ItemNotFound):
        views.delete("dv_mine")


def test_store_owned_by_live_and_fresh_ids() -> None:
    org = Simulator().org("A@AdobeOrg")
    owner = org.users.ids()[0]
    owned = org.segments.owned_by(owner)
    assert owned and all(s["owner"]["imsUserId"] == owner for s in owned)
    every = org.calculated_metrics.list()
    assert {m["id"] for m in org.calculated_metrics.live()} == {
        m["id"] for m in every if not m["isDeleted"]
    }
    fresh = {org.date_ranges.new_id() for _ in range(50)}
    assert len(fresh) == 50 and not fresh & set(org.date_ranges.ids())
    # Integer ids count up from the largest.
    assert org.tags.new_id() == max(org.tags.ids()) + 1
    shares = org.shares
    made = shares.add({"componentType": "segment", "componentId": "s1"})
    assert made["id"] == made["shareId"] == shares.first_id and made["imsOrgId"] == org.org_id
    assert shares.of_component("segment", "s1") == [made]


# -- seeding ------------------------------------------------------------------------------------


def _fingerprint(store: Store[Any]) -> str:
    by_id = {str(item["id"]): item for item in store.list()}
    return hashlib.sha256(json.dumps(by_id).encode()).hexdigest()[:16]


def test_the_seeded_data_is_what_it_was_before_the_stores() -> None:
    """Hashes of the data the simulator seeded before its stores existed (seed 7, 40 data
    views): tests and benchmarks keep their figures only while these hold."""
    org = Simulator(seed=7, dataviews=40).org("OTHER@AdobeOrg")
    # Asked in an order unlike the seeding's dependencies: each store seeds what it needs.
    seen = {
        "projects": _fingerprint(org.projects),
        "annotations": _fingerprint(org.annotations),
        "calculated_metrics": _fingerprint(org.calculated_metrics),
        "tags": _fingerprint(org.tags),
        "users": _fingerprint(org.users),
        "connections": _fingerprint(org.connections),
        "dataviews": _fingerprint(org.dataviews),
        "segments": _fingerprint(org.segments),
        "date_ranges": _fingerprint(org.date_ranges),
        "audit_logs": _fingerprint(org.audit_logs),
    }
    assert seen == {
        "projects": "31968832b2f1e870",
        "annotations": "17728f262a15ded6",
        "calculated_metrics": "fadfbf67017c5644",
        "tags": "19fc358a7d07e3af",
        "users": "05b2a460b7b8de86",
        "connections": "8174f9b86a97c0da",
        "dataviews": "4bf064a3d78ee404",
        "segments": "85972aa753280369",
        "date_ranges": "043deadb75e6dc49",
        "audit_logs": "e875c27eecb43282",
    }
    first = org.dataviews.ids()[0]
    components = org.components.of(first)
    assert hashlib.sha256(json.dumps(components).encode()).hexdigest()[:16] == "0fc7ee270e4aaed3"
    tagged = org.calculated_metrics.ids()[::4]
    assert all(len(org.tags.on("calculatedMetric", metric)) == 2 for metric in tagged)


def test_each_store_seeds_alike_whatever_is_asked_first() -> None:
    one, two = Simulator(seed=3).org("A@AdobeOrg"), Simulator(seed=3).org("A@AdobeOrg")
    assert one.users.list() == two.users.list()
    assert one.projects.list() == two.projects.list()  # seeds users, views, segments first
    assert one.segments.list() == two.segments.list()
    assert Simulator(seed=4).org("A@AdobeOrg").users.list() != one.users.list()


# -- stores of your own -------------------------------------------------------------------------


class Alerts(HexIdStore):
    kind, seed_name, id_prefix = "alert", "alerts", "al_"

    def _seed(self, rng: Any) -> list[dict[str, Any]]:
        return [{"id": f"al_{rng.getrandbits(96):024x}", "name": "Seeded alert"}]


class Counters(IntIdStore):
    kind, seed_name, first_id = "counter", "counters", 10


async def test_a_store_of_your_own_behind_a_route_of_your_own(
    cja: Client, sim: Simulator, org_id: str
) -> None:
    @sim.route("GET", "/alerts/{id}")
    async def get_alert(sim: Simulator, req: Request) -> Response:
        return Response.json(sim.org(req.org_id).store(Alerts).get(req.path_params["id"]))

    alerts = sim.org(org_id).store(Alerts)
    assert sim.org(org_id).store(Alerts) is alerts
    assert sim.org("OTHER@AdobeOrg").store(Alerts) is not alerts
    [seeded] = alerts.list()
    assert seeded["name"] == "Seeded alert"
    made = alerts.add({"name": "Mine"})
    assert made["id"].startswith("al_")
    assert (await cja.request("GET", f"/alerts/{made['id']}"))["name"] == "Mine"
    # The store's ItemNotFound is answered 404, naming what was missing.
    with pytest.raises(NotFoundError, match="no alert with id 'al_nothing'"):
        await cja.request("GET", "/alerts/al_nothing")
    counters = sim.org(org_id).store(Counters)
    assert [counters.add({})["id"] for _ in range(2)] == [10, 11]


def test_the_org_state_names_every_store() -> None:
    org = OrgState("A@AdobeOrg", 0)
    stores = {name for name, value in vars(org).items() if isinstance(value, Store)}
    assert stores == {
        "users",
        "connections",
        "dataviews",
        "components",
        "segments",
        "projects",
        "calculated_metrics",
        "date_ranges",
        "tags",
        "shares",
        "annotations",
        "audit_logs",
    }
    assert set(org.owned_components()) == {"segment", "project"}


# -- layout -------------------------------------------------------------------------------------


def test_route_modules_import_no_other_route_module() -> None:
    """Handlers reach other resources' data through the org's stores, never through
    another route module (moto's responses never import each other's models)."""
    routes = {
        path.stem
        for path in TESTING.glob("_*.py")
        if re.search(r"^router = Router\(\)$", path.read_text(encoding="utf-8"), re.M)
    }
    assert {"_segments", "_dataviews", "_annotations", "_assets"} <= routes
    for name in sorted(routes):
        tree = ast.parse((TESTING / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }
        assert not imported & routes, f"{name} imports route modules {imported & routes}"
