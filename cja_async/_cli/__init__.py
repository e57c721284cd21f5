"""The ``cja-async`` command line: everyday CJA jobs without writing code.

click, not typer or bare argparse: it is the most used and most stable of the three (typer is
a layer over it), its commands are plain typed functions with ``--help`` generated from their
docstrings, and it lets this module own the exit codes (``standalone_mode=False``), which a
script calling ``cja-async`` relies on: 0 success, 1 an error (one line on stderr, no
traceback), 2 a usage error, 130 after Ctrl-C.

Every command goes through the library (one ``Client``, the org's limiter, the same retries);
nothing here speaks HTTP itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click
from click.decorators import FC

from .. import (
    AuthenticationError,
    CJAError,
    Client,
    LimiterUnavailableError,
    NotFoundError,
    OAuthCredentials,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    RateLimitMismatchError,
    TransportError,
    __version__,
)
from .._auth import _console_fields, _env_value, _load_json
from .._checks import check_redis_url
from .._extras import install_hint
from .._limits import LimiterBackend
from . import _diff, _export, _report, _sdr
from ._errors import CommandError
from ._files import check_writable_dir, format_for
from ._progress import Progress, plural, summary_line

if TYPE_CHECKING:
    from ..redis import RedisLimiterBackend

__all__ = ["cli", "main"]

PROG = "cja-async"


class Interrupted(CommandError):
    """Ctrl-C: exit 130, as shells expect of a program stopped by SIGINT."""

    def __init__(self) -> None:
        super().__init__(
            "interrupted (Ctrl-C); files written so far are complete, none is left half-written",
            exit_code=130,
        )


def run(job: Coroutine[Any, Any, str | None], *, err: bool = True) -> None:
    """Run a command's coroutine, then print the summary it returns (on stderr, or stdout
    when ``err`` is false).

    Ctrl-C before the summary is ``Interrupted`` (exit 130, one line). The summary is printed
    only once the event loop is closed, and from then on Ctrl-C is ignored: the work is done
    and said to be, and a late Ctrl-C must not turn it into a failure, or kill the interpreter
    while it exits (signal -2 and not a word). Task-group errors become their first cause.
    """
    try:
        summary = asyncio.run(job)
        _ignore_ctrl_c()
    except KeyboardInterrupt:
        job.close()  # Ctrl-C before the loop ran it: no "never awaited" warning
        raise Interrupted() from None
    except BaseExceptionGroup as group:
        # Concurrent walks fail as a group: report the first real cause, not the group.
        raise _explained(_first_cause(group)) from None
    except ValueError as exc:
        raise _explained(exc) from None
    if summary:
        click.echo(summary, err=err)


def _ignore_ctrl_c() -> None:
    # Only the main thread may set a handler; a command run elsewhere keeps the default.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _explained(exc: BaseException) -> BaseException:
    """A CommandError for the one ValueError a command meets only once requests run: a
    budget in Redis agreed with other limits (another --speed); anything else as it is."""
    if isinstance(exc, RateLimitMismatchError):
        return CommandError(f"{exc}: give every run that shares --redis the same --speed")
    return exc


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_cause(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group.exceptions[0]


# -- credentials and the client ------------------------------------------------------------


@attrs.frozen
class Connection:
    """Where the credentials come from and which API to call."""

    credentials: Path | None
    base_url: str | None
    token_url: str | None
    speed: float
    redis: str | None = None

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Client]:
        """The client, drawing on the org's budget in Redis when ``--redis`` names one (so
        separate runs, and the other programs of the org that use it, share one budget)."""
        if self.redis is None:
            async with self.client() as cja:
                yield cja
            return
        async with self._redis_backend() as backend, self.client(backend) as cja:
            yield cja

    def _redis_backend(self) -> RedisLimiterBackend:
        try:
            from ..redis import RedisLimiterBackend
        except ImportError:
            raise CommandError(f"--redis needs redis-py: {install_hint('redis')}") from None
        try:
            return RedisLimiterBackend(self.redis or "")
        except ValueError as exc:
            raise CommandError(f"--redis: {exc}") from None

    def client(self, limiter_backend: LimiterBackend | None = None) -> Client:
        """A client from ``--credentials`` or the ``CJA_*`` environment variables."""
        options: dict[str, Any] = {"limiter_backend": limiter_backend}
        if self.speed != 1.0:
            options["rate_limit"] = RateLimit().scaled(self.speed)
        if self.base_url:
            options["base_url"] = self.base_url
        try:
            if self.credentials is None:
                # None of the three: say how to give credentials at all. Some of them: the
                # library names the one missing.
                if not any(_env_value(os.environ, f"CJA_{n}") for n in _ENV_CREDENTIALS):
                    raise ValueError(
                        "no credentials: pass --credentials FILE (the JSON Adobe's Developer "
                        "Console downloads) or set CJA_ORG_ID, CJA_CLIENT_ID and CJA_CLIENT_SECRET"
                    )
                if self.token_url:
                    options["credentials"] = attrs.evolve(
                        OAuthCredentials.from_env(), token_url=self.token_url
                    )
                return Client.from_env(**options)
            # Not Client.from_console_json: --token-url and CJA_ORG_ID may complete the file.
            org_id, fields = _console_fields(_load_json(self.credentials))
            org_id = org_id or _env_value(os.environ, "CJA_ORG_ID")
            if not org_id:
                raise ValueError("the file names no org; set CJA_ORG_ID")
            if self.token_url:
                fields["token_url"] = self.token_url
            return Client(org_id=org_id, credentials=OAuthCredentials(**fields), **options)
        except OSError as exc:
            raise CommandError(f"cannot read {self.credentials}: {exc.strerror or exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{self.credentials}: not a JSON file ({exc})") from exc
        except (TypeError, ValueError) as exc:  # a bad file, variable or URL
            message = str(exc)
            named = self.credentials is not None and str(self.credentials) in message
            where = f"{self.credentials}: " if self.credentials is not None and not named else ""
            fix = next(
                (f"; on the command line: {option}" for arg, option in _SET_BY if arg in message),
                "",
            )
            if self.credentials is None and message.startswith("environment variable"):
                fix = (
                    "; set CJA_ORG_ID, CJA_CLIENT_ID and CJA_CLIENT_SECRET (the Developer "
                    "Console's Organization ID, client id and client secret), or pass "
                    "--credentials FILE"
                )
            raise CommandError(f"{where}{message}{fix}") from exc


_ENV_CREDENTIALS = ("ORG_ID", "CLIENT_ID", "CLIENT_SECRET")

# The library's errors name its arguments; a command-line user sets them this way. The
# token URL first: a loopback base_url refused for Adobe's token_url needs --token-url.
_SET_BY = (
    ("token_url", "--token-url URL (or CJA_TOKEN_URL)"),
    ("base_url", "--base-url URL (or CJA_BASE_URL)"),
    ("org_id", "CJA_ORG_ID (or the credential file's ORG_ID)"),
    ("scopes", "CJA_SCOPES (comma-separated)"),
)


def _stripped(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The value without surrounding whitespace (as the library reads CJA_* variables), or
    None for an unset or blank one."""
    if value is None:
        return None
    return value.strip() or None


