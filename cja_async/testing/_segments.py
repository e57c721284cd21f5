"""Segments: ``/segments`` (list, create), ``/segments/validate`` and ``/segments/{id}``.

The calling credential acts as an org admin here, so lists show every owner's segments;
``includeType`` adds the kinds a default list leaves out (templates, internal, deleted).
Deleted segments leave every list but can still be fetched by id, as the guide says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._component_helpers import (
    body_object,
    caller_id,
    found,
    instant_param,
    missing_name_or_view,
    saved,
)
from ._dates import parse_iso
from ._errors import missing_fields, not_found, service_error
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, expansion_of, paged, sort_items
from ._request import Request
from ._router import Router
from ._state import OrgState
from ._stores import ims_owner

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router", "validate_definition"]

router = Router()

_SORT_PROPERTIES = {
    "id": "id",
    "name": "name",
    "modified_date": "modified",
    "modifiedDate": "modified",
    "modified": "modified",
    "performanceScore": "performanceScore",
}
_INCLUDE_TYPES = {"shared", "all", "templates", "deleted", "internal"}
# Members every list item has; the rest come with ``expansion``.
_BASE_MEMBERS = ("id", "name", "description", "rsid")
_CONTEXTS = {"hits", "visits", "visitors", "event", "session", "person"}


# -- validation ----------------------------------------------------------------------


def _check_pred(pred: Any, where: str, errors: list[str]) -> None:
    if not isinstance(pred, dict) or not isinstance(pred.get("func"), str):
        errors.append(f"{where} must be an object with a 'func'")
        return
    func = pred["func"]
    if func in ("and", "or"):
        preds = pred.get("preds")
        if not isinstance(preds, list) or not preds:
            errors.append(f"{where}.preds must be a non-empty list for '{func}'")
            return
        for index, item in enumerate(preds):
            _check_pred(item, f"{where}.preds[{index}]", errors)
    elif func in ("not", "container", "without"):
        if func == "container" and pred.get("context") not in _CONTEXTS:
            errors.append(f"{where}.context must be one of {sorted(_CONTEXTS)}")
        _check_pred(pred.get("pred"), f"{where}.pred", errors)
    else:
        val = pred.get("val")
        if not isinstance(val, dict) or not isinstance(val.get("name"), str):
            errors.append(f"{where}.val must name an attribute ({{'func': 'attr', 'name': ...}})")


def validate_definition(definition: Any) -> list[str]:
    """What is wrong with a segment definition (nothing: an empty list)."""
    if not isinstance(definition, dict):
        return ["the definition must be a JSON object"]
    errors: list[str] = []
    if definition.get("func") != "segment-def":
        errors.append("func must be 'segment-def'")
    container = definition.get("container")
    if not isinstance(container, dict) or container.get("func") != "segment":
        errors.append("container must be an object with func 'segment'")
        return errors
    if container.get("context") not in _CONTEXTS:
        errors.append(f"container.context must be one of {sorted(_CONTEXTS)}")
    _check_pred(container.get("pred"), "container.pred", errors)
    return errors


# -- rendering -------------------------------------------------------------------------


def _used_in(org: OrgState, segment_id: str) -> list[JSON]:
    return [
        {
            "componentId": project["id"],
            "componentType": "project",
            "subType": project.get("type", "project"),
            "internal": False,
            "name": project.get("name"),
            "lastRecordedAccess": 1700000000000,
        }
        for project in org.projects.referencing(segment_id)
    ]


def _renderer(org: OrgState, fields: set[str]) -> Callable[[Mapping[str, Any]], JSON]:
    def render(segment: Mapping[str, Any]) -> JSON:
        out = {key: segment[key] for key in _BASE_MEMBERS if key in segment}
        for key, value in segment.items():
            if key in fields and key != "owner":
                out[key] = value
        if "owner" in segment and fields & {"owner", "ownerFullName"}:
            owner = dict(segment["owner"])
            if "ownerFullName" not in fields:
                owner["name"] = None
            out["owner"] = owner
        if "createdDate" in fields and "created" in segment:
            out["created"] = segment["created"]
        if "usageSummaryWithRelevancyScore" in fields:
            out["usageSummary"] = {**segment.get("usageSummary", {}), "relevancyScore": 0.5}
        if "usedIn" in fields:
            out["usedIn"] = _used_in(org, str(segment.get("id")))
        return out

    return render


# -- handlers --------------------------------------------------------------------------


def _bool_param(req: Request, name: str) -> bool | None:
    raw = req.param(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise bad_parameter(f"{name} must be true or false, got {raw!r}")
    return raw.lower() == "true"


def _modified(segment: Mapping[str, Any]) -> datetime | None:
    raw = segment.get("modified")
    if not isinstance(raw, str):
        return None
    try:
        return parse_iso(raw)
    except ValueError:
        return None


def _visible(segment: Mapping[str, Any], include: set[str]) -> bool:
    if segment.get("isDeleted") is True and "deleted" not in include:
        return False
    if segment.get("template") is True and "templates" not in include:
        return False
    return not (segment.get("internal") is True and "internal" not in include)


@router.route("GET", "/segments")
async def list_segments(sim: Simulator, req: Request) -> Response:
    """Segments after every filter, sorted, expanded and paged (or a bare array)."""
    org = sim.org(req.org_id)
    include = {value.lower() for value in req.csv_param("includeType")}
    unknown = include - _INCLUDE_TYPES
    if unknown:
        raise bad_parameter(
            f"includeType must be among {sorted(_INCLUDE_TYPES)}, got {sorted(unknown)}"
        )
    published = (req.param("filterByPublishedSegments") or "all").lower()
    if published not in ("all", "true", "false"):
        raise bad_parameter(
            f"filterByPublishedSegments must be all, true or false, got {published!r}"
        )
    _bool_param(req, "cached")
    pagination = _bool_param(req, "pagination")
    after = instant_param(req, "filterByModifiedAfter")
    views = set(req.csv_param("rsids")) | set(req.csv_param("dataIds"))
    ids = set(req.csv_param("filterByIds"))
    tags = {tag.lower() for tag in req.csv_param("tagNames")}
    owner_id = req.param("ownerId")
    name = (req.param("name") or "").lower()

    def keep(segment: Mapping[str, Any]) -> bool:
        if not _visible(segment, include):
            return False
        if ids and segment.get("id") not in ids:
            return False
        if views and segment.get("rsid") not in views and segment.get("dataId") not in views:
            return False
        owner = segment.get("owner")
        if owner_id and (not isinstance(owner, dict) or owner.get("imsUserId") != owner_id):
            return False
        if name and name not in str(segment.get("name", "")).lower():
            return False
        if tags and not any(
            isinstance(tag, dict) and str(tag.get("name", "")).lower() in tags
            for tag in segment.get("tags") or []
        ):
            return False
        if published != "all" and (segment.get("publishingStatus") == "published") != (
            published == "true"
        ):
            return False
        if after is not None:
            modified = _modified(segment)
            if modified is None or modified <= after:
                return False
        return True

    chosen = [segment for segment in org.segments.list() if keep(segment)]
    ordered, sort = sort_items(chosen, req, _SORT_PROPERTIES)
    render = _renderer(org, expansion_of(req))
    if pagination is False:
        return Response.json([render(segment) for segment in ordered])
    return Response.json(paged(ordered, req, sim.page_shape, sort=sort, render=render))


def _definition_error(definition: Any) -> ApiError | None:
    if not isinstance(definition, dict):
        return bad_parameter("Definition must be formatted as a JSON Object")
    errors = validate_definition(definition)
    if errors:
        return ApiError(
            service_error(
                400, "invalid_segment_definition", "Invalid segment definition", {"errors": errors}
            )
        )
    return None


def _data_view_names(org: OrgState, segment: JSON) -> None:
    """Mirror ``rsid``/``dataId`` and fill in the data view's name, as the service does."""
    view_id = segment.get("rsid") or segment.get("dataId")
    if not isinstance(view_id, str):
        return
    segment["rsid"] = segment["dataId"] = view_id
    view = org.dataviews.find(view_id)
    if view is not None:
        segment["reportSuiteName"] = segment["dataName"] = view.get("name")


