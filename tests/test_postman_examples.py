"""Adobe's Postman examples survive the client's models unchanged.

For every successful example response of an operation the client covers, ``EXAMPLES`` says
what the client makes of it; the body is structured the way the resources do it (pages
through ``parse_page``, then ``list[Model]``) and must unstructure to the same JSON,
placeholders like ``"<boolean>"`` included (the converter passes primitives through).

A guard runs every call of ``api_calls.CALLS``, sees which spec operations the client hits,
and fails when one of them has examples but no entry here: adding a resource means saying
what its examples structure into.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from api_calls import CALLS
from spec_check import RecordingTransport, find_operation, load_postman

from cja_async._convert import structure, unstructure
from cja_async._paging import parse_page
from cja_async.models import (
    AssetCount,
    CalculatedMetric,
    ComponentShares,
    ComponentTags,
    Connection,
    DataView,
    DateRange,
    DeleteResult,
    Dimension,
    Metric,
    MetricFunction,
    MetricValidation,
    OrgUser,
    Project,
    ProjectValidation,
    Report,
    Segment,
    SegmentValidation,
    Share,
    Tag,
    TransferResult,
    User,
    ValidationResult,
)
from cja_async.testing import Simulator


@dataclass(frozen=True)
class One:
    """The body is one ``model``."""

    model: type[Any]


@dataclass(frozen=True)
class PageOf:
    """The body is a page (any of the three shapes) of ``model``."""

    model: type[Any]


@dataclass(frozen=True)
class ListOf:
    """The body is a JSON array of ``model`` (not a page)."""

    model: type[Any]


@dataclass(frozen=True)
class NotModelled:
    """The client does not structure this answer; ``why`` says what it does instead."""

    why: str


@dataclass(frozen=True)
class NotAPage:
    """The example is no shape the list answers (a placeholder map where the service answers
    a page or an array): the client must refuse it with an error, not make items of it.
    ``why`` says where the real shapes are checked."""

    why: str


Shape = One | PageOf | ListOf | NotModelled | NotAPage

# "METHOD template" (the spec's template) -> what the client structures the answer into.
EXAMPLES: dict[str, Shape] = {
    "GET /configuration/users/me": One(User),
    "GET /configuration/orgs/users": PageOf(OrgUser),
    "GET /data/dataviews": PageOf(DataView),
    "POST /data/dataviews": One(DataView),
    "GET /data/dataviews/{dataViewId}": One(DataView),
    "PUT /data/dataviews/{dataViewId}": One(DataView),
    # dataviews.delete() returns None; the body is still a DeleteResult, so check that.
    "DELETE /data/dataviews/{dataViewId}": One(DeleteResult),
    "PUT /data/dataviews/copy/{dataViewId}": One(DataView),
    "POST /data/dataviews/validate": One(ValidationResult),
    # The spec's (and so Postman's) list examples show a single component where the service
    # answers a page of them (ENDPOINTS.md): the item model is what can be checked.
    "GET /data/dataviews/{dataviewId}/dimensions": One(Dimension),
    "GET /data/dataviews/{dataviewId}/dimensions/{dimensionId}": One(Dimension),
    "GET /data/dataviews/{dataviewId}/metrics": One(Metric),
    "GET /data/dataviews/{dataviewId}/metrics/{metricId}": One(Metric),
    "GET /data/connections": PageOf(Connection),
    "GET /data/connections/{connectionId}": One(Connection),
    "GET /data/connections/search": PageOf(Connection),
    "POST /reports": One(Report),
    # top_items() keeps only the rows; the whole answer still structures as a Report.
    "GET /reports/topItems": One(Report),
    "GET /calculatedmetrics": PageOf(CalculatedMetric),  # a bare array in the spec
    "GET /calculatedmetrics/{id}": One(CalculatedMetric),
    "PUT /calculatedmetrics/{id}": One(CalculatedMetric),
    "DELETE /calculatedmetrics/{id}": One(DeleteResult),
    "POST /calculatedmetrics/validate": One(MetricValidation),
    "GET /calculatedmetrics/functions": ListOf(MetricFunction),
    "GET /calculatedmetrics/functions/{id}": One(MetricFunction),
    # The spec's list example is one date range where the guide shows a page of them.
    "GET /dateranges": One(DateRange),
    "POST /dateranges": One(DateRange),
    "GET /dateranges/{id}": One(DateRange),
    "PUT /dateranges/{id}": One(DateRange),
    "DELETE /dateranges/{id}": One(DeleteResult),
    "GET /componentmetadata/tags": PageOf(Tag),  # a bare array in the spec, a page in the guide
    "POST /componentmetadata/tags": ListOf(Tag),
    "DELETE /componentmetadata/tags": NotModelled("tags.remove_all() returns None"),
    "GET /componentmetadata/tags/{id}": One(Tag),
    "DELETE /componentmetadata/tags/{id}": NotModelled("tags.delete() returns None"),
    # The spec shows one item where the guide shows a page of them: check the item model.
    "POST /componentmetadata/tags/component/search": One(ComponentTags),
    "GET /componentmetadata/tags/search": ListOf(Tag),
    "GET /componentmetadata/tags/tagnames": ListOf(str),
    "PUT /componentmetadata/tags/tagitems": ListOf(ComponentTags),
    "GET /componentmetadata/shares": PageOf(Share),  # a bare array in the spec
    # The spec answers one object, the guide an array; shares.replace() gives a list either way.
    "PUT /componentmetadata/shares": One(ComponentShares),
    "GET /componentmetadata/shares/{id}": One(Share),
    "DELETE /componentmetadata/shares/{id}": NotModelled("shares.delete() returns None"),
    "GET /componentmetadata/shares/sharedto/me": ListOf(str),
    "POST /componentmetadata/shares/component/search": One(ComponentShares),
    # The spec types the segment list as a map of objects, so Postman's example is the
    # placeholder map {"key_0": {}, "key_1": {}}; the guide answers a bare array or an
    # analytics page of segments, which tests/test_segments.py round-trips.
    "GET /segments": NotAPage("the guide's array and page are checked in test_segments.py"),
    "POST /segments": One(Segment),
    "GET /segments/{id}": One(Segment),
    "PUT /segments/{id}": One(Segment),
    "DELETE /segments/{id}": One(DeleteResult),  # segments.delete() returns None
    "POST /segments/validate": One(SegmentValidation),
    "GET /projects": PageOf(Project),  # a bare array in the spec
    "POST /projects": One(Project),
    "GET /projects/{id}": One(Project),
    "PUT /projects/{id}": One(Project),
    "DELETE /projects/{id}": One(DeleteResult),  # projects.delete() returns None
    "POST /projects/validate": One(ProjectValidation),
    "GET /componentmetadata/assets/{imsUserId}/counts": ListOf(AssetCount),
    "PUT /componentmetadata/assets/{recipientImsUserId}/transfer": One(TransferResult),
}


@dataclass(frozen=True)
class Example:
    """One successful example response of the collection."""

    operation: str  # "METHOD template"
    name: str
    body: Any


def _template(segments: list[str]) -> tuple[str, ...]:
    # Postman writes path parameters as ":name"; the spec as "{name}".
    return tuple(f"{{{s[1:]}}}" if s.startswith(":") else s for s in segments)


def examples() -> list[Example]:
    """Every 2xx example with a JSON body, keyed by the spec operation it belongs to."""
    found = []
    for request in load_postman():
        segments = _template(request["path"])
        op = find_operation(request["method"], segments)
        assert op is not None, f"{request['method']} {segments} is not in the spec"
        for response in request["responses"]:
            assert "text" not in response or response["code"] >= 300, response["name"]
            if 200 <= response["code"] < 300 and "body" in response:
                found.append(
                    Example(f"{op.method} {op.template}", response["name"], response["body"])
                )
    return found


EXAMPLE_LIST = examples()
COVERED_EXAMPLES = [e for e in EXAMPLE_LIST if e.operation in EXAMPLES]


def test_the_collection_has_examples() -> None:
    assert len(EXAMPLE_LIST) > 50
    assert COVERED_EXAMPLES


@pytest.mark.parametrize(
    "example", COVERED_EXAMPLES, ids=[f"{e.operation} ({e.name})" for e in COVERED_EXAMPLES]
)
def test_example_round_trips(example: Example) -> None:
    shape = EXAMPLES[example.operation]
    body = example.body
    if isinstance(shape, NotModelled):
        pytest.skip(shape.why)
    if isinstance(shape, NotAPage):
        with pytest.raises(TypeError, match="page"):
            parse_page(body, 0, 10)
        return
    if isinstance(shape, PageOf):
        # The resources' page path: parse_page, then list[Model].
        raw = parse_page(body, 0, 10)
        items = structure(raw.items, list[shape.model])  # type: ignore[name-defined]
        assert items and all(isinstance(i, shape.model) for i in items)
        assert unstructure(items) == (body["content"] if isinstance(body, dict) else body)
    elif isinstance(shape, ListOf):
        items = structure(body, list[shape.model])  # type: ignore[name-defined]
        assert unstructure(items) == body
    else:
        obj = structure(body, shape.model)
        assert isinstance(obj, shape.model)
        assert unstructure(obj) == body


def test_examples_are_modelled_not_left_as_extras() -> None:
    # A model whose field names miss the JSON would still round-trip (as extras): make sure
    # the examples' members mostly land in fields, so the table really checks the models.
    for example in COVERED_EXAMPLES:
        shape = EXAMPLES[example.operation]
        if isinstance(shape, One) and isinstance(example.body, dict):
            obj = structure(example.body, shape.model)
            assert len(obj.extra) <= len(example.body) // 2, (example.operation, obj.extra)


def test_table_names_real_operations() -> None:
    known = {e.operation for e in EXAMPLE_LIST}
    assert not sorted(set(EXAMPLES) - known), "EXAMPLES names operations without examples"


@pytest.mark.anyio
async def test_every_covered_operation_with_examples_has_an_entry(sim: Simulator) -> None:
    covered: set[str] = set()
    for number, key in enumerate(sorted(CALLS)):
        recorder = RecordingTransport(httpx.ASGITransport(app=sim))
        org = f"T{uuid.uuid4().hex[:12].upper()}N{number}@AdobeOrg"  # an org of its own
        async with sim.client(org_id=org, transport=recorder) as cja:
            await CALLS[key](cja)
        for req in recorder.requests:
            op = find_operation(req.method, req.segments)
            if op is not None:
                covered.add(f"{op.method} {op.template}")
    with_examples = {e.operation for e in EXAMPLE_LIST}
    missing = sorted((covered & with_examples) - set(EXAMPLES))
    assert not missing, f"add these to EXAMPLES in {__file__}: {missing}"
