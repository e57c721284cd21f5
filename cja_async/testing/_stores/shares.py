"""The org's shares of components with users, groups or everyone."""

from __future__ import annotations

import builtins
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._base import JSON, IntIdStore

if TYPE_CHECKING:
    from .._state import OrgState

__all__ = ["Shares"]

_SEEDED_PER_CALLER = 3


class Shares(IntIdStore):
    """The org's shares by integer ``shareId`` (kept under ``id`` too).

    Nothing is seeded for the org: the first time a caller is seen (:meth:`seed_for`), a few
    shares from and to it are added, deterministically.
    """

    kind = "share"
    seed_name = "shares"
    first_id = 11684400

    def __init__(self, org: OrgState) -> None:
        super().__init__(org)
        self._seeded_callers: set[str] = set()

    def add(self, item: Mapping[str, Any]) -> JSON:
        """Store a new share under a fresh id (``id`` and ``shareId``) in this org."""
        share_id = self.new_id()
        return super().add(
            {**item, "id": share_id, "shareId": share_id, "imsOrgId": self.org.org_id}
        )

    def of_component(self, component_type: str, component_id: str) -> builtins.list[JSON]:
        """The shares of one component."""
        key = (component_type, component_id)
        return [s for s in self.list() if (s["componentType"], s["componentId"]) == key]

    def seed_for(self, caller: str) -> None:
        """Add the shares from and to ``caller`` it finds on its first request (once)."""
        if caller in self._seeded_callers:
            return
        self._seeded_callers.add(caller)
        org = self.org
        rng = random.Random(f"{org.seed}:{org.org_id}:{caller}:shares")
        users = org.users.list()
        for index in range(2 * _SEEDED_PER_CALLER):
            user = rng.choice(users)
            outgoing = index < _SEEDED_PER_CALLER
            self.add(
                {
                    "shareToId": 600000 + rng.randrange(100000),
                    "shareToImsId": user["id"] if outgoing else caller,
                    "shareToType": "user",
                    "shareFromImsId": caller if outgoing else user["id"],
                    "componentType": rng.choice(("segment", "calculatedMetric", "project")),
                    "componentId": f"s{rng.getrandbits(64):016x}",
                    "shareToDisplayName": None,
                    "shareToLogin": None,
                    "accessLevel": "view",
                }
            )