@router.route("POST", "/segments")
async def create_segment(sim: Simulator, req: Request) -> Response:
    """Create a segment owned by the caller; answer it whole, with its new id."""
    org = sim.org(req.org_id)
    body = body_object(req)
    missing = missing_name_or_view(body)
    if "definition" not in body:
        missing.append("definition")
    if missing:
        return missing_fields(missing)
    error = _definition_error(body["definition"])
    if error is not None:
        raise error
    store = org.segments
    caller = caller_id(req)
    now = sim.now_iso()
    segment: JSON = {
        **body,
        "id": store.new_id(),
        "owner": ims_owner(caller, f"Technical account {req.client_id}"),
        "organization": org.org_id,
        "created": now,
        "createdDate": now,
        "modified": now,
        "modifiedById": caller,
        "definitionLastModified": now,
        "isDeleted": False,
        "compatibility": {
            "valid": True,
            "message": "Segment is valid for all products",
            "supported_products": ["oberon", "frag"],
        },
    }
    _data_view_names(org, segment)
    return saved(store, segment)


@router.route("POST", "/segments/validate")
async def validate_segment(sim: Simulator, req: Request) -> Response:
    """Validate a definition (the raw JSON body); ``rsid`` must name a known data view."""
    definition = req.json()
    if not isinstance(definition, dict):
        raise bad_parameter("Bad JSON input; request not formatted correctly")
    errors = validate_definition(definition)
    rsid = req.param("rsid")
    if rsid and rsid not in sim.org(req.org_id).dataviews:
        errors.append(f"unknown data view {rsid}")
    body: JSON = {
        "valid": not errors,
        "message": "Segment definition is valid" if not errors else "; ".join(errors),
        "validator_version": "1.0.0",
        "supported_products": ["oberon", "frag"] if not errors else [],
        "supported_schema": ["schema_oberon", "schema_frag"] if not errors else [],
        "supported_features": [],
        "errors": errors,
    }
    return Response.json(body)