def _redis_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A Redis URL (redis-py reads three schemes), or None for an unset or empty one."""
    if not value:
        return None
    try:
        return check_redis_url(value, "the URL")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_CONNECTION_OPTIONS = (
    click.option(
        "--credentials",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The credential JSON from Adobe's Developer Console (default: the CJA_* "
        "environment variables: CJA_ORG_ID, CJA_CLIENT_ID, CJA_CLIENT_SECRET, ...).",
    ),
    # Read from the environment here too, so they apply to --credentials as well (the
    # library reads them only in Client.from_env).
    click.option(
        "--base-url",
        metavar="URL",
        envvar="CJA_BASE_URL",
        callback=_stripped,
        help="The API (default: CJA_BASE_URL, else https://cja.adobe.io).",
    ),
    click.option(
        "--token-url",
        metavar="URL",
        envvar="CJA_TOKEN_URL",
        callback=_stripped,
        help="The identity server's token URL, for simulators (default: CJA_TOKEN_URL, else "
        "Adobe's).",
    ),
    click.option(
        "--redis",
        metavar="URL",
        envvar="CJA_REDIS_URL",
        callback=_redis_url,
        help="Share the org's request budget through this Redis (redis://host:6379/0) with "
        "every run and program that names it, so that together they meet no 429 (default: "
        "CJA_REDIS_URL; without it, this run's own limiter). Needs the redis extra.",
    ),
    click.option(
        "--speed",
        type=click.FloatRange(min=1.0),
        default=1.0,
        show_default=True,
        help="Divide every rate-limit window by this: only for a simulator served with "
        "the same --speed.",
    ),
)


def connection_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the credential options to a command; it receives them as ``connection``."""

    @functools.wraps(command)
    def wrapper(
        *,
        credentials: Path | None,
        base_url: str | None,
        token_url: str | None,
        redis: str | None,
        speed: float,
        **kwargs: Any,
    ) -> None:
        connection = Connection(credentials, base_url, token_url, speed, redis)
        command(connection=connection, **kwargs)

    for option in reversed(_CONNECTION_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def _summary(what: str, cja: Client, started: float) -> str:
    return summary_line(what, cja, time.perf_counter() - started)


# -- the commands ---------------------------------------------------------------------------


class OutPath(click.Path):
    """``--out``: a path that is not empty. An empty one (an unset shell variable) would
    otherwise mean the current folder, and an export would write its files there."""

    def __init__(self, *, folder: bool) -> None:
        super().__init__(file_okay=not folder, dir_okay=folder, path_type=Path)
        self.example = "backup/" if folder else "out.csv"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"empty; give a {self.name} such as {self.example}", param, ctx)
        return super().convert(value, param, ctx)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Run 'cja-async COMMAND --help' for a command's options and an example.",
)
@click.version_option(__version__, "--version", "-V", prog_name=PROG)
def cli() -> None:
    """Everyday Adobe Customer Journey Analytics jobs from the shell: back up every
    component, document a data view, compare two exports, pull a report.

    Credentials come from the CJA_* environment variables (CJA_ORG_ID, CJA_CLIENT_ID,
    CJA_CLIENT_SECRET) or --credentials FILE. Every request goes through the org's rate
    limiter, so a run meets no 429 of its own making; other programs and earlier runs (within
    the last minute) spend the same budget at Adobe, and their 429s are waited out, retried
    and counted in the summary. With --redis URL (or CJA_REDIS_URL) runs share one budget
    and meet none.
    """


