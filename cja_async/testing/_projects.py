"""Workspace projects: ``/projects`` (list, create), ``/projects/validate``, ``/projects/{id}``.

Lists answer an analytics page, or a bare array with ``pagination=false``; ``limit`` is at
most 1000. The caller acts as an org admin, so every owner's projects are listed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._component_helpers import body_object, found, missing_name_or_view, overwritten, saved
from ._dataviews import dataviews_of
from ._dates import iso
from ._errors import service_error
from ._http import Response
from ._paging import JSON, bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._segments import owner_of, segments_of
from ._state import OrgState
from ._users import org_users, technical_account_id

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["PROJECTS_PER_ORG", "projects_of", "projects_referencing", "router"]

PROJECTS_PER_ORG = 250

router = Router()

_INCLUDE_TYPES = {"all", "shared"}
# Members every list item has (as in the asset-management guide); the rest need expansion.
_BASE_MEMBERS = ("id", "name", "description", "type", "dataId", "rsid", "owner", "created")
_SEEDED_SINCE = datetime(2021, 3, 1, tzinfo=UTC)
_TOPICS = (
    "Weekly KPIs",
    "Checkout Funnel",
    "Campaign Performance",
    "Customer Journey",
    "Mobile App Usage",
    "Content Engagement",
    "Retention Cohorts",
    "Executive Summary",
)


def _seed_projects(sim: Simulator, org: OrgState, rng: random.Random) -> Iterator[JSON]:
    users = list(org_users(org).values())
    views = list(dataviews_of(sim, org).values())[:12]
    segment_ids = [
        segment["id"]
        for segment in segments_of(sim, org).values()
        if not segment.get("internal") and not segment.get("template")
    ]
    for index in range(PROJECTS_PER_ORG):
        owner = users[0] if rng.random() < 0.25 else rng.choice(users)
        view = rng.choice(views) if views else {"id": "dv_none", "name": "No data view"}
        created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        modified = created + timedelta(seconds=rng.randrange(200 * 86400))
        used = rng.sample(segment_ids, min(len(segment_ids), rng.choice((0, 1, 1, 2, 3))))
        yield {
            "id": f"{rng.getrandbits(96):024x}",
            "name": f"{rng.choice(_TOPICS)} {index + 1}",
            "description": "" if rng.random() < 0.4 else "Simulated Workspace project",
            "type": "mobileScorecard" if rng.random() < 0.05 else "project",
            "rsid": view["id"],
            "reportSuiteName": view.get("name"),
            "dataId": view["id"],
            "owner": owner_of(owner["id"], owner["fullName"]),
            "definition": {
                "version": "13",
                "panels": [
                    {
                        "id": f"panel-{panel}",
                        "name": f"Panel {panel + 1}",
                        "reportSuite": {"id": view["id"]},
                        "segmentIds": used if panel == 0 else [],
                        "subPanels": [{"reportlet": {"type": "FreeformReportlet"}}],
                    }
                    for panel in range(rng.randint(1, 3))
                ],
            },
            "externalReferences": {},
            "accessLevel": "edit",
            "versionNotes": "",
            "tags": [],
            "shares": [],
            "modified": iso(modified),
            "created": iso(created),
        }


def projects_of(sim: Simulator, org: OrgState) -> dict[str, JSON]:
    """The org's projects by id, seeded with ``PROJECTS_PER_ORG`` of them on first use."""

    def seed(state: OrgState, rng: random.Random) -> Iterator[JSON]:
        return _seed_projects(sim, state, rng)

    return org.collection("projects", seed)


def projects_referencing(sim: Simulator, org: OrgState, segment_id: str) -> list[JSON]:
    """Projects whose panels use the segment (the segments' ``usedIn`` expansion)."""
    found = []
    for project in projects_of(sim, org).values():
        definition = project.get("definition")
        panels = definition.get("panels") if isinstance(definition, dict) else None
        for panel in panels if isinstance(panels, list) else []:
            if isinstance(panel, dict) and segment_id in (panel.get("segmentIds") or []):
                found.append(project)
                break
    return found


def _renderer(fields: set[str]) -> Callable[[Mapping[str, Any]], JSON]:
    def render(project: Mapping[str, Any]) -> JSON:
        return {
            key: value for key, value in project.items() if key in _BASE_MEMBERS or key in fields
        }

    return render


