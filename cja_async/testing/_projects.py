"""Workspace projects: ``/projects`` (list, create), ``/projects/validate``, ``/projects/{id}``.

Lists answer an analytics page, or a bare array with ``pagination=false``; ``limit`` is at
most 1000. The caller acts as an org admin, so every owner's projects are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import (
    body_object,
    caller_id,
    found,
    missing_name_or_view,
    overwritten,
    saved,
)
from ._errors import service_error
from ._http import Response
from ._paging import JSON, bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._stores import ims_owner

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()

_INCLUDE_TYPES = {"all", "shared"}
# Members every list item has (as in the asset-management guide); the rest need expansion.
_BASE_MEMBERS = ("id", "name", "description", "type", "dataId", "rsid", "owner", "created")


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
        for project in sim.org(req.org_id).projects.list()
        if (not ids or project.get("id") in ids)
        and (not owner_id or (project.get("owner") or {}).get("imsUserId") == owner_id)
    ]
    chosen.sort(key=lambda project: str(project.get("id")))
    render = _renderer(expansion_of(req))
    if pagination == "false":
        return Response.json([render(project) for project in chosen])
    return Response.json(paged(chosen, req, sim.page_shape, render=render))


def _named_view(org: OrgState, project: JSON) -> None:
    view_id = project.get("rsid") or project.get("dataId")
    if isinstance(view_id, str):
        view = org.dataviews.find(view_id)
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
    store = org.projects
    caller = caller_id(req)
    now = sim.now_iso()
    project: JSON = {
        "type": "project",
        **body,
        "id": store.new_id(),
        "owner": ims_owner(caller, f"Technical account {req.client_id}"),
        "created": now,
        "modified": now,
    }
    _named_view(org, project)
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
    known = not isinstance(view_id, str) or view_id in sim.org(req.org_id).dataviews
    return Response.json(
        {
            "valid": known,
            "validatorVersion": "1.0.0",
            "message": "Project is valid" if known else f"Unknown data view {view_id}",
        }
    )


def _stored(sim: Simulator, req: Request) -> JSON:
    return found(sim.org(req.org_id).projects, req.path_params["id"], deleted_ok=True)


@router.route("GET", "/projects/{id}")
async def get_project(sim: Simulator, req: Request) -> Response:
    """The full stored project."""
    project = _stored(sim, req)
    return Response.json(project)


@router.route("PUT", "/projects/{id}")
async def update_project(sim: Simulator, req: Request) -> Response:
    """Overwrite the project with the body; only id, owner and created are kept.

    Members the body leaves out are gone afterwards: clients must send everything back.
    """
    org = sim.org(req.org_id)
    project = _stored(sim, req)
    body = body_object(req)
    updated = overwritten(project, body, ("id", "owner", "created"), "modified", sim.now_iso())
    _named_view(org, updated)
    return saved(org.projects, updated)


@router.route("DELETE", "/projects/{id}")
async def delete_project(sim: Simulator, req: Request) -> Response:
    """Delete the project for good."""
    project = _stored(sim, req)
    sim.org(req.org_id).projects.delete(project["id"])
    return Response.json({"result": "success", "message": f"Project {project['id']} deleted"})