@cli.command(short_help="Show the credential's user and org (one request).")
@connection_options
def whoami(connection: Connection) -> None:
    """Show the credential's user and org: checks the setup with one request.

    \b
    Example:
      cja-async whoami --credentials ~/cja/credential.json
    """

    async def job() -> str:
        started = time.perf_counter()
        async with connection.open() as cja:
            me = await cja.users.me()
            name = me.full_name or me.display_name or me.name or ""
            email = f" <{me.email}>" if me.email else ""
            click.echo(f"user  {name}{email}".rstrip())
            click.echo(f"id    {me.id or me.ims_user_id or me.user_id or ''}")
            click.echo(f"org   {cja.org_id}")
            click.echo(f"api   {cja.base_url}")
            return _summary("whoami", cja, started)

    run(job())


def _groups(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    names = [value.replace("-", "_").lower() for value in values]
    if "all" in names:
        return list(_export.GROUPS)
    unknown = [name for name in names if name not in _export.GROUPS]
    if unknown:
        raise click.BadParameter(
            f"unknown group {unknown[0]!r}; choose from: all, {', '.join(_export.GROUPS)}"
        )
    return list(dict.fromkeys(names))


_GROUP_LIST = ", ".join(_export.GROUPS)


@cli.command(
    epilog=f"Groups: all, {_GROUP_LIST} (dashes work too: calculated-metrics).",
)
@click.argument("groups", nargs=-1, required=True, callback=_groups)
@click.option(
    "--out",
    "-o",
    required=True,
    type=OutPath(folder=True),
    help="Folder for the files (created if missing): one OUT/GROUP.FORMAT per group.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_export.FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: the API's JSON, one component a line; json: one array; csv: a column per "
    "member, nested values as JSON.",
)
@connection_options
def export(connection: Connection, groups: list[str], out: Path, fmt: str) -> None:
    """Export every component of the GROUPS, one file per group.

    Lists are walked a page of 1000 at a time with every member expanded (definitions,
    owners, tags...), all groups at once within the org's limits. A file appears only when
    its group is complete.

    \b
    Example:
      cja-async export segments calculated-metrics dataviews --out backup/ --format jsonl
      cja-async export all --out backup/
    """
    check_writable_dir(out)  # before any request: a bad --out costs nothing

    async def job() -> str:
        started = time.perf_counter()
        async with connection.open() as cja:
            with Progress() as progress:
                counts = await _export.export(cja, groups, out, fmt, progress)
            total = sum(counts.values())
            return _summary(
                f"exported {plural(total, 'item')} in {plural(len(counts), 'file')} to {out}",
                cja,
                started,
            )

    run(job())


def _data_view_id(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A DATA_VIEW_ID that is not empty (an unset shell variable), refused before any request."""
    if not value.strip():
        raise click.BadParameter("empty; give a data view id such as dv_677ea9291244fd082f02dd42")
    return value


_OUT_FILE = click.option(
    "--out",
    "-o",
    required=True,
    type=OutPath(folder=False),
    help="The file to write; its suffix picks the format unless --format says.",
)


@cli.command()
@click.argument("data_view_id", callback=_data_view_id)
@_OUT_FILE
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_sdr.FORMATS),
    help="xlsx: a sheet per part; csv: one table with a 'part' column; json: the parts as "
    "arrays (what 'diff' compares); md: a section per part.",
)
@connection_options
def sdr(connection: Connection, data_view_id: str, out: Path, fmt: str | None) -> None:
    """Write a Solution Design Reference of a data view.

    Its parts: the data view, its dimensions, its metrics, and the calculated metrics and
    segments on it; columns id, name, description, type, settings, tags, owner, modified.

    \b
    Example:
      cja-async sdr dv_677ea9291244fd082f02dd42 --out web-sdr.xlsx
      cja-async sdr dv_677ea9291244fd082f02dd42 --out web-sdr.json   # for 'diff'
    """
    chosen = format_for(out, fmt, _sdr.FORMATS)
    check_writable_dir(out.parent)

    async def job() -> str:
        started = time.perf_counter()
        async with connection.open() as cja:
            with Progress() as progress:
                try:
                    parts = await _sdr.collect(cja, data_view_id, progress)
                except NotFoundError as exc:
                    raise CommandError(f"unknown data view {data_view_id!r}: {exc}") from None
            _sdr.write(parts, out, chosen)
            counts = ", ".join(
                f"{len(rows)} {part.replace('_', ' ')}"
                for part, rows in parts.items()
                if part != "dataview"
            )
            return _summary(f"sdr of {data_view_id} ({counts}) -> {out}", cja, started)

    run(job())


@cli.command(short_help="Compare two exports or two sdr JSON files.")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """Compare two export folders (or two sdr JSON files): components added, removed and
    changed, with the members that changed. Exits 0 whether or not they differ.

    \b
    Example:
      cja-async export all --out monday/ && ... && cja-async export all --out friday/
      cja-async diff monday/ friday/
      cja-async diff prod-sdr.json dev-sdr.json
    """
    _diff.check_same_formats(old, new)
    diffs = _diff.compare(_diff.load(old), _diff.load(new))
    if as_json:
        click.echo(json.dumps([attrs.asdict(d) for d in diffs if not d.empty], indent=1))
    else:
        for line in _diff.render(diffs):
            click.echo(line)
    added = sum(len(d.added) for d in diffs)
    removed = sum(len(d.removed) for d in diffs)
    changed = sum(len(d.changed) for d in diffs)
    click.echo(
        f"{added} added, {removed} removed, {changed} changed in {len(diffs)} groups"
        if added or removed or changed
        else f"no differences in {len(diffs)} groups",
        err=True,
    )


def _day(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A YYYY-MM-DD day, refused as a usage error naming the option (not 'date_range')."""
    try:
        if len(value) != 10:
            raise ValueError(value)
        datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day; give YYYY-MM-DD") from None
    return value


@cli.command(short_help="Pull a report (a freeform table) into a file.")
@click.argument("data_view_id", callback=_data_view_id)
@click.option(
    "--dimension",
    "-d",
    "dimensions",
    multiple=True,
    required=True,
    metavar="ID",
    help="A dimension (variables/...); repeat to break down, outermost first.",
)
@click.option(
    "--metric",
    "-m",
    "metrics",
    multiple=True,
    required=True,
    metavar="ID",
    help="A metric (metrics/...); repeat for more. Rows rank by the first.",
)
@click.option(
    "--from", "start", required=True, metavar="YYYY-MM-DD", callback=_day, help="First day."
)
@click.option(
    "--to", "end", required=True, metavar="YYYY-MM-DD", callback=_day, help="Day after the last."
)
@click.option(
    "--top",
    metavar="N[,N...]",
    help="Items kept by the first metric: one number per --dimension (10,5), or one for every "
    "level; 'all' keeps every item of a level (default: all).",
)
@click.option(
    "--segment", "segments", multiple=True, metavar="ID", help="A segment to apply (repeatable)."
)
@click.option(
    "--split",
    type=click.Choice(list(_report.SPLITS)),
    help="Report each period on its own (the first column); needed past Adobe's 18 months.",
)
@_OUT_FILE
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_report.FORMATS),
    help="csv: a header, then a row per line; jsonl: a JSON object per row; parquet: needs polars.",
)
@connection_options
def report(
    connection: Connection,
    data_view_id: str,
    dimensions: tuple[str, ...],
    metrics: tuple[str, ...],
    start: str,
    end: str,
    top: str | None,
    segments: tuple[str, ...],
    split: str | None,
    out: Path,
    fmt: str | None,
) -> None:
    """Pull a freeform table of a data view into a file: per row each dimension's value
    and item id (outermost first), then each metric of that whole combination.

    \b
    Example: the top 10 channels, and the top 5 devices within each
      cja-async report dv_677ea9291244fd082f02dd42 \\
          --dimension variables/marketingchannel --dimension variables/devicetype \\
          --metric metrics/visits --metric metrics/revenue \\
          --from 2024-01-01 --to 2024-04-01 --top 10,5 --out channels.csv
    """
    chosen = format_for(out, fmt, _report.FORMATS)
    _report.check_format(chosen)
    _report.check_distinct(dimensions, "--dimension")
    _report.check_distinct(metrics, "--metric")
    if end <= start:  # YYYY-MM-DD strings sort as days do
        one_day = datetime.date.fromisoformat(start) + datetime.timedelta(days=1)
        raise click.UsageError(
            f"--to {end} is not after --from {start}; --to is the day after the last "
            f"(one day: --from {start} --to {one_day})"
        )
    top_items = _report.parse_top(top, len(dimensions))
    check_writable_dir(out.parent)

    async def job() -> str:
        started = time.perf_counter()
        async with connection.open() as cja:
            with Progress() as progress:
                rows = await _report.fetch(
                    cja,
                    data_view_id,
                    progress,
                    dimensions=dimensions,
                    metrics=metrics,
                    date_range=(start, end),
                    top=top_items,
                    segments=segments,
                    split=split,
                )
            columns = _report.columns(dimensions, metrics, split)
            records = _report.records(rows, dimensions, metrics, split)
            _report.write(records, columns, out, chosen)
            return _summary(f"{plural(len(rows), 'row')} -> {out}", cja, started)

    run(job())


