"""Mechanical checks of the requests the client sends against Adobe's OpenAPI spec.

``RecordingTransport`` wraps the simulator's transport and keeps every API request the client
makes; ``check_request`` compares one with the operation of ``openapi.json`` it is for:

- the path matches a template of the spec (or of ``GUIDE_ONLY`` below, for operations the
  guides document but the spec lacks), and every path parameter is non-empty;
- every query parameter is declared for that operation, is sent once, and its value fits
  the declared schema: integers, ``true``/``false`` booleans, comma-joined arrays, and
  membership of every enum (the spec's enums are taken as closed unless ``OPEN_ENUMS``
  names a source that documents more values);
- required parameters (including the gateway headers) are present;
- a JSON body validates against the operation's ``requestBody`` schema (OpenAPI 3.0 is
  JSON Schema draft 4 plus ``nullable``; ``$ref`` resolve to ``components``), and an
  operation without a ``requestBody`` gets no body.

Adding an operation the spec lacks, or a parameter or body documented elsewhere: add an
entry to ``GUIDE_ONLY`` / ``EXTRA_PARAMS`` / ``EXTRA_BODIES`` / ``OPEN_ENUMS`` with the
source that documents it; a body member the spec types wrongly goes in ``BODY_FIXES``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import jsonschema

from cja_async.testing import TOKEN_PATH

__all__ = [
    "BODY_FIXES",
    "EXTRA_BODIES",
    "EXTRA_PARAMS",
    "GUIDE_BODIES",
    "GUIDE_ONLY",
    "OPEN_ENUMS",
    "REPEATED_PARAMS",
    "GuideOperation",
    "Operation",
    "RecordedRequest",
    "RecordingTransport",
    "check_request",
    "find_operation",
    "fix_target",
    "load_postman",
    "load_spec",
    "operations",
    "DATA_DIR",
]

Schema = dict[str, Any]

_INTEGER = {"type": "integer"}
_PAGING = {"limit": _INTEGER, "page": _INTEGER}
_SORT_DIRECTION = {"type": "string", "enum": ["ASC", "DESC"]}


@dataclass(frozen=True)
class GuideOperation:
    """An operation documented in a guide but missing from the spec: its source and the
    query parameters the guide lists (name -> schema, in the spec's own terms)."""

    source: str
    params: Mapping[str, Schema] = field(default_factory=dict)
    body: Schema | None = None


_ANNOTATION_EXPANSION = {
    "type": "array",
    "items": {
        "type": "string",
        "enum": [
            "name", "description", "dateRange", "color", "applyToAllReports", "scope",
            "createdDate", "modifiedDate", "modifiedById", "tags", "shares", "approved",
            "favorite", "usageSummary", "owner", "imsOrgId", "dataName", "dataId",
        ],
    },
}  # fmt: skip
_ANNOTATION_GET_PARAMS: dict[str, Schema] = {
    "expansion": _ANNOTATION_EXPANSION,
    "locale": {"type": "string"},
}
_ANNOTATION_LIST_PARAMS: dict[str, Schema] = {
    **_ANNOTATION_GET_PARAMS,
    "includeType": {"type": "array", "items": {"type": "string", "enum": ["all", "shared"]}},
    "filterByModifiedAfter": {"type": "string"},
    "filterByDateRange": {"type": "string"},
    **_PAGING,
}
_ANNOTATION_BODY: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "dateRange": {"type": "string"},
        "color": {"type": "string", "enum": [f"STANDARD{n}" for n in range(1, 10)]},
        "applyToAllReports": {"type": "boolean"},
        "scope": {"type": "object"},
        "dataId": {"type": "string"},
        "rsid": {"type": "string"},
    },
}

