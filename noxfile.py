"""Developer tasks: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``bench``, ``demo``,
``mutants``."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

LINT_PATHS = ["cja_async", "tests", "benchmarks", "noxfile.py", "docs_hooks.py"]


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest, hypothesis, a uvicorn server on loopback)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[test]", "mypy>=1.10", "types-cachetools", "types-openpyxl")
    session.run("mypy", "--strict", "cja_async")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs-material + mkdocstrings), built with --strict into site/."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the simulator, as ratios to the least possible time."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The bulk-export demo against the bundled simulator."""
    session.install(".")
    session.run("python", "-m", "cja_async", "demo", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing of the core decisions, with the score per module.

    mutmut (pyproject ``[tool.mutmut]``) driven by tests/mutants.py, which says why mutmut
    and holds the scope and the equivalent mutants (tests/mutants.toml). Every core module
    by default; ``-- --changed main`` only those a branch changed, ``-- --sample 0.3`` a
    reproducible share (``--seed``), ``-- _retry _paging`` named ones; ``-- --everything
    --count 300`` a random sample of every private module's mutants against the whole suite.
    """
    session.install("-e", ".[mutation]")
    session.run("python", "tests/mutants.py", *session.posargs)
