"""Connections: ``/data/connections`` (list, search, get), the backfills of a connection's
dataset and ``/data/connections/configurationSettings`` (data source types).

The data (seeded in ``_stores/connections.py``) is the org's ``connections`` store; what
each endpoint leaves out by default and what brings it back follows the Connections guide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import found, instant_param
from ._dates import parse_iso
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._stores.connections import BACKFILLS, DATA_SOURCE_TYPES, HIDDEN_FLAG

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()

_INCLUDE_TYPES = ("systemUserOwned", "disabled")
_SORT_PROPERTIES = {"id": "id", "modifiedDate": "modifiedDate"}
_BACKFILL_SORT = {"createdDate": "createdDate", "id": "id"}
_BACKFILL_STATUSES = {"inprogress": "IN_PROGRESS", "completed": "COMPLETED", "failed": "FAILED"}
_EXPANSION_ALIASES = {"modified": "modifiedDate", "validationErrors": "connectionValidationErrors"}
# Always in the answer, whatever ``expansion`` says.
_ALWAYS = {"id", "idWithoutPrefix"}


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
                data_set(ds) for ds in connection["dataSets"] if with_hidden or not ds[HIDDEN_FLAG]
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
    connections = sim.org(req.org_id).connections.list()
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
        for c in sim.org(req.org_id).connections.list()
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
    store = sim.org(req.org_id).connections
    return found(store, req.path_params["connectionId"], deleted_ok=False)


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
    backfills: list[JSON] = data_set[BACKFILLS]
    statuses = req.csv_param("includeStatus")
    if statuses:
        unknown = [s for s in statuses if s.lower() not in _BACKFILL_STATUSES]
        if unknown:
            raise bad_parameter("includeStatus must be among inProgress, completed, failed")
        wanted = {_BACKFILL_STATUSES[s.lower()] for s in statuses}
        backfills = [b for b in backfills if b["status"] in wanted]
    ordered, sort = sort_items(backfills, req, _BACKFILL_SORT, default="createdDate")
    return Response.json(paged(ordered, req, "analytics", sort=sort))
