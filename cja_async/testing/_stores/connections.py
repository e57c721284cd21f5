"""The org's connections, seeded with their datasets and the datasets' backfills.

Person- and account-based (B2B) connections with one to four datasets each, some owned by
a system user, some disabled, some with a hidden dataset or internal labels.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .._dates import iso
from ._base import JSON, HexIdStore

__all__ = [
    "BACKFILLS",
    "CONNECTIONS_PER_ORG",
    "DATA_SOURCE_TYPES",
    "HIDDEN_FLAG",
    "Connections",
]

CONNECTIONS_PER_ORG = 30

# The guide's answer of GET /data/connections/configurationSettings.
DATA_SOURCE_TYPES: tuple[JSON, ...] = tuple(
    {"id": id_, "type": type_}
    for id_, type_ in (
        ("webData", "Web Data"),
        ("mobileAppData", "Mobile App Data"),
        ("posData", "POS Data"),
        ("crmData", "CRM Data"),
        ("surveyData", "Survey Data"),
        ("productData", "Product Data"),
        ("callCenterData", "Call Center Data"),
        ("accountsData", "Accounts Data"),
        ("transactionData", "Transaction Data"),
        ("customerFeedbackData", "Customer Feedback Data"),
        ("other", "Other"),
    )
)

# Stored with a dataset for the simulator's own use, never shown.
HIDDEN_FLAG = "_hidden"
BACKFILLS = "_backfills"

_SUBJECTS = ("Web", "App", "Call Center", "Loyalty", "Retail", "CRM", "B2B Accounts", "Email")
_DATASET_KINDS = (
    ("event", "Web Events", "webData"),
    ("event", "App Events", "mobileAppData"),
    ("profile", "Customer Profiles", "crmData"),
    ("lookup", "Product Catalog", "productData"),
    ("event", "Call Center Events", "callCenterData"),
    ("summary", "Daily Targets", "other"),
)
_B2B_CONTAINERS = ("person", "account", "globalAccount", "opportunity", "buyingGroup")
_SANDBOXES = (("sb-prod-0001", "prod"), ("sb-dev-0002", "dev"))
_SEEDED_SINCE = datetime(2021, 1, 1, tzinfo=UTC)


def _uuid(rng: random.Random) -> str:
    digits = f"{rng.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _seed_backfills(rng: random.Random, data_set_id: str, since: datetime) -> list[JSON]:
    backfills = []
    for _ in range(rng.randrange(0, 6)):
        created = since + timedelta(seconds=rng.randrange(400 * 86400))
        all_data = rng.random() < 0.5
        start = (
            None
            if all_data
            else iso(created - timedelta(days=rng.randrange(30, 365)), "milliseconds")
        )
        backfills.append(
            {
                "id": _uuid(rng),
                "dataSetId": data_set_id,
                "status": rng.choice(("COMPLETED", "COMPLETED", "FAILED", "IN_PROGRESS")),
                "startDate": start,
                "endDate": None if all_data else iso(created, "milliseconds"),
                "createdDate": iso(created, "milliseconds"),
                "allData": all_data,
            }
        )
    return backfills


def _summary(backfills: list[JSON]) -> JSON:
    def count(status: str) -> int:
        return sum(1 for b in backfills if b["status"] == status)

    return {
        "total": len(backfills),
        "failed": count("FAILED"),
        "inProgress": count("IN_PROGRESS"),
        "completed": count("COMPLETED"),
        "invalid": False,
    }


def _seed_dataset(rng: random.Random, b2b: bool, created: datetime, hidden: bool) -> JSON:
    kind, label, source = rng.choice(_DATASET_KINDS)
    data_set_id = f"{rng.getrandbits(96):024x}"
    backfills = _seed_backfills(rng, data_set_id, created)
    data_set: JSON = {
        "dataSetId": data_set_id,
        "domain": "catalog",
        "type": kind,
        "timestampId": "timestamp",
        "visitorId": "_exampleorg.identification.ecid",
        "identityNamespace": rng.choice(("ECID", "Email", "CRMID")),
        "usePrimaryIdNamespace": rng.random() < 0.5,
        "identityMap": rng.random() < 0.3,
        "name": f"{label} {data_set_id[:6]}",
        "schemaInfo": {
            "schemaId": f"https://ns.adobe.com/exampleorg/schemas/{data_set_id}",
            "schemaName": f"{label} Schema",
            "schemaRef": {
                "id": f"https://ns.adobe.com/exampleorg/schemas/{data_set_id}",
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            },
        },
        "streaming": rng.random() < 0.5,
        "backfillSummary": _summary(backfills),
        "lastIngestedTime": iso(created + timedelta(days=rng.randrange(1, 700)), "milliseconds"),
        "dataSourceType": {"id": source, "type": _type_name(source)},
        HIDDEN_FLAG: hidden,
        BACKFILLS: backfills,
    }
    if kind == "lookup":
        data_set["lookupKeyField"] = "productSku"
    if b2b:
        data_set["containerFields"] = [
            {"container": "account", "systemFieldValue": "accountKey.sourceKey"},
            {"container": "person", "systemFieldValue": "personKey.sourceKey"},
        ]
    return data_set


def _type_name(source: str) -> str:
    return str(next(t["type"] for t in DATA_SOURCE_TYPES if t["id"] == source))


class Connections(HexIdStore):
    """The org's connections (``CONNECTIONS_PER_ORG`` seeded), datasets and backfills inside."""

    kind = "connection"
    seed_name = "connections"
    id_prefix = "dg_"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org_id = self.org.org_id
        users = self.org.users.list()
        for index in range(CONNECTIONS_PER_ORG):
            raw_id = _uuid(rng)
            user = rng.choice(users)
            system_owned = index % 7 == 3
            b2b = index % 5 == 0
            created = _SEEDED_SINCE + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            modified = created + timedelta(seconds=rng.randrange(300 * 86400))
            sandbox_id, sandbox_name = _SANDBOXES[index % 3 == 2]
            data_sets = [
                _seed_dataset(rng, b2b, created, hidden=position == 1 and index % 4 == 1)
                for position in range(1 + rng.randrange(4))
            ]
            backfills = [b for ds in data_sets for b in ds[BACKFILLS]]
            owner: JSON = (
                {"ownerId": "system@AdobeOrg", "name": None, "type": "systemUser"}
                if system_owned
                else {
                    "imsUserId": user["id"],
                    "ownerId": user["id"],
                    "name": None,
                    "type": "imsUser",
                }
            )
            connection: JSON = {
                "id": f"dg_{raw_id}",
                "idWithoutPrefix": raw_id,
                "name": f"{rng.choice(_SUBJECTS)} connection {index + 1}",
                "description": f"Simulated connection {index + 1} of {org_id}",
                "owner": owner,
                "_ownerFullName": "System" if system_owned else user["fullName"],
                "primaryIdType": "account" if b2b else "person",
                "configuredContainers": [
                    {"container": c} for c in (_B2B_CONTAINERS if b2b else ("person",))
                ],
                "isDeleted": False,
                "isDisabled": index % 9 == 4,
                "dataSets": data_sets,
                "createdDate": iso(created, "milliseconds"),
                "modifiedDate": iso(modified, "milliseconds"),
                "organization": org_id,
                "modifiedBy": user["id"],
                "modifiedByFullName": user["fullName"],
                "caseSensitive": rng.random() < 0.2,
                "numDailyEvents": rng.randrange(1_000, 50_000_000),
                "externalData": {"externalId": raw_id},
                "backfillEnabled": True,
                "backfillSummary": _summary(backfills),
                "sandboxId": sandbox_id,
                "sandboxName": sandbox_name,
                "floatPrecision": 2,
                "dataRetentionMonths": rng.choice((13, 25, 37)),
                "connectionValidationErrors": [],
                "tags": [],
                "internalLabels": (
                    [{"namespace": "cja", "label": "certified"}] if index % 6 == 0 else []
                ),
            }
            yield connection
