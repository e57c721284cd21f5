"""The org's Workspace projects, seeded with panels that use the org's segments."""

from __future__ import annotations

import builtins
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .._dates import iso
from ._base import JSON, HexIdStore, ims_owner

__all__ = ["PROJECTS_PER_ORG", "Projects"]

PROJECTS_PER_ORG = 250

_SEEDED_SINCE = datetime(2021, 3, 1, tzinfo=UTC)
_TOPICS = (
    "Weekly KPIs",
    "Checkout Funnel",
    "Campaign Performance",
    "Customer Journey",
    "Mobile App Usage",
    "Content Engagement",
    "Retention Cohorts",
    "Executive Summary",
)


class Projects(HexIdStore):
    """The org's projects (``PROJECTS_PER_ORG`` seeded)."""

    kind = "project"
    seed_name = "projects"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org = self.org
        users = list(org.users.list())
        views = org.dataviews.list()[:12]
        segment_ids = [
            segment["id"]
            for segment in org.segments.list()
            if not segment.get("internal") and not segment.get("template")
        ]
        for index in range(PROJECTS_PER_ORG):
            owner = users[0] if rng.random() < 0.25 else rng.choice(users)
            view = rng.choice(views) if views else {"id": "dv_none", "name": "No data view"}
            created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            modified = created + timedelta(seconds=rng.randrange(200 * 86400))
            used = rng.sample(segment_ids, min(len(segment_ids), rng.choice((0, 1, 1, 2, 3))))
            yield {
                "id": f"{rng.getrandbits(96):024x}",
                "name": f"{rng.choice(_TOPICS)} {index + 1}",
                "description": "" if rng.random() < 0.4 else "Simulated Workspace project",
                "type": "mobileScorecard" if rng.random() < 0.05 else "project",
                "rsid": view["id"],
                "reportSuiteName": view.get("name"),
                "dataId": view["id"],
                "owner": ims_owner(owner["id"], owner["fullName"]),
                "definition": {
                    "version": "13",
                    "panels": [
                        {
                            "id": f"panel-{panel}",
                            "name": f"Panel {panel + 1}",
                            "reportSuite": {"id": view["id"]},
                            "segmentIds": used if panel == 0 else [],
                            "subPanels": [{"reportlet": {"type": "FreeformReportlet"}}],
                        }
                        for panel in range(rng.randint(1, 3))
                    ],
                },
                "externalReferences": {},
                "accessLevel": "edit",
                "versionNotes": "",
                "tags": [],
                "shares": [],
                "modified": iso(modified),
                "created": iso(created),
            }

    def referencing(self, segment_id: str) -> builtins.list[JSON]:
        """Projects whose panels use the segment (the segments' ``usedIn`` expansion)."""
        found = []
        for project in self.list():
            definition = project.get("definition")
            panels = definition.get("panels") if isinstance(definition, dict) else None
            for panel in panels if isinstance(panels, list) else []:
                if isinstance(panel, dict) and segment_id in (panel.get("segmentIds") or []):
                    found.append(project)
                    break
        return found
