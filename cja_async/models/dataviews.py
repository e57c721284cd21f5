"""Data views: ``/data/dataviews``."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, json_field, model
from ._common import Owner


@model
class ExternalData(Model):
    """Ids that tie a data view to an outside system."""

    external_id: str | None = None
    external_parent_id: str | None = None


@model
class ContainerNames(Model):
    """What the event, session and people containers are called in this data view."""

    event: str | None = None
    session: str | None = None
    people: str | None = None


@model
class SessionDefinition(Model):
    """How sessions end: after inactivity or before certain events."""

    num_periods: int | None = None
    granularity: str | None = None
    func: str | None = None
    events: list[str] | None = None


@model
class DataView(Model):
    """A data view. Lists return little more than ``id`` unless ``expansion`` asks for more.

    Build one for ``create`` with what it needs: ``DataView(name=..., parent_data_group_id=...)``.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    owner: Owner | None = None
    is_deleted: bool | None = None
    parent_data_group_id: str | None = None
    segment_list: list[str] | None = None
    current_timezone_offset: float | None = None
    timezone_designator: str | None = None
    modified_date: str | None = None
    created_date: str | None = None
    organization: str | None = None
    modified_by: str | None = None
    curation_enabled: bool | None = None
    recent_recorded_access: str | None = None
    session_definition: list[SessionDefinition] | None = None
    external_data: ExternalData | None = None
    container_names: ContainerNames | None = None
    # The components curated for the data view (free-form objects in the guides and spec).
    curated_components: list[dict[str, Any]] | None = None
    tags: list[dict[str, Any]] | None = None


@model
class IncludeExcludeRule(Model):
    """One rule of an include/exclude setting: a ``clause`` and the ``value`` it tests."""

    clause: str | None = None
    value: str | None = None


@model
class IncludeExcludeSetting(Model):
    """Which values of a component count: ``rules`` joined by ``match`` (``and``/``or``)."""

    enabled: bool | None = None
    case_sensitive: bool | None = None
    match: str | None = None
    type: str | None = None
    rules: list[IncludeExcludeRule] | None = None


@model
class Bucket(Model):
    """One numeric bucket of a dimension: ``from_`` (JSON ``from``) up to ``to``."""

    from_: float | None = json_field("from")
    to: float | None = None


@model
class BucketingSetting(Model):
    """How a numeric dimension groups its values into buckets."""

    enabled: bool | None = None
    bucket_settings: list[Bucket] | None = None


@model
class NoValueOptionsSetting(Model):
    """How a dimension reports items without a value."""

    option: str | None = None
    value: str | None = None


@model
class FormatSetting(Model):
    """How a metric is shown: ``format_type`` (decimal, percent, currency, time), decimals."""

    polarity: str | None = None
    format_type: str | None = None
    decimal_places: int | None = None
    currency: str | None = None


@model
class PersistenceSetting(Model):
    """How long a dimension's value sticks. The allocation model and lookback are kept as
    free-form JSON: their ``func`` trees vary by model."""

    enabled: bool | None = None
    allocation_model: dict[str, Any] | None = None
    lookback: dict[str, Any] | None = None


@model
class AttributionSetting(Model):
    """A metric's attribution. The attribution model and lookback are free-form JSON."""

    enabled: bool | None = None
    attribution_model: dict[str, Any] | None = None
    lookback: dict[str, Any] | None = None


@model
class DataViewComponent(Model):
    """What dimensions and metrics of a data view share.

    Ids look like ``variables/daterangeday`` (dimensions) or ``metrics/visits``. Lists
    return ``id``, ``name`` and ``type`` unless ``expansion`` asks for more.
    ``field_definition`` (derived fields) stays free-form JSON.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    type: str | None = None
    source_field_id: str | None = None
    source_field_name: str | None = None
    source_field_type: str | None = None
    storage_id: str | None = None
    data_set_ids: list[str] | None = None
    data_set_type: str | None = None
    schema_type: str | None = None
    schema_path: str | None = None
    table_name: str | None = None
    required: bool | None = None
    hide_from_reporting: bool | None = None
    hidden: bool | None = None
    has_data: bool | None = None
    segmentable: bool | None = None
    favorite: bool | None = None
    approved: bool | None = None
    not_found: bool | None = None
    from_global_lookup: bool | None = None
    multi_valued: bool | None = None
    is_deleted: bool | None = None
    tags: list[dict[str, Any]] | None = None
    shares: list[dict[str, Any]] | None = None
    usage_summary: dict[str, Any] | None = None
    include_exclude_setting: IncludeExcludeSetting | None = None
    field_definition: list[dict[str, Any]] | None = None
    derived_field_compatible: bool | None = None


@model
class Dimension(DataViewComponent):
    """A dimension of a data view: ``dataviews.list_dimensions()`` / ``get_dimension()``."""

    bucketing_setting: BucketingSetting | None = None
    no_value_options_setting: NoValueOptionsSetting | None = None
    default_dimension_sort: bool | None = None
    persistence_setting: PersistenceSetting | None = None


@model
class Metric(DataViewComponent):
    """A metric of a data view: ``dataviews.list_metrics()`` / ``get_metric()``."""

    count_type: str | None = None
    format_setting: FormatSetting | None = None
    attribution_setting: AttributionSetting | None = None
    precision: int | None = None
