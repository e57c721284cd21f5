"""The org's users (seeded) and the technical accounts behind credentials."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from ._base import JSON, HexIdStore

__all__ = ["USERS_PER_ORG", "Users", "technical_account_id"]

USERS_PER_ORG = 25

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "John")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")


def technical_account_id(client_id: str) -> str:
    """The IMS user id of the technical account behind ``client_id`` (stable per client)."""
    digest = hashlib.sha256(client_id.encode()).hexdigest()[:24].upper()
    return f"{digest}@techacct.adobe.com"


class Users(HexIdStore):
    """The org's users (``USERS_PER_ORG`` seeded); other stores pick owners from them."""

    kind = "user"
    seed_name = "users"

    def new_id(self) -> str:
        """A fresh IMS user id (``...@AdobeID``)."""
        return f"{self.org.new_id('', self._by_id).upper()}@AdobeID"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org_id = self.org.org_id
        tenant = org_id.split("@")[0].lower()
        for index in range(USERS_PER_ORG):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            admin = index == 0 or rng.random() < 0.1
            yield {
                "id": f"{rng.getrandbits(96):024X}@AdobeID",
                "imsOrgId": org_id,
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

    def known(self, user_id: str, client_id: str) -> JSON | None:
        """``{"id", "fullName"}`` of the org user, or of the technical account behind
        ``client_id``, that ``user_id`` names; else ``None``."""
        user = self.find(user_id)
        if user is not None:
            return {"id": user_id, "fullName": user.get("fullName")}
        if user_id == technical_account_id(client_id):
            return {"id": user_id, "fullName": f"Technical account {client_id}"}
        return None
