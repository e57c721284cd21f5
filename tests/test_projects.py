"""``cja.projects`` against the simulator: list filters, CRUD, validate, round trips."""

from __future__ import annotations

from typing import Any

import pytest
from postman_examples import examples

from cja_async import BadRequestError, Client, NotFoundError
from cja_async._convert import structure, unstructure
from cja_async.models import Project, ProjectValidation
from cja_async.testing import Recorder

pytestmark = pytest.mark.anyio

DEFINITION = {"version": "13", "panels": [{"id": "p0", "name": "Overview", "segmentIds": []}]}


async def test_list_walks_and_filters(rec: Client, recorder: Recorder) -> None:
    first = await rec.projects.list(limit=1000)
    assert first.total_elements == len(first.items) and len(first.items) > 200
    assert recorder.sent[-1].params == {"limit": "1000", "page": "0"}
    project = first.items[3]
    # The members the guide shows without expansion; definition only with it.
    assert project.name and project.type and project.owner and project.created
    assert project.definition is None
    walked = [p.id async for p in rec.projects.list(limit=40)]
    assert walked == [p.id for p in first.items]

    assert project.owner is not None
    owner = project.owner.ims_user_id
    mine = [p async for p in rec.projects.list(owner_id=owner, limit=100)]
    assert mine and all(p.owner and p.owner.ims_user_id == owner for p in mine)
    chosen = [first.items[0].id, first.items[9].id]
    assert {p.id for p in (await rec.projects.list(filter_by_ids=chosen)).items} == set(chosen)

    expanded = await rec.projects.list(
        limit=5, expansion=["definition", "modified", "tags", "accessLevel"], include_type=["all"]
    )
    assert all(p.definition is not None and p.modified and p.access_level for p in expanded.items)
    assert recorder.sent[-1].params["includeType"] == "all"


async def test_pagination_false_answers_a_bare_array(rec: Client, recorder: Recorder) -> None:
    recorder.clear()
    whole = await rec.projects.list(pagination=False, locale="en_US")
    assert len(recorder.sent) == 1 and recorder.sent[0].params == {
        "pagination": "false",
        "locale": "en_US",
    }
    assert whole.is_last and whole.total_elements is None and len(whole.items) > 200


async def test_bad_arguments_fail_before_any_request(rec: Client, recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="limit"):
        rec.projects.list(limit=1001)
    with pytest.raises(ValueError, match="limit"):
        rec.projects.list(limit=0)
    with pytest.raises(ValueError, match="include_type"):
        rec.projects.list(include_type=["mine"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="project_id"):
        await rec.projects.get(" ")
    with pytest.raises(TypeError, match="Project"):
        await rec.projects.update("abc", {"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Project"):
        await rec.projects.validate(None)  # type: ignore[arg-type]
    assert recorder.sent == []


async def test_create_get_update_validate_delete(rec: Client, recorder: Recorder) -> None:
    view = (await rec.dataviews.list(limit=1)).items[0].id
    assert view is not None
    created = await rec.projects.create(
        Project(name="Launch dashboard", rsid=view, type="project", definition=DEFINITION)
    )
    assert created.id and created.owner is not None and created.definition == DEFINITION
    assert recorder.sent[-1].body == {
        "name": "Launch dashboard",
        "rsid": view,
        "type": "project",
        "definition": DEFINITION,
    }

    fetched = await rec.projects.get(created.id, expansion=["definition"])
    fetched.description = "For the launch"
    # Whole overwrite: the fetched project goes back with every member it came with.
    updated = await rec.projects.update(created.id, fetched)
    assert recorder.sent[-1].body["definition"] == DEFINITION
    assert updated.description == "For the launch" and updated.definition == DEFINITION

    check = await rec.projects.validate(updated)
    assert isinstance(check, ProjectValidation) and check.valid is True
    assert recorder.sent[-1].body == {"project": unstructure(updated)}
    assert (await rec.projects.validate(Project(rsid="dv_unknown", definition={}))).valid is False
    with pytest.raises(BadRequestError):
        await rec.projects.validate(Project(name="no definition"))

    await rec.projects.delete(created.id)
    with pytest.raises(NotFoundError):
        await rec.projects.get(created.id)


async def test_get_many(rec: Client, recorder: Recorder) -> None:
    ids = [p.id async for p in rec.projects.list(limit=1000)]
    wanted = [i for i in ids[::3] if i]
    recorder.clear()
    got = await rec.projects.get_many(wanted, expansion=["modified"])
    assert [p.id for p in got] == wanted and all(p.modified for p in got)
    assert all(sent.params["includeType"] == "all" for sent in recorder.sent)


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("GET", "/projects", list[Project]),
        ("GET", "/projects/:id", Project),
        ("POST", "/projects", Project),
        ("PUT", "/projects/:id", Project),
        ("POST", "/projects/validate", ProjectValidation),
    ],
)
def test_postman_examples_round_trip(method: str, path: str, model: Any) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        assert unstructure(structure(body, model)) == body, name


def test_guide_page_round_trips() -> None:
    item = {
        "id": "ExampleProjectId1",
        "name": "New project testing users",
        "description": "",
        "type": "project",
        "dataId": "dv_5555555fa5ea5555bfdb5bea",
        "owner": {
            "imsUserId": "OwnerExample111.e",
            "ownerId": "OwnerExample111.e",
            "name": None,
            "type": "imsUser",
        },
        "created": "YYYY-MM-DDT17:19:41Z",
    }
    project = structure(item, Project)
    assert project.data_id == "dv_5555555fa5ea5555bfdb5bea"
    assert project.owner is not None and project.owner.owner_id == "OwnerExample111.e"
    assert unstructure(project) == item
