"""Tags: ``/componentmetadata/tags`` and the tags on components.

Tags have integer ids. Which tags a component carries is kept apart from the tags
themselves, so deleting a tag takes it off every component, and ``PUT .../tagitems``
overwrites a component's tags (tags named there but missing are created).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, get_args

from ..resources.tags import ComponentType
from ._component_helpers import body_array, body_object
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, paged
from ._request import Request
from ._router import Router
from ._state import OrgState

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["COMPONENT_TYPES", "TAGS_PER_ORG", "component_tags", "router", "tags_of"]

router = Router()

TAGS_PER_ORG = 12
# The component types the spec allows (the client's ``ComponentType`` names them); others
# answer 400 "Invalid component type."
COMPONENT_TYPES = frozenset(get_args(ComponentType))
_NAMES = ("sales", "marketing", "finance", "warehouse", "web", "mobile", "emea", "americas")
_FIRST_ID = 35600


def _seed_tags(org: OrgState, rng: random.Random) -> Iterator[JSON]:
    for index in range(TAGS_PER_ORG):
        name = f"{_NAMES[index % len(_NAMES)]}-{index // len(_NAMES) + 1}"
        yield {"id": _FIRST_ID + index, "name": name, "description": f"{name} components"}


def _seed_items(org: OrgState, rng: random.Random) -> Iterator[JSON]:
    # Items are seeded when a component module tags its own seeds (see ``component_tags``).
    return iter(())


def tags_of(org: OrgState) -> dict[Any, JSON]:
    """The org's tags by integer id."""
    return org.collection("tags", _seed_tags)


def _items_of(org: OrgState) -> dict[Any, JSON]:
    return org.collection("tagitems", _seed_items)


def _key(component_type: str, component_id: str) -> str:
    return f"{component_type}:{component_id}"


def component_tags(org: OrgState, component_type: str, component_id: str) -> list[JSON]:
    """The tags on a component, as the API shows them (``id``, ``name``, ``description``)."""
    tags = tags_of(org)
    item = _items_of(org).get(_key(component_type, component_id))
    ids = item["tagIds"] if item else []
    return [dict(tags[tag_id]) for tag_id in ids if tag_id in tags]


def set_component_tags(
    org: OrgState, component_type: str, component_id: str, tag_ids: list[int]
) -> None:
    """Give a component exactly ``tag_ids`` (component modules use it to seed tags)."""
    key = _key(component_type, component_id)
    items = _items_of(org)
    if tag_ids:
        items[key] = {
            "id": key,
            "componentType": component_type,
            "componentId": component_id,
            "tagIds": list(dict.fromkeys(tag_ids)),
        }
    else:
        items.pop(key, None)


def _components_with(org: OrgState, tag_id: int) -> list[JSON]:
    return [
        {"componentType": item["componentType"], "componentId": item["componentId"]}
        for item in _items_of(org).values()
        if tag_id in item["tagIds"]
    ]


def _component_type(raw: object) -> str:
    if not isinstance(raw, str) or raw not in COMPONENT_TYPES:
        raise bad_parameter("Invalid component type.")
    return raw


def _required(req: Request, name: str) -> str:
    value = req.param(name)
    if not value:
        raise bad_parameter(f"Required parameter '{name}' is not present")
    return value


def _tag_id(req: Request) -> int:
    raw = req.path_params["id"]
    try:
        return int(raw)
    except ValueError:
        raise bad_parameter(f"id must be an integer, got {raw!r}") from None


def _new_tag(org: OrgState, name: object, description: object) -> JSON:
    if not isinstance(name, str) or not name.strip():
        raise bad_parameter("Every tag needs a name")
    tags = tags_of(org)
    tag_id = max(tags, default=_FIRST_ID - 1) + 1
    tag: JSON = {"id": tag_id, "name": name}
    if isinstance(description, str):
        tag["description"] = description
    tags[tag_id] = tag
    return tag


def _find_or_create(org: OrgState, spec: Mapping[str, Any]) -> JSON:
    """The tag a request names: by ``id`` (must exist), else by ``name`` (made if new)."""
    tags = tags_of(org)
    if spec.get("id") is not None:
        tag = tags.get(spec["id"])
        if tag is None:
            raise ApiError(not_found(f"Unable to find a tag with the given ID {spec['id']}"))
        return tag
    for tag in tags.values():
        if tag["name"] == spec.get("name"):
            return tag
    return _new_tag(org, spec.get("name"), spec.get("description"))


@router.route("GET", "/componentmetadata/tags")
async def list_tags(sim: Simulator, req: Request) -> Response:
    """The org's tags, paged."""
    tags = sorted(tags_of(sim.org(req.org_id)).values(), key=lambda tag: tag["id"])
    return Response.json(paged(tags, req, "analytics"))


