"""Connections: ``/data/connections`` (list, search, get), the backfills of a connection's
dataset and ``/data/connections/configurationSettings`` (data source types).

Seeded per org: person- and account-based (B2B) connections with one to four datasets
each, some owned by a system user, some disabled, some with a hidden dataset or internal
labels, and backfills for every dataset. What each endpoint leaves out by default and what
brings it back follows the Connections guide.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._component_helpers import found, instant_param
from ._dates import iso, parse_iso
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._users import org_users

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["CONNECTIONS_PER_ORG", "DATA_SOURCE_TYPES", "connections_of", "router"]

CONNECTIONS_PER_ORG = 30

router = Router()

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

_INCLUDE_TYPES = ("systemUserOwned", "disabled")
_SORT_PROPERTIES = {"id": "id", "modifiedDate": "modifiedDate"}
_BACKFILL_SORT = {"createdDate": "createdDate", "id": "id"}
_BACKFILL_STATUSES = {"inprogress": "IN_PROGRESS", "completed": "COMPLETED", "failed": "FAILED"}
_EXPANSION_ALIASES = {"modified": "modifiedDate", "validationErrors": "connectionValidationErrors"}
# Always in the answer, whatever ``expansion`` says.
_ALWAYS = {"id", "idWithoutPrefix"}
# Stored with a dataset for the simulator's own use, never shown.
_HIDDEN_FLAG = "_hidden"
_BACKFILLS = "_backfills"

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
        _HIDDEN_FLAG: hidden,
        _BACKFILLS: backfills,
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


def _seed_connections(org: OrgState, rng: random.Random) -> Iterator[JSON]:
    users = list(org_users(org).values())
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
        backfills = [b for ds in data_sets for b in ds[_BACKFILLS]]
        owner: JSON = (
            {"ownerId": "system@AdobeOrg", "name": None, "type": "systemUser"}
            if system_owned
            else {"imsUserId": user["id"], "ownerId": user["id"], "name": None, "type": "imsUser"}
        )
        connection: JSON = {
            "id": f"dg_{raw_id}",
            "idWithoutPrefix": raw_id,
            "name": f"{rng.choice(_SUBJECTS)} connection {index + 1}",
            "description": f"Simulated connection {index + 1} of {org.org_id}",
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
            "organization": org.org_id,
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


def connections_of(org: OrgState) -> dict[str, JSON]:
    """The org's connections by id, seeded on first use (datasets and backfills inside)."""
    return org.collection("connections", _seed_connections)


