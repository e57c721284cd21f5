"""Reports: the request builder for ``POST /reports`` and the models of its answers.

The request side is a builder, not a lossless model: :class:`ReportRequest` takes typed,
validated arguments and writes the JSON body Adobe expects (``rsid``, ``globalFilters``,
``metricContainer``, ``dimension`` or ``dimensions``, ``search``, ``settings``, ...). Anything
it does not cover goes in through ``settings=`` and ``extra=``, or send a raw body (e.g. one
copied from Workspace's debugger) as a plain ``dict``.

The answer side (:class:`Report`, :class:`ReportRow`, ...) are ordinary models:
unknown members are kept. ``Report.to_pandas()`` / ``to_polars()`` turn rows into data frames.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from .._extras import install_hint
from ._base import Model, json_field, model

if TYPE_CHECKING:  # the data-frame libraries are optional extras
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import polars  # type: ignore[import-not-found,unused-ignore]
from .report_request import (
    MAX_DIMENSIONS,
    MAX_METRICS,
    MAX_REPORT_LIMIT,
    MAX_REPORT_PAGE,
    ReportDimension,
    ReportFilter,
    ReportMetric,
    ReportRequest,
    ReportSearch,
    date_range_text,
)

__all__ = [
    "MAX_DIMENSIONS",
    "MAX_REPORT_PAGE",
    "MAX_METRICS",
    "MAX_REPORT_LIMIT",
    "FreeformProgress",
    "FreeformRow",
    "Report",
    "ReportColumnDimension",
    "ReportColumnError",
    "ReportColumns",
    "ReportDimension",
    "ReportFilter",
    "ReportMetric",
    "ReportRequest",
    "ReportRow",
    "ReportSearch",
    "ReportSummary",
    "date_range_text",
    "pandas_frame",
    "polars_frame",
]
# -- the answers ----------------------------------------------------------------------------


@model
class ReportColumnDimension(Model):
    """A reported dimension: ``id``, data ``type`` (``STRING``, ``TIME``, ...) and, in
    multi-dimension reports, its ``dimension_column_id``."""

    id: str | None = None
    type: str | None = None
    dimension_column_id: str | None = None


@model
class ReportColumnError(Model):
    """Why a column has no data (an answer with status 206): e.g. ``not_enabled_metric``."""

    column_id: str | None = None
    error_code: str | None = None
    error_id: str | None = None
    error_description: str | None = None


@model
class ReportColumns(Model):
    """What the columns are: the dimension (or ``dimensions``), the metric column ids in
    ``data`` order, and errors of columns that could not be reported."""

    dimension: ReportColumnDimension | None = None
    dimensions: list[ReportColumnDimension] | None = None
    column_ids: list[str] | None = None
    column_errors: list[ReportColumnError] | None = None


@model
class ReportRow(Model):
    """One row: the dimension item (``item_id``, ``value``) and one number per metric
    column in ``data``. Multi-dimension rows carry one id and value per dimension in
    ``item_ids`` and ``values``. Top items (``cja.reports.top_items``) are rows too, with the
    ranking metric in ``data`` where the service sends it."""

    item_id: str | None = None
    value: str | None = None
    row_id: str | None = None
    item_ids: list[str] | None = None
    values: list[str] | None = None
    data: list[float] | None = None
    data_expected: list[float] | None = None
    data_upper_bound: list[float] | None = None
    data_lower_bound: list[float] | None = None
    data_anomaly_detected: list[bool] | None = None
    percent_change: list[float] | None = None
    latitude: float | None = None
    longitude: float | None = None
    data_forecasted: list[float] | None = None
    data_forecasted_upper_bound: list[float] | None = None
    data_forecasted_lower_bound: list[float] | None = None

    @property
    def dimension_values(self) -> list[str | None]:
        """The item value of every dimension of the row, in dimension order."""
        if self.values is not None:
            return list(self.values)
        return [self.value]

    @property
    def dimension_item_ids(self) -> list[str | None]:
        """The item id of every dimension of the row, in dimension order."""
        if self.item_ids is not None:
            return list(self.item_ids)
        return [self.item_id]


@model
class ReportSummary(Model):
    """``summaryData``: ``totals`` per metric column over the whole (globally filtered)
    data, ``filtered_totals`` over the rows the search and item filters kept, and the
    requested ``statistics`` (``col-max``, ``col-min``). Other statistics are in ``extra``."""

    totals: list[float] | None = None
    filtered_totals: list[float] | None = None
    col_max: list[float] | None = json_field("col-max")
    col_min: list[float] | None = json_field("col-min")


def _import(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is not installed: {install_hint(extra)}, or pip install {module}"
        ) from exc


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


@model
class Report(Model):
    """One page of a report (the answer of ``POST /reports``).

    ``rows`` hold the data, ``columns`` say what the ``data`` numbers are, ``summary_data``
    the totals. Page members as in every analytics page: ``number``, ``total_pages``,
    ``total_elements``, ``last_page`` ... ``to_pandas()`` / ``to_polars()`` give data frames
    named after the dimension and metric ids.
    """

    total_pages: int | None = None
    first_page: bool | None = None
    last_page: bool | None = None
    number_of_elements: int | None = None
    number: int | None = None
    total_elements: int | None = None
    message: str | None = None
    request: dict[str, Any] | None = None
    report_id: str | None = None
    columns: ReportColumns | None = None
    rows: list[ReportRow] | None = None
    summary_data: ReportSummary | None = None
    oberon_request_xml: Any = json_field("oberonRequestXML")
    oberon_response_xml: Any = json_field("oberonResponseXML")
    predictive_request_objects: list[Any] | None = None
    predictive_response_objects: list[Any] | None = None
    # The body this page was asked with (not part of the answer): names the metric columns.
    _sent: dict[str, Any] | None = attrs.field(default=None, init=False, repr=False, eq=False)

    @property
    def dimension_ids(self) -> list[str]:
        """The reported dimensions, in column order."""
        columns = self.columns
        if columns is not None and columns.dimensions:
            return [d.id or f"dimension {i}" for i, d in enumerate(columns.dimensions)]
        if columns is not None and columns.dimension is not None and columns.dimension.id:
            return [columns.dimension.id]
        body = self._sent or self.request or {}
        if isinstance(body.get("dimensions"), list):
            return [str(d.get("id")) for d in body["dimensions"] if isinstance(d, dict)]
        return [body["dimension"]] if isinstance(body.get("dimension"), str) else []

    @property
    def column_ids(self) -> list[str]:
        """The metric column ids, in the order of every row's ``data``."""
        if self.columns is not None and self.columns.column_ids is not None:
            return list(self.columns.column_ids)
        return list(self._metrics_by_column())

    def _metrics_by_column(self) -> dict[str, str]:
        body = self._sent or self.request or {}
        container = body.get("metricContainer")
        metrics = container.get("metrics") if isinstance(container, dict) else None
        out: dict[str, str] = {}
        for index, metric in enumerate(metrics if isinstance(metrics, list) else []):
            if isinstance(metric, dict) and isinstance(metric.get("id"), str):
                out[str(metric.get("columnId", index))] = metric["id"]
        return out

    @property
    def metric_names(self) -> list[str]:
        """A unique column name per metric column: the metric id, or ``id [column]`` when
        one metric is reported in several columns (e.g. with different filters)."""
        by_column = self._metrics_by_column()
        ids = [by_column.get(column, column) for column in self.column_ids]
        return [
            f"{mid} [{column}]" if ids.count(mid) > 1 else mid
            for mid, column in zip(ids, self.column_ids, strict=True)
        ]

    @property
    def totals(self) -> dict[str, float]:
        """``summary_data.totals`` by metric name."""
        values = self.summary_data.totals if self.summary_data is not None else None
        return dict(zip(self.metric_names, values or [], strict=False))

    def to_records(self, *, item_ids: bool = False) -> list[dict[str, Any]]:
        """One dict per row: dimension values under the dimension ids, metric values
        (floats) under the metric names; with ``item_ids``, also ``"<dimension>.itemId"``."""
        dims = self.dimension_ids
        metrics = self.metric_names
        records = []
        for row in self.rows or []:
            # Every column in every record, even if a row lacks some dimension's value.
            record: dict[str, Any] = dict.fromkeys(dims)
            record.update(zip(dims, row.dimension_values, strict=False))
            if item_ids:
                record.update(dict.fromkeys(f"{dim}.itemId" for dim in dims))
                for dim, item in zip(dims, row.dimension_item_ids, strict=False):
                    record[f"{dim}.itemId"] = item
            data = row.data or []
            for index, name in enumerate(metrics):
                record[name] = _number(data[index]) if index < len(data) else math.nan
            records.append(record)
        return records

    def _columns(self, item_ids: bool) -> tuple[list[str], list[str]]:
        text = list(self.dimension_ids)
        if item_ids:
            text += [f"{dim}.itemId" for dim in self.dimension_ids]
        return text, self.metric_names

    def to_pandas(self, *, item_ids: bool = False) -> pandas.DataFrame:
        """The rows as a pandas ``DataFrame``: a string column per dimension, a float64
        column per metric. Needs the ``pandas`` extra."""
        text, numbers = self._columns(item_ids)
        return pandas_frame(text, numbers, self.to_records(item_ids=item_ids))

    def to_polars(self, *, item_ids: bool = False) -> polars.DataFrame:
        """The rows as a polars ``DataFrame``: ``Utf8`` dimension columns, ``Float64``
        metric columns. Needs the ``polars`` extra."""
        text, numbers = self._columns(item_ids)
        return polars_frame(text, numbers, self.to_records(item_ids=item_ids))


