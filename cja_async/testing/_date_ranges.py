"""Date ranges: ``/dateranges``.

Lists show ``id``, ``name``, ``description`` and ``owner``; ``expansion`` adds
``definition``, ``modified``, ``tags``, ``shares`` and the owner's name (``ownerFullName``).
Templates appear only with ``includeType=templates`` (or ``all``). ``PUT`` is partial;
``DELETE`` removes the date range for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import (
    audit,
    body_object,
    caller_id,
    filter_by_ids,
    found,
    shown,
)
from ._http import Response
from ._paging import JSON, bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()

_BASE = ("name", "description", "owner")


def _shown(org: OrgState, item: Mapping[str, Any], expansion: set[str], base: bool) -> JSON:
    shown_item = shown(
        org, item, base=_BASE if base else None, expansion=expansion, tag_type="dateRange"
    )
    shown_item.pop("template", None)
    return shown_item


@router.route("GET", "/dateranges")
async def list_date_ranges(sim: Simulator, req: Request) -> Response:
    """A page of date ranges (``filterByIds``, ``includeType``, ``expansion``)."""
    org = sim.org(req.org_id)
    include = set(req.csv_param("includeType"))
    items = filter_by_ids(org.date_ranges.list(), req)
    if not include & {"templates", "all"}:
        items = [item for item in items if item.get("template") is not True]
    items.sort(key=lambda item: str(item["id"]))
    expansion = expansion_of(req)
    body = paged(
        items,
        req,
        sim.page_shape,
        render=lambda item: _shown(org, item, expansion, True),
        default_limit=100,
    )
    return Response.json(body)


def _check(body: Mapping[str, Any]) -> None:
    if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
        raise bad_parameter("name must be a non-empty string")
    if "definition" in body and not isinstance(body["definition"], str | dict):
        raise bad_parameter("definition must be a string or an object")


def _stored(sim: Simulator, req: Request) -> tuple[OrgState, JSON]:
    """The caller's org and the date range named in the path, else 404."""
    org = sim.org(req.org_id)
    return org, found(org.date_ranges, req.path_params["id"], deleted_ok=False)


def _answer(org: OrgState, req: Request, item: JSON) -> Response:
    """One date range as GET, POST and PUT answer it: expanded as asked, owner's name too."""
    return Response.json(_shown(org, item, expansion_of(req) | {"ownerFullName"}, False))


@router.route("POST", "/dateranges")
async def create_date_range(sim: Simulator, req: Request) -> Response:
    """Create from the body (``name`` and ``definition`` required)."""
    body = body_object(req)
    _check(body)
    missing = [key for key in ("name", "definition") if not body.get(key)]
    if missing:
        raise bad_parameter(f"Missing required field(s): {', '.join(missing)}")
    org = sim.org(req.org_id)
    now = sim.now_iso()
    item = {
        **body,
        "id": org.date_ranges.new_id(),
        "owner": {"imsUserId": caller_id(req)},
        "created": now,
        "modified": now,
    }
    org.date_ranges.add(item)
    audit(sim, req, "CREATE", "DATE_RANGE", item)
    return _answer(org, req, item)


@router.route("GET", "/dateranges/{id}")
async def get_date_range(sim: Simulator, req: Request) -> Response:
    """The stored date range."""
    org, item = _stored(sim, req)
    return _answer(org, req, item)


@router.route("PUT", "/dateranges/{id}")
async def update_date_range(sim: Simulator, req: Request) -> Response:
    """Partial update."""
    org, item = _stored(sim, req)
    body = body_object(req)
    _check(body)
    updated = org.date_ranges.update(
        item["id"], {**body, "id": item["id"], "modified": sim.now_iso()}
    )
    audit(sim, req, "EDIT", "DATE_RANGE", updated)
    return _answer(org, req, updated)


@router.route("DELETE", "/dateranges/{id}")
async def delete_date_range(sim: Simulator, req: Request) -> Response:
    """Delete for good."""
    org, item = _stored(sim, req)
    org.date_ranges.delete(item["id"])
    audit(sim, req, "DELETE", "DATE_RANGE", item)
    return Response.json({"result": "success", "message": f"Deleted {item['id']}"})
