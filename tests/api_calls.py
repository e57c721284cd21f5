"""One call per public resource method, with every parameter it has, against the simulator.

The spec-conformance test records what each call sends and checks it against openapi.json;
the Postman test uses the same calls to learn which operations the client covers. A guard
test fails when a public method of any resource on ``Client`` has no entry here, so adding a
method means adding its call::

    @call("segments", "get")
    async def _(cja: Client) -> object:
        seg = await first(cja.segments.list())
        return await cja.segments.get(seg.id, expansion=["name", "definition"], locale="en_US")

Use every keyword argument the method takes (with values the spec allows), so each
parameter is checked at least once. Each call runs in an org of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, TypeVar

from cja_async import Client
from cja_async.models import DataView, Owner, Project, Segment

__all__ = ["CALLS", "Call", "call", "first"]

Call = Callable[[Client], Awaitable[object]]
CALLS: dict[tuple[str, str], Call] = {}

T = TypeVar("T")


def call(resource: str, method: str) -> Callable[[Call], Call]:
    """Register the call exercising ``cja.<resource>.<method>``."""

    def register(fn: Call) -> Call:
        key = (resource, method)
        if key in CALLS:
            raise ValueError(f"two calls registered for {resource}.{method}")
        CALLS[key] = fn
        return fn

    return register


async def first(items: AsyncIterator[T] | Any) -> T:
    """The first item a pager yields."""
    async for item in items:
        return item  # type: ignore[no-any-return]
    raise AssertionError("the simulator returned no items")


# -- users ----------------------------------------------------------------------------------


@call("users", "me")
async def _users_me(cja: Client) -> object:
    return await cja.users.me(expansion=["admin"])


@call("users", "list")
async def _users_list(cja: Client) -> object:
    return await cja.users.list(expansion=["images"], use_cache=False, limit=5, page=1)


# -- data views -----------------------------------------------------------------------------

_DV_EXPANSION = ["name", "owner", "parentDataGroupId", "modified", "externalData"]


async def _a_dataview(cja: Client) -> DataView:
    return await first(cja.dataviews.list(expansion=_DV_EXPANSION, limit=3))


@call("dataviews", "list")
async def _dataviews_list(cja: Client) -> object:
    view = await _a_dataview(cja)
    assert view.external_data is not None and view.parent_data_group_id is not None
    return await cja.dataviews.list(
        expansion=_DV_EXPANSION,
        parent_data_group_id=view.parent_data_group_id,
        external_ids=[str(view.external_data.external_id)],
        external_parent_ids=[str(view.external_data.external_parent_id)],
        data_view_ids=[str(view.id)],
        include_type=["deleted"],
        cached=False,
        limit=10,
        page=0,
        sort_direction="DESC",
        sort_property="modifiedDate",
    )


@call("dataviews", "get")
async def _dataviews_get(cja: Client) -> object:
    view = await _a_dataview(cja)
    return await cja.dataviews.get(str(view.id), expansion=_DV_EXPANSION)


@call("dataviews", "create")
async def _dataviews_create(cja: Client) -> object:
    template = await cja.dataviews.get(str((await _a_dataview(cja)).id))
    view = DataView(
        name="Created by the conformance test",
        description="with every member a create takes",
        parent_data_group_id=template.parent_data_group_id,
        session_definition=template.session_definition,
        container_names=template.container_names,
        external_data=template.external_data,
        timezone_designator=template.timezone_designator,
    )
    return await cja.dataviews.create(view, expansion=["name"])


@call("dataviews", "update")
async def _dataviews_update(cja: Client) -> object:
    view = await cja.dataviews.get(str((await _a_dataview(cja)).id))
    view.description = "Updated by the conformance test"
    return await cja.dataviews.update(str(view.id), view, expansion=["name", "description"])


@call("dataviews", "delete")
async def _dataviews_delete(cja: Client) -> object:
    await cja.dataviews.delete(str((await _a_dataview(cja)).id))
    return None


@call("dataviews", "copy")
async def _dataviews_copy(cja: Client) -> object:
    return await cja.dataviews.copy(str((await _a_dataview(cja)).id), expansion=["name"])


@call("dataviews", "validate")
async def _dataviews_validate(cja: Client) -> object:
    return await cja.dataviews.validate(await cja.dataviews.get(str((await _a_dataview(cja)).id)))


_COMPONENT_EXPANSION = ["description", "hidden", "tags", "type", "dataSetIds"]


@call("dataviews", "list_dimensions")
async def _dataviews_list_dimensions(cja: Client) -> object:
    view = await _a_dataview(cja)
    return await cja.dataviews.list_dimensions(
        str(view.id),
        include_type=["hidden"],
        locale="en_US",
        expansion=_COMPONENT_EXPANSION,
        limit=10,
        page=1,
    )


@call("dataviews", "get_dimension")
async def _dataviews_get_dimension(cja: Client) -> object:
    view = await _a_dataview(cja)
    dim = await first(cja.dataviews.list_dimensions(str(view.id)))
    return await cja.dataviews.get_dimension(
        str(view.id), str(dim.id), locale="en_US", expansion=["description", "bucketingSetting"]
    )


@call("dataviews", "list_metrics")
async def _dataviews_list_metrics(cja: Client) -> object:
    view = await _a_dataview(cja)
    return await cja.dataviews.list_metrics(
        str(view.id),
        include_type=["hidden"],
        locale="en_US",
        expansion=_COMPONENT_EXPANSION,
        limit=10,
        page=0,
    )


@call("dataviews", "get_metric")
async def _dataviews_get_metric(cja: Client) -> object:
    view = await _a_dataview(cja)
    metric = await first(cja.dataviews.list_metrics(str(view.id)))
    return await cja.dataviews.get_metric(
        str(view.id), str(metric.id), locale="en_US", expansion=["formatSetting", "precision"]
    )


# -- connections ----------------------------------------------------------------------------

_CONNECTION_EXPANSION = ["name", "owner", "dataSets", "modified", "sandboxName", "sandboxId"]


@call("connections", "list")
async def _connections_list(cja: Client) -> object:
    conn = await first(cja.connections.list(expansion=_CONNECTION_EXPANSION))
    assert conn.data_sets
    return await cja.connections.list(
        expansion=_CONNECTION_EXPANSION,
        data_set_ids=[str(conn.data_sets[0].data_set_id)],
        connection_ids=[str(conn.id)],
        sandbox_id=conn.sandbox_id,
        sandbox_name=conn.sandbox_name,
        include_type=["systemUserOwned", "disabled"],
        filter_by_modified_after="2020-01-01T00:00:00Z",
        cached=False,
        locale="en_US",
        include_hidden_data_sets=True,
        internal_label="certified",
        internal_label_namespace="cja",
        limit=5,
        page=0,
        sort_direction="ASC",
        sort_property="modifiedDate",
    )


@call("connections", "get")
async def _connections_get(cja: Client) -> object:
    conn = await first(cja.connections.list())
    return await cja.connections.get(
        str(conn.id),
        expansion=["name", "dataSets", "schemaInfo", "ownerFullName", "owner"],
        locale="en_US",
        include_hidden_data_sets=False,
    )


@call("connections", "search")
async def _connections_search(cja: Client) -> object:
    return await cja.connections.search(
        "connection",
        expansion=["name", "dataSets"],
        locale="en_US",
        include_hidden_data_sets=True,
        limit=5,
        page=1,
    )


@call("connections", "backfills")
async def _connections_backfills(cja: Client) -> object:
    conn = await first(cja.connections.list(expansion=["dataSets"]))
    assert conn.data_sets
    return await cja.connections.backfills(
        str(conn.id),
        str(conn.data_sets[0].data_set_id),
        include_status=["inProgress", "completed", "failed"],
        limit=5,
        page=0,
        sort_direction="DESC",
        sort_property="createdDate",
    )


@call("connections", "data_source_types")
async def _connections_data_source_types(cja: Client) -> object:
    return await cja.connections.data_source_types(locale="en_US")


# -- calculated metrics, date ranges, tags, shares, annotations, audit logs ----------------

CM_DEFINITION = {
    "func": "calc-metric",
    "formula": {
        "func": "divide",
        "col1": {"func": "metric", "name": "metrics/visits"},
        "col2": {"func": "metric", "name": "metrics/visitors"},
    },
    "version": [1, 0, 0],
}


@call("calculated_metrics", "list")
async def _calculated_metrics_list(cja: Client) -> object:
    return await cja.calculated_metrics.list(
        expansion=["definition", "tags", "ownerFullName"],
        include_type=["all", "shared", "templates"],
        data_ids=["dv_1", "dv_2"],
        owner_id="owner@AdobeID",
        filter_by_ids=["cm_1", "cm_2"],
        to_be_used_in_rsid="dv_1",
        locale="en_US",
        favorite=True,
        approved=False,
        pagination=True,
        limit=5,
        page=0,
        sort_direction="DESC",
        sort_property="modified_date",
    )


@call("calculated_metrics", "get")
async def _calculated_metrics_get(cja: Client) -> object:
    metric = await first(cja.calculated_metrics.list())
    return await cja.calculated_metrics.get(
        str(metric.id),
        expansion=["definition", "tags"],
        include_hidden=True,
        to_be_used_in_rsid="dv_1",
        locale="en_US",
    )


@call("calculated_metrics", "create")
async def _calculated_metrics_create(cja: Client) -> object:
    from cja_async.models import CalculatedMetric

    metric = CalculatedMetric(name="Visits per visitor", data_id="dv_1", definition=CM_DEFINITION)
    return await cja.calculated_metrics.create(metric)


@call("calculated_metrics", "update")
async def _calculated_metrics_update(cja: Client) -> object:
    from cja_async.models import CalculatedMetric

    metric = await first(cja.calculated_metrics.list())
    return await cja.calculated_metrics.update(
        str(metric.id),
        # No definition: the client sends the whole metric, which the spec requires.
        CalculatedMetric(name="Renamed", precision=2),
        expansion=["definition"],
        locale="en_US",
        cached=False,
    )


@call("calculated_metrics", "delete")
async def _calculated_metrics_delete(cja: Client) -> object:
    metric = await first(cja.calculated_metrics.list())
    return await cja.calculated_metrics.delete(str(metric.id), locale="en_US")


@call("calculated_metrics", "validate")
async def _calculated_metrics_validate(cja: Client) -> object:
    from cja_async.models import CalculatedMetric

    metric = CalculatedMetric(name="Check", data_id="dv_1", definition=CM_DEFINITION)
    return await cja.calculated_metrics.validate(metric, locale="en_US", migrating=False)


@call("calculated_metrics", "functions")
async def _calculated_metrics_functions(cja: Client) -> object:
    return await cja.calculated_metrics.functions(locale="en_US")


@call("calculated_metrics", "function")
async def _calculated_metrics_function(cja: Client) -> object:
    return await cja.calculated_metrics.function("divide", locale="en_US")


@call("date_ranges", "list")
async def _date_ranges_list(cja: Client) -> object:
    return await cja.date_ranges.list(
        expansion=["definition", "tags", "shares"],
        include_type=["shared", "templates"],
        filter_by_ids=["a", "b"],
        locale="en_US",
        limit=5,
        page=0,
    )


@call("date_ranges", "get")
async def _date_ranges_get(cja: Client) -> object:
    item = await first(cja.date_ranges.list())
    return await cja.date_ranges.get(str(item.id), expansion=["definition"], locale="en_US")


@call("date_ranges", "create")
async def _date_ranges_create(cja: Client) -> object:
    from cja_async.models import DateRange

    return await cja.date_ranges.create(
        DateRange(name="This month", definition={"range": "tm/tm+1m"}),
        expansion=["definition"],
        locale="en_US",
    )


@call("date_ranges", "update")
async def _date_ranges_update(cja: Client) -> object:
    from cja_async.models import DateRange

    item = await first(cja.date_ranges.list())
    return await cja.date_ranges.update(
        str(item.id), DateRange(name="Renamed"), expansion=["definition"], locale="en_US"
    )


@call("date_ranges", "delete")
async def _date_ranges_delete(cja: Client) -> object:
    item = await first(cja.date_ranges.list())
    return await cja.date_ranges.delete(str(item.id))


@call("tags", "list")
async def _tags_list(cja: Client) -> object:
    return await cja.tags.list(limit=5, page=0)


@call("tags", "create")
async def _tags_create(cja: Client) -> object:
    from cja_async.models import Tag, TaggedComponent

    component = TaggedComponent(component_type="segment", component_id="s_1")
    return await cja.tags.create([Tag(name="sales", description="Sales", components=[component])])


@call("tags", "get")
async def _tags_get(cja: Client) -> object:
    tag = await first(cja.tags.list())
    assert tag.id is not None
    return await cja.tags.get(tag.id)


@call("tags", "delete")
async def _tags_delete(cja: Client) -> object:
    tag = await first(cja.tags.list())
    assert tag.id is not None
    return await cja.tags.delete(tag.id)


@call("tags", "remove_all")
async def _tags_remove_all(cja: Client) -> object:
    return await cja.tags.remove_all(["s_1", "s_2"], "segment")


@call("tags", "of_component")
async def _tags_of_component(cja: Client) -> object:
    return await cja.tags.of_component("s_1", "segment")


@call("tags", "search")
async def _tags_search(cja: Client) -> object:
    return await cja.tags.search("segment", ["s_1", "s_2"], data_id="dv_1", limit=5, page=0)


@call("tags", "component_ids")
async def _tags_component_ids(cja: Client) -> object:
    return await cja.tags.component_ids(["sales-1", "finance-1"], "calculatedMetric")


@call("tags", "replace")
async def _tags_replace(cja: Client) -> object:
    from cja_async.models import ComponentTags, Tag

    item = ComponentTags(component_type="segment", component_id="s_1", tags=[Tag(name="web")])
    return await cja.tags.replace([item])


@call("shares", "list")
async def _shares_list(cja: Client) -> object:
    return await cja.shares.list(
        include_type=["sharedTo"], user_id="someone@AdobeID", limit=5, page=0
    )


@call("shares", "replace")
async def _shares_replace(cja: Client) -> object:
    from cja_async.models import ComponentShares, Share

    share = Share(share_to_id=622291, share_to_type="user", access_level="view")
    item = ComponentShares(component_type="segment", component_id="s_1", shares=[share])
    return await cja.shares.replace([item], locale="en_US")


@call("shares", "get")
async def _shares_get(cja: Client) -> object:
    share = await first(cja.shares.list())
    assert share.share_id is not None
    return await cja.shares.get(share.share_id)


@call("shares", "delete")
async def _shares_delete(cja: Client) -> object:
    share = await first(cja.shares.list())
    assert share.share_id is not None
    return await cja.shares.delete(share.share_id, locale="en_US")


@call("shares", "shared_with_me")
async def _shares_shared_with_me(cja: Client) -> object:
    return await cja.shares.shared_with_me("segment")


@call("shares", "search")
async def _shares_search(cja: Client) -> object:
    return await cja.shares.search(
        "segment",
        ["s_1"],
        data_id="dv_1",
        expansion=["sharesFullName"],
        locale="en_US",
        limit=5,
        page=0,
    )


@call("annotations", "list")
async def _annotations_list(cja: Client) -> object:
    return await cja.annotations.list(
        expansion=["name", "dateRange", "color"],
        include_type=["all", "shared"],
        locale="en_US",
        filter_by_modified_after="2021-01-01T00:00:00Z",
        filter_by_date_range="2021-01-01T00:00:00Z/2030-01-01T00:00:00Z",
        limit=5,
        page=0,
    )


@call("annotations", "get")
async def _annotations_get(cja: Client) -> object:
    item = await first(cja.annotations.list())
    return await cja.annotations.get(str(item.id), expansion=["name", "color"], locale="en_US")


@call("annotations", "create")
async def _annotations_create(cja: Client) -> object:
    from cja_async.models import Annotation

    note = Annotation(
        name="Launch",
        data_id="dv_1",
        date_range="2024-02-14T00:00:00/2024-02-14T23:59:59",
        color="STANDARD1",
    )
    return await cja.annotations.create(note)


@call("annotations", "update")
async def _annotations_update(cja: Client) -> object:
    from cja_async.models import Annotation

    item = await first(cja.annotations.list())
    return await cja.annotations.update(str(item.id), Annotation(name="Renamed"))


@call("annotations", "delete")
async def _annotations_delete(cja: Client) -> object:
    item = await first(cja.annotations.list())
    return await cja.annotations.delete(str(item.id))


@call("audit_logs", "list")
async def _audit_logs_list(cja: Client) -> object:
    return await cja.audit_logs.list(
        start_date="2021-08-01T00:00:00-07",
        end_date="2030-09-30T00:00:00-07",
        action=["CREATE", "EDIT"],
        component="CALCULATED_METRIC",
        component_id="cm_1",
        user_type="IMS",
        user_id="someone@AdobeID",
        user_email="example.com",
        description="create",
        user_token="user-token",
        limit=10,
        page=0,
    )


@call("audit_logs", "search")
async def _audit_logs_search(cja: Client) -> object:
    from cja_async.models import AuditLogCriteria, AuditLogField

    criteria = AuditLogCriteria(
        field_operator="AND",
        fields=[AuditLogField(field_type="ACTION", value=["CREATE"], operator="IN")],
    )
    return await cja.audit_logs.search(criteria, user_token="user-token", limit=10, page=0)


@call("calculated_metrics", "get_many")
async def _calculated_metrics_get_many(cja: Client) -> object:
    ids = [str(m.id) async for m in cja.calculated_metrics.list(limit=3)][:3]
    return await cja.calculated_metrics.get_many(
        ids, expansion=["definition"], include_type=["templates", "deleted"], locale="en_US"
    )


@call("date_ranges", "get_many")
async def _date_ranges_get_many(cja: Client) -> object:
    ids = [str(d.id) async for d in cja.date_ranges.list(limit=3)][:3]
    return await cja.date_ranges.get_many(
        ids, expansion=["definition"], include_type=["templates"], locale="en_US"
    )


# -- segments -------------------------------------------------------------------------------

SEGMENT_DEFINITION = {
    "container": {
        "func": "segment",
        "context": "visits",
        "pred": {
            "func": "range",
            "description": "Revenue greater than 500",
            "val": {"func": "attr", "name": "metrics/revenue"},
            "low": 500,
            "high": None,
        },
    },
    "func": "segment-def",
    "version": [1, 0, 0],
}
# Mobile-phone visits: a strict part of every seeded data view's events (reports tests).
MOBILE_VISITS = {
    "func": "segment-def",
    "version": [1, 0, 0],
    "container": {
        "func": "segment",
        "context": "visits",
        "pred": {
            "func": "streq",
            "str": "Mobile Phone",
            "val": {"func": "attr", "name": "variables/devicetype"},
        },
    },
}
# "publishingStatus" and "categories" are in the segments guide, not in the spec's enum.
_SEGMENT_EXPANSION = ["definition", "owner", "tags", "modified", "publishingStatus"]


async def _a_segment(cja: Client) -> Segment:
    """A segment with a tag, with what the list filters can select it by."""
    async for segment in cja.segments.list(
        expansion=["owner", "tags", "dataId", "modified", "publishingStatus"], limit=100
    ):
        if segment.tags and segment.owner is not None and segment.owner.ims_user_id:
            return segment
    raise AssertionError("the simulator has no tagged segment with an owner")


@call("segments", "list")
async def _segments_list(cja: Client) -> object:
    seg = await _a_segment(cja)
    assert seg.owner is not None and seg.tags and seg.name and seg.rsid
    page = await cja.segments.list(
        expansion=_SEGMENT_EXPANSION,
        include_type=["all", "shared", "templates"],  # "all": the guide's, not the spec's
        rsids=[seg.rsid],
        data_ids=[seg.rsid],
        owner_id=seg.owner.ims_user_id,
        filter_by_ids=[str(seg.id), "s_unknown"],
        to_be_used_in_rsid=seg.rsid,
        name=seg.name,
        tag_names=[str(seg.tags[0]["name"])],
        filter_by_published_segments=seg.publishing_status == "published",
        filter_by_modified_after="2020-01-01T00:00:00Z",
        locale="en_US",
        cached=False,
        pagination=True,
        limit=10,
        page=0,
        sort_direction="DESC",
        sort_property="modified_date",
    )
    assert [s.id for s in page.items] == [seg.id], "every filter keeps the segment"
    return page


@call("segments", "get")
async def _segments_get(cja: Client) -> object:
    seg = await first(cja.segments.list())
    return await cja.segments.get(
        str(seg.id),
        expansion=["definition", "reportSuiteName", "categories"],
        to_be_used_in_rsid=seg.rsid,
        locale="en_US",
    )


@call("segments", "get_many")
async def _segments_get_many(cja: Client) -> object:
    ids = [str(s.id) async for s in cja.segments.list(limit=3)][:3]
    return await cja.segments.get_many(
        ids, expansion=["definition"], include_type=["shared", "deleted"], locale="en_US"
    )


@call("segments", "create")
async def _segments_create(cja: Client) -> object:
    view = await first(cja.dataviews.list(limit=1))
    segment = Segment(
        name="High Value Customers",
        description="Customers with orders over $500",
        rsid=view.id,
        definition=SEGMENT_DEFINITION,
    )
    return await cja.segments.create(
        segment, expansion=["definition", "reportSuiteName"], locale="en_US", validate=True
    )


@call("segments", "update")
async def _segments_update(cja: Client) -> object:
    seg = await _a_segment(cja)
    assert seg.owner is not None
    return await cja.segments.update(
        str(seg.id),
        Segment(description="from a Segment of changes"),
        name="Renamed by the conformance test",
        description="keywords win",
        definition=SEGMENT_DEFINITION,
        rsid=seg.rsid,
        data_id=seg.rsid,
        owner=Owner(ims_user_id=seg.owner.ims_user_id),
        expansion=["definition", "owner", "reportSuiteName", "tags"],
        locale="en_US",
        cached=False,
        validate=True,
    )


@call("segments", "validate")
async def _segments_validate(cja: Client) -> object:
    view = await first(cja.dataviews.list(limit=1))
    return await cja.segments.validate(SEGMENT_DEFINITION, rsid=str(view.id))


@call("segments", "delete")
async def _segments_delete(cja: Client) -> object:
    seg = await first(cja.segments.list())
    return await cja.segments.delete(str(seg.id), locale="en_US")


# -- projects -------------------------------------------------------------------------------

_PROJECT_EXPANSION = ["definition", "tags", "shares", "modified", "accessLevel"]


@call("projects", "list")
async def _projects_list(cja: Client) -> object:
    project = await first(cja.projects.list())
    assert project.owner is not None and project.owner.ims_user_id
    page = await cja.projects.list(
        owner_id=project.owner.ims_user_id,
        filter_by_ids=[str(project.id)],
        include_type=["all", "shared"],
        expansion=_PROJECT_EXPANSION,
        locale="en_US",
        pagination=True,
        limit=10,
        page=0,
    )
    assert [p.id for p in page.items] == [project.id]
    return page


@call("projects", "get")
async def _projects_get(cja: Client) -> object:
    project = await first(cja.projects.list())
    return await cja.projects.get(
        str(project.id), expansion=["definition", "externalReferences"], locale="en_US"
    )


@call("projects", "get_many")
async def _projects_get_many(cja: Client) -> object:
    ids = [str(p.id) async for p in cja.projects.list(limit=3)][:3]
    return await cja.projects.get_many(
        ids, expansion=["definition"], include_type=["shared"], locale="en_US"
    )


def _new_project(rsid: str) -> Project:
    return Project(
        name="Created by the conformance test",
        description="one freeform panel",
        rsid=rsid,
        type="project",
        definition={"version": "13", "panels": [{"id": "panel-0", "name": "Panel 1"}]},
        version_notes="first",
    )


@call("projects", "create")
async def _projects_create(cja: Client) -> object:
    view = await first(cja.dataviews.list(limit=1))
    return await cja.projects.create(
        _new_project(str(view.id)), expansion=["definition"], locale="en_US"
    )


@call("projects", "update")
async def _projects_update(cja: Client) -> object:
    # Fetched whole and sent back, owner (with its string imsUserId) included.
    project = await cja.projects.get(
        str((await first(cja.projects.list())).id), expansion=_PROJECT_EXPANSION
    )
    assert project.owner is not None
    project.description = "Updated by the conformance test"
    return await cja.projects.update(
        str(project.id), project, expansion=["definition"], locale="en_US"
    )


@call("projects", "delete")
async def _projects_delete(cja: Client) -> object:
    project = await first(cja.projects.list())
    return await cja.projects.delete(str(project.id), locale="en_US")


@call("projects", "validate")
async def _projects_validate(cja: Client) -> object:
    project = await cja.projects.get(str((await first(cja.projects.list())).id))
    return await cja.projects.validate(project, locale="en_US")


# -- assets ---------------------------------------------------------------------------------


@call("assets", "counts")
async def _assets_counts(cja: Client) -> object:
    seg = await _a_segment(cja)
    assert seg.owner is not None and seg.owner.ims_user_id
    return await cja.assets.counts(seg.owner.ims_user_id)


@call("assets", "transfer")
async def _assets_transfer(cja: Client) -> object:
    user = await first(cja.users.list())
    seg = await first(cja.segments.list())
    project = await first(cja.projects.list())
    assert user.id is not None
    result = await cja.assets.transfer(
        user.id, {"segment": [str(seg.id)], "project": [str(project.id)]}
    )
    assert result.ok, result
    return result


# -- reports --------------------------------------------------------------------------------


async def _report_ids(cja: Client) -> tuple[str, str]:
    """A data view and a segment of the org."""
    view = await first(cja.dataviews.list(limit=1))
    segment = await first(cja.segments.list(limit=1))
    return str(view.id), str(segment.id)


def _full_report(
    ids: tuple[str, str], visits_sort: Literal["asc", "desc"] | None = "desc", **kwargs: Any
) -> Any:
    """A single-dimension report using every part of the builder the spec describes.

    Segments go by id: the spec types ``segmentDefinition`` as a map of objects, which no
    real definition (``{"func": "segment-def", "version": [1, 0, 0], ...}``) is.
    """
    from cja_async.models import ReportFilter, ReportMetric, ReportRequest, ReportSearch

    view, segment = ids
    return ReportRequest(
        view,
        dimension="variables/page",
        metrics=[
            "metrics/pageviews",
            ReportMetric("metrics/visits", column_id="visits", sort=visits_sort),
            ReportMetric("metrics/orders", filters=[ReportFilter.segment(segment)]),
            ReportMetric(
                "metrics/revenue",
                filters=[ReportFilter.dates("2024-03-01", "2024-04-01")],
            ),
        ],
        date_range=("2024-01-01", "2024-07-01"),
        segments=[segment],
        filters=[
            ReportFilter.exclude_items("variables/geocountry", ["0"]),
            ReportFilter.breakdown("variables/devicetype", "1"),
        ],
        search=ReportSearch(clause="( CONTAINS 'product' )", exclude_item_ids=["1"]),
        nones_behavior="exclude-nones",
        statistics=["col-max", "col-min"],
        settings={"countRepeatInstances": True},
        **kwargs,
    )


@call("reports", "run")
async def _reports_run(cja: Client) -> object:
    request = _full_report(await _report_ids(cja), limit=5, page=1)
    return await cja.reports.run(
        request, include_oberon_xml=False, include_platform_predictive_objects=False
    )


@call("reports", "rows")
async def _reports_rows(cja: Client) -> object:
    request = _full_report(await _report_ids(cja), limit=10)
    return [row async for row in cja.reports.rows(request, include_oberon_xml=False)]


@call("reports", "run_all")
async def _reports_run_all(cja: Client) -> object:
    from cja_async.models import ReportRequest

    ids = await _report_ids(cja)
    await cja.reports.run_all(_full_report(ids, None, limit=10, sort=["variables/page"]))
    # The multi-dimension form (documented in the reporting guide, not in the spec).
    request = ReportRequest(
        ids[0],
        dimensions=["variables/marketingchannel", "variables/devicetype"],
        metrics=["metrics/visits"],
        sort=["variables/marketingchannel", "-metrics/visits"],
        limit=8,
    )
    return await cja.reports.run_all(request, max_rows=20)


@call("reports", "top_items")
async def _reports_top_items(cja: Client) -> object:
    view, _segment = await _report_ids(cja)
    await cja.reports.top_items(
        view, "variables/page", start_date="2024-10-01", end_date="2024-12-31", limit=5
    )
    return await cja.reports.top_items(
        view,
        "variables/page",
        locale="en_US",
        date_range=("2024-01-01", "2024-06-30"),
        search_clause="'product' OR 'home'",
        search_and="product",
        search_or="product home",
        search_not="cart",
        search_phrase="product",
        lookup_none_values=False,
        include_oberon_xml=False,
        limit=5,
        page=0,
    )


@call("reports", "freeform_table")
async def _reports_freeform_table(cja: Client) -> object:
    view, segment = await _report_ids(cja)
    seen: list[object] = []
    table = cja.reports.freeform_table(
        view,
        dimensions=["variables/marketingchannel", "variables/devicetype", "variables/page"],
        metrics=["metrics/visits", "metrics/revenue"],
        date_range=("2024-01-01", "2024-03-01"),
        top=[2, 2, 3],
        segments=[segment],
        split="month",
        multi_dimension=True,
        progress=seen.append,
    )
    rows = await table.collect()
    # Breakdown requests too: the classic form through metric filters.
    plain = cja.reports.freeform_table(
        view,
        dimensions=["variables/marketingchannel", "variables/devicetype"],
        metrics=["metrics/visits"],
        date_range=("2024-01-01", "2024-02-01"),
        top=2,
        multi_dimension=False,
    )
    assert seen and await plain.collect()
    return rows