def _bool_param(req: Request, name: str) -> bool | None:
    raw = req.param(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise bad_parameter(f"{name} must be true or false, got {raw!r}")
    return raw == "true"


def _render(req: Request) -> Callable[[Mapping[str, Any]], JSON]:
    """How list, search and get answer a connection: ``id`` plus what ``expansion`` asks."""
    fields = expansion_of(req, _EXPANSION_ALIASES) | _ALWAYS
    with_hidden = _bool_param(req, "includeHiddenDataSets") is True
    _bool_param(req, "cached")  # validated, then ignored: the simulator has no cache

    def data_set(item: Mapping[str, Any]) -> JSON:
        shown = {k: v for k, v in item.items() if not k.startswith("_")}
        if "schemaInfo" not in fields:
            shown.pop("schemaInfo", None)
        if "backfillsSummaryDataSets" not in fields:
            shown.pop("backfillSummary", None)
        if "dataSetLastIngested" not in fields:
            shown.pop("lastIngestedTime", None)
        return shown

    def render(connection: Mapping[str, Any]) -> JSON:
        out = {k: v for k, v in connection.items() if k in fields and not k.startswith("_")}
        if "dataSets" in out:
            out["dataSets"] = [
                data_set(ds) for ds in connection["dataSets"] if with_hidden or not ds[_HIDDEN_FLAG]
            ]
        if "owner" in out and "ownerFullName" in fields:
            out["owner"] = {**connection["owner"], "name": connection["_ownerFullName"]}
        if "backfillsSummaryConnection" in fields:
            out["backfillSummary"] = connection["backfillSummary"]
        return out

    return render


def _filtered(req: Request, connections: list[JSON]) -> list[JSON]:
    """The list endpoint's filters, in the order the guide lists them."""
    include = set(req.csv_param("includeType"))
    unknown = include - set(_INCLUDE_TYPES)
    if unknown:
        raise bad_parameter(f"includeType must be among {', '.join(_INCLUDE_TYPES)}")
    items = [c for c in connections if c.get("isDeleted") is not True]
    if "systemUserOwned" not in include:
        items = [c for c in items if c["owner"].get("type") != "systemUser"]
    if "disabled" not in include:
        items = [c for c in items if c.get("isDisabled") is not True]
    data_set_ids = set(req.csv_param("dataSetIds"))
    if data_set_ids:
        items = [c for c in items if data_set_ids & {d["dataSetId"] for d in c["dataSets"]}]
    connection_ids = set(req.csv_param("connectionIds"))
    if connection_ids:
        items = [c for c in items if c["id"] in connection_ids]
    for param in ("sandboxId", "sandboxName"):
        wanted = req.param(param)
        if wanted:
            items = [c for c in items if c.get(param) == wanted]
    after = instant_param(req, "filterByModifiedAfter")
    if after is not None:
        items = [c for c in items if parse_iso(c["modifiedDate"]) > after]
    label, namespace = req.param("internalLabel"), req.param("internalLabelNamespace")
    if label or namespace:
        items = [c for c in items if _has_label(c, label, namespace)]
    return items


def _has_label(connection: Mapping[str, Any], label: str | None, namespace: str | None) -> bool:
    return any(
        (label is None or item.get("label") == label)
        and (namespace is None or item.get("namespace") == namespace)
        for item in connection.get("internalLabels", [])
    )


@router.route("GET", "/data/connections")
async def list_connections(sim: Simulator, req: Request) -> Response:
    """A page of connections: filters, sorting, ``expansion`` (else only ids), paging."""
    connections = list(connections_of(sim.org(req.org_id)).values())
    render = _render(req)
    ordered, sort = sort_items(_filtered(req, connections), req, _SORT_PROPERTIES)
    return Response.json(paged(ordered, req, sim.page_shape, sort=sort, render=render))


@router.route("GET", "/data/connections/search")
async def search_connections(sim: Simulator, req: Request) -> Response:
    """Connections whose name holds ``query`` (any case) or whose id is ``query``."""
    wanted = (req.param("query") or "").strip().lower()
    render = _render(req)
    found = [
        c
        for c in connections_of(sim.org(req.org_id)).values()
        if c.get("isDeleted") is not True
        and (
            wanted in str(c.get("name", "")).lower()
            or wanted in (c["id"].lower(), c["idWithoutPrefix"].lower())
        )
    ]
    return Response.json(paged(found, req, sim.page_shape, render=render))


@router.route("GET", "/data/connections/configurationSettings")
async def configuration_settings(sim: Simulator, req: Request) -> Response:
    """The data source types (the same for every org, as in the guide's example)."""
    return Response.json({"dataSourceTypes": [dict(t) for t in DATA_SOURCE_TYPES]})


def _connection(sim: Simulator, req: Request) -> JSON:
    store = connections_of(sim.org(req.org_id))
    return found(store, req.path_params["connectionId"], "connection", deleted_ok=False)


@router.route("GET", "/data/connections/{connectionId}")
async def get_connection(sim: Simulator, req: Request) -> Response:
    """One connection: ``id`` plus what ``expansion`` asks (``dataSets``, ``schemaInfo``...)."""
    return Response.json(_render(req)(_connection(sim, req)))


@router.route("GET", "/data/connections/{connectionId}/datasets/{datasetId}/backfills")
async def list_backfills(sim: Simulator, req: Request) -> Response:
    """A page of a dataset's backfills (``includeStatus``, sorted by ``createdDate``)."""
    connection = _connection(sim, req)
    data_set_id = req.path_params["datasetId"]
    data_set = next((d for d in connection["dataSets"] if d["dataSetId"] == data_set_id), None)
    if data_set is None:
        raise ApiError(
            not_found(f"Dataset {data_set_id} is not part of connection {connection['id']}")
        )
    backfills: list[JSON] = data_set[_BACKFILLS]
    statuses = req.csv_param("includeStatus")
    if statuses:
        unknown = [s for s in statuses if s.lower() not in _BACKFILL_STATUSES]
        if unknown:
            raise bad_parameter("includeStatus must be among inProgress, completed, failed")
        wanted = {_BACKFILL_STATUSES[s.lower()] for s in statuses}
        backfills = [b for b in backfills if b["status"] in wanted]
    ordered, sort = sort_items(backfills, req, _BACKFILL_SORT, default="createdDate")
    return Response.json(paged(ordered, req, "analytics", sort=sort))