# Operations the client calls that the spec does not have. Keyed by (method, template).
GUIDE_ONLY: dict[tuple[str, str], GuideOperation] = {
    ("GET", "/data/connections/{connectionId}/datasets/{datasetId}/backfills"): GuideOperation(
        source="docs/connections-api.txt, 'GET backfills'",
        params={
            "includeStatus": {
                "type": "array",
                "items": {"type": "string", "enum": ["inProgress", "completed", "failed"]},
            },
            **_PAGING,
            "sortDirection": _SORT_DIRECTION,
            "sortProperty": {"type": "string", "enum": ["createdDate"]},
        },
    ),
    ("POST", "/calculatedmetrics"): GuideOperation(
        source="ENDPOINTS.md, 'POST /calculatedmetrics' (AdobeDocs calculatedmetrics guide)",
        body={
            "type": "object",
            "required": ["definition"],
            "properties": {
                "name": {"type": "string"},
                "description": {"type": "string"},
                "dataId": {"type": "string"},
                "rsid": {"type": "string"},
                "type": {"type": "string"},
                "polarity": {"type": "string", "enum": ["positive", "negative"]},
                "precision": {"type": "integer"},
                "definition": {"type": "object"},
            },
        },
    ),
    **{
        (method, template): GuideOperation(
            source="AdobeDocs cja-apis endpoints/annotations (index, parameters, definition)",
            params=params,
            body=body,
        )
        for method, template, params, body in (
            ("GET", "/annotations", _ANNOTATION_LIST_PARAMS, None),
            ("POST", "/annotations", {}, _ANNOTATION_BODY),
            ("GET", "/annotations/{id}", _ANNOTATION_GET_PARAMS, None),
            ("PUT", "/annotations/{id}", {}, _ANNOTATION_BODY),
            ("DELETE", "/annotations/{id}", {}, None),
        )
    },
    ("GET", "/data/connections/configurationSettings"): GuideOperation(
        source="docs/connections-api.txt, 'GET data source types'",
        params={"locale": {"type": "string"}},
    ),
}

# Query parameters of spec operations that the spec forgets but other sources document.
_SEGMENTS_GUIDE = "docs/segments-api.txt"
EXTRA_PARAMS: dict[tuple[str, str], tuple[str, Mapping[str, Schema]]] = {
    ("GET", "/segments"): (
        f"{_SEGMENTS_GUIDE}, 'GET multiple segments': rsids in the example request, tagNames"
        " and filterByPublishedSegments (all, true, false) in the parameter table",
        {
            "rsids": {"type": "array", "items": {"type": "string"}},
            "tagNames": {"type": "array", "items": {"type": "string"}},
            "filterByPublishedSegments": {"type": "string", "enum": ["all", "true", "false"]},
        },
    ),
    ("POST", "/segments/validate"): (
        f"{_SEGMENTS_GUIDE}, 'Validate a segment': rsid in the example request and the table",
        {"rsid": {"type": "string"}},
    ),
    ("DELETE", "/segments/{id}"): (
        f"{_SEGMENTS_GUIDE}, 'Delete a segment': locale in the parameter table",
        {"locale": {"type": "string"}},
    ),
    ("GET", "/data/dataviews/{dataviewId}/dimensions"): (
        "ENDPOINTS.md: the list is an analytics page (guides, cjapy) paged by page/limit",
        _PAGING,
    ),
    ("GET", "/data/dataviews/{dataviewId}/metrics"): (
        "ENDPOINTS.md: the list is an analytics page (guides, cjapy) paged by page/limit",
        _PAGING,
    ),
}

# Request bodies of spec operations that the spec leaves out but a guide documents:
# (method, template) -> (source, schema).
_AUDIT_CRITERIA: Schema = {
    "type": "object",
    "properties": {
        "fieldOperator": {"type": "string", "enum": ["AND", "OR"]},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fieldType", "value", "operator"],
                "properties": {
                    "fieldType": {"type": "string"},
                    "value": {"type": "array", "items": {"type": "string"}},
                    "operator": {
                        "type": "string",
                        "enum": ["EQUALS", "NOT_EQUALS", "CONTAINS", "IN"],
                    },
                },
            },
        },
        "subCriteriaOperator": {"type": ["string", "null"]},
        # Nested criteria of the same shape (checked one level deep).
        "subCriteria": {"type": ["object", "null"]},
    },
}
GUIDE_BODIES: dict[tuple[str, str], tuple[str, Schema]] = {
    ("POST", "/auditlogs/api/v1/auditlogs/search"): (
        "AdobeDocs cja-apis endpoints/auditlogs, 'Search Audit Logs'",
        {
            "type": "object",
            "required": ["criteria"],
            "properties": {
                "criteria": _AUDIT_CRITERIA,
                "pageSize": {"type": "integer"},
                "pageNumber": {"type": "integer"},
            },
        },
    ),
}

# JSON bodies of spec operations whose requestBody the spec forgets: (method, template) ->
# (source, JSON schema in the spec's terms; "$ref": "#/components/..." works).
EXTRA_BODIES: dict[tuple[str, str], tuple[str, Schema]] = {}

