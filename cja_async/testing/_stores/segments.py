"""The org's segments, seeded with realistic definitions, owners, tags and data views."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .._dates import iso
from ._base import JSON, HexIdStore, ims_owner

__all__ = ["ADOBE_OWNER", "SEGMENTS_PER_ORG", "Segments"]

SEGMENTS_PER_ORG = 400
# The owner of seeded templates and internal segments.
ADOBE_OWNER = "ADOBE0000000000000000000@AdobeID"

_SEEDED_SINCE = datetime(2021, 6, 1, tzinfo=UTC)
_TAGS = (
    (1234, "Mobile", "Mobile-related segments"),
    (1235, "Marketing", "Campaign audiences"),
    (1236, "Finance", "Revenue and orders"),
    (1237, "Retention", "Returning people"),
    (1238, "QA", "Segments used for data checks"),
)
_SUBJECTS = (
    ("Mobile Device Users", "exists", "variables/mobiledevicetype", "hits"),
    ("High Value Customers", "range", "metrics/revenue", "visits"),
    ("Home Page Visits", "streq", "variables/page", "visits"),
    ("Returning Visitors", "range", "metrics/visits", "visitors"),
    ("Campaign Traffic", "exists", "variables/campaign", "hits"),
    ("Cart Abandoners", "and", "metrics/cartadditions", "visits"),
    ("Search Users", "streq", "variables/internalsearchterm", "hits"),
    ("Loyalty Members", "streq", "variables/loyaltytier", "visitors"),
    ("Email Clickers", "exists", "variables/emailcampaign", "hits"),
    ("Checkout Starters", "range", "metrics/checkouts", "visits"),
)
_REGIONS = ("", " - EMEA", " - Americas", " - APAC", " (QA)", " v2")


def _pred(kind: str, attr: str, rng: random.Random) -> JSON:
    val = {"func": "attr", "name": attr}
    if kind == "exists":
        return {"func": "exists", "description": f"{attr.split('/')[-1]} exists", "val": val}
    if kind == "range":
        low = rng.choice((1, 2, 100, 500))
        return {"func": "range", "description": f"{attr} >= {low}", "val": val, "low": low}
    if kind == "streq":
        text = rng.choice(("Home", "gold", "shoes", "summer-sale"))
        return {"func": "streq", "description": f"{attr} equals {text}", "val": val, "str": text}
    return {
        "func": "and",
        "preds": [
            {"func": "exists", "val": val},
            {
                "func": "not",
                "pred": {"func": "exists", "val": {"func": "attr", "name": "metrics/orders"}},
            },
        ],
    }


def _definition(kind: str, attr: str, context: str, rng: random.Random) -> JSON:
    return {
        "container": {
            "func": "segment",
            "context": context,
            "pred": _pred(kind, attr, rng),
        },
        "func": "segment-def",
        "version": [1, 0, 0],
    }


class Segments(HexIdStore):
    """The org's segments (``SEGMENTS_PER_ORG`` seeded); ids look like ``s300000123_...``."""

    kind = "segment"
    seed_name = "segments"

    def new_id(self) -> str:
        """A fresh id with the org's company prefix (that of the first segment)."""
        company = next(iter(self._by_id), "s300000000_").split("_")[0]
        return f"{company}_{self.org.new_id('', self._by_id)}"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org = self.org
        users = list(org.users.list())
        views = org.dataviews.list()[:12]
        company = 300000000 + rng.randrange(1000)
        for index in range(SEGMENTS_PER_ORG):
            # A few heavy owners, as in real orgs: the first user owns about a quarter.
            owner = users[0] if rng.random() < 0.25 else rng.choice(users)
            view = rng.choice(views) if views else {"id": "dv_none", "name": "No data view"}
            title, kind, attr, context = _SUBJECTS[index % len(_SUBJECTS)]
            created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            modified = created + timedelta(seconds=rng.randrange(200 * 86400))
            internal = rng.random() < 0.03
            template = not internal and rng.random() < 0.04
            published = rng.random() < 0.2
            tags = [
                {"id": tag_id, "name": name, "description": description}
                for tag_id, name, description in rng.sample(_TAGS, rng.choice((0, 0, 1, 1, 2)))
            ]
            yield {
                "id": f"s{company}_{rng.getrandbits(96):024x}",
                "name": f"{title}{rng.choice(_REGIONS)} {index + 1}",
                "description": f"Segment for {title.lower()}",
                "rsid": view["id"],
                "reportSuiteName": view.get("name"),
                "dataId": view["id"],
                "dataName": view.get("name"),
                # Templates and internal segments are Adobe's, not any user's.
                "owner": ims_owner(ADOBE_OWNER, "Adobe")
                if internal or template
                else ims_owner(owner["id"], owner["fullName"]),
                "organization": org.org_id,
                "definition": _definition(kind, attr, context, rng),
                "compatibility": {
                    "valid": True,
                    "message": "Segment is valid for all products",
                    "supported_products": ["oberon", "frag"],
                },
                "tags": tags,
                "shares": [],
                "modified": iso(modified, "milliseconds"),
                "modifiedById": owner["id"],
                "created": iso(created, "milliseconds"),
                "createdDate": iso(created, "milliseconds"),
                "definitionLastModified": iso(modified, "milliseconds"),
                "recentRecordedAccess": iso(
                    modified + timedelta(days=rng.randrange(60)), "milliseconds"
                ),
                "performanceScore": f"{rng.uniform(0.5, 9.5):.2f}",
                "performanceScoreWeightVersion": "1.0",
                "internal": internal,
                "template": template,
                "disabled": False,
                "isDeleted": False,
                "approved": rng.random() < 0.3,
                "favorite": rng.random() < 0.1,
                "publishingStatus": "published" if published else "unpublished",
                "categories": [],
                "usageSummary": {
                    "count": rng.randrange(40),
                    "mostRecentTimestamp": None,
                    "itemId": None,
                },
            }
