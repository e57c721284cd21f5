"""Connections: ``/data/connections``, their datasets, backfills and data source types.

A connection ties Experience Platform datasets to CJA; every data view sits on one
(``DataView.parent_data_group_id`` is a connection id). Lists return little more than
``id`` unless ``expansion`` names more (``dataSets`` brings the datasets).
"""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, model
from ._common import Owner
from .dataviews import ExternalData

__all__ = [
    "Backfill",
    "BackfillSummary",
    "ConfigurationSettings",
    "ConfiguredContainer",
    "Connection",
    "ConnectionValidationError",
    "ContainerField",
    "DataSet",
    "DataSourceType",
    "SchemaInfo",
    "SchemaRef",
]


@model
class ConfiguredContainer(Model):
    """A container a connection reports on (``person``; B2B adds ``account``,
    ``globalAccount``, ``opportunity``, ``buyingGroup``)."""

    container: str | None = None


@model
class ContainerField(Model):
    """Which field of a dataset identifies a container (B2B connections)."""

    container: str | None = None
    system_field_value: str | None = None


@model
class SchemaRef(Model):
    """The full XDM schema reference of a dataset."""

    id: str | None = None
    content_type: str | None = None


@model
class SchemaInfo(Model):
    """The XDM schema a dataset follows (``schemaInfo`` expansion)."""

    schema_id: str | None = None
    schema_name: str | None = None
    schema_ref: SchemaRef | None = None


@model
class Backfill(Model):
    """A backfill of a dataset: ``connections.backfills()``, or ``DataSet.backfills``.

    ``status`` is one of ``COMPLETED``, ``FAILED``, ``IN_PROGRESS``, ``IN_QUEUE`` (kept as
    ``str``: Adobe may add more).
    """

    id: str = api_id()
    data_set_id: str | None = None
    status: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    created_date: str | None = None
    all_data: bool | None = None


@model
class BackfillSummary(Model):
    """Counts of a dataset's (or a connection's) backfills by outcome."""

    total: int | None = None
    failed: int | None = None
    in_progress: int | None = None
    completed: int | None = None
    invalid: bool | None = None


@model
class DataSourceType(Model):
    """A kind of data a dataset can hold (``webData``, ``crmData``, ...)."""

    id: str = api_id()
    type: str | None = None
    description: str | None = None


@model
class ConfigurationSettings(Model):
    """The answer of ``GET /data/connections/configurationSettings``."""

    data_source_types: list[DataSourceType] | None = None


@model
class ConnectionValidationError(Model):
    """A problem with a connection's setup (``validationErrors`` expansion)."""

    error_code: str | None = None
    data_set_id: str | None = None
    data_set_name: str | None = None
    disallowed_field: str | None = None
    missing_field: str | None = None


@model
class DataSet(Model):
    """A dataset of a connection (``dataSets`` expansion).

    ``type`` is ``event``, ``profile``, ``lookup``, ``summary``, ...; lookup datasets name
    their key in ``lookup_key_field``. B2B connections say per container which field
    identifies it (``container_fields``; the B2B guide calls one ``containerField``).
    """

    data_set_id: str | None = None
    domain: str | None = None
    type: str | None = None
    timestamp_id: str | None = None
    visitor_id: str | None = None
    container_fields: list[ContainerField] | None = None
    container_field: ContainerField | None = None
    lookup_key_field: str | None = None
    lookup_parent_fields: list[str] | None = None
    lookup_parent_data_set_id: str | None = None
    lookup_parent_data_set_type: str | None = None
    identity_namespace: str | None = None
    use_primary_id_namespace: bool | None = None
    identity_map: bool | None = None
    name: str | None = None
    schema_info: SchemaInfo | None = None
    backfills: list[Backfill] | None = None
    streaming: bool | None = None
    backfill_summary: BackfillSummary | None = None
    last_ingested_time: str | None = None
    streaming_enabled_at: str | None = None
    identity_namespace_col: str | None = None
    data_source_type: DataSourceType | None = None


@model
class Connection(Model):
    """A connection. Lists return little more than ``id`` unless ``expansion`` asks for more.

    B2B (account-based) connections say ``primary_id_type="account"`` and list their
    ``configured_containers``.
    """

    id: str = api_id()
    id_without_prefix: str | None = None
    name: str | None = None
    description: str | None = None
    owner: Owner | None = None
    primary_id_type: str | None = None
    shard_table: str | None = None
    configured_containers: list[ConfiguredContainer] | None = None
    is_deleted: bool | None = None
    is_disabled: bool | None = None
    data_sets: list[DataSet] | None = None
    modified_date: str | None = None
    created_date: str | None = None
    organization: str | None = None
    modified_by: str | None = None
    modified_by_full_name: str | None = None
    case_sensitive: bool | None = None
    num_daily_events: int | None = None
    external_data: ExternalData | None = None
    backfill_enabled: bool | None = None
    backfill_summary: BackfillSummary | None = None
    sandbox_id: str | None = None
    sandbox_name: str | None = None
    fields_id: str | None = None
    float_precision: int | None = None
    data_retention_months: int | None = None
    connection_validation_errors: list[ConnectionValidationError] | None = None
    tags: list[dict[str, Any]] | None = None