def _stored(sim: Simulator, req: Request) -> JSON:
    return found(sim.org(req.org_id).segments, req.path_params["id"], deleted_ok=True)


@router.route("GET", "/segments/{id}")
async def get_segment(sim: Simulator, req: Request) -> Response:
    """One segment, deleted or not, with the members ``expansion`` asks for."""
    org = sim.org(req.org_id)
    segment = _stored(sim, req)
    return Response.json(_renderer(org, expansion_of(req))(segment))


@router.route("PUT", "/segments/{id}")
async def update_segment(sim: Simulator, req: Request) -> Response:
    """A partial update: members in the body change, the others stay."""
    org = sim.org(req.org_id)
    segment = _stored(sim, req)
    if segment.get("isDeleted") is True:
        raise ApiError(not_found(f"Segment {segment['id']} is deleted"))
    body = body_object(req)
    if "definition" in body:
        error = _definition_error(body["definition"])
        if error is not None:
            raise error
    updated: JSON = {**segment, **body, "id": segment["id"], "modified": sim.now_iso()}
    if "definition" in body:
        updated["definitionLastModified"] = updated["modified"]
    if "owner" in body:
        owner = body["owner"]
        user_id = owner.get("imsUserId") if isinstance(owner, dict) else None
        user = org.users.known(user_id, req.client_id) if isinstance(user_id, str) else None
        if user is None:
            raise bad_parameter(f"owner must name a user of this organization, got {owner!r}")
        updated["owner"] = ims_owner(user["id"], user["fullName"])
    if "rsid" in body or "dataId" in body:
        updated["rsid"] = body.get("rsid", body.get("dataId"))
        updated["dataId"] = updated["rsid"]
        _data_view_names(org, updated)
    return saved(org.segments, updated)


@router.route("DELETE", "/segments/{id}")
async def delete_segment(sim: Simulator, req: Request) -> Response:
    """Mark the segment deleted: it leaves lists but ``GET /segments/{id}`` still finds it."""
    segment = _stored(sim, req)
    if segment.get("isDeleted") is True:
        raise ApiError(not_found(f"Segment {segment['id']} is already deleted"))
    sim.org(req.org_id).segments.update(
        segment["id"], {"isDeleted": True, "modified": sim.now_iso()}
    )
    return Response.json({"result": "success", "message": f"Segment {segment['id']} deleted"})
