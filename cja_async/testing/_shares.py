"""Shares: ``/componentmetadata/shares``.

Shares have integer ids. "Mine" means shares whose ``shareFromImsId`` is the caller (or the
``userid`` an admin names); ``includeType=sharedTo`` lists those made to them instead.
The first time a caller is seen, a few shares from and to it are seeded, deterministically.
``PUT`` overwrites: a component keeps exactly the shares given, the others are deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import COMPONENT_TYPES, body_array, body_object, caller_id
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, paged
from ._request import Request
from ._router import Router
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()

_SHARE_TO_TYPES = ("user", "group", "all")


def _public(share: Mapping[str, Any]) -> JSON:
    return {key: value for key, value in share.items() if key != "id"}


def _seed_for(sim: Simulator, req: Request) -> OrgState:
    """The org, with this caller's seeded shares added on its first request."""
    org = sim.org(req.org_id)
    org.shares.seed_for(caller_id(req))
    return org


def _share_id(req: Request) -> int:
    raw = req.path_params["id"]
    try:
        return int(raw)
    except ValueError:
        raise bad_parameter(f"id must be an integer, got {raw!r}") from None


def _found(org: OrgState, share_id: int) -> JSON:
    share = org.shares.find(share_id)
    if share is None:
        raise ApiError(not_found(f"Unable to find a share with the given ID {share_id}"))
    return share


def _component_type(raw: object) -> str:
    if not isinstance(raw, str) or raw not in COMPONENT_TYPES:
        raise bad_parameter(
            "Invalid component type, or mixed component types on request "
            "(only one type per request)"
        )
    return raw


def _with_names(org: OrgState, share: Mapping[str, Any]) -> JSON:
    user = org.users.find(str(share.get("shareToImsId")))
    shown = _public(share)
    if user is not None:
        shown["shareToDisplayName"] = user["fullName"]
        shown["shareToLogin"] = user["email"]
    return shown


@router.route("GET", "/componentmetadata/shares")
async def list_shares(sim: Simulator, req: Request) -> Response:
    """Shares made by the caller (or ``userid``); with ``includeType=sharedTo``, to them."""
    org = _seed_for(sim, req)
    who = req.param("userid") or caller_id(req)
    member = "shareToImsId" if "sharedTo" in req.csv_param("includeType") else "shareFromImsId"
    shares = [_public(s) for s in org.shares.list() if s.get(member) == who]
    return Response.json(paged(shares, req, "analytics"))


@router.route("PUT", "/componentmetadata/shares")
async def replace_shares(sim: Simulator, req: Request) -> Response:
    """Overwrite the shares of each component listed (all of one type)."""
    org = _seed_for(sim, req)
    specs = body_array(req)
    types = {_component_type(spec.get("componentType")) for spec in specs}
    if len(types) > 1:
        _component_type(None)
    for spec in specs:
        if not isinstance(spec.get("componentId"), str) or not spec["componentId"]:
            raise bad_parameter("Every item needs a componentId")
        shares = spec.get("shares") or []
        if not isinstance(shares, list) or not all(isinstance(s, dict) for s in shares):
            raise bad_parameter("shares must be an array of objects")
        for share in shares:
            if share.get("shareToType", "user") not in _SHARE_TO_TYPES:
                raise bad_parameter(f"shareToType must be one of {', '.join(_SHARE_TO_TYPES)}")
    store = org.shares
    me = caller_id(req)
    answer = []
    for spec in specs:
        component_type, component_id = spec["componentType"], spec["componentId"]
        for share in store.of_component(component_type, component_id):
            store.delete(share["id"])
        kept = []
        for share in spec.get("shares") or []:
            stored = store.add(
                {
                    "shareToId": share.get("shareToId"),
                    "shareToImsId": share.get("shareToImsId"),
                    "shareToType": share.get("shareToType", "user"),
                    "shareFromImsId": me,
                    "componentType": component_type,
                    "componentId": component_id,
                    "shareToDisplayName": None,
                    "shareToLogin": None,
                    "accessLevel": share.get("accessLevel"),
                },
            )
            kept.append(
                {
                    key: stored[key]
                    for key in (
                        "shareId",
                        "shareToId",
                        "shareToImsId",
                        "shareToType",
                        "accessLevel",
                    )
                }
            )
        answer.append(
            {
                "componentType": component_type,
                "componentId": component_id,
                "shares": kept,
                "status": {"success": True},
            }
        )
    return Response.json(answer)


@router.route("GET", "/componentmetadata/shares/{id}")
async def get_share(sim: Simulator, req: Request) -> Response:
    """One share."""
    org = _seed_for(sim, req)
    return Response.json(_public(_found(org, _share_id(req))))


@router.route("DELETE", "/componentmetadata/shares/{id}")
async def delete_share(sim: Simulator, req: Request) -> Response:
    """Delete one share."""
    org = _seed_for(sim, req)
    share_id = _share_id(req)
    _found(org, share_id)
    org.shares.delete(share_id)
    return Response.json({"shareId": share_id, "status": {"success": True}})


@router.route("GET", "/componentmetadata/shares/sharedto/me")
async def shared_with_me(sim: Simulator, req: Request) -> Response:
    """Ids of components of ``componentType`` shared with the caller (or with everyone)."""
    org = _seed_for(sim, req)
    raw = req.param("componentType")
    if not raw:
        raise bad_parameter("Required parameter 'componentType' is not present")
    component_type = _component_type(raw)
    me = caller_id(req)
    ids = {
        share["componentId"]
        for share in org.shares.list()
        if share["componentType"] == component_type
        and (share.get("shareToImsId") == me or share.get("shareToType") == "all")
    }
    return Response.json(sorted(ids))


@router.route("POST", "/componentmetadata/shares/component/search")
async def search_component_shares(sim: Simulator, req: Request) -> Response:
    """One item per requested component with its shares; ``expansion=sharesFullName``
    fills in the names of the users shared with."""
    org = _seed_for(sim, req)
    body = body_object(req)
    component_type = _component_type(body.get("componentType"))
    ids = body.get("componentIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_parameter("componentIds must be an array of strings")
    names = "sharesFullName" in req.csv_param("expansion")
    render = (lambda s: _with_names(org, s)) if names else _public
    items = [
        {
            "componentType": component_type,
            "componentId": component_id,
            "shares": [
                render(share) for share in org.shares.of_component(component_type, component_id)
            ],
        }
        for component_id in dict.fromkeys(ids)
    ]
    return Response.json(paged(items, req, "analytics"))
