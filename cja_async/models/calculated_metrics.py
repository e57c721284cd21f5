"""Calculated metrics: ``/calculatedmetrics`` and the function catalogue."""

from __future__ import annotations

from typing import Any

from ._base import Model, api_id, json_field, model
from ._common import Owner


@model
class AlternateVariableNames(Model):
    """Other names a calculated metric goes by."""

    name: str | None = None
    base_name: str | None = None
    curated_name: str | None = None


@model
class IdentityMetric(Model):
    """A metric a calculated metric uses, with its attribution."""

    identity: str | None = None
    dimension_view: str | None = None
    allocation_model: str | None = None


@model
class MetricCompatibility(Model):
    """What a calculated metric's definition uses and which products can run it."""

    valid: bool | None = None
    message: str | None = None
    identity_metrics: list[IdentityMetric] | None = None
    identity_dimensions: list[str] | None = None
    segments: list[str] | None = None
    functions: list[str] | None = None
    validator_version: str | None = json_field("validator_version")
    supported_products: list[str] | None = json_field("supported_products")
    supported_schema: list[str] | None = json_field("supported_schema")


@model
class MetricAuthorization(Model):
    """Whether the caller may report on a calculated metric, and what stops it."""

    authorized: bool | None = None
    permissioned: bool | None = None
    un_authorized_metric_identities: list[str] | None = None
    un_authorized_segment_ids: list[str] | None = None
    not_allowed_for_reporting_metric_identities: list[str] | None = None
    allowed_for_reporting: bool | None = None


@model
class MetricWarning(Model):
    """A warning Adobe shows with a calculated metric."""

    title: str | None = None
    text: str | None = None
    help_link: str | None = None


@model
class CalculatedMetric(Model):
    """A calculated metric. Lists return little more than ``id`` unless ``expansion`` asks
    for more. ``definition`` is Adobe's formula JSON, kept as a ``dict``.

    Build one for ``create`` with what it needs:
    ``CalculatedMetric(name=..., data_id=..., type="decimal", definition={...})``.
    """

    id: str = api_id()
    name: str | None = None
    description: str | None = None
    rsid: str | None = None
    data_id: str | None = None
    data_name: str | None = None
    owner: Owner | None = None
    polarity: str | None = None
    precision: int | None = None
    type: str | None = None
    definition: dict[str, Any] | None = None
    is_deleted: bool | None = None
    migrated_ids: list[str] | None = None
    internal: bool | None = None
    alternate_variable_names: AlternateVariableNames | None = None
    compatibility: MetricCompatibility | None = None
    legacy_id: str | None = None
    template: bool | None = None
    authorization: MetricAuthorization | None = None
    data_group: str | None = None
    solution: bool | None = None
    curated_item: bool | None = None
    categories: list[str] | None = None
    report_time_attribution: bool | None = None
    warning: MetricWarning | None = None
    tags: list[dict[str, Any]] | None = None
    shares: list[dict[str, Any]] | None = None
    approved: bool | None = None
    favorite: bool | None = None
    usage_summary: dict[str, Any] | None = None
    site_title: str | None = None
    created: str | None = None
    modified: str | None = None
    # The ``usedIn`` expansion's example in the calculated-metrics guide.
    organization: str | None = None
    recent_recorded_access: str | None = None
    performance_score: str | None = None
    used_in: list[dict[str, Any]] | None = None


@model
class MetricValidation(CalculatedMetric):
    """The answer of ``calculated_metrics.validate``: ``valid`` plus what the formula uses.

    The guide shows these members at the top level; the spec answers the whole calculated
    metric, whose ``compatibility`` holds them. Both shapes are modelled, and
    :attr:`is_valid` reads either.
    """

    # A validation answer is about a definition, not a stored metric: it carries no id
    # (the spec's shape may echo one), unlike the ``CalculatedMetric`` it extends.
    id: str | None = None  # type: ignore[assignment]
    valid: bool | None = None
    message: str | None = None
    errors: list[Any] | None = None
    validator_version: str | None = json_field("validator_version")
    identity_metrics: list[IdentityMetric] | None = None
    identity_dimensions: list[str] | None = None
    segments: list[str] | None = None
    functions: list[str] | None = None
    supported_products: list[str] | None = json_field("supported_products")
    supported_schema: list[str] | None = json_field("supported_schema")

    @property
    def is_valid(self) -> bool | None:
        """``valid``, else ``compatibility.valid``; ``None`` when the answer says neither."""
        if isinstance(self.valid, bool):
            return self.valid
        if self.compatibility is not None and isinstance(self.compatibility.valid, bool):
            return self.compatibility.valid
        return None


@model
class FunctionParameter(Model):
    """One parameter of a calculated-metric function."""

    func: str | None = None
    name: str | None = None
    type: str | None = None
    friendly_name_key: str | None = None
    desc_key: str | None = None
    friendly_name: str | None = None
    description: str | None = None
    default_value: Any = json_field("default-value")


@model
class FunctionDefinition(Model):
    """How a calculated-metric function is written: its ``func``, parameters and formula."""

    func: str | None = None
    parameters: list[FunctionParameter] | None = None
    formula: dict[str, Any] | None = None
    version: list[int] | None = None


@model
class MetricFunction(Model):
    """A function calculated metrics can use (``calculated_metrics.functions()``)."""

    id: str = api_id()
    name: str | None = None
    category: str | None = None
    persistable: bool | None = None
    namespace: str | None = None
    description: str | None = None
    example_key: str | None = None
    example: str | None = None
    definition: FunctionDefinition | None = None
