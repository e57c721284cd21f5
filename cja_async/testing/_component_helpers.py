"""Helpers the route modules share: body and parameter parsing, filters, lookups.

The simulated caller is its credential's technical account and is treated as an org
admin: lists show every live component of the org, whoever owns it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, get_args

from ..resources.tags import ComponentType
from ._dates import parse_iso
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter
from ._request import Request
from ._stores import Store
from ._stores.users import technical_account_id

if TYPE_CHECKING:
    from ._simulator import Simulator
    from ._state import OrgState

__all__ = [
    "overwritten",
    "missing_name_or_view",
    "saved",
    "COMPONENT_TYPES",
    "audit",
    "body_array",
    "body_object",
    "bool_param",
    "caller_id",
    "filter_by_ids",
    "found",
    "instant_param",
    "parse_instant",
    "render",
    "shown",
]

# The component types the spec allows for tags and shares (the client's ``ComponentType``
# names them); others answer 400.
COMPONENT_TYPES = frozenset(get_args(ComponentType))


def caller_id(req: Request) -> str:
    """The IMS user id the request acts as: its credential's technical account."""
    return technical_account_id(req.client_id)


def audit(sim: Simulator, req: Request, action: str, component: str, item: JSON) -> None:
    """Add the audit-log record Adobe writes when the caller does ``action`` on ``item``."""
    record = sim.org(req.org_id).audit_logs.record
    record(action, component, item["id"], item.get("name"), caller_id(req), sim.now_iso())


def body_object(req: Request) -> dict[str, Any]:
    """The JSON body as an object, else 400."""
    body = req.json()
    if not isinstance(body, dict):
        raise bad_parameter("The request body must be a JSON object")
    return body


def body_array(req: Request) -> list[dict[str, Any]]:
    """The JSON body as an array of objects, else 400."""
    body = req.json()
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise bad_parameter("The request body must be a JSON array of objects")
    return body


def bool_param(req: Request, name: str) -> bool | None:
    """Query parameter ``name`` as ``true``/``false`` (any case), else 400; absent: None."""
    raw = req.param(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise bad_parameter(f"{name} must be true or false, got {raw!r}")
    return raw.lower() == "true"


def filter_by_ids(items: Iterable[JSON], req: Request, name: str = "filterByIds") -> list[JSON]:
    """Only the items whose ``id`` the ``filterByIds`` parameter lists (all when absent)."""
    wanted = set(req.csv_param(name))
    return [item for item in items if not wanted or item.get("id") in wanted]


def found(store: Store[str], item_id: str, *, deleted_ok: bool) -> JSON:
    """The stored item, else 404; a soft-deleted one only when ``deleted_ok``."""
    item = store.find(item_id)
    if item is None or (item.get("isDeleted") is True and not deleted_ok):
        raise ApiError(not_found(f"Could not find {store.kind} with id {item_id}"))
    return item


def missing_name_or_view(body: Mapping[str, Any]) -> list[str]:
    """Which of a new component's required ``name`` and data view (``rsid`` or ``dataId``)
    the body lacks or gives as something other than a non-empty string."""
    missing = [] if isinstance(body.get("name"), str) and body["name"] else ["name"]
    if not isinstance(body.get("rsid") or body.get("dataId"), str):
        missing.append("rsid")
    return missing


def overwritten(
    item: Mapping[str, Any], body: JSON, keep: Iterable[str], stamp: str, now: str
) -> JSON:
    """What a PUT that overwrites a component whole stores: the body, the ``keep`` members
    of the stored ``item`` (those it has) and the time of the change under ``stamp``."""
    updated: JSON = {**body, stamp: now}
    updated.update({key: item[key] for key in keep if key in item})
    return updated


def saved(store: Store[str], item: JSON) -> Response:
    """Keep ``item`` in ``store`` under its ``id`` (new or not) and answer it."""
    return Response.json(store.replace(item) if item["id"] in store else store.add(item))


def render(item: Mapping[str, Any], base: Iterable[str], expansion: Iterable[str]) -> JSON:
    """What a list shows of an item: ``id``, the ``base`` members and the expanded ones."""
    wanted = {"id", *base, *expansion}
    return {key: value for key, value in item.items() if key in wanted}


def shown(
    org: OrgState,
    item: Mapping[str, Any],
    *,
    base: Iterable[str] | None,
    expansion: set[str],
    tag_type: ComponentType,
) -> JSON:
    """A component as Adobe shows it: ``render``-ed with ``base`` (a list) or whole (``None``,
    a single get), its tags when expanded, and its owner reduced to the id unless
    ``ownerFullName`` is expanded."""
    out = dict(item) if base is None else render(item, base, expansion)
    if "tags" in expansion:
        out["tags"] = org.tags.on(tag_type, str(item["id"]))
    if "ownerFullName" not in expansion and isinstance(out.get("owner"), dict):
        out["owner"] = {"imsUserId": out["owner"].get("imsUserId")}
    return out


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 instant (``Z``, ``+00:00`` or ``-07`` offsets; none means UTC), else 400."""
    try:
        moment = parse_iso(text)
    except ValueError:
        raise bad_parameter(f"{name} must be an ISO 8601 date-time, got {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def instant_param(req: Request, name: str) -> datetime | None:
    """Query parameter ``name`` as an ISO 8601 instant, else 400; absent or empty: None."""
    raw = req.param(name)
    return parse_instant(raw, name) if raw else None
