"""Every example response of Adobe's seed guides reaches the user as typed attributes.

``data/guide-examples.json`` holds the example answers of the seed guides (asset
management, connections, segments, and "Use CJA API with Python"), and a few of the endpoint
guides', copied from them once with the section each comes from. Each must structure into
its model with every member in a field (nothing left only in ``.extra``), every primitive
field of the type its annotation says, and turn back into the same JSON.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

import cja_async.models as models
from cja_async import Client
from cja_async._convert import structure
from cja_async._paging import parse_page
from cja_async.models import DataView, DeleteResult, Model, User

EXAMPLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "guide-examples.json").read_text("utf-8")
)


def _items(example: dict[str, Any]) -> tuple[Any, Any]:
    """(what the client builds, the JSON it came from) the way the resources do it."""
    model = getattr(models, example["model"])
    body = example["body"]
    if example["shape"] == "page":
        body = parse_page(body, 0, 10).items
    if example["shape"] in ("page", "list"):
        return structure(body, list[model]), body
    return model.from_dict(body), body


def _unmodelled(value: Any, where: str) -> list[str]:
    """Members left in ``.extra`` and primitive fields of another type, anywhere inside."""
    found: list[str] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += _unmodelled(item, f"{where}[{index}]")
    if not isinstance(value, Model):
        return found
    found += [f"{where}.{key} (only in .extra)" for key in value.extra]
    hints = typing.get_type_hints(type(value))
    for field in attrs.fields(type(value)):
        if field.name.startswith("_"):
            continue
        member = getattr(value, field.name)
        allowed = tuple(
            t for t in typing.get_args(hints[field.name]) or (hints[field.name],) if t is not Any
        )
        if (
            member is not None
            and allowed
            and all(t in (str, int, float, bool, type(None)) for t in allowed)
            and not isinstance(member, allowed)
            and not (float in allowed and type(member) is int)
        ):
            found.append(f"{where}.{field.name} is {member!r}, typed {hints[field.name]}")
        found += _unmodelled(member, f"{where}.{field.name}")
    return found


def test_the_guides_examples_are_all_here() -> None:
    sources = {e["source"].split(",")[0] for e in EXAMPLES}
    assert sources == {
        "docs/asset-management-api.txt",
        "docs/connections-api.txt",
        "docs/segments-api.txt",
        "docs/use-cja-api-with-python.md",
        # Beyond the seed guides: the endpoint guides' examples that cja-async had missed.
        "docs/endpoints/calculatedmetrics/index.md",
        "docs/endpoints/metrics/index.md",
    }
    assert len(EXAMPLES) == 21


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["source"] for e in EXAMPLES])
def test_guide_example_is_typed_attributes_and_round_trips(example: dict[str, Any]) -> None:
    built, body = _items(example)
    assert _unmodelled(built, example["model"]) == []
    if isinstance(built, list):
        assert [item.to_dict() for item in built] == body
    else:
        assert built.to_dict() == body


def test_the_python_guides_user_and_data_view_answers_are_attributes() -> None:
    me = User.from_dict(
        {"id": "EXAMPLE@techacct.adobe.com", "email": "example@techacct.adobe.com", "fullName": ""}
    )
    assert (me.id, me.email, me.full_name) == (
        "EXAMPLE@techacct.adobe.com",
        "example@techacct.adobe.com",
        "",
    )
    view = DataView.from_dict({"id": "dv_1", "curatedComponents": [{}]})
    assert view.curated_components == [{}] and view.extra == {}
    deleted = DeleteResult.from_dict({"status": "ok", "message": "Segment deleted successfully"})
    assert deleted.status == "ok"


@pytest.mark.anyio
async def test_users_me_answers_the_guides_members(cja: Client) -> None:
    me = await cja.users.me()
    assert me.id and me.id.endswith("@techacct.adobe.com")
    assert me.email and me.full_name
    assert me.extra == {}
