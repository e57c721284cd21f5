"""Date ranges: ``/dateranges``.

Lists show ``id``, ``name``, ``description`` and ``owner``; ``expansion`` adds
``definition``, ``modified``, ``tags``, ``shares`` and the owner's name (``ownerFullName``).
Templates appear only with ``includeType=templates`` (or ``all``). ``PUT`` is partial;
``DELETE`` removes the date range for good.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._audit_logs import record_audit
from ._component_helpers import (
    body_object,
    caller_id,
    filter_by_ids,
    found,
    iso,
    owner_of,
    random_moment,
    render,
)
from ._http import Response
from ._paging import JSON, bad_parameter, expansion_of, paged
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._tags import component_tags
from ._users import org_users

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["DATE_RANGES_PER_ORG", "date_ranges_of", "router"]

DATE_RANGES_PER_ORG = 25
router = Router()

_BASE = ("name", "description", "owner")
_DEFINITIONS = (
    ("This month", "tm/tm+1m"),
    ("Last month", "tm-1m/tm"),
    ("Last 7 days", "td-7d/td"),
    ("Last 30 days", "td-30d/td"),
    ("This year", "ty/ty+1y"),
    ("Yesterday", "td-1d/td"),
)


def _seed(org: OrgState, rng: random.Random) -> Iterator[JSON]:
    users = list(org_users(org).values())
    for index in range(DATE_RANGES_PER_ORG):
        label, definition = _DEFINITIONS[index % len(_DEFINITIONS)]
        created = random_moment(rng)
        yield {
            "id": f"{rng.getrandbits(96):024x}",
            "name": f"{label} {index + 1}",
            "description": f"Simulated date range: {label.lower()}",
            "owner": owner_of(rng.choice(users)),
            "definition": definition,
            "created": iso(created),
            "modified": iso(created),
            "template": index % 8 == 3,
            "shares": [],
        }


def date_ranges_of(org: OrgState) -> dict[str, JSON]:
    """The org's date ranges by id."""
    return org.collection("dateranges", _seed)


def _shown(org: OrgState, item: Mapping[str, Any], expansion: set[str], base: bool) -> JSON:
    shown = render(item, _BASE, expansion) if base else dict(item)
    shown.pop("template", None)
    if "tags" in expansion:
        shown["tags"] = component_tags(org, "dateRange", str(item["id"]))
    if "ownerFullName" not in expansion and isinstance(shown.get("owner"), dict):
        shown["owner"] = {"imsUserId": shown["owner"].get("imsUserId")}
    return shown


@router.route("GET", "/dateranges")
async def list_date_ranges(sim: Simulator, req: Request) -> Response:
    """A page of date ranges (``filterByIds``, ``includeType``, ``expansion``)."""
    org = sim.org(req.org_id)
    include = set(req.csv_param("includeType"))
    items = filter_by_ids(date_ranges_of(org).values(), req)
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


def _stored(sim: Simulator, req: Request) -> tuple[OrgState, dict[str, JSON], JSON]:
    """The caller's org, its date ranges and the one named in the path, else 404."""
    org = sim.org(req.org_id)
    store = date_ranges_of(org)
    return org, store, found(store, req.path_params["id"], "date range", deleted_ok=False)


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
    store = date_ranges_of(org)
    now = sim.now_iso()
    item = {
        **body,
        "id": org.new_id("", store),
        "owner": {"imsUserId": caller_id(req)},
        "created": now,
        "modified": now,
    }
    store[item["id"]] = item
    record_audit(sim, req, "CREATE", "DATE_RANGE", item["id"], item["name"])
    return _answer(org, req, item)


@router.route("GET", "/dateranges/{id}")
async def get_date_range(sim: Simulator, req: Request) -> Response:
    """The stored date range."""
    org, _store, item = _stored(sim, req)
    return _answer(org, req, item)


@router.route("PUT", "/dateranges/{id}")
async def update_date_range(sim: Simulator, req: Request) -> Response:
    """Partial update."""
    org, store, item = _stored(sim, req)
    body = body_object(req)
    _check(body)
    updated = {**item, **body, "id": item["id"], "modified": sim.now_iso()}
    store[item["id"]] = updated
    record_audit(sim, req, "EDIT", "DATE_RANGE", item["id"], updated.get("name"))
    return _answer(org, req, updated)


@router.route("DELETE", "/dateranges/{id}")
async def delete_date_range(sim: Simulator, req: Request) -> Response:
    """Delete for good."""
    _org, store, item = _stored(sim, req)
    del store[item["id"]]
    record_audit(sim, req, "DELETE", "DATE_RANGE", item["id"], item.get("name"))
    return Response.json({"result": "success", "message": f"Deleted {item['id']}"})
