"""Annotations: ``/annotations`` (documented in Adobe's guides, not in its spec).

Lists show only ``id`` unless ``expansion`` names more. ``filterByModifiedAfter`` and
``filterByDateRange`` (annotations wholly inside ``start/end``) filter. Create and update
answer only ``{"id"}``; ``PUT`` is partial; ``DELETE`` is soft (hidden from lists, still
fetchable by id) and answers ``{"result": "success"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import (
    audit,
    body_object,
    caller_id,
    found,
    parse_instant,
    render,
)
from ._http import Response
from ._paging import bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._stores.annotations import COLORS

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()


def _span(text: str, name: str) -> tuple[Any, Any]:
    start, sep, end = text.partition("/")
    if not sep:
        raise bad_parameter(f"{name} must be two ISO 8601 instants joined by '/', got {text!r}")
    return parse_instant(start, name), parse_instant(end, name)


def _check(body: Mapping[str, Any]) -> None:
    if "color" in body and body["color"] not in COLORS:
        raise bad_parameter("color must be one of STANDARD1 to STANDARD9")
    if "dateRange" in body:
        if not isinstance(body["dateRange"], str):
            raise bad_parameter("dateRange must be a string")
        _span(body["dateRange"], "dateRange")


@router.route("GET", "/annotations")
async def list_annotations(sim: Simulator, req: Request) -> Response:
    """Live annotations, filtered, with ``expansion`` (else only ``id``), paged."""
    items = [
        item for item in sim.org(req.org_id).annotations.list() if item.get("isDeleted") is not True
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
    store = org.annotations
    now = sim.now_iso()
    item = {
        **body,
        "id": store.new_id(),
        "owner": {"imsUserId": caller_id(req)},
        "imsOrgId": org.org_id,
        "createdDate": now,
        "modifiedDate": now,
        "isDeleted": False,
    }
    store.add(item)
    audit(sim, req, "CREATE", "ANNOTATION", item)
    return Response.json({"id": item["id"]})


@router.route("GET", "/annotations/{id}")
async def get_annotation(sim: Simulator, req: Request) -> Response:
    """One annotation (deleted ones too); ``expansion`` names the members shown."""
    item = found(sim.org(req.org_id).annotations, req.path_params["id"], deleted_ok=True)
    expansion = expansion_of(req)
    return Response.json(render(item, (), expansion) if expansion else dict(item))


@router.route("PUT", "/annotations/{id}")
async def update_annotation(sim: Simulator, req: Request) -> Response:
    """Partial update; answers ``{id}``."""
    store = sim.org(req.org_id).annotations
    item = found(store, req.path_params["id"], deleted_ok=False)
    body = body_object(req)
    _check(body)
    updated = store.update(item["id"], {**body, "id": item["id"], "modifiedDate": sim.now_iso()})
    audit(sim, req, "EDIT", "ANNOTATION", updated)
    return Response.json({"id": item["id"]})


@router.route("DELETE", "/annotations/{id}")
async def delete_annotation(sim: Simulator, req: Request) -> Response:
    """Soft delete."""
    store = sim.org(req.org_id).annotations
    item = found(store, req.path_params["id"], deleted_ok=False)
    store.update(item["id"], {"isDeleted": True, "modifiedDate": sim.now_iso()})
    audit(sim, req, "DELETE", "ANNOTATION", item)
    return Response.json({"result": "success"})
