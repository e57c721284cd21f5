"""``cja.reports``: ``POST /reports`` (one page, every row, all pages at once) and
``GET /reports/topItems``.

A report is a read, although it is a POST: every call here declares itself one
(``reads=True``: idempotent, and it drops no cached answer), so a 503 or 504 (which
Adobe's guide calls retryable for reports) is retried like a GET.
Reports page through ``settings.page`` in the JSON body and list their items under
``rows``, so they bring their own page fetchers instead of the query-string pager.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Unpack, cast

import attrs

from .._convert import structure
from .._paging import AsyncPager, Page, parse_page
from ..models.reports import (
    MAX_REPORT_PAGE,
    FreeformProgress,
    Report,
    ReportMetric,
    ReportRequest,
    ReportRow,
)
from ._base import (
    RequestOptions,
    Resource,
    check_id,
    check_limit,
    check_options,
    check_page,
    query,
)
from ._freeform import FreeformTable, Split

__all__ = ["Reports"]

DateLike = str | date | datetime

_TOP_ITEMS_MAX_LIMIT = 1000  # "Maximum is 1000" (reporting guide, topItems)


def _request_body(request: ReportRequest | Mapping[str, Any], page: int | None) -> dict[str, Any]:
    """The body for ``page`` (``None``: as given) of a builder or a raw body."""
    if isinstance(request, ReportRequest):
        return request.to_body(page)
    if not isinstance(request, Mapping):
        raise TypeError(
            f"request must be a ReportRequest or a JSON body (dict), got {type(request).__name__}"
        )
    if not request:
        raise ValueError("request must not be an empty body")
    body = copy.deepcopy(dict(request))  # never change the caller's dict
    if page is not None:
        settings = body.get("settings")
        if settings is not None and not isinstance(settings, dict):
            raise TypeError("request['settings'] must be a JSON object")
        body["settings"] = {**(settings or {}), "page": check_page(page)}
    return body


def _first_page(request: ReportRequest | Mapping[str, Any]) -> tuple[int, int | None]:
    """(page, limit) the request asks for; a raw body may say neither."""
    if isinstance(request, ReportRequest):
        return request.page, request.limit
    settings = _request_body(request, None).get("settings") or {}
    page = settings.get("page", 0)
    limit = settings.get("limit")
    return check_page(page, "request['settings']['page']"), (
        limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    )


def _with_page_size(
    request: ReportRequest | Mapping[str, Any],
) -> ReportRequest | Mapping[str, Any]:
    """A raw body walked on the caller's behalf asks for the largest page when it names no
    ``settings.limit`` (the server's default is far smaller); a limit given is kept."""
    if isinstance(request, ReportRequest):
        return request
    body = _request_body(request, None)
    settings = body.get("settings") or {}
    if "limit" not in settings:
        body["settings"] = {**settings, "limit": MAX_REPORT_PAGE}
    return body


def rows_page(body: Any, number: int, limit: int | None, *, whole: bool = False) -> Page[Any]:
    """The report page shape (analytics page members, items under ``rows``) as a ``Page``."""
    if not isinstance(body, dict):
        raise TypeError(f"expected a JSON object, got {type(body).__name__}")
    rows = body.get("rows")
    if rows is not None and not isinstance(rows, list):
        raise TypeError("'rows' must be a list")
    return parse_page({**body, "content": rows or []}, number, limit, whole=whole)


@attrs.frozen
class _ReportPage:
    """Expect a report answer, as the model and as page ``number`` of its rows; ``sent``
    (the request body) is kept on the report: the answer names metric columns only by id."""

    sent: dict[str, Any]
    number: int
    limit: int | None

    def __call__(self, data: Any) -> tuple[Report, Page[ReportRow]]:
        page = rows_page(data, self.number, self.limit)
        report: Report = structure(data, Report)
        object.__setattr__(report, "_sent", self.sent)
        return report, attrs.evolve(page, items=report.rows or [])


def _day(value: DateLike, name: str) -> str:
    """``YYYY-MM-DD`` for the topItems date parameters."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date or 'YYYY-MM-DD', got {value!r}")


class Reports(Resource, group="reports"):
    """Reports over a data view: ``run`` one page, walk ``rows``, ``run_all`` pages, and
    ``top_items`` of a dimension (rows with an item id and value)."""

    async def run(
        self,
        request: ReportRequest | Mapping[str, Any],
        *,
        include_oberon_xml: bool | None = None,
        include_platform_predictive_objects: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Report:
        """Run a report and return the page the request asks for (``settings.page``).

        ``request`` is a :class:`ReportRequest` or a raw JSON body (e.g. copied from
        Workspace's debugger), sent unchanged. Columns the data view cannot report (status
        206) come back with ``report.columns.column_errors`` set, not as an exception.
        """
        params = query(
            include_oberon_xml=include_oberon_xml,
            include_platform_predictive_objects=include_platform_predictive_objects,
        )
        first, limit = _first_page(request)
        body = _request_body(request, None)
        report, _page = await self._fetch(body, first, limit, params, options)
        return report

    async def _fetch(
        self,
        body: dict[str, Any],
        number: int,
        limit: int | None,
        params: Mapping[str, str],
        options: RequestOptions | None = None,
    ) -> tuple[Report, Page[ReportRow]]:
        """One report page, as the model and as a ``Page`` of its rows."""
        read = _ReportPage(body, number, limit)
        call = self._declare(
            "POST", "/reports", read=read, params=params, body=body, reads=True, options=options
        )
        result: tuple[Report, Page[ReportRow]] = await self._client._send(call)
        return result

    def rows(
        self,
        request: ReportRequest | Mapping[str, Any],
        *,
        include_oberon_xml: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[ReportRow]:
        """Every row of a report, from the request's page on: ``async for row in ...``.

        Pages are fetched through ``settings.page`` (``limit`` rows each), several at once
        once the first page tells how many there are. ``await`` it for one ``Page``.
        """
        first, _limit = _first_page(request)
        params = query(include_oberon_xml=include_oberon_xml)
        # Checked now: the pager sends nothing until it is iterated.
        return self._rows_from(request, first, params, check_options(options))

    def _rows_from(
        self,
        request: ReportRequest | Mapping[str, Any],
        first: int,
        params: Mapping[str, str],
        options: RequestOptions,
    ) -> AsyncPager[ReportRow]:
        request = _with_page_size(request)
        _first, limit = _first_page(request)

        async def fetch(number: int) -> Page[ReportRow]:
            body = _request_body(request, number)
            _report, page = await self._fetch(body, number, limit, params, options)
            return page

        return self._walk(fetch, first)

    async def run_all(
        self,
        request: ReportRequest | Mapping[str, Any],
        *,
        max_rows: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Report:
        """Run a report over all its pages and return one :class:`Report` holding every row
        (from the request's page on, at most ``max_rows``), with the first page's columns and
        summary; ``to_pandas()`` on it gives the whole table. Pages after the first are
        fetched concurrently, within the org's limits."""
        if max_rows is not None:
            check_limit(max_rows, 10**9, "max_rows")
        request = _with_page_size(request)
        first, limit = _first_page(request)
        report, page = await self._fetch(_request_body(request, None), first, limit, {}, options)
        rows = list(page.items)
        last = page.is_last or not page.items
        if not last and (max_rows is None or len(rows) < max_rows):
            # ``pages()`` is an async generator (typed as an iterator): close it explicitly.
            pages = cast(
                "AsyncGenerator[Page[ReportRow], None]",
                self._rows_from(request, first + 1, {}, options).pages(),
            )
            # Leaving early cancels the pages requested ahead right away.
            async with contextlib.aclosing(pages):
                async for later in pages:
                    rows.extend(later.items)
                    last = later.is_last
                    if max_rows is not None and len(rows) >= max_rows:
                        break
        if max_rows is not None and len(rows) > max_rows:
            rows, last = rows[:max_rows], False
        report.rows = rows
        report.number_of_elements = len(rows)
        report.last_page = last
        return report

    def freeform_table(
        self,
        data_view: str,
        *,
        dimensions: Sequence[str],
        metrics: Sequence[str | ReportMetric],
        date_range: str | tuple[DateLike, DateLike] | None = None,
        top: int | Sequence[int | None] | None = None,
        segments: Sequence[str | Mapping[str, Any]] | str | Mapping[str, Any] | None = None,
        split: Split | None = None,
        multi_dimension: bool = True,
        progress: Callable[[FreeformProgress], None] | None = None,
        **options: Unpack[RequestOptions],
    ) -> FreeformTable:
        """The rows of a Workspace freeform table: ``dimensions`` broken down one within the
        other, outermost first, each row with the metrics of its whole combination.

        ``top`` keeps the top items of each level by the first metric (descending): one int
        for every level, or one int or ``None`` (every item) per level. ``date_range`` is
        ``(start, end)`` (end exclusive) or Adobe's ``"start/end"``; longer than Adobe's 18
        months raises ``ValueError`` unless ``split="month"`` (or ``"quarter"``, ``"year"``)
        reports each period on its own, the period as the outermost column (``"period"``).
        ``segments`` apply to the whole table. The table is fetched in the fewest requests
        that give exactly these rows (a multi-dimension request per level where Adobe
        accepts one, else breakdown requests per item, run concurrently through the
        limiter); ``multi_dimension=False`` never tries the multi-dimension form.
        ``progress`` is called with a :class:`FreeformProgress` after every request.

        Arguments are checked here, before anything is sent; iterate the table (``async
        for``), or ``await table.collect()`` / ``to_pandas()`` / ``to_polars()``.
        """
        check_id(data_view, "data_view")
        return FreeformTable(
            self.with_options(**options),  # every request of the table carries them
            data_view,
            dimensions,
            metrics,
            date_range=date_range,
            top=top,
            segments=segments,
            split=split,
            multi_dimension=multi_dimension,
            progress=progress,
        )

    def top_items(
        self,
        data_view_id: str,
        dimension: str,
        *,
        locale: str | None = None,
        date_range: str | tuple[DateLike, DateLike] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        search_clause: str | None = None,
        search_and: str | None = None,
        search_or: str | None = None,
        search_not: str | None = None,
        search_phrase: str | None = None,
        lookup_none_values: bool | None = None,
        include_oberon_xml: bool | None = None,
        limit: int | None = None,
        page: int = 0,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[ReportRow]:
        """The top items of ``dimension`` in a data view (the last 90 days unless a date
        range says otherwise), as a pager.

        ``date_range`` is ``(start, end)`` or ``"YYYY-MM-DD/YYYY-MM-DD"``; or give
        ``start_date``/``end_date``. ``search_clause`` takes Adobe's clause syntax
        (``"'home' OR 'cart'"``); ``search_and``/``search_or``/``search_not`` take
        space-separated terms, ``search_phrase`` one phrase. Without ``limit``, pages hold
        the most items the endpoint allows (1000), so a walk costs the fewest requests.
        """
        check_id(data_view_id, "data_view_id")
        check_id(dimension, "dimension")
        limit = _TOP_ITEMS_MAX_LIMIT if limit is None else check_limit(limit, _TOP_ITEMS_MAX_LIMIT)
        check_page(page)
        if date_range is not None and (start_date is not None or end_date is not None):
            raise ValueError("give date_range or start_date/end_date, not both")
        range_text: str | None = None
        if isinstance(date_range, tuple):
            if len(date_range) != 2:
                raise ValueError("date_range must be a (start, end) tuple")
            range_text = "/".join(_day(v, "date_range") for v in date_range)
        elif date_range is not None:
            if not isinstance(date_range, str) or "/" not in date_range:
                raise ValueError(f"date_range must look like 'start/end', got {date_range!r}")
            range_text = date_range
        params = query(
            data_id=data_view_id,
            dimension=dimension,
            locale=locale,
            date_range=range_text,
            start_date=None if start_date is None else _day(start_date, "start_date"),
            end_date=None if end_date is None else _day(end_date, "end_date"),
            search_and=search_and,
            search_or=search_or,
            search_not=search_not,
            search_phrase=search_phrase,
            lookup_none_values=lookup_none_values,
            include_oberon_xml=include_oberon_xml,
        )
        if search_clause is not None:
            # The one parameter whose name is not camelCase.
            params["search-clause"] = query(search_clause=search_clause)["searchClause"]

        return self._pager(
            ReportRow,
            "/reports/topItems",
            params,
            limit=limit,
            page=page,
            shape=rows_page,
            options=options,
        )
