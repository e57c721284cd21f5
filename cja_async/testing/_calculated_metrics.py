"""Calculated metrics: ``/calculatedmetrics`` and the function catalogue.

Lists show ``id`` and a few basic members; ``expansion`` adds more (``tags`` come from the
tags store). Deleting is soft: gone from lists unless ``includeType=deleted``, still
fetchable by id. ``PUT`` is a partial update. Templates and internal metrics appear only
when ``includeType`` asks for them; ``pagination=false`` answers a bare array of all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import (
    audit,
    body_object,
    bool_param,
    caller_id,
    filter_by_ids,
    found,
    shown,
)
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["FUNCTIONS", "router"]

router = Router()

_BASE = ("name", "description", "rsid", "dataId", "owner", "polarity", "precision", "type")
_SORT = {"id": "id", "name": "name", "modified_date": "modified"}


def _function(func: str, name: str, category: str, params: tuple[str, ...]) -> JSON:
    return {
        "id": func,
        "name": name,
        "category": category,
        "persistable": True,
        "namespace": "ootb",
        "description": f"{name} of its arguments",
        "exampleKey": f"example.{func}",
        "example": f"{func}({', '.join(params)})",
        "definition": {
            "func": func,
            "parameters": [
                {"func": "metric", "name": param, "type": "metric", "friendlyName": param}
                for param in params
            ],
            "formula": {},
            "version": [1, 0, 0],
        },
    }


FUNCTIONS: tuple[JSON, ...] = (
    _function("divide", "Divide", "basic", ("col1", "col2")),
    _function("multiply", "Multiply", "basic", ("col1", "col2")),
    _function("add", "Add", "basic", ("col1", "col2")),
    _function("subtract", "Subtract", "basic", ("col1", "col2")),
    _function("abs", "Absolute value", "advanced", ("col",)),
    _function("col-sum", "Column sum", "advanced", ("col",)),
    _function("col-max", "Column maximum", "advanced", ("col",)),
    _function("col-min", "Column minimum", "advanced", ("col",)),
    _function("mean", "Mean", "statistical", ("col",)),
    _function("sqrt", "Square root", "advanced", ("col",)),
)
_FUNCTION_IDS = {function["id"] for function in FUNCTIONS}
# Nodes of a definition that are not catalogue functions.
_LEAVES = {"calc-metric", "metric", "number", "segment-ref", "segment"}


def _shown(org: OrgState, metric: Mapping[str, Any], expansion: set[str], base: bool) -> JSON:
    return shown(
        org, metric, base=_BASE if base else None, expansion=expansion, tag_type="calculatedMetric"
    )


@router.route("GET", "/calculatedmetrics")
async def list_calculated_metrics(sim: Simulator, req: Request) -> Response:
    """Filters, ``includeType``, sorting, expansion, paging (or ``pagination=false``)."""
    org = sim.org(req.org_id)
    include = set(req.csv_param("includeType"))
    metrics = filter_by_ids(org.calculated_metrics.list(), req)
    for flag, member in (("deleted", "isDeleted"), ("templates", "template")):
        if flag not in include:
            metrics = [m for m in metrics if m.get(member) is not True]
    if "internal" not in include and "all" not in include:
        metrics = [m for m in metrics if m.get("internal") is not True]
    data_ids = set(req.csv_param("dataIds"))
    if data_ids:
        metrics = [m for m in metrics if m.get("dataId") in data_ids]
    owner = req.param("ownerId")
    if owner:
        metrics = [m for m in metrics if (m.get("owner") or {}).get("imsUserId") == owner]
    for flag in ("favorite", "approved"):
        wanted = bool_param(req, flag)
        if wanted is not None:
            metrics = [m for m in metrics if bool(m.get(flag)) is wanted]
    ordered, sort = sort_items(metrics, req, _SORT)
    expansion = expansion_of(req)
    pagination = bool_param(req, "pagination")
    if pagination is False:
        return Response.json([_shown(org, m, expansion, True) for m in ordered])
    body = paged(
        ordered, req, sim.page_shape, sort=sort, render=lambda m: _shown(org, m, expansion, True)
    )
    return Response.json(body)


def _check_definition(body: Mapping[str, Any]) -> None:
    if "definition" in body and not isinstance(body["definition"], dict):
        raise bad_parameter("Definition must be formatted as a JSON Object")


@router.route("POST", "/calculatedmetrics")
async def create_calculated_metric(sim: Simulator, req: Request) -> Response:
    """Create from the body (``name``, ``dataId`` or ``rsid``, ``definition`` required)."""
    body = body_object(req)
    _check_definition(body)
    missing = [key for key in ("name", "definition") if not body.get(key)]
    if not body.get("dataId") and not body.get("rsid"):
        missing.append("dataId")
    if missing:
        raise bad_parameter(f"Missing required field(s): {', '.join(missing)}")
    org = sim.org(req.org_id)
    store = org.calculated_metrics
    now = sim.now_iso()
    data_id = body.get("dataId") or body.get("rsid")
    metric = {
        "rsid": data_id,
        **body,
        "dataId": data_id,
        "id": store.new_id(),
        "owner": {"imsUserId": caller_id(req)},
        "isDeleted": False,
        "created": now,
        "modified": now,
    }
    store.add(metric)
    audit(sim, req, "CREATE", "CALCULATED_METRIC", metric)
    return Response.json(metric)


@router.route("POST", "/calculatedmetrics/validate")
async def validate_calculated_metric(sim: Simulator, req: Request) -> Response:
    """Check the formula: known functions, metrics named ``metrics/...``, a data view."""
    body = body_object(req)
    definition = body.get("definition")
    if not isinstance(definition, dict):
        raise bad_parameter(
            "Invalid input; name, dataview ID, and definition are all required. "
            "Definition must be formatted as a JSON object."
        )
    metrics: list[str] = []
    functions: list[str] = []
    errors: list[JSON] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        func = node.get("func")
        if func == "metric":
            name = node.get("name")
            if not isinstance(name, str) or not name.startswith("metrics/"):
                errors.append({"message": f"Unknown metric {name!r}"})
            else:
                metrics.append(name)
        elif isinstance(func, str) and func not in _LEAVES:
            if func in _FUNCTION_IDS:
                functions.append(func)
            else:
                errors.append({"message": f"Unknown function {func!r}"})
        for key, child in node.items():
            if key != "func":
                walk(child)

    walk(definition)
    if definition.get("func") != "calc-metric" or not isinstance(definition.get("formula"), dict):
        errors.append({"message": "definition must be a calc-metric with a formula"})
    answer: JSON = {
        "valid": not errors,
        "identityMetrics": [{"identity": name} for name in dict.fromkeys(metrics)],
        "functions": list(dict.fromkeys(functions)),
        "validator_version": "1.0.0",
        "supported_products": ["oberon", "frag"],
        "supported_schema": ["schema_oberon", "schema_frag"],
    }
    if errors:
        answer["errors"] = errors
        answer["message"] = errors[0]["message"]
    return Response.json(answer)


@router.route("GET", "/calculatedmetrics/functions")
async def list_functions(sim: Simulator, req: Request) -> Response:
    """The function catalogue, a bare array."""
    return Response.json(list(FUNCTIONS))


@router.route("GET", "/calculatedmetrics/functions/{id}")
async def get_function(sim: Simulator, req: Request) -> Response:
    """One function of the catalogue."""
    for function in FUNCTIONS:
        if function["id"] == req.path_params["id"]:
            return Response.json(function)
    raise ApiError(not_found(f"Calculated metric function {req.path_params['id']} not found"))


@router.route("GET", "/calculatedmetrics/{id}")
async def get_calculated_metric(sim: Simulator, req: Request) -> Response:
    """The stored metric (deleted ones too); ``expansion=tags`` adds its tags."""
    org = sim.org(req.org_id)
    metric = found(org.calculated_metrics, req.path_params["id"], deleted_ok=True)
    return Response.json(_shown(org, metric, expansion_of(req) | {"ownerFullName"}, False))


@router.route("PUT", "/calculatedmetrics/{id}")
async def update_calculated_metric(sim: Simulator, req: Request) -> Response:
    """Members in the body replace the stored ones, the rest stay. Adobe's spec requires
    ``definition`` in the body (the whole metric), so a body without one is refused."""
    org = sim.org(req.org_id)
    store = org.calculated_metrics
    metric = found(store, req.path_params["id"], deleted_ok=False)
    body = body_object(req)
    if "definition" not in body:
        raise bad_parameter(
            "Missing required field(s): definition (PUT /calculatedmetrics/{id} takes the"
            " whole calculated metric)"
        )
    _check_definition(body)
    updated = store.update(metric["id"], {**body, "id": metric["id"], "modified": sim.now_iso()})
    audit(sim, req, "EDIT", "CALCULATED_METRIC", updated)
    return Response.json(updated)


@router.route("DELETE", "/calculatedmetrics/{id}")
async def delete_calculated_metric(sim: Simulator, req: Request) -> Response:
    """Soft delete."""
    org = sim.org(req.org_id)
    store = org.calculated_metrics
    metric = found(store, req.path_params["id"], deleted_ok=False)
    store.update(metric["id"], {"isDeleted": True, "modified": sim.now_iso()})
    audit(sim, req, "DELETE", "CALCULATED_METRIC", metric)
    return Response.json({"result": "success", "message": f"Deleted {metric['id']}"})
