"""Data views: ``/data/dataviews`` (list, create) and ``/data/dataviews/{dataViewId}``."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._component_helpers import body_object, overwritten, saved
from ._connections import connections_of
from ._dataview_components import DEFAULT_COMPONENT_FIELDS, components_of, copy_components
from ._dates import iso
from ._errors import missing_fields, not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expand, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._users import org_users

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["dataviews_of", "router"]

router = Router()

# ``expansion=modified`` reveals ``modifiedDate``; sorting accepts either name.
_EXPANSION_ALIASES = {"modified": "modifiedDate"}
_SORT_PROPERTIES = {
    "id": "id",
    "name": "name",
    "modifiedDate": "modifiedDate",
    "modified": "modifiedDate",
}

_TIMEZONES = (
    ("US/Pacific", -8.0),
    ("US/Mountain", -7.0),
    ("US/Eastern", -5.0),
    ("Europe/London", 0.0),
    ("Europe/Berlin", 1.0),
    ("Asia/Tokyo", 9.0),
)
_SUBJECTS = ("Web", "Mobile App", "Call Center", "Retail", "B2B", "Loyalty", "Email", "Kiosk")
_FLAVOURS = ("Production", "Staging", "All Channels", "EMEA", "Americas", "Marketing", "Finance")
_SEEDED_SINCE = datetime(2021, 1, 1, tzinfo=UTC)
_GROUPS_PER_ORG = 6


def _seed_dataviews(org: OrgState, rng: random.Random, count: int) -> Iterator[JSON]:
    owners = list(org_users(org).values())
    # Data views sit on the org's connections (those listed by default), so a view's
    # ``parentDataGroupId`` can be fetched with ``connections.get``. The draws stay, so the
    # rest of the seeded data does not depend on how connections are seeded.
    for _ in range(_GROUPS_PER_ORG):
        rng.getrandbits(96)
    groups = [
        c["id"]
        for c in connections_of(org).values()
        if c["owner"].get("type") != "systemUser" and not c.get("isDisabled")
    ][:_GROUPS_PER_ORG]
    for index in range(count):
        owner = rng.choice(owners)
        group_index = rng.randrange(len(groups))
        zone, offset = rng.choice(_TIMEZONES)
        created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        modified = created + timedelta(seconds=rng.randrange(300 * 86400))
        yield {
            "id": f"dv_{rng.getrandbits(96):024x}",
            "name": f"{rng.choice(_SUBJECTS)} {rng.choice(_FLAVOURS)} {index + 1}",
            "description": f"Simulated data view {index + 1} of {org.org_id}",
            "owner": {"imsUserId": owner["id"], "name": owner["fullName"]},
            "isDeleted": False,
            "parentDataGroupId": groups[group_index],
            "segmentList": [],
            "currentTimezoneOffset": offset,
            "timezoneDesignator": zone,
            "modifiedDate": iso(modified),
            "createdDate": iso(created),
            "organization": org.org_id,
            "modifiedBy": owner["id"],
            "curationEnabled": rng.random() < 0.25,
            "recentRecordedAccess": modified.date().isoformat(),
            "sessionDefinition": [
                {
                    "numPeriods": rng.choice((15, 30, 60)),
                    "granularity": "MINUTE",
                    "func": "INACTIVITY",
                    "events": [],
                }
            ],
            "externalData": {
                "externalId": f"ext-{index:05d}",
                "externalParentId": f"ext-parent-{group_index}",
            },
            "containerNames": {"event": "Event", "session": "Session", "people": "Person"},
            # Members no client model declares: they must survive a GET-modify-PUT.
            "curatedComponents": [
                {"componentId": "metrics/occurrences", "componentType": "Metric"}
            ],
            "componentSettings": {
                "attribution": {"model": "lastTouch", "lookback": {"granularity": "DAY", "n": 30}},
                "caseSensitive": rng.random() < 0.5,
            },
        }


def dataviews_of(sim: Simulator, org: OrgState) -> dict[str, JSON]:
    """The org's data views by id, seeded with ``sim.dataviews`` of them on first use."""

    def seed(state: OrgState, rng: random.Random) -> Iterator[JSON]:
        return _seed_dataviews(state, rng, sim.dataviews)

    return org.collection("dataviews", seed)


def _live(sim: Simulator, req: Request) -> tuple[dict[str, JSON], JSON]:
    """The org's data views and the (not deleted) one named in the path, else 404."""
    store = dataviews_of(sim, sim.org(req.org_id))
    view_id = req.path_params["dataViewId"]
    view = store.get(view_id)
    if view is None or view.get("isDeleted") is True:
        raise ApiError(not_found(f"Could not find Data View with given dataViewId {view_id}"))
    return store, view


@router.route("GET", "/data/dataviews")
async def list_dataviews(sim: Simulator, req: Request) -> Response:
    """A page of data views: filters, sorting, ``expansion`` (else only ``id``), paging."""
    views: list[Mapping[str, Any]] = list(dataviews_of(sim, sim.org(req.org_id)).values())
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
    store = dataviews_of(sim, sim.org(req.org_id))
    now = sim.now_iso()
    view = {**body, "id": sim.org(req.org_id).new_id("dv_", store), "createdDate": now}
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
    store[view["id"]] = {**view, "isDeleted": True, "modifiedDate": sim.now_iso()}
    return Response.json({"result": "success", "message": f"Data view {view['id']} deleted"})


@router.route("PUT", "/data/dataviews/copy/{dataViewId}")
async def copy_dataview(sim: Simulator, req: Request) -> Response:
    """A new data view like the one named, with its components; ``name`` gets " (copy)"."""
    store, view = _live(sim, req)
    org = sim.org(req.org_id)
    now = sim.now_iso()
    copied = {**view, "id": org.new_id("dv_", store), "createdDate": now, "modifiedDate": now}
    copied["name"] = f"{view.get('name', '')} (copy)"
    store[copied["id"]] = copied
    copy_components(org, view["id"], copied["id"])
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
        fields = expansion_of(req) | DEFAULT_COMPONENT_FIELDS
        return lambda item: {k: v for k, v in item.items() if k in fields}

    async def list_components(sim: Simulator, req: Request) -> Response:
        _store, view = _live(sim, req)
        items = components_of(sim.org(req.org_id), view["id"])[kind]
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
        items = components_of(sim.org(req.org_id), view["id"])[kind]
        item = next((item for item in items if item["id"] == wanted), None)
        if item is None:
            raise ApiError(not_found(f"Could not find {label} {wanted} in {view['id']}"))
        return Response.json(render(req)(item))

    router.add("GET", f"/data/dataviews/{{dataViewId}}/{kind}", list_components)
    router.add("GET", f"/data/dataviews/{{dataViewId}}/{kind}/{{componentId}}", get_component)


_component_route("dimensions", "variables/", "dimension")
_component_route("metrics", "metrics/", "metric")
