"""What the benchmarks share: limits, fresh orgs, a raw-httpx session, tables and output files."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import httpx

from cja_async import RateLimit, Window
from cja_async.testing import TOKEN_PATH, Simulator, serve

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Adobe's limits at ten times the speed (60/min -> 60 per 6 s, 12 per 6 s -> 12 per 0.6 s).
SPEED = 10
FAST_LIMITS = RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))
# The strict simulator counts each request at a random moment between its arrival and its
# response, as API-NOTES says Adobe's gateway may: a client that only paces its sends can
# no longer slip through at the edge of a window.
COUNT_AT: Final = "random"
# "Limits off" on the client side: nothing is ever held back by a window. The concurrency stays
# at Adobe's 6 so that the pager's look-ahead (2 x concurrency pages) is what users get.
HUGE_LIMITS = RateLimit(concurrency=6, windows=(Window(10**9, 0.001),))
SIM_BASE_URL = "http://127.0.0.1"


def fresh_org(tag: str) -> str:
    """A new org id: the limiter registry (and the simulator's windows) are per org."""
    return f"BENCH{tag.upper()}{uuid.uuid4().hex[:12].upper()}@AdobeOrg"


@dataclass
class Table:
    """One result table: printed as text, written as markdown into ``summary.md``."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Fixed-width text for the terminal."""
        cells = [self.headers, *self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]
        lines = [self.title, "=" * len(self.title)]
        for index, row in enumerate(cells):
            lines.append(
                "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
            )
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        lines.extend(f"* {note}" for note in self.notes)
        return "\n".join(lines)

    def markdown(self) -> str:
        """A GitHub-flavoured markdown table with its title and notes."""
        lines = [f"**{self.title}**", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append(
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.headers))) + "|"
        )
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass
class Report:
    """What one benchmark produced."""

    name: str
    tables: list[Table] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    charts: list[Path] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Context:
    """Options of this run and what benchmarks hand each other (the walks' request starts)."""

    out: Path
    quick: bool = False
    shared: dict[str, Any] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        """A file in the output directory."""
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / name

    def write_json(self, name: str, data: Any) -> Path:
        """Write ``data`` as ``<out>/<name>.json``."""
        target = self.path(f"{name}.json")
        target.write_text(json.dumps(data, indent=2, default=str) + "\n")
        return target


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(ctx: Context, figure: Figure, name: str) -> Path:
    """Save ``figure`` as ``<out>/<name>.png`` and close it."""
    target = ctx.path(f"{name}.png")
    figure.savefig(target, dpi=110, bbox_inches="tight")
    pyplot().close(figure)
    return target


def bar_chart(
    ctx: Context,
    name: str,
    title: str,
    labels: list[str],
    series: dict[str, list[float]],
    ylabel: str,
    *,
    line: tuple[float, str] | None = None,
    log: bool = False,
    fmt: str = "{:.3g}",
) -> Path:
    """A grouped bar chart (one bar per series at each label), values written on the bars,
    with an optional horizontal line (a target or a limit); saved as ``<out>/<name>.png``."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(labels) * len(series)), 4.2))
    width = 0.8 / len(series)
    for index, (label, values) in enumerate(series.items()):
        offset = (index - (len(series) - 1) / 2) * width
        bars = ax.bar([i + offset for i in range(len(labels))], values, width, label=label)
        ax.bar_label(bars, [fmt.format(v) for v in values], fontsize=8, padding=2)
    if line is not None:
        ax.axhline(line[0], color="tab:red", linestyle="--", linewidth=1, label=line[1])
    if log:
        ax.set_yscale("log")
    ax.margins(y=0.15)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if len(series) > 1 or line is not None:
        ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return save_figure(ctx, figure, name)


@dataclass
class RawAPI:
    """What a user without cja-async writes: an httpx client, a token, the gateway headers."""

    http: httpx.AsyncClient
    headers: dict[str, str]

    async def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """One GET with the auth headers, no retries."""
        return await self.http.get(path, params=params, headers=self.headers)


@asynccontextmanager
async def raw_api(sim: Simulator, org_id: str) -> AsyncIterator[RawAPI]:
    """A raw httpx session for ``org_id`` on ``sim`` (in-process), token already fetched."""
    client_id, secret = f"raw-{org_id}", "raw-secret"
    sim.add_client(client_id, secret, org_id)
    transport = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=transport, base_url=SIM_BASE_URL) as http:
        response = await http.post(
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": "openid,AdobeID,read_organizations",
            },
        )
        response.raise_for_status()
        headers = {
            "Authorization": f"Bearer {response.json()['access_token']}",
            "x-api-key": client_id,
            "x-gw-ims-org-id": org_id,
            "Accept": "application/json",
        }
        yield RawAPI(http, headers)


# The simulator over a real socket on loopback (cja_async.testing's helper, one place for it).
served = serve


def ratio(value: float, base: float) -> float:
    """``value / base`` (``inf`` when ``base`` is 0)."""
    return value / base if base else float("inf")


def fmt_ratio(value: float) -> str:
    """``1.034x``."""
    return f"{value:.3f}x"


def median(values: Sequence[float]) -> float:
    """The median (the mean of the two middle values for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def mark(ok: bool) -> str:
    """``yes`` / ``NO`` for a target column."""
    return "yes" if ok else "NO"


Runner = Callable[[Context], Any]