# Members of spec request bodies that the spec types wrongly, typed as a source documents
# them: (method, template) -> (source, {member path: schema}). A path names nested members
# with "/" (``owner/imsUserId``, through ``$ref``s); "" replaces the whole body schema. Every
# path must exist in the spec (a guard test checks), so a fix cannot outlive the mistake.
_SEGMENT_DEFINITION_FIX = (
    f"{_SEGMENTS_GUIDE}, 'Create a segment' and every example: a definition holds strings"
    ' and arrays ("func": "segment-def", "version": [1, 0, 0]), not only objects',
    {"definition": {"type": "object"}},
)
# The spec's Owner says integer (with "format": "string"); user ids are strings such as
# "7777777777.e" (segments guide's owner example, asset guide's imsUserId, and the spec's own
# POST /segments body, which types owner.imsUserId as a string).
_IMS_USER_ID: Schema = {"type": "string"}
_OWNER_ID_SOURCE = (
    f"{_SEGMENTS_GUIDE} ('owner': {{'imsUserId': '7777777777.e'}}) and"
    " docs/asset-management-api.txt (imsUserId: string)"
)
BODY_FIXES: dict[tuple[str, str], tuple[str, Mapping[str, Schema]]] = {
    ("POST", "/segments"): _SEGMENT_DEFINITION_FIX,
    ("PUT", "/segments/{id}"): _SEGMENT_DEFINITION_FIX,
    ("POST", "/segments/validate"): (
        f"{_SEGMENTS_GUIDE}, 'Validate a segment': the body is the definition object itself"
        " (the spec says a string)",
        {"": {"type": "object"}},
    ),
    ("POST", "/projects"): (_OWNER_ID_SOURCE, {"owner/imsUserId": _IMS_USER_ID}),
    ("PUT", "/projects/{id}"): (_OWNER_ID_SOURCE, {"owner/imsUserId": _IMS_USER_ID}),
    ("POST", "/projects/validate"): (_OWNER_ID_SOURCE, {"project/owner/imsUserId": _IMS_USER_ID}),
}

# Enum values a source documents beyond the spec's enum: (method, template, param) ->
# (source, extra values). Every other enum is closed.
_SEGMENT_EXPANSION = frozenset({"reportSuiteName", "publishingStatus", "categories"})
OPEN_ENUMS: dict[tuple[str, str, str], tuple[str, frozenset[str]]] = {
    ("GET", "/segments", "includeType"): (
        f"{_SEGMENTS_GUIDE}, 'GET multiple segments': includeType shared, all, templates",
        frozenset({"all"}),
    ),
    ("GET", "/segments", "expansion"): (
        f"{_SEGMENTS_GUIDE}, 'GET multiple segments' parameter table",
        frozenset({"publishingStatus", "categories"}),
    ),
    ("GET", "/segments/{id}", "expansion"): (
        f"{_SEGMENTS_GUIDE}, 'Retrieve a single segment' parameter table",
        _SEGMENT_EXPANSION,
    ),
    ("POST", "/segments", "expansion"): (
        f"{_SEGMENTS_GUIDE}, 'Create a segment' parameter table",
        _SEGMENT_EXPANSION,
    ),
    ("PUT", "/segments/{id}", "expansion"): (
        f"{_SEGMENTS_GUIDE}, 'Update a segment' parameter table",
        _SEGMENT_EXPANSION | {"tags"},
    ),
}


# Query parameters a guide sends once per value (``action=CREATE&action=DELETE``) where the
# spec says nothing of how: (method, template, param) -> source. They may repeat, and a
# value joined with commas is flagged instead.
_AUDIT_GUIDE = (
    "AdobeDocs cja-apis endpoints/auditlogs, 'Get audit logs with filters applied':"
    " action=CREATE&action=EDIT&action=DELETE"
)
REPEATED_PARAMS: dict[tuple[str, str, str], str] = {
    ("GET", "/auditlogs/api/v1/auditlogs", "action"): _AUDIT_GUIDE,
    ("GET", "/auditlogs/api/v1/auditlogs", "component"): _AUDIT_GUIDE,
}

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def load_spec() -> dict[str, Any]:
    """Adobe's OpenAPI document without its prose (``data/openapi.json``, derived by
    ``data/derive.py``; parsed once)."""
    spec: dict[str, Any] = json.loads((DATA_DIR / "openapi.json").read_text("utf-8"))
    return spec


