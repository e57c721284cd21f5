"""The org's audit log: seeded records, and those the simulated changes write."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from .._dates import iso
from ._base import JSON, HexIdStore, random_moment

__all__ = ["AUDIT_LOGS_PER_ORG", "AuditLogs"]

AUDIT_LOGS_PER_ORG = 250

_ACTIONS = ("CREATE", "EDIT", "DELETE", "LOGIN_SUCCESSFUL", "API_REQUEST", "SHARE")
_COMPONENTS = ("CALCULATED_METRIC", "DATA_VIEW", "DATE_RANGE", "FILTER", "PROJECT", "ANNOTATION")


class AuditLogs(HexIdStore):
    """The org's audit-log records (``AUDIT_LOGS_PER_ORG`` seeded)."""

    kind = "audit-log record"
    seed_name = "auditlogs"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org = self.org
        users = list(org.users.list())
        for _ in range(AUDIT_LOGS_PER_ORG):
            user = rng.choice(users)
            action = rng.choice(_ACTIONS)
            component = rng.choice(_COMPONENTS)
            component_id = f"{rng.getrandbits(64):016x}"
            yield {
                "id": f"{rng.getrandbits(96):024x}",
                "dateCreated": iso(random_moment(rng)),
                "action": action,
                "description": _description(action, component, component_id),
                "imsOrgId": org.org_id,
                "user": {"id": user["id"], "idType": "IMS", "name": None, "email": user["email"]},
                "component": {"id": component_id, "idType": component, "name": ""},
            }

    def record(
        self, action: str, component: str, component_id: str, name: Any, user: str, when: str
    ) -> JSON:
        """Add the record Adobe writes when ``user`` does ``action`` on a component."""
        return self.add(
            {
                "id": self.new_id(),
                "dateCreated": when,
                "action": action,
                "description": _description(action, component, component_id),
                "imsOrgId": self.org.org_id,
                "user": {"id": user, "idType": "IMS", "name": None, "email": None},
                "component": {"id": component_id, "idType": component, "name": str(name or "")},
            }
        )


def _description(action: str, component: str, component_id: str) -> str:
    return f"{action.title()} {component.lower().replace('_', ' ')} {component_id}"
