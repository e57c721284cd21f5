"""Users: ``/configuration/users/me`` and ``/configuration/orgs/users``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._http import Response
from ._paging import JSON, expansion_of, paged
from ._request import Request
from ._router import Router
from ._stores.users import technical_account_id

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()


@router.route("GET", "/configuration/users/me")
async def current_user(sim: Simulator, req: Request) -> Response:
    """The technical account of the calling credential; ``expansion=admin`` adds ``admin``."""
    user_id = technical_account_id(req.client_id)
    user: dict[str, Any] = {
        "id": user_id,  # the Python guide's answer has id, email and fullName
        "imsUserId": user_id,
        "userId": user_id,
        "login": user_id,
        "email": user_id,
        "fullName": f"Technical account {req.client_id}",
        "displayName": f"Technical account {req.client_id}",
        "name": f"Technical account {req.client_id}",
        "first_name": "Technical",
        "last_name": "Account",
        "organization": req.org_id,
        "countryCode": "US",
        "emailVerified": True,
        "mrktPerm": "",
        "mrktPermEmail": False,
        "phoneNumber": None,
        "utcOffset": "null",
        "roles": [
            {
                "principal": user_id,
                "organization": req.org_id,
                "named_role": "user",
                "target": req.org_id,
            }
        ],
    }
    if "admin" in expansion_of(req):
        user["admin"] = True
    return Response.json(user)


def _render_user(expansion: set[str]) -> Callable[[Mapping[str, Any]], JSON]:
    def render(user: Mapping[str, Any]) -> JSON:
        # ``images`` only comes with ``expansion=images``; the rest always does.
        return {k: v for k, v in user.items() if k != "images" or "images" in expansion}

    return render


@router.route("GET", "/configuration/orgs/users")
async def list_org_users(sim: Simulator, req: Request) -> Response:
    """All users of the org as a Spring page (``limit``, ``page``, ``expansion=images``)."""
    users = sim.org(req.org_id).users.list()
    body = paged(users, req, "spring", render=_render_user(expansion_of(req)))
    return Response.json(body)