@router.route("POST", "/componentmetadata/tags")
async def create_tags(sim: Simulator, req: Request) -> Response:
    """Create each tag of the array and put it on its ``components``."""
    org = sim.org(req.org_id)
    created = []
    for spec in body_array(req):
        components = spec.get("components") or []
        for component in components:
            _component_type(component.get("componentType"))
        tag = _new_tag(org, spec.get("name"), spec.get("description"))
        for component in components:
            key = _key(component["componentType"], str(component.get("componentId")))
            item = _items_of(org).get(key)
            ids = [*(item["tagIds"] if item else []), tag["id"]]
            set_component_tags(org, component["componentType"], str(component["componentId"]), ids)
        created.append({**tag, "components": components, "status": {"success": True}})
    return Response.json(created)


@router.route("GET", "/componentmetadata/tags/{id}")
async def get_tag(sim: Simulator, req: Request) -> Response:
    """One tag with the components that carry it."""
    org = sim.org(req.org_id)
    tag_id = _tag_id(req)
    tag = tags_of(org).get(tag_id)
    if tag is None:
        raise ApiError(not_found(f"Unable to find a tag with the given ID {tag_id}"))
    return Response.json({**tag, "components": _components_with(org, tag_id)})


@router.route("DELETE", "/componentmetadata/tags/{id}")
async def delete_tag(sim: Simulator, req: Request) -> Response:
    """Delete a tag and take it off every component."""
    org = sim.org(req.org_id)
    tag_id = _tag_id(req)
    if tags_of(org).pop(tag_id, None) is None:
        raise ApiError(not_found(f"The given tagId {tag_id} does not exist"))
    for item in list(_items_of(org).values()):
        if tag_id in item["tagIds"]:
            remaining = [i for i in item["tagIds"] if i != tag_id]
            set_component_tags(org, item["componentType"], item["componentId"], remaining)
    return Response.json({"tagId": tag_id, "status": {"success": True}})


@router.route("DELETE", "/componentmetadata/tags")
async def remove_component_tags(sim: Simulator, req: Request) -> Response:
    """Take every tag off the listed components (``componentIds``, ``componentType``)."""
    org = sim.org(req.org_id)
    _required(req, "componentIds")
    component_type = _component_type(_required(req, "componentType"))
    ids = req.csv_param("componentIds")
    for component_id in ids:
        set_component_tags(org, component_type, component_id, [])
    return Response.json({"id": ",".join(ids), "status": {"success": True}})


@router.route("GET", "/componentmetadata/tags/search")
async def tags_of_component(sim: Simulator, req: Request) -> Response:
    """The tags on one component, as an array."""
    component_id = _required(req, "componentId")
    component_type = _component_type(_required(req, "componentType"))
    org = sim.org(req.org_id)
    tags = component_tags(org, component_type, component_id)
    component = {"componentType": component_type, "componentId": component_id}
    return Response.json([{**tag, "components": [component]} for tag in tags])


@router.route("POST", "/componentmetadata/tags/component/search")
async def search_component_tags(sim: Simulator, req: Request) -> Response:
    """One item per requested component with its tags, paged by ``limit``/``page``."""
    body = body_object(req)
    component_type = _component_type(body.get("componentType"))
    ids = body.get("componentIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_parameter("componentIds must be an array of strings")
    org = sim.org(req.org_id)
    items = [
        {
            "componentType": component_type,
            "componentId": component_id,
            "tags": [
                {**tag, "components": []}
                for tag in component_tags(org, component_type, component_id)
            ],
        }
        for component_id in dict.fromkeys(ids)
    ]
    return Response.json(paged(items, req, "analytics"))


@router.route("GET", "/componentmetadata/tags/tagnames")
async def components_by_tag_names(sim: Simulator, req: Request) -> Response:
    """Ids of the components of ``componentType`` carrying any of ``tagNames``."""
    _required(req, "tagNames")
    component_type = _component_type(_required(req, "componentType"))
    org = sim.org(req.org_id)
    names = set(req.csv_param("tagNames"))
    wanted = {tag_id for tag_id, tag in tags_of(org).items() if tag["name"] in names}
    ids = [
        item["componentId"]
        for item in _items_of(org).values()
        if item["componentType"] == component_type and wanted.intersection(item["tagIds"])
    ]
    return Response.json(sorted(ids))


@router.route("PUT", "/componentmetadata/tags/tagitems")
async def replace_component_tags(sim: Simulator, req: Request) -> Response:
    """Overwrite the tags of each component listed: exactly the tags given stay on it."""
    org = sim.org(req.org_id)
    specs = body_array(req)
    # Check every item before changing anything: a 400 leaves all tags as they were.
    for spec in specs:
        _component_type(spec.get("componentType"))
        if not isinstance(spec.get("componentId"), str) or not spec["componentId"]:
            raise bad_parameter("Every item needs a componentId")
        tags = spec.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
            raise bad_parameter("tags must be an array of objects")
    answer = []
    for spec in specs:
        component_type, component_id = spec["componentType"], spec["componentId"]
        chosen = [_find_or_create(org, tag) for tag in spec.get("tags") or []]
        set_component_tags(org, component_type, component_id, [tag["id"] for tag in chosen])
        answer.append(
            {
                "componentType": component_type,
                "componentId": component_id,
                "tags": [dict(tag) for tag in chosen],
                "status": {"success": True},
            }
        )
    return Response.json(answer)
