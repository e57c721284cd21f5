"""Freeform tables: the rows of a Workspace freeform table with breakdowns, in the fewest
requests (``cja.reports.freeform_table``).

The table is a tree: the top items of the first dimension, within each the top items of the
second, and so on; its rows are the leaves, each with the metrics of its whole combination.
The plan:

1. The first level is one classic request (more pages when ``top`` asks for more than a page).
2. Each deeper level, while Adobe accepts it, is ONE multi-dimension request (``dimensions[]``
   up to that level, paged), its rows grouped by their parent combination and the top items
   kept per parent: the same rows the breakdowns would give, since every row of the answer
   carries the metrics of its own combination. A level under a single parent takes that
   parent's one breakdown instead (as cheap, and never refused); a multi-dimension answer of
   more pages than there are parents is left for breakdowns after its first page. A refusal
   (any 400: too complex, unrelated dimensions) is remembered for the rest of the table, so a
   table makes at most one refused attempt.
3. The other levels are classic breakdowns: one request per parent item, the parent's items
   as ``metricContainer.metricFilters`` of type ``BREAKDOWN`` on every metric. A parent's
   breakdown is started as soon as its own answer is in, through the org's limiter; at most a
   bounded number of answers wait ahead of the rows being given out (plus the one the
   consumer waits for, which always starts), so memory stays bounded and rows stream in the
   table's order.

Metrics are never summed from finer rows (visitors are not additive): every row's numbers
come from a request for exactly that combination.
"""

from __future__ import annotations

import asyncio
import calendar
import heapq
import itertools
import math
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._checks import check_many
from .._exceptions import BadRequestError
from ..models.reports import (
    MAX_DIMENSIONS,
    MAX_REPORT_PAGE,
    FreeformProgress,
    FreeformRow,
    ReportColumnError,
    ReportDimension,
    ReportFilter,
    ReportMetric,
    ReportRequest,
    ReportRow,
    ReportSearch,
    date_range_text,
    pandas_frame,
    polars_frame,
)

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import polars  # type: ignore[import-not-found,unused-ignore]

    from .reports import Reports

__all__ = ["MAX_MONTHS", "FreeformTable", "Split"]

Split = Literal["month", "quarter", "year"]
MAX_MONTHS = 18
"""Adobe's limit on the date range of one report request."""
PERIOD_COLUMN = "period"
_SPLIT_MONTHS = {"month": 1, "quarter": 3, "year": 12}
# Rows a multi-dimension answer may bring into memory at once; beyond, breakdowns stream.
_MAX_MULTI_ROWS = 20 * MAX_REPORT_PAGE
# Item ids sent in one dimension's search; a longer list is filtered here instead.
_MAX_SEARCH_IDS = 1000
# With split=: periods fetched side by side, and rows each may hold ahead of the reader.
_PERIODS_AT_ONCE = 3
_PERIOD_BUFFER = 1000


# -- the arguments, checked before anything is sent ------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _bounds(date_range: str | tuple[Any, Any]) -> tuple[datetime, datetime]:
    """(start, end) of a date range as ``date_range_text`` writes it."""
    text = date_range_text(date_range)
    try:
        start, end = (
            datetime.fromisoformat(part.strip().replace("Z", "+00:00")).replace(tzinfo=None)
            for part in text.split("/")
        )
    except ValueError:
        raise ValueError(
            f"date_range must hold ISO dates so the {MAX_MONTHS}-month limit can be checked, "
            f"got {date_range!r}"
        ) from None
    if start >= end:
        raise ValueError(f"date_range must end after it starts, got {date_range!r}")
    return start, end


@attrs.frozen
class _Period:
    label: str  # "2024-01", "2024-Q1", "2024"; "" without split
    date_range: str | None


