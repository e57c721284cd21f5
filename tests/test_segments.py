"""``cja.segments`` against the simulator: every list filter, CRUD, validate, round trips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from api_calls import SEGMENT_DEFINITION
from postman_examples import examples

from cja_async import BadRequestError, Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import Owner, Segment, SegmentValidation
from cja_async.testing import Recorder

pytestmark = pytest.mark.anyio

DEFINITION: dict[str, Any] = SEGMENT_DEFINITION  # the one the conformance calls use too


async def all_segments(cja: Client, **kwargs: Any) -> list[Segment]:
    return [segment async for segment in cja.segments.list(limit=1000, **kwargs)]


# -- list ------------------------------------------------------------------------------


async def test_list_pages_and_walks_every_segment(cja: Client) -> None:
    first = await cja.segments.list(limit=50)
    assert len(first.items) == 50 and first.total_elements is not None
    assert first.total_elements > 300  # hundreds seeded per org
    assert all(segment.id and segment.name for segment in first.items)
    assert first.items[0].definition is None  # only with expansion
    walked = [segment.id async for segment in cja.segments.list(limit=100)]
    assert len(walked) == len(set(walked)) == first.total_elements


async def test_pagination_false_is_one_request_for_everything(
    rec: Client, recorder: Recorder
) -> None:
    whole = await rec.segments.list(pagination=False, expansion=["owner"])
    assert len(recorder.sent) == 1
    assert recorder.sent[0].params["pagination"] == "false"
    assert "limit" not in recorder.sent[0].params and "page" not in recorder.sent[0].params
    assert whole.is_last and whole.total_elements is None
    paged = await all_segments(rec)
    assert {s.id for s in whole.items} == {s.id for s in paged}
    with pytest.raises(ValueError, match="pagination=False"):
        rec.segments.list(pagination=False, limit=10)


async def test_expansion_adds_members(cja: Client) -> None:
    expansion = ["definition", "owner", "ownerFullName", "tags", "modified", "compatibility"]
    page = await cja.segments.list(limit=20, expansion=expansion)
    segment = page.items[0]
    assert segment.definition is not None and segment.definition["func"] == "segment-def"
    assert segment.owner is not None and segment.owner.ims_user_id and segment.owner.name
    assert segment.modified and segment.compatibility is not None
    assert all(s.tags is not None for s in page.items)
    owner_only = await cja.segments.list(limit=1, expansion=["owner"])
    assert owner_only.items[0].owner is not None and owner_only.items[0].owner.name is None


async def test_used_in_names_the_projects_that_use_a_segment(cja: Client) -> None:
    projects = (await cja.projects.list(limit=100, expansion=["definition"])).items
    project = next(p for p in projects if p.definition and p.definition["panels"][0]["segmentIds"])
    assert project.definition is not None
    segment_id = project.definition["panels"][0]["segmentIds"][0]
    page = await cja.segments.list(filter_by_ids=[segment_id], expansion=["usedIn"])
    used_in = page.items[0].used_in
    assert used_in is not None
    assert any(u["componentId"] == project.id and u["componentType"] == "project" for u in used_in)


async def test_filters(cja: Client) -> None:
    everything = await all_segments(
        cja, expansion=["owner", "tags", "modified", "dataId", "publishingStatus"]
    )
    sample = everything[7]
    assert sample.owner is not None and sample.rsid is not None

    by_owner = await all_segments(cja, owner_id=sample.owner.ims_user_id, expansion=["owner"])
    assert by_owner and all(
        s.owner is not None and s.owner.ims_user_id == sample.owner.ims_user_id for s in by_owner
    )
    assert len(by_owner) < len(everything)

    for kwargs in ({"rsids": [sample.rsid]}, {"data_ids": [sample.rsid]}):
        in_view = await all_segments(cja, **kwargs)
        assert in_view and all(s.rsid == sample.rsid for s in in_view)

    chosen = [everything[1].id, everything[5].id]
    assert {s.id for s in await all_segments(cja, filter_by_ids=chosen)} == set(chosen)

    assert sample.name is not None
    word = sample.name.split()[0].upper()
    named = await all_segments(cja, name=word)
    assert named and all(word.lower() in (s.name or "").lower() for s in named)

    tagged = await all_segments(cja, tag_names=["Mobile"], expansion=["tags"])
    assert tagged and all(any(t["name"] == "Mobile" for t in s.tags or []) for s in tagged)

    published = await all_segments(cja, filter_by_published_segments=True)
    unpublished = await all_segments(cja, filter_by_published_segments="false")
    assert published and unpublished
    assert len(published) + len(unpublished) == len(everything)
    assert len(await all_segments(cja, filter_by_published_segments="all")) == len(everything)

    cut = sorted(s.modified or "" for s in everything)[len(everything) // 2]
    recent = await all_segments(cja, filter_by_modified_after=cut, expansion=["modified"])
    assert recent and all(
        datetime.fromisoformat(s.modified or "") > datetime.fromisoformat(cut) for s in recent
    )

    # Accepted as the spec says, without changing what an admin sees here.
    same = await all_segments(
        cja, to_be_used_in_rsid=sample.rsid, locale="en_US", cached=False, include_type=["shared"]
    )
    assert len(same) == len(everything)


async def test_include_type_adds_templates_internal_and_deleted(cja: Client) -> None:
    default = {s.id for s in await all_segments(cja)}
    more = await all_segments(
        cja, include_type=["templates", "internal"], expansion=["internal", "template"]
    )
    extra = [s for s in more if s.id not in default]
    assert extra and all(s.template or s.internal for s in extra)


async def test_sorting(cja: Client) -> None:
    by_name = await all_segments(cja, sort_property="name", sort_direction="DESC")
    names = [s.name or "" for s in by_name]
    assert names == sorted(names, reverse=True)
    by_date = await all_segments(
        cja, sort_property="modified_date", sort_direction="asc", expansion=["modified"]
    )
    dates = [s.modified or "" for s in by_date]
    assert dates == sorted(dates)


async def test_bad_arguments_fail_before_any_request(rec: Client, recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="limit"):
        rec.segments.list(limit=0)
    with pytest.raises(ValueError, match="sort_direction"):
        rec.segments.list(sort_direction="UP")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="include_type"):
        rec.segments.list(include_type=["everything"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="filter_by_published_segments"):
        rec.segments.list(filter_by_published_segments="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page"):
        rec.segments.list(page=-1)
    with pytest.raises(ValueError, match="segment_id"):
        await rec.segments.get("")
    with pytest.raises(TypeError, match="segment_id"):
        await rec.segments.delete(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one member"):
        await rec.segments.update("s1_abc")
    with pytest.raises(TypeError, match="Segment"):
        await rec.segments.create({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="definition"):
        await rec.segments.validate("{}")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="definition"):
        await rec.segments.validate({})
    with pytest.raises(TypeError, match="not a single str"):
        await rec.segments.get_many("s1_abc")
    assert recorder.sent == []


# -- CRUD ------------------------------------------------------------------------------


async def test_create_get_update_delete(rec: Client, recorder: Recorder) -> None:
    view = (await rec.segments.list(limit=1)).items[0].rsid
    assert view is not None
    created = await rec.segments.create(
        Segment(name="High Value Customers", rsid=view, definition=DEFINITION),
        expansion=["definition"],
    )
    assert created.id and created.name == "High Value Customers"
    assert created.definition == DEFINITION and created.data_id == view
    assert recorder.sent[-1].body == {
        "name": "High Value Customers",
        "rsid": view,
        "definition": DEFINITION,
    }
    assert recorder.sent[-1].params == {"expansion": "definition"}

    fetched = await rec.segments.get(created.id, expansion=["definition", "owner"])
    assert fetched.definition == DEFINITION and fetched.owner is not None

    recorder.clear()
    updated = await rec.segments.update(created.id, description="Orders over $500")
    # A partial update: only the member given is sent, and the rest is kept.
    assert recorder.sent[0].method == "PUT" and recorder.sent[0].body == {
        "description": "Orders over $500"
    }
    assert updated.name == "High Value Customers" and updated.description == "Orders over $500"
    assert updated.definition == DEFINITION

    changed = {**DEFINITION, "container": {**DEFINITION["container"], "context": "hits"}}
    again = await rec.segments.update(
        created.id, Segment(name="Renamed"), definition=changed, cached=False
    )
    assert recorder.sent[-1].body == {"name": "Renamed", "definition": changed}
    assert recorder.sent[-1].params == {"cached": "false"}
    assert again.name == "Renamed" and again.definition == changed

    await rec.segments.delete(created.id)
    # Gone from lists, still there by id.
    assert created.id not in {s.id for s in await all_segments(rec)}
    assert created.id not in {s.id for s in await all_segments(rec, filter_by_ids=[created.id])}
    deleted = await rec.segments.get(created.id, expansion=["isDeleted"])
    assert deleted.is_deleted is True and deleted.name == "Renamed"
    listed = await all_segments(rec, include_type=["deleted"])
    assert created.id in {s.id for s in listed}
    with pytest.raises(NotFoundError):
        await rec.segments.delete(created.id)


async def test_update_can_hand_over_ownership(cja: Client) -> None:
    users = [user async for user in cja.users.list(limit=100)]
    segment = (await cja.segments.list(limit=1)).items[0]
    assert segment.id is not None and users[3].id is not None
    updated = await cja.segments.update(segment.id, owner=Owner(ims_user_id=users[3].id))
    assert updated.owner is not None and updated.owner.ims_user_id == users[3].id
    assert updated.owner.name == users[3].full_name


async def test_errors_from_the_service(cja: Client) -> None:
    with pytest.raises(NotFoundError):
        await cja.segments.get("s300000000_nope")
    with pytest.raises(BadRequestError):
        await cja.segments.create(Segment(name="no definition", rsid="dv_x"))
    with pytest.raises(BadRequestError, match="definition"):
        await cja.segments.create(
            Segment(name="bad", rsid="dv_x", definition={"func": "segment-def"})
        )
    with pytest.raises(BadRequestError):
        await cja.segments.list(sort_property="colour")


async def test_validate(rec: Client, recorder: Recorder) -> None:
    view = (await rec.dataviews.list(limit=1)).items[0].id
    assert view is not None
    good = await rec.segments.validate(DEFINITION, rsid=view)
    assert isinstance(good, SegmentValidation)
    assert good.valid is True and good.validator_version and good.supported_products
    sent = recorder.sent[-1]
    assert (sent.method, sent.path, sent.params, sent.body) == (
        "POST",
        "/segments/validate",
        {"rsid": view},
        DEFINITION,
    )
    bad = await rec.segments.validate({"func": "segment-def", "container": {"func": "segment"}})
    assert bad.valid is False and bad.errors
    unknown_view = await rec.segments.validate(DEFINITION, rsid="dv_unknown")
    assert unknown_view.valid is False


# -- models ----------------------------------------------------------------------------


def test_segment_for_create_sends_only_what_was_given() -> None:
    segment = Segment(name="x", rsid="dv_1", definition=DEFINITION)
    assert unstructure(segment) == {"name": "x", "rsid": "dv_1", "definition": DEFINITION}


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("GET", "/segments", Segment),
        ("POST", "/segments", Segment),
        ("GET", "/segments/:id", Segment),
        ("PUT", "/segments/:id", Segment),
        ("POST", "/segments/validate", SegmentValidation),
    ],
)
def test_postman_examples_round_trip(method: str, path: str, model: type[Any]) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        built = structure(body, model)
        assert unstructure(built) == body, name


def test_guide_examples_round_trip() -> None:
    guide_segment = {
        "id": "s300000022_5bb7c94e80f0073611afb35c",
        "name": "Mobile Device Users",
        "description": "Segment for users accessing via mobile devices",
        "rsid": "example_dataview_id",
        "reportSuiteName": "Example Data View",
        "owner": {"id": 596983, "name": "John Doe", "login": "john.doe@company.com"},
        "definition": DEFINITION,
        "compatibility": {"valid": True, "supported_products": ["oberon", "frag"]},
        "tags": [{"id": 1234, "name": "Mobile", "description": "Mobile-related segments"}],
        "modified": "2023-07-15T10:30:00.000Z",
        "created": "2023-06-01T14:20:00.000Z",
    }
    used_in = {
        "name": "Example Channel",
        "organization": "77717@ExampleOrg",
        "performanceScore": "2.14",
        "id": "s44444444@ExampleOrg_44444444",
        "usedIn": [{"componentId": "4444", "componentType": "project", "internal": False}],
        "usageSummary": {"count": 0, "mostRecentTimestamp": None, "itemId": None},
        "owner": {
            "imsUserId": "7777777777.e",
            "ownerId": "777@7.e",
            "name": None,
            "type": "imsUser",
        },
        "dataId": None,
    }
    for body in (guide_segment, used_in):
        segment = structure(body, Segment)
        assert unstructure(segment) == body
    assert structure(guide_segment, Segment).owner == Owner(
        id=596983, name="John Doe", login="john.doe@company.com"
    )
    assert structure(used_in, Segment).used_in == used_in["usedIn"]
    validation = {
        "valid": True,
        "message": "Segment definition is valid",
        "supported_products": ["oberon", "frag"],
        "validator_version": "1.0.0",
    }
    result = structure(validation, SegmentValidation)
    assert result.valid is True and result.validator_version == "1.0.0"
    assert unstructure(result) == validation
