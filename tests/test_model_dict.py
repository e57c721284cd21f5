"""``Model.to_dict()`` and ``Model.from_dict()``: the public, lossless JSON round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cja_async import Client
from cja_async.models import CalculatedMetric, DataView, Segment

SEGMENT: dict[str, Any] = {
    "id": "s300000000_1",
    "name": "Mobile visits",
    "description": None,  # explicit null stays null
    "rsid": "dv_1",
    "definition": {"func": "segment", "version": [1, 0, 0], "container": {"func": "container"}},
    "owner": {"id": 7, "name": "Ada", "login": "ada@example.com", "futureOwnerBit": True},
    "compatibility": {"supported_products": ["cja"]},  # not modelled (or snake in the API): kept
    "someFutureMember": [1, {"x": None}],
}


def test_to_dict_is_the_api_json_camel_case_with_unknown_members_and_nulls() -> None:
    segment = Segment.from_dict(SEGMENT)
    assert segment.id == "s300000000_1" and segment.owner is not None
    assert segment.extra["someFutureMember"] == [1, {"x": None}]
    assert segment.to_dict() == SEGMENT
    assert json.loads(json.dumps(segment.to_dict())) == SEGMENT  # a backup, restored
    assert Segment.from_dict(segment.to_dict()) == segment


def test_absent_members_stay_absent_and_set_members_are_sent() -> None:
    view = DataView(name="Web", parent_data_group_id="dg_1")
    assert view.to_dict() == {"name": "Web", "parentDataGroupId": "dg_1"}
    view.description = None  # set by the user: an explicit null
    assert view.to_dict() == {"name": "Web", "parentDataGroupId": "dg_1", "description": None}
    assert DataView.from_dict({"id": "dv_1"}).to_dict() == {"id": "dv_1"}


def test_to_dict_and_from_dict_copy_rather_than_share() -> None:
    data = json.loads(json.dumps(SEGMENT))
    segment = Segment.from_dict(data)
    data["definition"]["func"] = "changed"  # the caller's dict is not the model's
    assert segment.definition is not None and segment.definition["func"] == "segment"
    out = segment.to_dict()
    out["definition"]["func"] = "changed"
    out["someFutureMember"].append(2)
    assert segment.to_dict() == SEGMENT


@pytest.mark.parametrize("changed_first", [True, False])
def test_a_shallow_copy_and_its_original_send_only_their_own_changes(changed_first: bool) -> None:
    view = DataView.from_dict({"id": "dv_1", "name": "Web", "future": 1})
    if changed_first:  # the set of members to send is no longer the shared frozen one
        view.name = "Web"
    snapshot = copy.copy(view)
    view.description = "new text"
    view.extra["later"] = 2
    assert snapshot.to_dict() == {"id": "dv_1", "name": "Web", "future": 1}
    snapshot.owner = None
    snapshot.extra["mine"] = 3
    assert view.to_dict() == {
        "id": "dv_1", "name": "Web", "future": 1, "description": "new text", "later": 2
    }  # fmt: skip
    assert snapshot.to_dict() == {
        "id": "dv_1",
        "name": "Web",
        "future": 1,
        "owner": None,
        "mine": 3,
    }
    built = DataView(name="W")
    twin = copy.copy(built)
    twin.description = None
    assert built.to_dict() == {"name": "W"} and twin.to_dict() == {"name": "W", "description": None}
    assert type(twin) is DataView and twin == DataView(name="W")


def test_from_dict_refuses_what_is_not_a_json_object() -> None:
    with pytest.raises(TypeError, match=r"Segment\.from_dict expects a JSON object"):
        Segment.from_dict([SEGMENT])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="owner"):
        Segment.from_dict({"owner": "not an object"})


@pytest.mark.anyio
async def test_fetched_models_back_up_and_restore_through_json(cja: Client) -> None:
    fields = ["name", "definition", "tags", "ownerFullName"]
    metrics = [m async for m in cja.calculated_metrics.list(expansion=fields)]
    assert metrics and all(m.definition for m in metrics)
    backup = json.dumps([m.to_dict() for m in metrics])
    restored = [CalculatedMetric.from_dict(d) for d in json.loads(backup)]
    assert restored == metrics
    assert [m.to_dict() for m in restored] == json.loads(backup)


@pytest.mark.anyio
async def test_a_model_built_locally_has_no_id_and_methods_say_so(cja: Client) -> None:
    draft = Segment(name="Mobile", rsid="dv_1", definition={"func": "segment-def"})
    assert "id" not in draft.to_dict()
    with pytest.raises(TypeError, match=r"segment_id is None: a model built locally has no id"):
        await cja.segments.get(draft.id)
