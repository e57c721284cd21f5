"""Mutation testing of the core decisions, on mutmut: ``nox -s mutants [-- options]``.

Why mutmut (3.x): it forks one warmed-up pytest process per mutant instead of starting
Python again (cosmic-ray runs a fresh test command per mutant: about two seconds of imports
each, on a shared 2-core machine), and it runs for each mutant only the tests that executed
the mutated function (it records that once, in its "stats" run). Its settings live in
``pyproject.toml`` (``[tool.mutmut]``: the modules to mutate and the test files to choose
from). What mutmut lacks, this script adds:

- a scope per module (``tests/mutants.toml``): only the decision functions count, not the
  wiring around them;
- ``--changed REF``: only the modules changed against ``REF`` (a CI job on a branch);
- ``--sample FRACTION``: a reproducible share of the mutants (``--seed``), for a quick look;
- equivalent mutants listed with a reason in ``tests/mutants.toml``, keyed by function and
  mutated line rather than mutmut's numbers (``__mutmut_17``), which shift whenever someone
  edits the function;
- the score per module, the survivors with their diff, and ``--fail-under``.

Timeouts count as killed (the mutant made a test hang), "no tests" as survived (nothing
executes that code).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import functools
import random
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("mutants.toml")
KILLED = frozenset({"killed", "timeout", "caught by type check", "segfault"})
# mutmut reports a worker that crashed before running any test as "timeout" too (exit 255,
# e.g. a test id pytest cannot take back on its command line): a run where many mutants
# "time out" is broken, not well tested. Real hangs are rare (tests wait under time limits).
MOST = 0.1


def module_name(path: str) -> str:
    """``cja_async/_retry.py`` -> ``cja_async._retry``."""
    return path.removesuffix(".py").replace("/", ".")


def mangled(function: str) -> str:
    """A scope entry as mutmut names it: ``A.b`` -> ``xǁAǁb``, ``f`` -> ``x_f``."""
    if function == "*":
        return "x*"
    if "." in function:
        cls, method = function.split(".", 1)
        return f"xǁ{cls}ǁ{method}"
    return f"x_{function}"


def readable(name: str) -> str:
    """``cja_async._limits.xǁLimiterCoreǁdelay__mutmut_3`` -> ``_limits.LimiterCore.delay``."""
    base = name.split("__mutmut_")[0].removeprefix("cja_async.")
    module, _, function = base.partition(".")
    function = function.removeprefix("x_") if function.startswith("x_") else function[1:]
    return f"{module}.{function.strip('ǁ').replace('ǁ', '.')}"


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def changed_paths(ref: str) -> set[str]:
    """Files that differ from ``ref`` (committed or not) or are new and untracked."""
    base = git("merge-base", ref, "HEAD").strip()
    names = git("diff", "--name-only", base).split()
    names += git("ls-files", "--others", "--exclude-standard").split()
    return set(names)


def patterns(scope: dict[str, list[str]], modules: list[str], digits: str) -> list[str]:
    """mutmut name globs for the functions in scope of ``modules``; ``digits`` samples."""
    suffix = f"__mutmut_*[{digits}]" if digits else "__mutmut_*"
    return [
        f"{module_name(path)}.{mangled(function)}{suffix}"
        for path in modules
        for function in scope[path]
    ]


def results() -> dict[str, str]:
    """Every mutant mutmut knows of -> its status."""
    out = subprocess.run(
        ["mutmut", "results", "--all", "true"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    status = {}
    for line in out.splitlines():
        name, sep, value = line.strip().rpartition(": ")
        if sep:
            status[name] = value
    return status


def _functions(module: str) -> dict[str, str]:
    """Source of every function mutmut wrote into its copy of ``module``, by name."""
    path = ROOT / "mutants" / (module.replace(".", "/") + ".py")
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


@functools.cache
def _module_functions(module: str) -> dict[str, str]:
    return _functions(module)


def mutated_line(name: str) -> str:
    """The line(s) the mutant changed, as the key of ``[equivalent]`` (like ``mutmut show``)."""
    module, _, function = name.rpartition(".")
    base = function.split("__mutmut_")[0]
    functions = _module_functions(module)
    original = functions[f"{base}__mutmut_orig"].splitlines()[1:]
    mutant = functions[function].splitlines()[1:]
    signature = functions[function].splitlines()[0]
    if signature.replace(function, "") != functions[f"{base}__mutmut_orig"].splitlines()[0].replace(
        f"{base}__mutmut_orig", ""
    ):
        original, mutant = [functions[f"{base}__mutmut_orig"].splitlines()[0]], [signature]
    diff = list(difflib.ndiff(original, mutant))
    added = [x[2:].strip() for x in diff if x.startswith("+ ")]
    removed = [x[2:].strip() for x in diff if x.startswith("- ")]
    return " / ".join(added) if added else "removed: " + " / ".join(removed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="e.g. _retry _paging (default: every one)")
    parser.add_argument("--changed", metavar="REF", help="only modules changed against REF")
    parser.add_argument("--sample", type=float, default=1.0, help="share of mutants, 0.1-1")
    parser.add_argument("--seed", type=int, default=None, help="which sample (default: random)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--fail-under", type=float, default=90.0, help="minimum score, percent")
    parser.add_argument("--report", action="store_true", help="only report the last run's results")
    args = parser.parse_args(argv)

    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    scope: dict[str, list[str]] = config["scope"]
    equivalent: dict[str, str] = config.get("equivalent", {})
    modules = list(scope)
    if args.modules:
        wanted = {m.removesuffix(".py").rsplit("/", 1)[-1] for m in args.modules}
        modules = [p for p in modules if Path(p).stem in wanted]
    if args.changed:
        try:
            changed = changed_paths(args.changed)
        except subprocess.CalledProcessError as exc:
            print(f"mutants: cannot tell what changed against {args.changed}: {exc.stderr}")
            return 0
        modules = [p for p in modules if p in changed]
    if not modules:
        print("mutants: no core decision module selected (or changed); nothing to do")
        return 0

    digits = ""
    if args.sample < 1.0:
        seed = args.seed if args.seed is not None else random.randrange(10_000)
        count = max(1, round(10 * args.sample))
        digits = "".join(sorted(str(d) for d in random.Random(seed).sample(range(10), count)))
        print(f"mutants: sampling mutants numbered *[{digits}] (--seed {seed})")
    globs = patterns(scope, modules, digits)
    started = time.monotonic()
    if not args.report:
        command = ["mutmut", "run", "--max-children", str(args.jobs), *globs]
        run = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        if run.returncode != 0:
            print("mutants: mutmut run failed (run it alone to see why)", file=sys.stderr)
            return run.returncode
    elapsed = time.monotonic() - started

    status = {
        name: value
        for name, value in results().items()
        if any(fnmatch.fnmatchcase(name, glob) for glob in globs)
    }
    counts: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str]] = []
    used: set[str] = set()
    for name, value in sorted(status.items()):
        module = readable(name).split(".")[0]
        tally = counts.setdefault(module, Counter())
        tally["total"] += 1
        if value in KILLED:
            tally["killed"] += 1
            tally["timeout"] += value == "timeout"
            continue
        if value == "not checked":  # a run stopped early, or --report before any run
            tally["total"] -= 1
            tally["unchecked"] += 1
            continue
        key = f"{readable(name)}: {mutated_line(name)}"
        if key in equivalent:
            tally["equivalent"] += 1
            used.add(key)
        else:
            tally["survived"] += 1
            survivors.append((name, key if value == "survived" else f"{key}  [{value}]"))

    print("\nSurvivors (a test should kill each, or list it in tests/mutants.toml):")
    for name, key in survivors:
        print(f"  {key}    ({name})")
    print(f"\n{'module':<10} {'mutants':>8} {'killed':>7} {'equiv':>6} {'alive':>6} {'score':>7}")
    total = Counter[str]()
    for module, tally in sorted(counts.items()):
        total += tally
        print(
            f"{module:<10} {tally['total']:>8} {tally['killed']:>7} "
            f"{tally['equivalent']:>6} {tally['survived']:>6} {score(tally):>6.1f}%"
        )
    print(
        f"{'all':<10} {total['total']:>8} {total['killed']:>7} "
        f"{total['equivalent']:>6} {total['survived']:>6} {score(total):>6.1f}%"
    )
    print(f"mutation score {score(total):.1f}% in {elapsed:.0f} s ({total['timeout']} by timeout)")
    if total["timeout"] > MOST * total["total"]:
        print("mutants: many mutants timed out: mutmut's workers fail (set debug = true and")
        print("log_to_file = true in [tool.mutmut] and see mutants/mutmut-debug.log)")
        return 2
    if not digits and not args.changed and not args.modules:
        for key in sorted(set(equivalent) - used):
            print(f"note: equivalent entry matched no mutant (stale?): {key}")
    if score(total) < args.fail_under:
        print(f"mutants: score below {args.fail_under:.0f}%", file=sys.stderr)
        return 1
    return 0


def score(tally: Counter[str]) -> float:
    """Killed share of the mutants that can be killed (equivalents left out)."""
    live = tally["total"] - tally["equivalent"]
    return 100.0 * tally["killed"] / live if live else 100.0


if __name__ == "__main__":
    sys.exit(main())
