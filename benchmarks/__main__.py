"""``python -m benchmarks [--quick] [--only walks,overhead] [--out DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from cja_async import __version__

from ._common import Context, Report, Table

# Run order: the CPU-bound measurements first, then the long real-time ones; ``timeline``
# after ``walks`` so it can reuse the 250-request walks.
HERE = Path(__file__).resolve().parent
# Benchmarks contributed alongside optional features, run when their module is present.
_OPTIONAL = ("redis_workers",)
_PRESENT = tuple(name for name in _OPTIONAL if (HERE / f"{name}.py").exists())
BENCHMARKS = (
    "overhead",
    "structuring",
    "walks",
    "timeline",
    "segments",
    "jobs",
    "freeform",
    "cache",
    "memory",
    *_PRESENT,
)
DEFAULT_OUT = HERE / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="cja-async benchmarks against the in-process simulator (ratios, same run).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a shorter run: no 1000-request walk, fewer repeats, 120 segment ids",
    )
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of: {', '.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory for JSON, PNG and summary.md (default: benchmarks/results/)",
    )
    return parser


def _summary(ctx: Context) -> str:
    """Markdown of every benchmark whose JSON is in the output directory (this run's or an
    earlier one's: ``--only`` re-runs part and keeps the rest)."""
    lines = [
        "## Performance",
        "",
        "Measured with `nox -s bench` against the bundled simulator in real time at 10x speed "
        "(6 in flight, 60 per 6 s, 12 per 0.6 s), on a shared 2-core machine. Every figure is a "
        "ratio taken in the same run; `benchmarks/README.md` says what each one measures.",
        "",
    ]
    for name in BENCHMARKS:
        source = ctx.out / f"{name}.json"
        if not source.exists():
            continue
        saved = json.loads(source.read_text())
        run = saved.get("run", {})
        if saved.get("skipped"):
            lines.extend([f"**{name}**: {saved['skipped']}", ""])
            continue
        for table in saved.get("tables", []):
            lines.extend([Table(**table).markdown(), ""])
        for chart in saved.get("charts", []):
            lines.extend([f"![{name}]({chart})", ""])
        lines.extend(
            [
                f"<sub>{name}: {run.get('date', '?')}, cja-async {run.get('version', '?')}, "
                f"Python {run.get('python', '?')}{', --quick' if run.get('quick') else ''}, "
                f"{run.get('seconds', 0):.0f} s.</sub>",
                "",
            ]
        )
    return "\n".join(lines)


async def _main(names: Sequence[str], ctx: Context) -> list[Report]:
    reports = []
    for name in names:
        print(f"\n### {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        report: Report = await module.run(ctx)
        seconds = time.perf_counter() - started
        run = {
            "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "version": __version__,
            "python": platform.python_version(),
            "quick": ctx.quick,
            "seconds": seconds,
        }
        saved = {
            "name": name,
            "run": run,
            "skipped": report.skipped,
            "tables": [asdict(table) for table in report.tables],
            "charts": [chart.name for chart in report.charts],
            **report.data,
        }
        ctx.write_json(name, saved)
        for table in report.tables:
            print(table.text(), flush=True)
        for chart in report.charts:
            print(f"chart: {chart}")
        print(f"({seconds:.0f} s)", flush=True)
        reports.append(report)
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; write ``<out>/<name>.json``, charts and ``summary.md``."""
    args = _parser().parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    names = [name for name in BENCHMARKS if name in names]
    ctx = Context(out=args.out, quick=args.quick)
    asyncio.run(_main(names, ctx))
    summary = ctx.path("summary.md")
    summary.write_text(_summary(ctx))
    print(f"\nsummary: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