def _periods(date_range: str | tuple[Any, Any] | None, split: Split | None) -> list[_Period]:
    if date_range is None:
        if split is not None:
            raise ValueError("split needs a date_range to split")
        return [_Period("", None)]
    start, end = _bounds(date_range)
    if split is None:
        if end > _add_months(start, MAX_MONTHS):
            raise ValueError(
                f"date_range spans more than {MAX_MONTHS} months, Adobe's limit for one report "
                f"({start:%Y-%m-%d} to {end:%Y-%m-%d}): shorten it, or pass split='month' to "
                "report each period separately (the period becomes the outermost column)"
            )
        return [_Period("", date_range_text(date_range))]
    if split not in _SPLIT_MONTHS:
        raise ValueError(f"split must be one of {sorted(_SPLIT_MONTHS)}, got {split!r}")
    step = _SPLIT_MONTHS[split]
    out = []
    # Periods follow the calendar: the first and last may be cut short by the range.
    month0 = (start.month - 1) // step * step + 1
    boundary = datetime(start.year, month0, 1)
    moment = start
    while moment < end:
        boundary = _add_months(boundary, step)
        until = min(boundary, end)
        first = _add_months(boundary, -step)
        label = {
            "month": f"{first:%Y-%m}",
            "quarter": f"{first.year}-Q{(first.month - 1) // 3 + 1}",
            "year": f"{first.year}",
        }[split]
        out.append(_Period(label, date_range_text((moment, until))))
        moment = until
    return out


def _tops(top: int | Sequence[int | None] | None, levels: int) -> tuple[int | None, ...]:
    if top is None or isinstance(top, int):
        values: tuple[int | None, ...] = (top,) * levels
    elif isinstance(top, str) or not isinstance(top, Sequence):
        raise TypeError("top must be an int, None, or one int or None per dimension")
    else:
        values = tuple(top)
        if len(values) != levels:
            raise ValueError(f"top must hold one value per dimension ({levels}), got {len(values)}")
    for value in values:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"top must hold ints or None, got {type(value).__name__}")
        if value is not None and value < 1:
            raise ValueError(f"top must be 1 or more (or None for every item), got {value}")
    return values


def _metric_names(metrics: Sequence[ReportMetric]) -> list[str]:
    ids = [m.id for m in metrics]
    return [
        f"{m.id} [{m.column_id or index}]" if ids.count(m.id) > 1 else m.id
        for index, m in enumerate(metrics)
    ]


# -- the tree ----------------------------------------------------------------------------------


@attrs.define(eq=False)
class _Node:
    """A table item (or the root of a period): its path of items from the outermost level,
    its metrics, and its children once known."""

    path: tuple[int, ...]  # positions from the root: the node's place in table order
    item_ids: tuple[str, ...]
    values: tuple[str, ...]
    data: list[float]
    children: list[_Node] | None = None
    fetch: asyncio.Task[list[_Node]] | None = None
    pending: bool = False

    @property
    def level(self) -> int:
        return len(self.item_ids)


