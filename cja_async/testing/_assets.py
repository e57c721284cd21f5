"""Asset management: ``/componentmetadata/assets/{user}/counts`` and ``.../transfer``.

Counts and transfers work on every component kind the org's ``owned_components()`` names
(segments and projects). A transfer moves ownership for real: the components' ``owner``
changes and lists filtered by ``ownerId`` see it. More than 100 component ids in one
request answer 400, as Adobe's limit says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import not_found, service_error
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter
from ._request import Request
from ._router import Router
from ._stores import ims_owner

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["COMPONENT_TYPES", "MAX_TRANSFER", "router"]

MAX_TRANSFER = 100

router = Router()

# The kinds the counts endpoint always reports, in the guide's order.
COMPONENT_TYPES = (
    "scheduledJob",
    "alert",
    "segment",
    "calculatedMetric",
    "annotation",
    "dateRange",
    "project",
)


def _user(sim: Simulator, req: Request, user_id: str) -> JSON:
    org = sim.org(req.org_id)
    user = org.users.known(user_id, req.client_id)
    if user is None:
        if not any(store.owned_by(user_id) for store in org.owned_components().values()):
            raise ApiError(not_found(f"IMS User {user_id} does not exist"))
        user = {"id": user_id, "fullName": None}
    return user


@router.route("GET", "/componentmetadata/assets/{imsUserId}/counts")
async def asset_counts(sim: Simulator, req: Request) -> Response:
    """``[{componentType, count}]`` for every kind, counting live components only."""
    user_id = _user(sim, req, req.path_params["imsUserId"])["id"]
    owned = sim.org(req.org_id).owned_components()
    kinds = list(COMPONENT_TYPES) + [kind for kind in owned if kind not in COMPONENT_TYPES]
    counts = []
    for kind in kinds:
        store = owned.get(kind)
        items = store.owned_by(user_id) if store is not None else []
        count = sum(1 for item in items if item.get("isDeleted") is not True)
        counts.append({"componentType": kind, "count": count})
    return Response.json(counts)


def _transfer_body(req: Request) -> list[tuple[str, list[str]]]:
    body = req.json()
    if not isinstance(body, list):
        raise bad_parameter(
            "The request body must be a JSON array of {componentType, componentIds}"
        )
    groups: list[tuple[str, list[str]]] = []
    for index, entry in enumerate(body):
        kind = entry.get("componentType") if isinstance(entry, dict) else None
        ids = entry.get("componentIds") if isinstance(entry, dict) else None
        if not isinstance(kind, str) or not isinstance(ids, list):
            raise bad_parameter(f"body[{index}] must have componentType and componentIds")
        if not all(isinstance(item, str) for item in ids):
            raise bad_parameter(f"body[{index}].componentIds must hold strings")
        groups.append((kind, ids))
    return groups


@router.route("PUT", "/componentmetadata/assets/{recipientImsUserId}/transfer")
async def transfer_assets(sim: Simulator, req: Request) -> Response:
    """Move ownership of the listed components to the recipient; report each failure."""
    groups = _transfer_body(req)
    total = sum(len(ids) for _kind, ids in groups)
    if total > MAX_TRANSFER:
        return service_error(
            400,
            "payload_too_large",
            f"At most {MAX_TRANSFER} components can be transferred in one request, got {total}",
            {"limit": MAX_TRANSFER, "count": total},
        )
    recipient = _user(sim, req, req.path_params["recipientImsUserId"])
    owned = sim.org(req.org_id).owned_components()
    errors: list[JSON] = []
    for kind, ids in groups:
        store = owned.get(kind)
        for component_id in ids:
            item = store.find(component_id) if store is not None else None
            if store is None:
                message = f"Unsupported component type {kind}"
            elif item is None or item.get("isDeleted") is True:
                message = f"Component {component_id} not found"
            else:
                owner = ims_owner(recipient["id"], recipient["fullName"])
                store.update(component_id, {"owner": owner})
                continue
            errors.append(
                {"componentType": kind, "componentId": component_id, "errorMessage": message}
            )
    if not errors:
        status = "status_success"
    elif len(errors) >= total:
        status = "status_all_failed"
    else:
        status = "status_partial_success"
    return Response.json({"errors": errors, "status": status})
