"""``cja.tags`` against the simulator, and Adobe's example answers."""

from __future__ import annotations

from typing import Any

import pytest
from postman_examples import examples

from cja_async import BadRequestError, Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import ComponentTags, Tag, TaggedComponent
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio


def on(component_id: str, component_type: str = "segment") -> TaggedComponent:
    return TaggedComponent(component_type=component_type, component_id=component_id)


async def test_list_and_get(cja: Client) -> None:
    first = await cja.tags.list(limit=5)
    assert first.total_elements == 12 and len(first.items) == 5
    assert len([t async for t in cja.tags.list(limit=5)]) == 12
    tag_id = first.items[0].id
    assert tag_id is not None
    tag = await cja.tags.get(tag_id)
    assert tag.name == first.items[0].name
    with pytest.raises(NotFoundError):
        await cja.tags.get(1)


async def test_create_search_and_delete(cja: Client) -> None:
    created = await cja.tags.create(
        [Tag(name="q1", description="Quarter 1", components=[on("s1"), on("s2")])]
    )
    assert created[0].id is not None and created[0].status == {"success": True}
    tag_id = created[0].id
    assert [t.name for t in await cja.tags.of_component("s1", "segment")] == ["q1"]
    assert await cja.tags.component_ids(["q1"], "segment") == ["s1", "s2"]
    page = await cja.tags.search("segment", ["s2", "s3"])
    assert [(i.component_id, [t.name for t in i.tags or []]) for i in page.items] == [
        ("s2", ["q1"]),
        ("s3", []),
    ]
    assert {c.component_id for c in (await cja.tags.get(tag_id)).components or []} == {"s1", "s2"}
    await cja.tags.delete(tag_id)
    assert await cja.tags.of_component("s1", "segment") == []
    with pytest.raises(NotFoundError):
        await cja.tags.delete(tag_id)


async def test_replace_overwrites_and_remove_all(cja: Client) -> None:
    await cja.tags.create([Tag(name="old", components=[on("s9")])])
    result = await cja.tags.replace(
        [ComponentTags(component_type="segment", component_id="s9", tags=[Tag(name="new")])]
    )
    assert [t.name for t in result[0].tags or []] == ["new"] and result[0].tags[0].id
    assert [t.name for t in await cja.tags.of_component("s9", "segment")] == ["new"]
    await cja.tags.remove_all(["s9"], "segment")
    assert await cja.tags.of_component("s9", "segment") == []
    # The tags themselves stay in the org.
    assert {"old", "new"} <= {t.name async for t in cja.tags.list(limit=50)}


async def test_seeded_metrics_carry_tags(cja: Client) -> None:
    page = await cja.calculated_metrics.list(limit=100, expansion=["tags"])
    tagged = [m for m in page.items if m.tags]
    assert tagged
    name = tagged[0].tags[0]["name"]  # type: ignore[index]
    assert tagged[0].id in await cja.tags.component_ids([name], "calculatedMetric")


async def test_unknown_component_type_is_refused_by_the_service(cja: Client) -> None:
    with pytest.raises(BadRequestError):
        await cja.tags.of_component("s1", "gizmo")


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    with pytest.raises(TypeError, match="tag_id"):
        await cja.tags.get("12")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="component_ids"):
        await cja.tags.remove_all([], "segment")
    with pytest.raises(TypeError, match="component_ids"):
        cja.tags.search("segment", "s1")
    with pytest.raises(ValueError, match="tags"):
        await cja.tags.create([])
    with pytest.raises(TypeError, match="items"):
        await cja.tags.replace([Tag(name="x")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="component_type"):
        await cja.tags.of_component("s1", "")
    assert sim.org_stats(org_id).requests == 0


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("GET", "/componentmetadata/tags", list[Tag]),
        ("POST", "/componentmetadata/tags", list[Tag]),
        ("GET", "/componentmetadata/tags/:id", Tag),
        ("POST", "/componentmetadata/tags/component/search", ComponentTags),
        ("GET", "/componentmetadata/tags/search", list[Tag]),
        ("GET", "/componentmetadata/tags/tagnames", list[str]),
        ("PUT", "/componentmetadata/tags/tagitems", list[ComponentTags]),
    ],
)
def test_postman_examples_round_trip(method: str, path: str, model: Any) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        assert unstructure(structure(body, model)) == body, name