def _tuning(
    name: str, kind: click.IntRange | click.FloatRange, default: float, help: str
) -> Callable[[FC], FC]:
    """A numeric option whose help shows its default."""
    return click.option(name, type=kind, default=default, show_default=True, help=help)


@cli.command(short_help="Bulk-export a simulated org, in-process.")
@_tuning("--dataviews", click.IntRange(min=1), 2000, "Data views in the org.")
@_tuning(
    "--limit", click.IntRange(min=1, max=1000), 10, "Data views per page (1 to 1000, Adobe's most)."
)
@_tuning("--latency", click.FloatRange(min=0.0), 0.05, "Seconds per response.")
def demo(dataviews: int, limit: int, latency: float) -> None:
    """Bulk-export a simulated org (in-process, nothing leaves the machine) and show the
    summary: requests, 429s and the wall time against the least possible.

    \b
    Example:
      cja-async demo --dataviews 500
    """
    code = 0

    async def job() -> str:
        nonlocal code
        # Imported here: the simulator it runs is no part of the other commands' startup.
        from ._demo import demo as run_demo

        code, summary = await run_demo(dataviews, limit, latency, sys.stdout)
        return summary

    run(job(), err=False)  # the demo's whole story is on stdout
    if code:
        raise CommandError("the demo did not export every data view without a 429")


