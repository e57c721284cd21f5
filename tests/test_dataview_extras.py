"""Data views beyond CRUD: copy, validate, and their dimensions and metrics; org users."""

from __future__ import annotations

from typing import Any

import pytest

from cja_async import Client, NotFoundError, ServerError
from cja_async.models import DataView, Dimension, Metric, ValidationResult
from cja_async.testing import Simulator
from cja_async.testing._stores.users import USERS_PER_ORG

pytestmark = pytest.mark.anyio


async def a_view(cja: Client) -> DataView:
    return (await cja.dataviews.list(expansion=["name"], limit=1)).items[0]


async def test_copy_makes_a_new_view_with_the_same_components(cja: Client) -> None:
    original = await cja.dataviews.get(str((await a_view(cja)).id))
    copied = await cja.dataviews.copy(str(original.id))
    assert copied.id and copied.id != original.id
    assert copied.name == f"{original.name} (copy)"
    assert copied.parent_data_group_id == original.parent_data_group_id
    assert copied.extra == original.extra  # members no model declares come along
    again = await cja.dataviews.get(str(original.id))
    assert again.name == original.name  # the original is untouched
    dims = [d.id async for d in cja.dataviews.list_dimensions(str(original.id))]
    assert [d.id async for d in cja.dataviews.list_dimensions(str(copied.id))] == dims


async def test_copy_is_not_retried(org_id: str) -> None:
    # A retry of a copy whose answer was lost could make a second copy.
    sim = Simulator(rate_limit=None)
    async with sim.client(org_id=org_id) as cja:
        view_id = str((await a_view(cja)).id)
        sim.faults.error_rate, sim.faults.error_statuses = 1.0, (503,)
        sim.reset_stats()
        with pytest.raises(ServerError):
            await cja.dataviews.copy(view_id)
        assert sim.org_stats(org_id).requests == 1
        with pytest.raises(ServerError):
            await cja.dataviews.get(view_id)  # a read is retried
        assert sim.org_stats(org_id).requests > 2


async def test_copy_of_a_missing_view(cja: Client) -> None:
    with pytest.raises(NotFoundError):
        await cja.dataviews.copy("dv_missing")


async def test_validate(cja: Client, sim: Simulator, org_id: str) -> None:
    view = await cja.dataviews.get(str((await a_view(cja)).id))
    result = await cja.dataviews.validate(view)
    assert isinstance(result, ValidationResult) and result.valid is True
    assert result.validator_version
    bad = await cja.dataviews.validate(DataView(name="no group"))
    assert bad.valid is False and "parentDataGroupId" in str(bad.message)
    with pytest.raises(TypeError, match="data_view"):
        await cja.dataviews.validate({"name": "x"})  # type: ignore[arg-type]
    total = len([v async for v in cja.dataviews.list(limit=1000)])
    assert total == sim.dataviews  # validating saved nothing


async def test_dimensions_hide_hidden_ones_and_expand(cja: Client) -> None:
    view_id = str((await a_view(cja)).id)
    shown = [d async for d in cja.dataviews.list_dimensions(view_id, limit=5)]
    everything = [
        d async for d in cja.dataviews.list_dimensions(view_id, include_type=["hidden"], limit=5)
    ]
    assert all(isinstance(d, Dimension) for d in shown)
    assert len({d.id for d in everything}) == len(everything) == len(shown) + 2
    assert all(str(d.id).startswith("variables/") and d.name and d.type for d in shown)
    assert all(d.description is None and d.hidden is None for d in shown)  # id, name, type only
    expanded = (
        await cja.dataviews.list_dimensions(view_id, expansion=["description", "hidden"], limit=50)
    ).items
    assert all(d.description and d.hidden is False for d in expanded)


async def test_get_dimension_with_or_without_prefix(cja: Client) -> None:
    view_id = str((await a_view(cja)).id)
    bare = await cja.dataviews.get_dimension(view_id, "timespent", expansion=["bucketingSetting"])
    prefixed = await cja.dataviews.get_dimension(view_id, "variables/timespent")
    assert bare.id == prefixed.id == "variables/timespent"
    setting = bare.bucketing_setting
    assert setting and setting.enabled and setting.bucket_settings
    assert setting.bucket_settings[0].from_ == 0  # JSON "from"
    with pytest.raises(NotFoundError):
        await cja.dataviews.get_dimension(view_id, "variables/nosuchthing")
    with pytest.raises(ValueError, match="dimension_id"):
        await cja.dataviews.get_dimension(view_id, "variables/")


async def test_metrics(cja: Client) -> None:
    view_id = str((await a_view(cja)).id)
    metrics = [m async for m in cja.dataviews.list_metrics(view_id)]
    assert metrics and all(isinstance(m, Metric) for m in metrics)
    assert all(str(m.id).startswith("metrics/") for m in metrics)
    with_hidden = await cja.dataviews.list_metrics(view_id, include_type=["hidden"])
    assert with_hidden.total_elements == len(metrics) + 2
    revenue = await cja.dataviews.get_metric(
        view_id, "metrics/revenue", expansion=["formatSetting", "precision"]
    )
    assert revenue.format_setting and revenue.format_setting.currency == "USD"
    assert revenue.precision == 2
    assert (await cja.dataviews.get_metric(view_id, "revenue")).id == "metrics/revenue"


async def test_component_ids_stay_in_their_path_segment(cja: Client) -> None:
    view_id = str((await a_view(cja)).id)
    # "a/../../x" must not climb out of /dimensions/: it is escaped as one segment.
    with pytest.raises(NotFoundError):
        await cja.dataviews.get_dimension(view_id, "variables/a/../../x")


async def test_components_of_a_missing_view(cja: Client) -> None:
    with pytest.raises(NotFoundError):
        await cja.dataviews.list_metrics("dv_missing")


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda cja: cja.dataviews.copy(""), ValueError, "data_view_id"),
        (lambda cja: cja.dataviews.list_dimensions(""), ValueError, "data_view_id"),
        (lambda cja: cja.dataviews.list_metrics("dv", limit=0), ValueError, "limit"),
        (lambda cja: cja.dataviews.get_metric("dv", ""), ValueError, "metric_id"),
        (lambda cja: cja.dataviews.get_metric("dv", 3), TypeError, "metric_id"),
        (lambda cja: cja.dataviews.get_dimension("", "x"), ValueError, "data_view_id"),
    ],
)
async def test_bad_arguments_raise_before_any_request(
    cja: Client, sim: Simulator, org_id: str, call: Any, error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        result = call(cja)
        if hasattr(result, "__await__"):
            await result
    assert sim.org_stats(org_id).requests == 0


async def test_org_users_every_page(cja: Client) -> None:
    users = [u async for u in cja.users.list(limit=10)]
    assert len(users) == len({u.id for u in users}) == USERS_PER_ORG
    page = await cja.users.list(limit=10, page=2)
    assert page.number == 2 and page.total_elements == USERS_PER_ORG and page.is_last
    assert [u.id for u in page.items] == [u.id for u in users[20:]]
    assert all(u.images is None for u in users)
    with_images = (await cja.users.list(expansion=["images"], limit=3)).items
    assert all(u.images and u.license_groups and u.email for u in with_images)
    with pytest.raises(ValueError, match="limit"):
        cja.users.list(limit=0)
