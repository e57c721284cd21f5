"""The org's annotations, seeded on the org's first data views."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from .._dates import iso
from ._base import JSON, HexIdStore, random_moment, user_owner

__all__ = ["ANNOTATIONS_PER_ORG", "COLORS", "Annotations"]

ANNOTATIONS_PER_ORG = 30
COLORS = tuple(f"STANDARD{n}" for n in range(1, 10))
_EVENTS = ("Campaign launch", "Site outage", "Holiday sale", "Tracking change", "Press release")


class Annotations(HexIdStore):
    """The org's annotations (``ANNOTATIONS_PER_ORG`` seeded)."""

    kind = "annotation"
    seed_name = "annotations"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org = self.org
        users = list(org.users.list())
        views = sorted(org.dataviews.ids())[:5] or ["dv_none"]
        for index in range(ANNOTATIONS_PER_ORG):
            start = random_moment(rng).replace(hour=0, minute=0, second=0)
            end = start + timedelta(days=rng.randrange(1, 10), seconds=-1)
            created = start + timedelta(days=rng.randrange(0, 30))
            view = rng.choice(views)
            yield {
                "id": f"{rng.getrandbits(96):024x}",
                "name": f"{rng.choice(_EVENTS)} {index + 1}",
                "description": f"Simulated annotation {index + 1}",
                "dateRange": f"{start:%Y-%m-%dT%H:%M:%S}/{end:%Y-%m-%dT%H:%M:%S}",
                "color": rng.choice(COLORS),
                "applyToAllReports": rng.random() < 0.2,
                "scope": {"metrics": [], "filters": []},
                "createdDate": iso(created),
                "modifiedDate": iso(created),
                "owner": user_owner(rng.choice(users)),
                "imsOrgId": org.org_id,
                "dataId": view,
                "rsid": view,
                "isDeleted": False,
            }
