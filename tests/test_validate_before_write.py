"""``validate=True`` on segment and calculated-metric writes: validate first, write only if
the validator says the definition is good (issue 8), against the simulator.

Requests are counted per path with the org's ``stats.by_path``, so "nothing was written"
means the write's path saw no request at all, not just that the store looks unchanged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from cja_async import BadRequestError, Client
from cja_async.models import CalculatedMetric, Segment, SegmentValidation
from cja_async.resources._base import ensure_valid
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio

SEGMENT_DEFINITION: dict[str, Any] = {
    "func": "segment-def",
    "version": [1, 0, 0],
    "container": {
        "func": "segment",
        "context": "visits",
        "pred": {"func": "exists", "val": {"func": "attr", "name": "variables/page"}},
    },
}
# No predicate: the simulator's validator (like Adobe's) calls it invalid.
BAD_SEGMENT_DEFINITION: dict[str, Any] = {
    "func": "segment-def",
    "version": [1, 0, 0],
    "container": {"func": "segment", "context": "visits"},
}
METRIC_DEFINITION: dict[str, Any] = {
    "func": "calc-metric",
    "version": [1, 0, 0],
    "formula": {
        "func": "divide",
        "col1": {"func": "metric", "name": "metrics/visits"},
        "col2": {"func": "metric", "name": "metrics/visitors"},
    },
}
BAD_METRIC_DEFINITION: dict[str, Any] = {
    **METRIC_DEFINITION,
    "formula": {"func": "frobnicate", "col": {"func": "metric", "name": "metrics/visits"}},
}

SEG_VALIDATE = "/segments/validate"
CM_VALIDATE = "/calculatedmetrics/validate"


class Counts:
    """Requests per path since the last ``take``."""

    def __init__(self, sim: Simulator, org_id: str) -> None:
        self._stats = sim.org_stats(org_id)
        self._seen: Counter[str] = Counter()

    def take(self) -> Counter[str]:
        now = Counter(self._stats.by_path)
        delta = now - self._seen
        self._seen = now
        return delta


@pytest.fixture
def counts(sim: Simulator, org_id: str) -> Counts:
    return Counts(sim, org_id)


async def _view_id(cja: Client) -> str:
    return str((await cja.dataviews.list(limit=1)).items[0].id)


async def _a_segment(cja: Client) -> Segment:
    return (await cja.segments.list(expansion=["definition"], limit=1)).items[0]


# -- segments ---------------------------------------------------------------------------


async def test_segment_create_with_an_invalid_definition_creates_nothing(
    cja: Client, counts: Counts
) -> None:
    view = await _view_id(cja)
    counts.take()
    segment = Segment(name="Never created", rsid=view, definition=BAD_SEGMENT_DEFINITION)
    with pytest.raises(BadRequestError) as caught:
        await cja.segments.create(segment, validate=True)
    assert counts.take() == Counter({SEG_VALIDATE: 1}), "no POST /segments was sent"
    error = caught.value
    assert error.status_code == 400 and error.error_code == "invalid_definition"
    assert (error.method, error.path) == ("POST", SEG_VALIDATE)
    # The validator's own words, and its whole answer for programs.
    assert "container.pred must be an object" in error.message
    assert error.details["valid"] is False and error.details["errors"]
    found = await cja.segments.list(name="Never created", include_type=["all"])
    assert found.items == []


async def test_segment_create_checks_against_the_segments_data_view(
    cja: Client, counts: Counts
) -> None:
    # A good definition for a data view the org lacks: the rsid reached the validator.
    segment = Segment(name="x", rsid="dv_unknown", definition=SEGMENT_DEFINITION)
    with pytest.raises(BadRequestError, match="unknown data view dv_unknown"):
        await cja.segments.create(segment, validate=True)
    assert counts.take() == Counter({SEG_VALIDATE: 1})


async def test_segment_create_with_a_valid_definition_costs_one_more_request(
    cja: Client, counts: Counts
) -> None:
    view = await _view_id(cja)
    counts.take()
    segment = Segment(name="Validated first", rsid=view, definition=SEGMENT_DEFINITION)
    created = await cja.segments.create(segment, validate=True)
    assert counts.take() == Counter({SEG_VALIDATE: 1, "/segments": 1})
    assert created.id and created.name == "Validated first"
    assert created.definition == SEGMENT_DEFINITION


async def test_segment_create_does_not_validate_by_default(cja: Client, counts: Counts) -> None:
    view = await _view_id(cja)
    counts.take()
    segment = Segment(name="Straight to the server", rsid=view, definition=BAD_SEGMENT_DEFINITION)
    with pytest.raises(BadRequestError) as caught:
        await cja.segments.create(segment)
    # The write itself was refused by the service, with the service's own error code.
    assert counts.take() == Counter({"/segments": 1})
    assert caught.value.error_code == "invalid_segment_definition"


async def test_segment_update_with_an_invalid_definition_changes_nothing(
    cja: Client, counts: Counts
) -> None:
    before = await _a_segment(cja)
    url = f"/segments/{before.id}"
    counts.take()
    with pytest.raises(BadRequestError) as caught:
        await cja.segments.update(
            str(before.id), name="Not renamed", definition=BAD_SEGMENT_DEFINITION, validate=True
        )
    assert counts.take() == Counter({SEG_VALIDATE: 1}), "no PUT was sent"
    assert caught.value.error_code == "invalid_definition"
    after = await cja.segments.get(str(before.id), expansion=["definition"])
    assert (after.name, after.definition) == (before.name, before.definition)
    assert counts.take() == Counter({url: 1})


async def test_segment_update_validates_the_definition_of_a_changes_model(
    cja: Client, counts: Counts
) -> None:
    before = await _a_segment(cja)
    counts.take()
    with pytest.raises(BadRequestError, match="invalid"):
        await cja.segments.update(
            str(before.id), Segment(definition=BAD_SEGMENT_DEFINITION), validate=True
        )
    assert counts.take() == Counter({SEG_VALIDATE: 1})


async def test_segment_update_with_a_valid_definition_costs_one_more_request(
    cja: Client, counts: Counts
) -> None:
    before = await _a_segment(cja)
    counts.take()
    updated = await cja.segments.update(
        str(before.id), definition=SEGMENT_DEFINITION, rsid=before.rsid, validate=True
    )
    assert counts.take() == Counter({SEG_VALIDATE: 1, f"/segments/{before.id}": 1})
    assert updated.definition == SEGMENT_DEFINITION


async def test_segment_update_without_a_definition_has_nothing_to_validate(
    cja: Client, counts: Counts
) -> None:
    before = await _a_segment(cja)
    counts.take()
    updated = await cja.segments.update(str(before.id), description="new words", validate=True)
    assert counts.take() == Counter({f"/segments/{before.id}": 1})
    assert updated.description == "new words"


async def test_segment_create_without_a_definition_to_validate_is_refused_up_front(
    cja: Client, counts: Counts
) -> None:
    counts.take()
    with pytest.raises(ValueError, match="definition"):
        await cja.segments.create(Segment(name="x", rsid="dv_1"), validate=True)
    assert counts.take() == Counter()


# -- calculated metrics -------------------------------------------------------------------


async def test_metric_create_with_an_invalid_definition_creates_nothing(
    cja: Client, counts: Counts
) -> None:
    metric = CalculatedMetric(name="Never", data_id="dv_1", definition=BAD_METRIC_DEFINITION)
    with pytest.raises(BadRequestError) as caught:
        await cja.calculated_metrics.create(metric, validate=True)
    assert counts.take() == Counter({CM_VALIDATE: 1}), "no POST /calculatedmetrics was sent"
    error = caught.value
    assert error.status_code == 400 and error.error_code == "invalid_definition"
    assert (error.method, error.path) == ("POST", CM_VALIDATE)
    assert "Unknown function 'frobnicate'" in error.message
    assert "calculated metric" in str(error)


async def test_metric_create_with_a_valid_definition_costs_one_more_request(
    cja: Client, counts: Counts
) -> None:
    metric = CalculatedMetric(name="Per visitor", data_id="dv_1", definition=METRIC_DEFINITION)
    created = await cja.calculated_metrics.create(metric, validate=True)
    assert counts.take() == Counter({CM_VALIDATE: 1, "/calculatedmetrics": 1})
    assert created.id and created.definition == METRIC_DEFINITION


async def test_metric_update_validates_only_a_definition(cja: Client, counts: Counts) -> None:
    metric = (await cja.calculated_metrics.list(limit=1)).items[0]
    url = f"/calculatedmetrics/{metric.id}"
    counts.take()
    with pytest.raises(BadRequestError, match="frobnicate"):
        await cja.calculated_metrics.update(
            str(metric.id), CalculatedMetric(definition=BAD_METRIC_DEFINITION), validate=True
        )
    # An update reads the metric (GET) before it writes the whole (PUT): one request to the
    # metric's path here is the read, and nothing was written.
    assert counts.take() == Counter({CM_VALIDATE: 1, url: 1}), "no PUT was sent"
    stored = await cja.calculated_metrics.get(metric.id, expansion=["definition"])
    assert stored.definition != BAD_METRIC_DEFINITION
    counts.take()
    renamed = await cja.calculated_metrics.update(
        str(metric.id), CalculatedMetric(name="Renamed"), validate=True
    )
    assert counts.take() == Counter({url: 2}) and renamed.name == "Renamed"
    changed = await cja.calculated_metrics.update(
        str(metric.id), CalculatedMetric(definition=METRIC_DEFINITION), validate=True
    )
    assert counts.take() == Counter({CM_VALIDATE: 1, url: 2})
    assert changed.definition == METRIC_DEFINITION


# -- the shared check ----------------------------------------------------------------------


def test_ensure_valid_reads_every_answer_shape() -> None:
    # Only an explicit "valid": false stops a write; an answer that does not say lets it go.
    ensure_valid(SegmentValidation(valid=True), what="segment", path=SEG_VALIDATE)
    ensure_valid(SegmentValidation(), what="segment", path=SEG_VALIDATE)
    ensure_valid(SegmentValidation(valid="<boolean>"), what="segment", path=SEG_VALIDATE)  # type: ignore[arg-type]
    # Errors as strings (the spec) or objects (other validators), each said once.
    answer = SegmentValidation(
        valid=False, message="bad a", errors=["bad a", {"message": "b"}, "b"]
    )
    with pytest.raises(BadRequestError) as caught:
        ensure_valid(answer, what="segment", path=SEG_VALIDATE)
    assert caught.value.message == "the segment definition is invalid: bad a; b"
    with pytest.raises(BadRequestError, match="gave no reason"):
        ensure_valid(SegmentValidation(valid=False), what="segment", path=SEG_VALIDATE)
