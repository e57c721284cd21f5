"""``python -m benchmarks [--quick] [--only walks,overhead] [--out DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cja_async import __version__

from ._common import Context, Report

# Run order: the CPU-bound measurements first, then the long real-time ones; ``timeline``
# after ``walks`` so it can reuse the 250-request walks.
BENCHMARKS = ("overhead", "structuring", "walks", "timeline", "segments", "memory")
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


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


def _summary(reports: list[Report], ctx: Context, seconds: float) -> str:
    lines = [
        "## Performance",
        "",
        f"Measured with `nox -s bench` (`python -m benchmarks{' --quick' if ctx.quick else ''}`)"
        f" on {datetime.now(UTC):%Y-%m-%d}, cja-async {__version__}, Python "
        f"{platform.python_version()}, against the bundled simulator in real time at 10x speed "
        "(6 in flight, 60 per 6 s, 12 per 0.6 s). Every figure is a ratio taken in the same run.",
        "",
    ]
    for report in reports:
        if report.skipped:
            lines.extend([f"**{report.name}**: {report.skipped}", ""])
            continue
        for table in report.tables:
            lines.extend([table.markdown(), ""])
        for chart in report.charts:
            lines.extend([f"![{report.name}]({chart.name})", ""])
    lines.append(f"_Whole run: {seconds / 60:.1f} min._")
    return "\n".join(lines) + "\n"


async def _main(names: Sequence[str], ctx: Context) -> list[Report]:
    reports = []
    for name in names:
        print(f"\n### {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        report: Report = await module.run(ctx)
        if not report.skipped:
            ctx.write_json(name, {"name": name, "quick": ctx.quick, **report.data})
            for table in report.tables:
                print(table.text(), flush=True)
            for chart in report.charts:
                print(f"chart: {chart}")
        print(f"({time.perf_counter() - started:.0f} s)", flush=True)
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
    started = time.perf_counter()
    reports = asyncio.run(_main(names, ctx))
    summary = ctx.path("summary.md")
    summary.write_text(_summary(reports, ctx, time.perf_counter() - started))
    print(f"\nsummary: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
