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
- the score per module, the survivors with their diff, and ``--fail-under``;
- ``--everything``: the check "from outside" of issue #18, a random sample (``--count``,
  ``--seed``) of the mutants of EVERY function of every top-level private module
  (``cja_async/_*.py``), each run against the whole suite (every test that executes the
  mutated function, from every test file). mutmut reads its settings from the
  ``pyproject.toml`` of the directory it runs in, so this mode runs it in a workspace of its
  own (``.mutants-everything/``: links to the repository's files and a copy of
  ``pyproject.toml`` whose ``[tool.mutmut]`` names every module and the whole ``tests/``).

Timeouts count as killed (the mutant made a test hang), "no tests" as survived (nothing
executes that code).
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import difflib
import fnmatch
import functools
import json
import os
import random
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("mutants.toml")
EVERYTHING = ROOT / ".mutants-everything"  # the workspace of --everything (git-ignored)
# Every mutant name of the modules given as arguments, as mutmut makes them (run in the
# workspace, so its do_not_mutate_patterns apply); mutmut 3.8 has no command for it.
LIST_MUTANTS = """
import sys
from mutmut.mutation.file_mutation import mutate_file_contents
for path in sys.argv[1:]:
    module = path.removesuffix(".py").replace("/", ".")
    with open(path, encoding="utf-8") as f:
        for name in mutate_file_contents(path, f.read()).mutant_names:
            print(f"{module}.{name}")
"""
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


def results(work: Path) -> dict[str, str]:
    """Every mutant mutmut knows of (in the workspace ``work``) -> its status."""
    out = subprocess.run(
        ["mutmut", "results", "--all", "true"],
        cwd=work,
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


def _functions(work: Path, module: str) -> dict[str, str]:
    """Source of every function mutmut wrote into its copy of ``module``, by name."""
    path = work / "mutants" / (module.replace(".", "/") + ".py")
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


@functools.cache
def _module_functions(work: Path, module: str) -> dict[str, str]:
    return _functions(work, module)


def mutated_line(work: Path, name: str) -> str:
    """The line(s) the mutant changed, as the key of ``[equivalent]`` (like ``mutmut show``)."""
    module, _, function = name.rpartition(".")
    base = function.split("__mutmut_")[0]
    functions = _module_functions(work, module)
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


def _toml_value(value: object) -> str:
    """A TOML value for the strings, numbers, booleans and lists ``[tool.mutmut]`` holds
    (JSON writes them the way TOML reads them)."""
    return json.dumps(value, ensure_ascii=False)


def everything_workspace(settings: dict[str, object]) -> list[str]:
    """Set up ``EVERYTHING`` (links to the repository, a ``pyproject.toml`` whose
    ``[tool.mutmut]`` mutates every private module with every test file); its modules."""
    modules = sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.glob(str(settings["modules"]))
        if not p.name.startswith("__")  # __init__ and __main__ are not private modules
    )
    EVERYTHING.mkdir(exist_ok=True)
    # The tests run in mutmut's copy of the workspace and read repository files (README,
    # docs, pyproject): link every tracked top-level entry, copy what mutmut must copy.
    entries = sorted({name.split("/")[0] for name in git("ls-files").split()})
    for entry in entries:
        link = EVERYTHING / entry
        if entry != "pyproject.toml" and not link.is_symlink() and not link.exists():
            link.symlink_to(ROOT / entry)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    tool = tomllib.loads(pyproject)["tool"]["mutmut"]
    tool.update(
        only_mutate=modules,
        pytest_add_cli_args_test_selection=["tests/"],
        also_copy=[e for e in entries if e not in ("cja_async", "tests", "pyproject.toml")],
    )
    table = "[tool.mutmut]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in tool.items())
    # The rest of pyproject.toml stays: pytest reads its settings from there too.
    start = pyproject.index("[tool.mutmut]")
    end = pyproject.find("\n[", start)
    rest = "" if end < 0 else pyproject[end:]
    text = pyproject[:start] + table + rest
    target = EVERYTHING / "pyproject.toml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return modules


