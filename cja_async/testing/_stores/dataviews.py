"""The org's data views, seeded on the org's connections."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .._dates import iso
from ._base import JSON, HexIdStore

if TYPE_CHECKING:
    from .._state import OrgState

__all__ = ["DataViews"]

_TIMEZONES = (
    ("US/Pacific", -8.0),
    ("US/Mountain", -7.0),
    ("US/Eastern", -5.0),
    ("Europe/London", 0.0),
    ("Europe/Berlin", 1.0),
    ("Asia/Tokyo", 9.0),
)
_SUBJECTS = ("Web", "Mobile App", "Call Center", "Retail", "B2B", "Loyalty", "Email", "Kiosk")
_FLAVOURS = ("Production", "Staging", "All Channels", "EMEA", "Americas", "Marketing", "Finance")
_SEEDED_SINCE = datetime(2021, 1, 1, tzinfo=UTC)
_GROUPS_PER_ORG = 6


class DataViews(HexIdStore):
    """The org's data views (the simulator's ``dataviews`` of them seeded)."""

    kind = "data view"
    seed_name = "dataviews"
    id_prefix = "dv_"

    def __init__(self, org: OrgState, count: int) -> None:
        super().__init__(org)
        self.count = count

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org, count = self.org, self.count
        owners = list(org.users.list())
        # Data views sit on the org's connections (those listed by default), so a view's
        # ``parentDataGroupId`` can be fetched with ``connections.get``. The draws stay, so the
        # rest of the seeded data does not depend on how connections are seeded.
        for _ in range(_GROUPS_PER_ORG):
            rng.getrandbits(96)
        groups = [
            c["id"]
            for c in org.connections.list()
            if c["owner"].get("type") != "systemUser" and not c.get("isDisabled")
        ][:_GROUPS_PER_ORG]
        for index in range(count):
            owner = rng.choice(owners)
            group_index = rng.randrange(len(groups))
            zone, offset = rng.choice(_TIMEZONES)
            created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            modified = created + timedelta(seconds=rng.randrange(300 * 86400))
            yield {
                "id": f"dv_{rng.getrandbits(96):024x}",
                "name": f"{rng.choice(_SUBJECTS)} {rng.choice(_FLAVOURS)} {index + 1}",
                "description": f"Simulated data view {index + 1} of {org.org_id}",
                "owner": {"imsUserId": owner["id"], "name": owner["fullName"]},
                "isDeleted": False,
                "parentDataGroupId": groups[group_index],
                "segmentList": [],
                "currentTimezoneOffset": offset,
                "timezoneDesignator": zone,
                "modifiedDate": iso(modified),
                "createdDate": iso(created),
                "organization": org.org_id,
                "modifiedBy": owner["id"],
                "curationEnabled": rng.random() < 0.25,
                "recentRecordedAccess": modified.date().isoformat(),
                "sessionDefinition": [
                    {
                        "numPeriods": rng.choice((15, 30, 60)),
                        "granularity": "MINUTE",
                        "func": "INACTIVITY",
                        "events": [],
                    }
                ],
                "externalData": {
                    "externalId": f"ext-{index:05d}",
                    "externalParentId": f"ext-parent-{group_index}",
                },
                "containerNames": {"event": "Event", "session": "Session", "people": "Person"},
                # Members no client model declares: they must survive a GET-modify-PUT.
                "curatedComponents": [
                    {"componentId": "metrics/occurrences", "componentType": "Metric"}
                ],
                "componentSettings": {
                    "attribution": {
                        "model": "lastTouch",
                        "lookback": {"granularity": "DAY", "n": 30},
                    },
                    "caseSensitive": rng.random() < 0.5,
                },
            }