# -- errors and exit codes ------------------------------------------------------------------

_HINTS: tuple[tuple[type[CJAError], str], ...] = (
    (
        AuthenticationError,
        "check the client id and secret (--credentials or CJA_CLIENT_ID, "
        "CJA_CLIENT_SECRET) and the token URL",
    ),
    (
        PermissionDeniedError,
        "the credential lacks access: check that CJA_ORG_ID (or the file's org) is the "
        "credential's own org, and the credential's product profile",
    ),
    (RateLimitError, "the org's request budget stayed spent; try again later"),
    (TransportError, "check the network and --base-url"),
    (LimiterUnavailableError, "check that the Redis of --redis (or CJA_REDIS_URL) is reachable"),
)


def describe(exc: CJAError) -> str:
    """One line for an error of the library, with what to do about it."""
    hint = next((text for cls, text in _HINTS if isinstance(exc, cls)), None)
    if isinstance(exc, TransportError) and str(exc).startswith("could not get a token"):
        # No answer from the identity server: its URL, not the API's, is the one to check.
        hint = "check the network and the token URL (--token-url or CJA_TOKEN_URL)"
    return f"{exc}; {hint}" if hint else str(exc)


def _fail(message: str) -> None:
    click.echo(f"{PROG}: {' '.join(message.split())}", err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1, 2 usage, 130 Ctrl-C).

    Without ``argv`` it is the program (the arguments are ``sys.argv``'s): a command that
    finished leaves Ctrl-C ignored until the process exits (see ``run``). With ``argv``, an
    in-process caller, the caller's Ctrl-C handler is put back.
    """
    previous = signal.getsignal(signal.SIGINT)
    try:
        return _main(argv)
    finally:
        if (
            argv is not None
            and previous is not None
            and threading.current_thread() is (threading.main_thread())
        ):
            signal.signal(signal.SIGINT, previous)


def _main(argv: Sequence[str] | None) -> int:
    try:
        code = cli.main(args=None if argv is None else list(argv), standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except CommandError as exc:
        _fail(exc.message if exc.exit_code == 130 else f"error: {exc.message}")
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):  # Ctrl-C outside a command's event loop
        _fail(Interrupted().message)
        return 130
    except CJAError as exc:
        _fail(f"error: {describe(exc)}")
        return 1
    except OSError as exc:  # a file that cannot be written or read
        where = f" {exc.filename!r}" if exc.filename else ""
        _fail(f"error: cannot use{where}: {exc.strerror or exc}")
        return 1
    return code if isinstance(code, int) else 0
