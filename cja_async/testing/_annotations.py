"""Annotations: ``/annotations`` (documented in Adobe's guides, not in its spec).

Lists show only ``id`` unless ``expansion`` names more. ``filterByModifiedAfter`` and
``filterByDateRange`` (annotations wholly inside ``start/end``) filter. Create and update
answer only ``{"id"}``; ``PUT`` is partial; ``DELETE`` is soft (hidden from lists, still
fetchable by id) and answers ``{"result": "success"}``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._audit_logs import record_audit
from ._component_helpers import (
    body_object,
    caller_id,
    found,
    iso,
    owner_of,
    parse_instant,
    random_moment,
    render,
)
from ._dataviews import dataviews_of
from ._http import Response
from ._paging import JSON, bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._users import org_users

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["ANNOTATIONS_PER_ORG", "annotations_of", "router"]

ANNOTATIONS_PER_ORG = 30
router = Router()

_COLORS = tuple(f"STANDARD{n}" for n in range(1, 10))
_EVENTS = ("Campaign launch", "Site outage", "Holiday sale", "Tracking change", "Press release")


def _seed(sim: Simulator, org: OrgState, rng: random.Random) -> Iterator[JSON]:
    users = list(org_users(org).values())
    views = sorted(dataviews_of(sim, org))[:5] or ["dv_none"]
    for index in range(ANNOTATIONS_PER_ORG):
        start = random_moment(rng).replace(hour=0, minute=0, second=0)
        end = start + timedelta(days=rng.randrange(1, 10), seconds=-1)
        created = start + timedelta(days=rng.randrange(0, 30))
        view = rng.choice(views)
        yield {
            "id": f"{rng.getrandbits(96):024x}",
            "name": f"{rng.choice(_EVENTS)} {index + 1}",
            "description": f"Simulated annotation {index + 1}",
            "dateRange": f"{start:%Y-%m-%dT%H:%M:%S}/{end:%Y-%m-%dT%H:%M:%S}",
            "color": rng.choice(_COLORS),
            "applyToAllReports": rng.random() < 0.2,
            "scope": {"metrics": [], "filters": []},
            "createdDate": iso(created),
            "modifiedDate": iso(created),
            "owner": owner_of(rng.choice(users)),
            "imsOrgId": org.org_id,
            "dataId": view,
            "rsid": view,
            "isDeleted": False,
        }


def annotations_of(sim: Simulator, org: OrgState) -> dict[str, JSON]:
    """The org's annotations by id."""
    return org.collection("annotations", lambda state, rng: _seed(sim, state, rng))


def _span(text: str, name: str) -> tuple[Any, Any]:
    start, sep, end = text.partition("/")
    if not sep:
        raise bad_parameter(f"{name} must be two ISO 8601 instants joined by '/', got {text!r}")
    return parse_instant(start, name), parse_instant(end, name)


def _check(body: Mapping[str, Any]) -> None:
    if "color" in body and body["color"] not in _COLORS:
        raise bad_parameter("color must be one of STANDARD1 to STANDARD9")
    if "dateRange" in body:
        if not isinstance(body["dateRange"], str):
            raise bad_parameter("dateRange must be a string")
        _span(body["dateRange"], "dateRange")


@router.route("GET", "/annotations")
async def list_annotations(sim: Simulator, req: Request) -> Response:
    """Live annotations, filtered, with ``expansion`` (else only ``id``), paged."""
    items = [
        item
        for item in annotations_of(sim, sim.org(req.org_id)).values()
        if item.get("isDeleted") is not True
    ]
    after = req.param("filterByModifiedAfter")
    if after:
        moment = parse_instant(after, "filterByModifiedAfter")
        items = [i for i in items if parse_instant(i["modifiedDate"], "modifiedDate") > moment]
    window = req.param("filterByDateRange")
    if window:
        low, high = _span(window, "filterByDateRange")

        def inside(item: Mapping[str, Any]) -> bool:
            start, end = _span(item["dateRange"], "dateRange")
            return bool(low <= start and end <= high)

        items = [item for item in items if inside(item)]
    items.sort(key=lambda item: str(item["id"]))
    expansion = expansion_of(req)
    body = paged(items, req, sim.page_shape, render=lambda item: render(item, (), expansion))
    return Response.json(body)


@router.route("POST", "/annotations")
async def create_annotation(sim: Simulator, req: Request) -> Response:
    """Create (``name``, ``dataId`` or ``rsid``, ``dateRange``, ``color``); answers ``{id}``."""
    body = body_object(req)
    missing = [key for key in ("name", "dateRange", "color") if not body.get(key)]
    if not body.get("dataId") and not body.get("rsid"):
        missing.append("dataId")
    if missing:
        raise bad_parameter(f"Missing required field(s): {', '.join(missing)}")
    _check(body)
    org = sim.org(req.org_id)
    store = annotations_of(sim, org)
    now = sim.now_iso()
    item = {
        **body,
        "id": org.new_id("", store),
        "owner": {"imsUserId": caller_id(req)},
        "imsOrgId": org.org_id,
        "createdDate": now,
        "modifiedDate": now,
        "isDeleted": False,
    }
    store[item["id"]] = item
    record_audit(sim, req, "CREATE", "ANNOTATION", item["id"], item["name"])
    return Response.json({"id": item["id"]})


@router.route("GET", "/annotations/{id}")
async def get_annotation(sim: Simulator, req: Request) -> Response:
    """One annotation (deleted ones too); ``expansion`` names the members shown."""
    store = annotations_of(sim, sim.org(req.org_id))
    item = found(store, req.path_params["id"], "annotation", deleted_ok=True)
    expansion = expansion_of(req)
    return Response.json(render(item, (), expansion) if expansion else dict(item))


@router.route("PUT", "/annotations/{id}")
async def update_annotation(sim: Simulator, req: Request) -> Response:
    """Partial update; answers ``{id}``."""
    store = annotations_of(sim, sim.org(req.org_id))
    item = found(store, req.path_params["id"], "annotation", deleted_ok=False)
    body = body_object(req)
    _check(body)
    store[item["id"]] = {**item, **body, "id": item["id"], "modifiedDate": sim.now_iso()}
    record_audit(sim, req, "EDIT", "ANNOTATION", item["id"], store[item["id"]].get("name"))
    return Response.json({"id": item["id"]})


@router.route("DELETE", "/annotations/{id}")
async def delete_annotation(sim: Simulator, req: Request) -> Response:
    """Soft delete."""
    store = annotations_of(sim, sim.org(req.org_id))
    item = found(store, req.path_params["id"], "annotation", deleted_ok=False)
    store[item["id"]] = {**item, "isDeleted": True, "modifiedDate": sim.now_iso()}
    record_audit(sim, req, "DELETE", "ANNOTATION", item["id"], item.get("name"))
    return Response.json({"result": "success"})
