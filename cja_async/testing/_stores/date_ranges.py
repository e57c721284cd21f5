"""The org's date ranges, seeded with a few relative definitions, some of them templates."""

from __future__ import annotations

import random
from collections.abc import Iterator

from .._dates import iso
from ._base import JSON, HexIdStore, random_moment, user_owner

__all__ = ["DATE_RANGES_PER_ORG", "DateRanges"]

DATE_RANGES_PER_ORG = 25

_DEFINITIONS = (
    ("This month", "tm/tm+1m"),
    ("Last month", "tm-1m/tm"),
    ("Last 7 days", "td-7d/td"),
    ("Last 30 days", "td-30d/td"),
    ("This year", "ty/ty+1y"),
    ("Yesterday", "td-1d/td"),
)


class DateRanges(HexIdStore):
    """The org's date ranges (``DATE_RANGES_PER_ORG`` seeded)."""

    kind = "date range"
    seed_name = "dateranges"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        users = list(self.org.users.list())
        for index in range(DATE_RANGES_PER_ORG):
            label, definition = _DEFINITIONS[index % len(_DEFINITIONS)]
            created = random_moment(rng)
            yield {
                "id": f"{rng.getrandbits(96):024x}",
                "name": f"{label} {index + 1}",
                "description": f"Simulated date range: {label.lower()}",
                "owner": user_owner(rng.choice(users)),
                "definition": definition,
                "created": iso(created),
                "modified": iso(created),
                "template": index % 8 == 3,
                "shares": [],
            }