@functools.cache
def load_postman() -> list[dict[str, Any]]:
    """Every request of Adobe's Postman collection with its example responses, flat
    (``data/postman-examples.json``; see ``data/derive.py`` for the shape; parsed once)."""
    data: dict[str, Any] = json.loads((DATA_DIR / "postman-examples.json").read_text("utf-8"))
    requests: list[dict[str, Any]] = data["requests"]
    return requests


# -- recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as it left the client: path segments already unescaped."""

    method: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The path, for messages."""
        return "/" + "/".join(self.segments)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and keeps every API request (token requests excluded)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[RecordedRequest] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then forward."""
        if request.url.path != TOKEN_PATH:
            body = await request.aread()
            raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
            # Split before unescaping: an escaped "/" inside an id stays one segment.
            segments = tuple(unquote(part) for part in raw_path.strip("/").split("/"))
            query = tuple(parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True))
            headers = {k.lower(): v for k, v in request.headers.items()}
            self.requests.append(RecordedRequest(request.method, segments, query, headers, body))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


# -- the spec's operations --------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One operation to check against: the spec's, or a guide-only one."""

    method: str
    template: str
    params: Mapping[tuple[str, str], Schema]  # (in, name) -> parameter object
    body: Schema | None  # the requestBody object, if any
    source: str  # "openapi.json" or where a guide documents it

    @property
    def segments(self) -> tuple[str, ...]:
        """The template split into segments."""
        return tuple(self.template.strip("/").split("/"))

    @property
    def specificity(self) -> tuple[int, int]:
        """Fewer ``{params}`` first; literal segments beat parameters (``/x/search``)."""
        return (sum(s.startswith("{") for s in self.segments), -len(self.segments))


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolve(spec, target)
    return node


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every spec operation, then every ``GUIDE_ONLY`` one."""
    spec = load_spec()
    found: list[Operation] = []
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            params = {}
            for raw in [*shared, *op.get("parameters", [])]:
                param = _resolve(spec, raw)
                params[(param["in"], param["name"])] = param
            key = (method.upper(), template)
            if key in EXTRA_PARAMS:
                for name, schema in EXTRA_PARAMS[key][1].items():
                    params.setdefault(("query", name), {"name": name, "schema": schema})
            body = _resolve(spec, op["requestBody"]) if "requestBody" in op else None
            if body is not None and key in BODY_FIXES:
                body = _fixed_body(spec, body, BODY_FIXES[key][1])
            if body is None and key in EXTRA_BODIES:
                body = {"content": {"application/json": {"schema": EXTRA_BODIES[key][1]}}}
            if body is None and key in GUIDE_BODIES:
                body = {"content": {"application/json": {"schema": GUIDE_BODIES[key][1]}}}
            found.append(Operation(method.upper(), template, params, body, "openapi.json"))
    for (method, template), guide in GUIDE_ONLY.items():
        params = {
            ("query", n): {"name": n, "in": "query", "schema": s} for n, s in guide.params.items()
        }
        body = (
            None
            if guide.body is None
            else {"content": {"application/json": {"schema": guide.body}}}
        )
        found.append(Operation(method, template, params, body, guide.source))
    return tuple(found)


def fix_target(spec: Mapping[str, Any], schema: Any, member_path: str) -> Any:
    """The spec's schema at ``member_path`` of a body ``schema`` (``KeyError`` if absent)."""
    node = _resolve(spec, schema)
    for part in filter(None, member_path.split("/")):
        node = _resolve(spec, node["properties"][part])
    return node


def _patched(spec: Mapping[str, Any], schema: Any, parts: list[str], fix: Schema) -> Any:
    if not parts:
        return fix
    # Inline the $ref on the way down, so the fix changes this body and not the component.
    node = dict(_resolve(spec, schema))
    properties = dict(node["properties"])
    properties[parts[0]] = _patched(spec, properties[parts[0]], parts[1:], fix)
    node["properties"] = properties
    return node


def _fixed_body(
    spec: Mapping[str, Any], body: Mapping[str, Any], fixes: Mapping[str, Schema]
) -> dict[str, Any]:
    """The requestBody with every ``BODY_FIXES`` member path replaced by its fix."""
    schema = body["content"]["application/json"]["schema"]
    for member_path, fix in fixes.items():
        schema = _patched(spec, schema, [p for p in member_path.split("/") if p], fix)
    return {**body, "content": {"application/json": {"schema": schema}}}