@router.route("GET", "/projects")
async def list_projects(sim: Simulator, req: Request) -> Response:
    """Projects filtered by owner and ids, expanded, paged (or a bare array)."""
    include = {value.lower() for value in req.csv_param("includeType")}
    unknown = include - _INCLUDE_TYPES
    if unknown:
        raise bad_parameter(f"includeType must be all or shared, got {sorted(unknown)}")
    pagination = (req.param("pagination") or "true").lower()
    if pagination not in ("true", "false"):
        raise bad_parameter(f"pagination must be true or false, got {pagination!r}")
    ids = set(req.csv_param("filterByIds"))
    owner_id = req.param("ownerId")
    chosen = [
        project
        for project in projects_of(sim, sim.org(req.org_id)).values()
        if (not ids or project.get("id") in ids)
        and (not owner_id or (project.get("owner") or {}).get("imsUserId") == owner_id)
    ]
    chosen.sort(key=lambda project: str(project.get("id")))
    render = _renderer(expansion_of(req))
    if pagination == "false":
        return Response.json([render(project) for project in chosen])
    return Response.json(paged(chosen, req, sim.page_shape, render=render))


def _named_view(sim: Simulator, org: OrgState, project: JSON) -> None:
    view_id = project.get("rsid") or project.get("dataId")
    if isinstance(view_id, str):
        view = dataviews_of(sim, org).get(view_id)
        project["rsid"] = project["dataId"] = view_id
        if view is not None:
            project["reportSuiteName"] = view.get("name")


@router.route("POST", "/projects")
async def create_project(sim: Simulator, req: Request) -> Response:
    """Create a project owned by the caller; answer it whole, with its new id."""
    org = sim.org(req.org_id)
    body = body_object(req)
    missing = missing_name_or_view(body)
    if not isinstance(body.get("definition"), dict):
        missing.append("definition")
    if missing:
        return service_error(
            400,
            "invalid_parameters",
            f"Missing or invalid field(s): {', '.join(missing)}",
            {"missing": missing},
        )
    store = projects_of(sim, org)
    caller = technical_account_id(req.client_id)
    now = sim.now_iso()
    project: JSON = {
        "type": "project",
        **body,
        "id": org.new_id("", store),
        "owner": owner_of(caller, f"Technical account {req.client_id}"),
        "created": now,
        "modified": now,
    }
    _named_view(sim, org, project)
    return saved(store, project)


@router.route("POST", "/projects/validate")
async def validate_project(sim: Simulator, req: Request) -> Response:
    """``{"project": {...}}``: valid when it has a definition object and a known data view."""
    body = body_object(req)
    project = body.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("definition"), dict):
        raise bad_parameter(
            "Invalid input; definition is required. Definition must be formatted as a JSON Object."
        )
    view_id = project.get("rsid") or project.get("dataId")
    known = not isinstance(view_id, str) or view_id in dataviews_of(sim, sim.org(req.org_id))
    return Response.json(
        {
            "valid": known,
            "validatorVersion": "1.0.0",
            "message": "Project is valid" if known else f"Unknown data view {view_id}",
        }
    )


def _stored(sim: Simulator, req: Request) -> tuple[dict[str, JSON], JSON]:
    store = projects_of(sim, sim.org(req.org_id))
    return store, found(store, req.path_params["id"], "project", deleted_ok=True)


@router.route("GET", "/projects/{id}")
async def get_project(sim: Simulator, req: Request) -> Response:
    """The full stored project."""
    _store, project = _stored(sim, req)
    return Response.json(project)


@router.route("PUT", "/projects/{id}")
async def update_project(sim: Simulator, req: Request) -> Response:
    """Overwrite the project with the body; only id, owner and created are kept.

    Members the body leaves out are gone afterwards: clients must send everything back.
    """
    org = sim.org(req.org_id)
    store, project = _stored(sim, req)
    body = body_object(req)
    updated = overwritten(project, body, ("id", "owner", "created"), "modified", sim.now_iso())
    _named_view(sim, org, updated)
    return saved(store, updated)


@router.route("DELETE", "/projects/{id}")
async def delete_project(sim: Simulator, req: Request) -> Response:
    """Delete the project for good."""
    store, project = _stored(sim, req)
    del store[project["id"]]
    return Response.json({"result": "success", "message": f"Project {project['id']} deleted"})