class FreeformTable:
    """The rows of a freeform table; nothing is sent until it is iterated.

    ``async for row in table`` gives :class:`FreeformRow` objects in table order as their
    requests finish; ``await table.collect()`` a list; ``await table.to_pandas()`` /
    ``to_polars()`` a data frame (a string column per dimension, a float column per metric).
    Each iteration runs the table anew. After a run, ``requests`` and ``refused`` say what
    it cost and ``plan`` how each level was fetched (``"top"``: the first level's request;
    ``"multi-dimension"``; ``"breakdowns"``).
    """

    def __init__(
        self,
        reports: Reports,
        data_view: str,
        dimensions: Sequence[str],
        metrics: Sequence[str | ReportMetric],
        *,
        date_range: str | tuple[Any, Any] | None,
        top: int | Sequence[int | None] | None,
        segments: Sequence[str | Mapping[str, Any]] | str | Mapping[str, Any] | None,
        split: Split | None,
        multi_dimension: bool,
        progress: Callable[[FreeformProgress], None] | None,
    ) -> None:
        check_many(dimensions, str, "dimensions", "dimension ids")
        if not isinstance(dimensions, Sequence):
            raise TypeError(
                f"dimensions must be a list of dimension ids, got {type(dimensions).__name__}"
            )
        if not dimensions:
            raise ValueError("dimensions must name at least one dimension")
        twice = sorted({d for d in dimensions if list(dimensions).count(d) > 1})
        if twice:
            raise ValueError(f"dimensions must differ from level to level; given twice: {twice}")
        # The builder checks ids, metrics (1 to 20) and segments, and writes the body once.
        probe = ReportRequest(
            data_view, dimension=dimensions[0], metrics=metrics, segments=segments or ()
        )
        for dimension in dimensions[1:]:
            ReportRequest(data_view, dimension=dimension)
        if not probe.metrics:
            raise ValueError("metrics must name at least one metric")
        self._reports = reports
        self._data_view = data_view
        self._dimensions = tuple(dimensions)
        self._metrics = probe.metrics
        self._segments = probe.segments
        self._periods = _periods(date_range, split)
        self._split = split
        self._tops = _tops(top, len(self._dimensions))
        self._allow_multi = multi_dimension
        self._progress = progress
        self.metric_names: list[str] = _metric_names(self._metrics)
        """The keys of every row's ``data``, in the order asked."""
        self.columns: list[str] = ([PERIOD_COLUMN] if split else []) + list(self._dimensions)
        """The dimension columns of the rows (``"period"`` first with ``split=``)."""
        self.requests = 0
        self.refused = 0
        self.plan: list[str] = []
        self._planned = 0
        self._rows = 0
        self._multi_ok = True
        self._accepted = False  # a multi-dimension request was answered in this run
        self._probe: asyncio.Event | None = None  # set when the first one's verdict is in

    # -- public ------------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[FreeformRow]:
        return self._run()

    async def collect(self) -> list[FreeformRow]:
        """Every row, in table order."""
        return [row async for row in self]

    async def to_pandas(self, *, item_ids: bool = False) -> pandas.DataFrame:
        """The table as a pandas ``DataFrame`` (needs the ``pandas`` extra); with
        ``item_ids``, also a ``"<dimension>.itemId"`` column per dimension."""
        text, records = await self._records(item_ids)
        return pandas_frame(text, self.metric_names, records)

    async def to_polars(self, *, item_ids: bool = False) -> polars.DataFrame:
        """The table as a polars ``DataFrame`` (needs the ``polars`` extra)."""
        text, records = await self._records(item_ids)
        return polars_frame(text, self.metric_names, records)

    async def _records(self, item_ids: bool) -> tuple[list[str], list[dict[str, Any]]]:
        text = list(self.columns)
        if item_ids:
            text += [f"{column}.itemId" for column in self.columns]
        records = []
        async for row in self:
            record: dict[str, Any] = dict(zip(self.columns, row.values, strict=True))
            if item_ids:
                for column, item in zip(self.columns, row.item_ids, strict=True):
                    record[f"{column}.itemId"] = item
            record.update(row.data)
            records.append(record)
        return text, records

    # -- a run -------------------------------------------------------------------------------

    async def _run(self) -> AsyncIterator[FreeformRow]:
        self.requests = self.refused = self._planned = self._rows = 0
        self.plan = []
        self._multi_ok = self._allow_multi and len(self._dimensions) > 1
        self._accepted, self._probe = False, None
        if len(self._periods) == 1:
            async for row in self._period_rows(self._periods[0]):
                self._rows += 1
                yield row
            return
        # Periods are independent tables: a few run side by side (each level waits a round
        # trip for the one above, so one period alone leaves the limiter idle), each into a
        # bounded buffer, read out in period order.
        periods = iter(self._periods)
        running: deque[tuple[asyncio.Task[None], asyncio.Queue[FreeformRow | None]]] = deque()

        def start() -> None:
            period = next(periods, None)
            if period is not None:
                queue: asyncio.Queue[FreeformRow | None] = asyncio.Queue(_PERIOD_BUFFER)
                running.append((asyncio.ensure_future(self._fill(period, queue)), queue))

        try:
            for _ in range(_PERIODS_AT_ONCE):
                start()
            while running:
                task, queue = running[0]
                while (item := await _next(task, queue)) is not None:
                    self._rows += 1
                    yield item
                await task
                running.popleft()
                start()
        finally:
            tasks = [task for task, _queue in running]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _fill(self, period: _Period, queue: asyncio.Queue[FreeformRow | None]) -> None:
        async for row in self._period_rows(period):
            await queue.put(row)
        await queue.put(None)

    def _tick(self, *, planned: int = 0, done: int = 0) -> None:
        self._planned += planned
        self.requests += done
        if self._progress is not None:
            self._progress(FreeformProgress(self.requests, self._planned, self._rows))

    def _note_plan(self, level: int, how: str) -> None:
        while len(self.plan) <= level:
            self.plan.append("")
        if self.plan[level] not in ("", how):
            how = "mixed"
        self.plan[level] = how

    async def _period_rows(self, period: _Period) -> AsyncIterator[FreeformRow]:
        root = _Node((), (), (), [])
        self._tick(planned=1)
        root.children = await self._breakdown(period, root)
        self._note_plan(0, "top")
        # Levels fetched whole, one multi-dimension request each, while that pays.
        levels: list[list[_Node]] = [[root], root.children]
        while self._multi_ok and len(levels) <= min(len(self._dimensions), MAX_DIMENSIONS):
            if len(levels[-1]) == 1:
                # One parent: its breakdown costs the one request a multi-dimension request
                # would, and is never refused; deeper levels may still go multi-dimension.
                only = levels[-1][0]
                self._tick(planned=1)
                only.children = await self._breakdown(period, only)
                levels.append(only.children)
            elif not levels[-1] or not await self._multi_level(period, levels):
                break
        scheduler = _Scheduler(self, period, self._lookahead())
        try:
            if len(levels) - 1 < len(self._dimensions):
                for node in levels[-1]:
                    scheduler.offer(node)
            del levels
            async for row in scheduler.walk(root):
                yield row
        finally:
            await scheduler.close()

    def _lookahead(self) -> int:
        # Answers fetched ahead of the rows given out: enough to keep the limiter busy.
        concurrency = self._reports._client.rate_limit.concurrency
        return max(2, min(4 * concurrency, 32))

    def _row(self, period: _Period, node: _Node) -> FreeformRow:
        values, item_ids = node.values, node.item_ids
        if self._split:
            values = (period.label, *values)
            item_ids = (period.date_range or "", *item_ids)
        return FreeformRow(values, item_ids, dict(zip(self.metric_names, node.data, strict=False)))

    # -- requests ------------------------------------------------------------------------------

    def _request(
        self,
        period: _Period,
        *,
        dimension: str | None = None,
        dimensions: list[ReportDimension] | None = None,
        breakdowns: Sequence[ReportFilter] = (),
        limit: int,
        page: int,
    ) -> ReportRequest:
        # Ranked by the first metric, descending, as Workspace ranks a table; a breakdown
        # applies to every metric (Adobe's classic breakdown through metric filters).
        metrics = [
            attrs.evolve(
                metric, sort="desc" if index == 0 else None, filters=(*metric.filters, *breakdowns)
            )
            for index, metric in enumerate(self._metrics)
        ]
        return ReportRequest(
            self._data_view,
            dimension=dimension,
            dimensions=dimensions,
            metrics=metrics,
            date_range=period.date_range,
            segments=self._segments,
            limit=limit,
            page=page,
        )

    async def _send(self, request: ReportRequest) -> tuple[list[ReportRow], int | None]:
        """One page: its rows and the number of rows the whole answer has (if said)."""
        try:
            report, _page = await self._reports._fetch(
                request.to_body(), request.page, request.limit, {}
            )
        finally:
            self._tick(done=1)
        columns = report.columns
        if columns is not None and columns.column_errors:
            raise self._column_error(request, columns.column_errors[0])
        return report.rows or [], report.total_elements

    def _column_error(self, request: ReportRequest, error: ReportColumnError) -> BadRequestError:
        # A metric Adobe cannot report (misspelt, or not in the data view) comes back as a
        # 206 with zeros in its column: a table of those zeros would look like real data.
        columns = request._metric_columns()
        index = columns.index(error.column_id) if error.column_id in columns else None
        name = self.metric_names[index] if index is not None else f"column {error.column_id}"
        scrub = self._reports._client._scrub.text
        code = scrub((error.error_code or "column_error")[:100])
        why = scrub((error.error_description or "")[:300])
        return BadRequestError(
            f"metric {name!r} cannot be reported in data view {self._data_view!r} ({code}"
            f"{': ' + why if why else ''}); check the metric id and that the data view has it",
            status_code=206,
            error_code=code,
        )

    async def _pages(
        self,
        make: Callable[[int, int], ReportRequest],
        want: int | None,
        first: tuple[list[ReportRow], int | None] | None = None,
    ) -> list[ReportRow]:
        """The first ``want`` rows (all with ``None``) of a request, in pages of up to 1000:
        page 0 (unless given as ``first``), then the others side by side through the limiter,
        a bounded batch at a time; a short page ends the walk whatever the total said, so a
        server that overstates it costs no flood of empty pages."""
        limit = MAX_REPORT_PAGE if want is None else min(want, MAX_REPORT_PAGE)
        rows, total = first if first is not None else await self._send(make(limit, 0))
        if total is None or len(rows) < limit:
            return rows[:want]
        needed = total if want is None else min(want, total)
        count = math.ceil(needed / limit)
        self._tick(planned=count - 1)
        number = 1
        while number < count:
            batch = range(number, min(number + self._lookahead(), count))
            answers = await _gather([self._send(make(limit, n)) for n in batch])
            number = batch.stop
            for got, _total in answers:
                rows.extend(got)
            if number < count and any(len(got) < limit for got, _total in answers):
                self._tick(planned=number - count)  # not needed after all
                break
        return rows[:needed]

    async def _breakdown(self, period: _Period, node: _Node) -> list[_Node]:
        """The children of ``node``: its top items of the next dimension, one request (and
        pages) with the node's items as breakdown filters."""
        level = node.level
        breakdowns = [
            ReportFilter.breakdown(dim, item)
            for dim, item in zip(self._dimensions, node.item_ids, strict=False)
        ]
        rows = await self._pages(
            lambda limit, page: self._request(
                period,
                dimension=self._dimensions[level],
                breakdowns=breakdowns,
                limit=limit,
                page=page,
            ),
            self._tops[level],
        )
        if level:
            self._note_plan(level, "breakdowns")
        return [
            _Node(
                (*node.path, index),
                (*node.item_ids, str(row.item_id)),
                (*node.values, str(row.value)),
                list(row.data or []),
            )
            for index, row in enumerate(rows)
        ]

    async def _multi_level(self, period: _Period, levels: list[list[_Node]]) -> bool:
        """Fetch the next level of the table with one multi-dimension request (and pages);
        ``False`` when it was refused or would cost more than breakdowns."""
        parents = levels[-1]
        depth = len(levels)  # the dimensions of the request: the parents' and one more
        dimensions = []
        for level in range(1, depth):
            kept = sorted({node.item_ids[-1] for node in levels[level]})
            # Keep the answer to the parents' items where the list is short enough to send.
            search = ReportSearch(item_ids=kept) if len(kept) <= _MAX_SEARCH_IDS else None
            dimensions.append(ReportDimension(self._dimensions[level - 1], search=search))
        dimensions.append(ReportDimension(self._dimensions[depth - 1]))

        def make(limit: int, page: int) -> ReportRequest:
            return self._request(period, dimensions=dimensions, limit=limit, page=page)

        # Until one is accepted, one multi-dimension request at a time (periods run side by
        # side): the others wait for its verdict, so a table is refused at most once.
        while not self._accepted and self._probe is not None:
            await self._probe.wait()
            if not self._multi_ok:
                return False
        probe = None if self._accepted else asyncio.Event()
        self._probe = probe or self._probe
        self._tick(planned=1)
        try:
            rows, total = await self._send(make(MAX_REPORT_PAGE, 0))
        except BadRequestError:
            self.refused += 1
            self._multi_ok = False
            return False
        finally:
            if probe is not None:
                self._probe = None
                probe.set()
        self._accepted = True
        pages = math.ceil((total or len(rows)) / MAX_REPORT_PAGE)
        if pages - 1 > len(parents) or (total or 0) > _MAX_MULTI_ROWS:
            # Breakdowns are cheaper (or the answer too big to hold): the first page was
            # the price of finding out.
            self._multi_ok = False
            return False
        rows = await self._pages(make, None, first=(rows, total))
        by_ids = {node.item_ids: node for node in parents}
        for node in parents:
            node.children = []
        top = self._tops[depth - 1]
        for row in rows:
            ids, values = row.item_ids, row.values
            if ids is None or len(ids) != depth or values is None or len(values) != depth:
                # Not the answer shape this plan reads: breakdowns give the same rows.
                for node in parents:
                    node.children = None
                self._multi_ok = False
                return False
            parent = by_ids.get(tuple(ids[:-1]))
            if parent is None or parent.children is None:
                continue  # a combination under an item the table does not keep
            if top is None or len(parent.children) < top:
                # Rows come ranked by the first metric, so each parent's first are its top.
                parent.children.append(
                    _Node(
                        (*parent.path, len(parent.children)),
                        tuple(ids),
                        tuple(values),
                        list(row.data or []),
                    )
                )
        levels.append([child for node in parents for child in node.children or []])
        self._note_plan(depth - 1, "multi-dimension")
        return True