def _matches(template: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    return len(template) == len(segments) and all(
        (t.startswith("{") and bool(s)) or t == s for t, s in zip(template, segments, strict=True)
    )


def find_operation(method: str, segments: tuple[str, ...]) -> Operation | None:
    """The most specific operation for ``method`` whose template matches the segments."""
    candidates = [
        op for op in operations() if op.method == method and _matches(op.segments, segments)
    ]
    return min(candidates, key=lambda op: op.specificity, default=None)


# -- checks ----------------------------------------------------------------------------------


def _check_value(schema: Schema, value: str, extra_enum: frozenset[str]) -> str | None:
    """Why ``value`` does not fit ``schema`` as a query value, or ``None``."""
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        for item in value.split(","):
            problem = _check_value(items, item, extra_enum)
            if problem:
                return f"item {item!r}: {problem}"
        return None
    if kind == "boolean":
        return None if value in ("true", "false") else "not a boolean (true/false)"
    if kind == "integer":
        return None if re.fullmatch(r"-?\d+", value) else "not an integer"
    if kind == "number":
        return None if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value) else "not a number"
    if "enum" in schema:
        allowed = {str(v) for v in schema["enum"]} | extra_enum
        if value not in allowed:
            return f"not in the enum {sorted(allowed)}"
    return None


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema (``type`` also allows null)."""
    if isinstance(node, dict):
        out = {k: _openapi_to_jsonschema(v) for k, v in node.items()}
        if out.get("nullable") is True and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    return node


@functools.cache
def _components() -> Any:
    return _openapi_to_jsonschema(load_spec()["components"])


def _body_problems(op: Operation, req: RecordedRequest) -> Iterator[str]:
    if op.body is None:
        if req.body:
            yield f"sends a body, but {op.template} declares no requestBody"
        return
    if not req.body:
        if op.body.get("required"):
            yield "sends no body, but the requestBody is required"
        return
    content_type = req.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        yield f"sends a body with content-type {content_type!r}, not application/json"
    schema = op.body.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        yield "the requestBody declares no application/json schema"
        return
    try:
        document = json.loads(req.body)
    except ValueError as exc:
        yield f"the body is not JSON: {exc}"
        return
    # The operation's schema with the components beside it, so "#/components/..." resolves.
    root = {"allOf": [_openapi_to_jsonschema(schema)], "components": _components()}
    validator = jsonschema.Draft4Validator(root)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        yield f"body at {where}: {error.message}"


def check_request(req: RecordedRequest) -> list[str]:
    """Every way ``req`` breaks the spec (or the guide operation it is for); empty if none."""
    op = find_operation(req.method, req.segments)
    if op is None:
        return [f"{req.method} {req.path}: no operation in openapi.json nor in GUIDE_ONLY"]
    problems: list[str] = []
    for template_part, value in zip(op.segments, req.segments, strict=True):
        if template_part.startswith("{") and not value.strip():
            problems.append(f"path parameter {template_part} is empty")
    seen: set[str] = set()
    for name, value in req.query:
        repeats = (op.method, op.template, name) in REPEATED_PARAMS
        if repeats and "," in value:
            problems.append(f"query parameter {name}={value!r} joins values: repeat it instead")
        if name in seen and not repeats:
            problems.append(f"query parameter {name!r} is sent more than once")
        seen.add(name)
        param = op.params.get(("query", name))
        if param is None:
            problems.append(f"query parameter {name!r} is not declared for {op.template}")
            continue
        extra = OPEN_ENUMS.get((op.method, op.template, name), ("", frozenset()))[1]
        problem = _check_value(param.get("schema", {}), value, extra)
        if problem:
            problems.append(f"query parameter {name}={value!r}: {problem}")
    for (where, name), param in op.params.items():
        if not param.get("required"):
            continue
        present = (
            name in seen
            if where == "query"
            else name.lower() in req.headers
            if where == "header"
            else True  # path parameters are present whenever the template matched
        )
        if not present:
            problems.append(f"required {where} parameter {name!r} is missing")
    problems.extend(_body_problems(op, req))
    return [f"{req.method} {req.path} ({op.template}): {p}" for p in problems]