def pandas_frame(
    text: list[str], numbers: list[str], records: list[dict[str, Any]]
) -> pandas.DataFrame:
    """A pandas ``DataFrame`` of ``records``: ``string`` columns ``text``, ``float64``
    columns ``numbers``."""
    pd = _import("pandas", "pandas")
    frame = {name: pd.Series([r[name] for r in records], dtype="string") for name in text}
    for name in numbers:
        frame[name] = pd.Series([r[name] for r in records], dtype="float64")
    result: pandas.DataFrame = pd.DataFrame(frame, columns=[*text, *numbers])
    return result


def polars_frame(
    text: list[str], numbers: list[str], records: list[dict[str, Any]]
) -> polars.DataFrame:
    """A polars ``DataFrame`` of ``records``: ``Utf8`` columns ``text``, ``Float64``
    columns ``numbers``."""
    pl = _import("polars", "polars")
    schema = {name: pl.Utf8 for name in text} | {name: pl.Float64 for name in numbers}
    data = {name: [r[name] for r in records] for name in schema}
    result: polars.DataFrame = pl.DataFrame(data, schema=schema)
    return result


# -- freeform tables ------------------------------------------------------------------------


@attrs.frozen
class FreeformRow:
    """One row of a freeform table (``cja.reports.freeform_table``): one item per level,
    outermost first (with ``split=``, the period comes first), and the metrics of that whole
    combination (``metric id -> value``; ``"id [column]"`` when a metric is asked twice)."""

    values: tuple[str, ...]
    item_ids: tuple[str, ...]
    data: dict[str, int | float]


@attrs.frozen
class FreeformProgress:
    """Where a freeform table stands, for a progress bar: requests sent so far
    (``requests_done``, a refused attempt included) of those known to be needed
    (``requests_planned``, which grows as answers reveal items and pages), and rows given."""

    requests_done: int
    requests_planned: int
    rows: int
