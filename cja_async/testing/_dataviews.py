"""Data views: ``/data/dataviews`` (list, create) and ``/data/dataviews/{dataViewId}``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import body_object, overwritten, saved
from ._errors import missing_fields, not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expand, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._stores import DataViews

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()

# ``expansion=modified`` reveals ``modifiedDate``; sorting accepts either name.
_EXPANSION_ALIASES = {"modified": "modifiedDate"}
_SORT_PROPERTIES = {
    "id": "id",
    "name": "name",
    "modifiedDate": "modifiedDate",
    "modified": "modifiedDate",
}
# What dimension and metric lists and gets answer without ``expansion``.
_COMPONENT_FIELDS = frozenset({"id", "name", "type"})


def _live(sim: Simulator, req: Request) -> tuple[DataViews, JSON]:
    """The org's data views and the (not deleted) one named in the path, else 404."""
    store = sim.org(req.org_id).dataviews
    view_id = req.path_params["dataViewId"]
    view = store.find(view_id)
    if view is None or view.get("isDeleted") is True:
        raise ApiError(not_found(f"Could not find Data View with given dataViewId {view_id}"))
    return store, view


@router.route("GET", "/data/dataviews")
async def list_dataviews(sim: Simulator, req: Request) -> Response:
    """A page of data views: filters, sorting, ``expansion`` (else only ``id``), paging."""
    views = sim.org(req.org_id).dataviews.list()
    if "deleted" not in req.csv_param("includeType"):
        views = [view for view in views if view.get("isDeleted") is not True]
    group = req.param("parentDataGroupId")
    if group:
        views = [view for view in views if view.get("parentDataGroupId") == group]
    ids = set(req.csv_param("dataViewIds"))
    if ids:
        views = [view for view in views if view.get("id") in ids]
    for param, member in (("externalIds", "externalId"), ("externalParentIds", "externalParentId")):
        wanted = set(req.csv_param(param))
        if wanted:
            views = [view for view in views if _external(view, member) in wanted]
    ordered, sort = sort_items(views, req, _SORT_PROPERTIES)
    fields = expansion_of(req, _EXPANSION_ALIASES)
    body = paged(ordered, req, sim.page_shape, sort=sort, render=lambda v: expand(v, fields))
    return Response.json(body)


def _external(view: Mapping[str, Any], member: str) -> Any:
    external = view.get("externalData")
    return external.get(member) if isinstance(external, dict) else None


def _missing_fields(body: Mapping[str, Any]) -> list[str]:
    """The members a data view must have that ``body`` lacks (or has empty)."""
    return [
        key
        for key in ("name", "parentDataGroupId")
        if not isinstance(body.get(key), str) or not body[key]
    ]


@router.route("POST", "/data/dataviews")
async def create_dataview(sim: Simulator, req: Request) -> Response:
    """Create a data view from the body, keeping every member sent; answer the stored object."""
    body = body_object(req)
    missing = _missing_fields(body)
    if missing:
        return missing_fields(missing)
    store = sim.org(req.org_id).dataviews
    now = sim.now_iso()
    view = {**body, "id": store.new_id(), "createdDate": now}
    view["modifiedDate"] = now
    return saved(store, view)


@router.route("GET", "/data/dataviews/{dataViewId}")
async def get_dataview(sim: Simulator, req: Request) -> Response:
    """The full stored data view."""
    return Response.json(_live(sim, req)[1])


@router.route("PUT", "/data/dataviews/{dataViewId}")
async def update_dataview(sim: Simulator, req: Request) -> Response:
    """Overwrite the data view whole: it becomes the body plus ``id`` and ``modifiedDate``.

    Members the body leaves out are gone afterwards, exactly the trap clients must avoid.
    """
    store, view = _live(sim, req)
    body = body_object(req)
    updated = overwritten(view, body, ("id",), "modifiedDate", sim.now_iso())
    return saved(store, updated)


@router.route("DELETE", "/data/dataviews/{dataViewId}")
async def delete_dataview(sim: Simulator, req: Request) -> Response:
    """Soft-delete: gone from lists (unless ``includeType=deleted``) and from GET by id."""
    store, view = _live(sim, req)
    store.update(view["id"], {"isDeleted": True, "modifiedDate": sim.now_iso()})
    return Response.json({"result": "success", "message": f"Data view {view['id']} deleted"})


@router.route("PUT", "/data/dataviews/copy/{dataViewId}")
async def copy_dataview(sim: Simulator, req: Request) -> Response:
    """A new data view like the one named, with its components; ``name`` gets " (copy)"."""
    store, view = _live(sim, req)
    org = sim.org(req.org_id)
    now = sim.now_iso()
    copied = {**view, "id": store.new_id(), "createdDate": now, "modifiedDate": now}
    copied["name"] = f"{view.get('name', '')} (copy)"
    store.add(copied)
    org.components.copy(view["id"], copied["id"])
    return Response.json(copied)


@router.route("POST", "/data/dataviews/validate")
async def validate_dataview(sim: Simulator, req: Request) -> Response:
    """``{valid, message, validator_version}``: valid when create would accept the body."""
    missing = _missing_fields(body_object(req))
    message = f"Missing required field(s): {', '.join(missing)}" if missing else "Valid"
    return Response.json({"valid": not missing, "message": message, "validator_version": "1.0"})


def _component_route(kind: str, prefix: str, label: str) -> None:
    """List and get routes for the ``kind`` (``dimensions``/``metrics``) of a data view."""

    def render(req: Request) -> Callable[[Mapping[str, Any]], JSON]:
        fields = expansion_of(req) | _COMPONENT_FIELDS
        return lambda item: {k: v for k, v in item.items() if k in fields}

    async def list_components(sim: Simulator, req: Request) -> Response:
        _store, view = _live(sim, req)
        items = sim.org(req.org_id).components.of(view["id"])[kind]
        include = req.csv_param("includeType")
        if set(include) - {"hidden"}:
            raise bad_parameter("includeType must be hidden")
        if "hidden" not in include:
            items = [item for item in items if not item.get("hidden")]
        return Response.json(paged(items, req, "analytics", render=render(req)))

    async def get_component(sim: Simulator, req: Request) -> Response:
        _store, view = _live(sim, req)
        # Fetched by the bare id (``daterangeday``), listed with the prefix.
        wanted = prefix + req.path_params["componentId"]
        items = sim.org(req.org_id).components.of(view["id"])[kind]
        item = next((item for item in items if item["id"] == wanted), None)
        if item is None:
            raise ApiError(not_found(f"Could not find {label} {wanted} in {view['id']}"))
        return Response.json(render(req)(item))

    router.add("GET", f"/data/dataviews/{{dataViewId}}/{kind}", list_components)
    router.add("GET", f"/data/dataviews/{{dataViewId}}/{kind}/{{componentId}}", get_component)


_component_route("dimensions", "variables/", "dimension")
_component_route("metrics", "metrics/", "metric")
