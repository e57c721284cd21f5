"""Tags: ``/componentmetadata/tags`` and the tags on components.

Tags have integer ids. Which tags a component carries is kept apart from the tags
themselves, so deleting a tag takes it off every component, and ``PUT .../tagitems``
overwrites a component's tags (tags named there but missing are created).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._component_helpers import COMPONENT_TYPES, body_array, body_object
from ._errors import not_found
from ._http import ApiError, Response
from ._paging import JSON, bad_parameter, paged
from ._request import Request
from ._router import Router
from ._stores import Tags

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["router"]

router = Router()


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


def _new_tag(tags: Tags, name: object, description: object) -> JSON:
    if not isinstance(name, str) or not name.strip():
        raise bad_parameter("Every tag needs a name")
    tag: JSON = {"name": name}
    if isinstance(description, str):
        tag["description"] = description
    return tags.add(tag)


def _find_or_create(tags: Tags, spec: Mapping[str, Any]) -> JSON:
    """The tag a request names: by ``id`` (must exist), else by ``name`` (made if new)."""
    if spec.get("id") is not None:
        tag = tags.find(spec["id"])
        if tag is None:
            raise ApiError(not_found(f"Unable to find a tag with the given ID {spec['id']}"))
        return tag
    return tags.named(spec.get("name")) or _new_tag(tags, spec.get("name"), spec.get("description"))


@router.route("GET", "/componentmetadata/tags")
async def list_tags(sim: Simulator, req: Request) -> Response:
    """The org's tags, paged."""
    tags = sorted(sim.org(req.org_id).tags.list(), key=lambda tag: tag["id"])
    return Response.json(paged(tags, req, "analytics"))


@router.route("POST", "/componentmetadata/tags")
async def create_tags(sim: Simulator, req: Request) -> Response:
    """Create each tag of the array and put it on its ``components``."""
    tags = sim.org(req.org_id).tags
    created = []
    for spec in body_array(req):
        components = spec.get("components") or []
        for component in components:
            _component_type(component.get("componentType"))
        tag = _new_tag(tags, spec.get("name"), spec.get("description"))
        for component in components:
            kind, component_id = component["componentType"], str(component.get("componentId"))
            tags.set_on(kind, component_id, [*tags.ids_on(kind, component_id), tag["id"]])
        created.append({**tag, "components": components, "status": {"success": True}})
    return Response.json(created)


@router.route("GET", "/componentmetadata/tags/{id}")
async def get_tag(sim: Simulator, req: Request) -> Response:
    """One tag with the components that carry it."""
    tags = sim.org(req.org_id).tags
    tag_id = _tag_id(req)
    tag = tags.find(tag_id)
    if tag is None:
        raise ApiError(not_found(f"Unable to find a tag with the given ID {tag_id}"))
    components = [
        {"componentType": kind, "componentId": component_id}
        for kind, component_id in tags.components_with(tag_id)
    ]
    return Response.json({**tag, "components": components})


@router.route("DELETE", "/componentmetadata/tags/{id}")
async def delete_tag(sim: Simulator, req: Request) -> Response:
    """Delete a tag and take it off every component."""
    tags = sim.org(req.org_id).tags
    tag_id = _tag_id(req)
    if tag_id not in tags:
        raise ApiError(not_found(f"The given tagId {tag_id} does not exist"))
    tags.delete(tag_id)
    return Response.json({"tagId": tag_id, "status": {"success": True}})


@router.route("DELETE", "/componentmetadata/tags")
async def remove_component_tags(sim: Simulator, req: Request) -> Response:
    """Take every tag off the listed components (``componentIds``, ``componentType``)."""
    tags = sim.org(req.org_id).tags
    _required(req, "componentIds")
    component_type = _component_type(_required(req, "componentType"))
    ids = req.csv_param("componentIds")
    for component_id in ids:
        tags.set_on(component_type, component_id, [])
    return Response.json({"id": ",".join(ids), "status": {"success": True}})


@router.route("GET", "/componentmetadata/tags/search")
async def tags_of_component(sim: Simulator, req: Request) -> Response:
    """The tags on one component, as an array."""
    component_id = _required(req, "componentId")
    component_type = _component_type(_required(req, "componentType"))
    tags = sim.org(req.org_id).tags.on(component_type, component_id)
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
    tags = sim.org(req.org_id).tags
    items = [
        {
            "componentType": component_type,
            "componentId": component_id,
            "tags": [{**tag, "components": []} for tag in tags.on(component_type, component_id)],
        }
        for component_id in dict.fromkeys(ids)
    ]
    return Response.json(paged(items, req, "analytics"))


@router.route("GET", "/componentmetadata/tags/tagnames")
async def components_by_tag_names(sim: Simulator, req: Request) -> Response:
    """Ids of the components of ``componentType`` carrying any of ``tagNames``."""
    _required(req, "tagNames")
    component_type = _component_type(_required(req, "componentType"))
    tags = sim.org(req.org_id).tags
    names = set(req.csv_param("tagNames"))
    ids = {
        component_id
        for tag in tags.list()
        if tag["name"] in names
        for kind, component_id in tags.components_with(tag["id"])
        if kind == component_type
    }
    return Response.json(sorted(ids))


@router.route("PUT", "/componentmetadata/tags/tagitems")
async def replace_component_tags(sim: Simulator, req: Request) -> Response:
    """Overwrite the tags of each component listed: exactly the tags given stay on it."""
    tags = sim.org(req.org_id).tags
    specs = body_array(req)
    # Check every item before changing anything: a 400 leaves all tags as they were.
    for spec in specs:
        _component_type(spec.get("componentType"))
        if not isinstance(spec.get("componentId"), str) or not spec["componentId"]:
            raise bad_parameter("Every item needs a componentId")
        given = spec.get("tags") or []
        if not isinstance(given, list) or not all(isinstance(t, dict) for t in given):
            raise bad_parameter("tags must be an array of objects")
    answer = []
    for spec in specs:
        component_type, component_id = spec["componentType"], spec["componentId"]
        chosen = [_find_or_create(tags, tag) for tag in spec.get("tags") or []]
        tags.set_on(component_type, component_id, [tag["id"] for tag in chosen])
        answer.append(
            {
                "componentType": component_type,
                "componentId": component_id,
                "tags": [dict(tag) for tag in chosen],
                "status": {"success": True},
            }
        )
    return Response.json(answer)
