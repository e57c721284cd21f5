"""Every request the client sends conforms to Adobe's OpenAPI spec (or the guide that
documents it): recorded while ``api_calls.CALLS`` run against the simulator, then checked
mechanically by ``spec_check.check_request``."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest
from api_calls import CALLS
from spec_check import (
    BODY_FIXES,
    EXTRA_PARAMS,
    GUIDE_ONLY,
    OPEN_ENUMS,
    RecordedRequest,
    RecordingTransport,
    check_request,
    find_operation,
    fix_target,
    load_spec,
    operations,
)

from cja_async import Client
from cja_async.resources._base import Resource
from cja_async.testing import Simulator


def public_methods(client: Client) -> set[tuple[str, str]]:
    """(attribute, method) for every public method of every resource on ``client``."""
    base = {name for name, _ in inspect.getmembers(Resource)}
    return {
        (attr, name)
        for attr, resource in vars(client).items()
        if isinstance(resource, Resource)
        for name, member in inspect.getmembers(type(resource), callable)
        if not name.startswith("_") and name not in base
    }


@pytest.mark.anyio
async def test_every_public_resource_method_has_a_call(sim: Simulator, org_id: str) -> None:
    async with sim.client(org_id=org_id) as client:
        methods = public_methods(client)
    assert ("connections", "backfills") in methods  # the discovery finds resources at all
    missing = sorted(methods - set(CALLS))
    assert not missing, f"add these to tests/api_calls.py: {missing}"
    stale = sorted(set(CALLS) - methods)
    assert not stale, f"tests/api_calls.py calls methods that do not exist: {stale}"


@pytest.mark.anyio
@pytest.mark.parametrize("key", sorted(CALLS), ids=[".".join(k) for k in sorted(CALLS)])
async def test_requests_conform_to_the_spec(
    key: tuple[str, str], sim: Simulator, org_id: str
) -> None:
    recorder = RecordingTransport(httpx.ASGITransport(app=sim))
    async with sim.client(org_id=org_id, transport=recorder) as cja:
        await CALLS[key](cja)
    resource, method = key
    assert recorder.requests, f"{resource}.{method} sent nothing"
    problems = [problem for req in recorder.requests for problem in check_request(req)]
    assert not problems, "\n".join(problems)


# -- the checker itself catches what it claims to -------------------------------------------

_HEADERS = {"authorization": "Bearer t", "x-api-key": "k", "x-gw-ims-org-id": "o@AdobeOrg"}


def _req(
    method: str,
    path: str,
    query: tuple[tuple[str, str], ...] = (),
    body: object = None,
    headers: dict[str, str] | None = None,
) -> RecordedRequest:
    raw = b"" if body is None else json.dumps(body).encode()
    sent = dict(_HEADERS if headers is None else headers)
    if body is not None:
        sent["content-type"] = "application/json"
    return RecordedRequest(method, tuple(path.strip("/").split("/")), query, sent, raw)


def test_checker_accepts_a_conforming_request() -> None:
    query = (("limit", "10"), ("cached", "true"), ("expansion", "name,owner"))
    assert check_request(_req("GET", "/data/dataviews", query)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ((("limit", "ten"),), "not an integer"),
        ((("cached", "yes"),), "not a boolean"),
        ((("cached", "True"),), "not a boolean"),
        ((("expansion", "name,bogus"),), "not in the enum"),
        ((("includeType", "deleted;shared"),), "not in the enum"),
        ((("color", "red"),), "not declared"),
        ((("page", "1"), ("page", "2")), "more than once"),
    ],
)
def test_checker_flags_bad_query_parameters(
    query: tuple[tuple[str, str], ...], expected: str
) -> None:
    problems = check_request(_req("GET", "/data/dataviews", query))
    assert problems and expected in problems[0], problems


def test_checker_wants_the_audit_log_filters_repeated_as_the_guide_sends_them() -> None:
    url = "/auditlogs/api/v1/auditlogs"
    headers = {**_HEADERS, "x-user-auth": "user-token"}

    def problems(*query: tuple[str, str]) -> list[str]:
        return check_request(_req("GET", url, query, headers=headers))

    assert problems(("action", "CREATE"), ("action", "EDIT")) == []
    assert "repeat it instead" in problems(("action", "CREATE,EDIT"))[0]
    # Elsewhere a repeated parameter is still a mistake.
    assert "more than once" in problems(("userId", "a"), ("userId", "b"))[0]


def test_checker_flags_missing_required_parameters() -> None:
    # DELETE /componentmetadata/tags requires componentIds and componentType.
    problems = " ".join(check_request(_req("DELETE", "/componentmetadata/tags", headers={})))
    for name in ("componentIds", "componentType", "Authorization", "x-api-key"):
        assert repr(name) in problems


def test_checker_validates_bodies_against_the_schema() -> None:
    good = {"name": "n", "parentDataGroupId": "dg_1", "sessionDefinition": [{"numPeriods": 3}]}
    assert check_request(_req("POST", "/data/dataviews", body=good)) == []
    bad = {"name": 5, "sessionDefinition": [{"granularity": "FORTNIGHT"}]}
    problems = " ".join(check_request(_req("POST", "/data/dataviews", body=bad)))
    assert "body at name" in problems and "FORTNIGHT" in problems
    # No requestBody declared: no body may be sent.
    assert "declares no requestBody" in " ".join(
        check_request(_req("PUT", "/data/dataviews/copy/dv_1", body={}))
    )


def test_checker_resolves_refs_to_components() -> None:
    # PUT /componentmetadata/assets/{id}/transfer's body is an array of $ref TransferData.
    ok = [{"componentType": "segment", "componentIds": ["s1"]}]
    assert check_request(_req("PUT", "/componentmetadata/assets/u/transfer", body=ok)) == []
    bad = [{"componentType": "segment", "componentIds": "s1"}]
    assert check_request(_req("PUT", "/componentmetadata/assets/u/transfer", body=bad))


def test_checker_matches_templates_and_knows_guide_only_operations() -> None:
    assert check_request(_req("GET", "/data/nowhere"))[0].endswith("nor in GUIDE_ONLY")
    # A literal segment beats a parameter: configurationSettings is not a connection id.
    op = find_operation("GET", ("data", "connections", "configurationSettings"))
    assert op is not None and op.source.startswith("docs/")
    op = find_operation("GET", ("data", "connections", "search"))
    assert op is not None and op.template == "/data/connections/search"
    problems = check_request(
        _req("GET", "/data/connections/c/datasets/d/backfills", (("includeStatus", "queued"),))
    )
    assert problems and "not in the enum" in problems[0]
    assert "is empty" in check_request(_req("GET", "/data/dataviews/ "))[0]


def test_guide_only_operations_are_really_missing_from_the_spec() -> None:
    paths = load_spec()["paths"]
    for method, template in GUIDE_ONLY:
        assert method.lower() not in paths.get(template, {}), f"{template} is in the spec now"


# -- the allow-lists only name what the spec really lacks or gets wrong -----------------------


def _spec_operation(method: str, template: str) -> dict[str, Any]:
    operation: dict[str, Any] = load_spec()["paths"][template][method.lower()]
    return operation


def test_extra_params_are_really_missing_from_the_spec() -> None:
    spec = load_spec()
    for (method, template), (_source, params) in EXTRA_PARAMS.items():
        raw = [
            *spec["paths"][template].get("parameters", []),
            *_spec_operation(method, template).get("parameters", []),
        ]
        declared = {fix_target(spec, param, "").get("name") for param in raw}
        assert declared, f"{method} {template}: no parameters found at all"
        assert not declared & set(params), f"{method} {template} declares them now"


def test_open_enums_only_add_values_the_spec_lacks() -> None:
    for (method, template, name), (_source, extra) in OPEN_ENUMS.items():
        op = next(o for o in operations() if (o.method, o.template) == (method, template))
        schema = op.params[("query", name)]["schema"]
        enum = set(schema.get("items", schema).get("enum", []))
        assert enum and not enum & extra, f"{method} {template} {name}: {sorted(enum & extra)}"


def test_body_fixes_name_members_the_spec_types_otherwise() -> None:
    spec = load_spec()
    for (method, template), (_source, fixes) in BODY_FIXES.items():
        body = _spec_operation(method, template)["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        for member_path, fix in fixes.items():
            assert fix_target(spec, schema, member_path) != fix, (method, template, member_path)
        # The fix is what the checker now uses.
        op = find_operation(method, tuple(template.strip("/").split("/")))
        assert op is not None and op.body is not None
        fixed = op.body["content"]["application/json"]["schema"]
        for member_path, fix in fixes.items():
            assert fix_target(spec, fixed, member_path) == fix


def test_body_fixes_leave_the_rest_of_the_body_checked() -> None:
    definition = {"func": "segment-def", "version": [1, 0, 0], "container": {}}
    assert check_request(_req("POST", "/segments", body={"definition": definition})) == []
    problems = check_request(_req("POST", "/segments", body={"name": 5, "definition": []}))
    assert any("body at name" in p for p in problems)
    assert any("body at definition" in p for p in problems)
    owner = {"name": "n", "owner": {"imsUserId": "7777777777.e"}}
    assert check_request(_req("PUT", "/projects/p1", body=owner)) == []
    # The component itself is untouched: only the bodies named are fixed.
    assert load_spec()["components"]["schemas"]["Owner"]["properties"]["imsUserId"]["type"] == (
        "integer"
    )
