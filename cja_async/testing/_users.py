"""Users: ``/configuration/users/me`` and ``/configuration/orgs/users``."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._http import Response
from ._paging import JSON, expansion_of, paged
from ._request import Request
from ._router import Router
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["USERS_PER_ORG", "org_users", "router", "technical_account_id"]

USERS_PER_ORG = 25

router = Router()

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "John")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")


def technical_account_id(client_id: str) -> str:
    """The IMS user id of the technical account behind ``client_id`` (stable per client)."""
    digest = hashlib.sha256(client_id.encode()).hexdigest()[:24].upper()
    return f"{digest}@techacct.adobe.com"


def _seed_users(org: OrgState, rng: random.Random) -> Iterator[JSON]:
    tenant = org.org_id.split("@")[0].lower()
    for index in range(USERS_PER_ORG):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        admin = index == 0 or rng.random() < 0.1
        yield {
            "id": f"{rng.getrandbits(96):024X}@AdobeID",
            "imsOrgId": org.org_id,
            "tenantId": tenant,
            "email": f"{first}.{last}{index}@example.com".lower(),
            "firstName": first,
            "lastName": last,
            "fullName": f"{first} {last}",
            "type": "user",
            "storageReclamationAction": "none",
            "editable": True,
            "externallyManaged": rng.random() < 0.3,
            "licenseGroups": [{"id": str(100000 + rng.randrange(900000)), "name": "CJA Users"}],
            "admin": admin,
            "imsOrgAdmin": index == 0,
            "imsProductAdmin": admin,
            "images": {
                "50": f"https://example.com/avatars/{index}-50.png",
                "100": f"https://example.com/avatars/{index}-100.png",
            },
        }


def org_users(org: OrgState) -> dict[str, JSON]:
    """The org's seeded users by id (other resources pick owners from them)."""
    return org.collection("users", _seed_users)


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
    users = list(org_users(sim.org(req.org_id)).values())
    body = paged(users, req, "spring", render=_render_user(expansion_of(req)))
    return Response.json(body)