async def _next(
    task: asyncio.Task[None], queue: asyncio.Queue[FreeformRow | None]
) -> FreeformRow | None:
    """The next row a period's task puts in ``queue`` (``None`` at its end); its error if
    it fails first."""
    if not queue.empty():
        return queue.get_nowait()
    getting = asyncio.ensure_future(queue.get())
    try:
        await asyncio.wait({getting, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not getting.done():
            getting.cancel()
    if getting.done() and not getting.cancelled():
        return getting.result()
    task.result()  # the task ended without its end marker: it failed (this raises)
    raise RuntimeError("a freeform period ended without its rows")  # pragma: no cover


async def _gather(coroutines: Sequence[Any]) -> list[Any]:
    """Run concurrently; on a failure cancel the rest before raising."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class _Scheduler:
    """Breakdown requests in table order: a node's breakdown is offered as soon as its own
    answer is in and started while fewer than ``lookahead`` answers wait unconsumed (the
    one the consumer waits for starts regardless, so nothing can deadlock); the earliest in
    table order start first."""

    def __init__(self, table: FreeformTable, period: _Period, lookahead: int) -> None:
        self._table = table
        self._period = period
        self._lookahead = lookahead
        self._heap: list[tuple[tuple[int, ...], int, _Node]] = []
        self._order = itertools.count()
        self._open = 0  # started and not yet walked through
        self._tasks: set[asyncio.Task[list[_Node]]] = set()
        self._leaf_level = len(table._dimensions)

    def offer(self, node: _Node) -> None:
        """``node`` needs its breakdown (its parent's answer is in)."""
        node.pending = True
        self._table._tick(planned=1)
        heapq.heappush(self._heap, (node.path, next(self._order), node))
        self._pump()

    def _pump(self) -> None:
        while self._heap and self._open < self._lookahead:
            _path, _n, node = heapq.heappop(self._heap)
            if node.pending:
                self._start(node)

    def _start(self, node: _Node) -> None:
        node.pending = False
        self._open += 1
        task = asyncio.ensure_future(self._fetch(node))
        node.fetch = task
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[list[_Node]]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            # Seen here, so an error the consumer never reaches (it stopped first) is not
            # reported as never retrieved; the consumer that awaits the task still gets it.
            task.exception()

    async def _fetch(self, node: _Node) -> list[_Node]:
        children = await self._table._breakdown(self._period, node)
        if node.level + 1 < self._leaf_level:
            for child in children:
                self.offer(child)
        return children

    async def walk(self, node: _Node) -> AsyncIterator[FreeformRow]:
        """The rows under ``node``, in table order."""
        if node.level == self._leaf_level:
            yield self._table._row(self._period, node)
            return
        fetched = node.children is None
        if fetched:
            if node.pending:
                self._start(node)  # the consumer waits for it: start it now
            assert node.fetch is not None
            node.children = await node.fetch
            node.fetch = None
        for child in node.children or ():
            async for row in self.walk(child):
                yield row
        node.children = None  # walked through: free its items
        if fetched:
            self._open -= 1
            self._pump()

    async def close(self) -> None:
        """Cancel what was started ahead (the consumer stopped early or a request failed)."""
        self._heap.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