def every_mutant(modules: list[str]) -> list[str]:
    """Every mutant name mutmut makes for ``modules`` (in the --everything workspace)."""
    out = subprocess.run(
        [sys.executable, "-c", LIST_MUTANTS, *modules],
        cwd=EVERYTHING,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.split()


def recheck(work: Path, names: list[str], jobs: int) -> set[str]:
    """The ``names`` (survivors) that fail a test of the WHOLE selection, each run alone.

    mutmut runs a mutant only against the tests it saw call the mutated function. Code that
    runs when a module is imported (a module-level object's ``__init__``) is seen by one
    test at most, so its mutants "survive" tests that would catch them. This runs every
    test of the selection with the mutant active, as someone checking from outside would.
    """
    tool = tomllib.loads((work / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        *tool.get("pytest_add_cli_args", []),
        *tool.get("pytest_add_cli_args_test_selection", []),
    ]

    def killed(name: str) -> bool:
        env = {**os.environ, "MUTANT_UNDER_TEST": name}
        try:
            run = subprocess.run(
                command, cwd=work / "mutants", env=env, capture_output=True, timeout=1800
            )
        except subprocess.TimeoutExpired:
            return True  # it made the suite hang
        if run.returncode not in (0, 1):
            tail = run.stdout.decode(errors="replace").strip().splitlines()[-1:]
            print(f"mutants: recheck of {name} did not run (pytest exit {run.returncode}): {tail}")
        return run.returncode == 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return {name for name, dead in zip(names, pool.map(killed, names), strict=True) if dead}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="e.g. _retry _paging (default: every one)")
    parser.add_argument("--changed", metavar="REF", help="only modules changed against REF")
    parser.add_argument("--sample", type=float, default=1.0, help="share of mutants, 0.1-1")
    parser.add_argument("--seed", type=int, default=None, help="which sample (default: random)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--fail-under", type=float, default=90.0, help="minimum score, percent")
    parser.add_argument("--report", action="store_true", help="only report the last run's results")
    parser.add_argument(
        "--everything",
        action="store_true",
        help="every function of every cja_async/_*.py module, with the whole suite",
    )
    parser.add_argument(
        "--count", type=int, default=300, help="--everything: mutants sampled (default 300)"
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run only the mutants of the selection not killed already (after adding tests)",
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run each survivor again against every test of the selection (slow)",
    )
    args = parser.parse_args(argv)

    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    equivalent: dict[str, str] = config.get("equivalent", {})
    if args.everything:
        return run_everything(args, config["everything"], equivalent)
    scope: dict[str, list[str]] = config["scope"]
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
        print(f"mutants: sampling mutants numbered *[{digits}] (--seed {seed})", flush=True)
    globs = patterns(scope, modules, digits)
    full = not digits and not args.changed and not args.modules
    return run_and_report(ROOT, globs, equivalent, args, check_stale=full)


def run_everything(
    args: argparse.Namespace, settings: dict[str, object], equivalent: dict[str, str]
) -> int:
    """--everything: a random sample of every private module's mutants, the whole suite."""
    modules = everything_workspace(settings)
    if args.modules:
        wanted = {m.removesuffix(".py").rsplit("/", 1)[-1] for m in args.modules}
        modules = [p for p in modules if Path(p).stem in wanted]
    names = every_mutant(modules)
    seed = args.seed if args.seed is not None else random.randrange(10_000)
    sample = sorted(random.Random(seed).sample(names, min(args.count, len(names))))
    print(
        f"mutants: {len(sample)} of the {len(names)} mutants of {len(modules)} modules "
        f"(--everything --count {args.count} --seed {seed})",
        flush=True,
    )
    return run_and_report(EVERYTHING, sample, equivalent, args, check_stale=False)


def run_and_report(
    work: Path,
    globs: list[str],
    equivalent: dict[str, str],
    args: argparse.Namespace,
    *,
    check_stale: bool,
) -> int:
    """Run mutmut in ``work`` on the mutants ``globs`` name; print the score per module."""
    started = time.monotonic()
    targets = globs
    if args.survivors and not args.report:
        # After adding tests: a killed mutant stays killed while its function is unchanged
        # (mutmut forgets the results of a function that changed: "not checked"), so only
        # the survivors and the unchecked need running for the score of the same selection.
        targets = [
            name
            for name, value in results(work).items()
            if value not in KILLED and any(fnmatch.fnmatchcase(name, glob) for glob in globs)
        ]
        print(f"mutants: running the {len(targets)} survivors and unchecked again", flush=True)
    while not args.report and targets:
        command = ["mutmut", "run", "--max-children", str(args.jobs), *targets]
        run = subprocess.run(command, cwd=work, stdout=subprocess.PIPE, text=True)
        if run.returncode != 0:
            # Its last words (a failing clean test, say), without the progress spinners.
            lines = [line for line in run.stdout.splitlines() if "\u280b" not in line]
            print("\n".join(lines[-15:]), file=sys.stderr)
            print("mutants: mutmut run failed (see above)", file=sys.stderr)
            return run.returncode
        # mutmut regenerates a changed module when it runs, forgetting the results of the
        # functions that changed: run those too (only --survivors can leave any).
        unchecked = [
            name
            for name, value in results(work).items()
            if value == "not checked" and any(fnmatch.fnmatchcase(name, glob) for glob in globs)
        ]
        targets = [] if unchecked == targets else unchecked  # never the same run twice
    elapsed = time.monotonic() - started

    status = {
        name: value
        for name, value in results(work).items()
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
        key = f"{readable(name)}: {mutated_line(work, name)}"
        if key in equivalent:
            tally["equivalent"] += 1
            used.add(key)
        else:
            tally["survived"] += 1
            survivors.append((name, key if value == "survived" else f"{key}  [{value}]"))

    if args.recheck and survivors:
        late = recheck(work, [name for name, _key in survivors], args.jobs)
        print(f"\nKilled by a test mutmut did not run for them ({len(late)}):")
        for name, key in survivors:
            if name in late:
                print(f"  {key}    ({name})")
                tally = counts[readable(name).split(".")[0]]
                tally["survived"] -= 1
                tally["killed"] += 1
        survivors = [(name, key) for name, key in survivors if name not in late]

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
    if check_stale:
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
