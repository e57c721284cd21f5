"""The documentation site's sources: every public name documented, every README section a
page pulls in present. (``nox -s docs`` builds the site itself with ``mkdocs build --strict``.)"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PUBLIC_MODULES = [
    "cja_async",
    "cja_async.models",
    "cja_async.resources",
    "cja_async.testing",
    "cja_async.redis",
    "cja_async.limits",
]


def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_class_and_function_has_its_own_docstring(name: str) -> None:
    module = importlib.import_module(name)
    undocumented = [
        attr
        for attr in module.__all__
        if (inspect.isclass(obj := getattr(module, attr)) or inspect.isfunction(obj))
        and not (obj.__doc__ or "").strip()
    ]
    assert undocumented == []


def test_every_public_module_has_a_reference_page() -> None:
    rendered = {
        match.group(1)
        for page in (DOCS / "reference").glob("*.md")
        for match in re.finditer(r"^::: (\S+)$", page.read_text(), re.MULTILINE)
    }
    assert set(PUBLIC_MODULES) <= rendered


def test_every_readme_section_a_page_pulls_in_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    module = hooks()
    calls = [
        match.group("heading")
        for page in DOCS.rglob("*.md")
        for match in module._CALL.finditer(page.read_text(encoding="utf-8"))
    ]
    assert len(calls) >= 10
    for heading in calls:
        assert module.readme_section(readme, heading).strip(), heading


def test_every_guide_section_of_the_readme_is_on_the_site() -> None:
    """Each API group's section (and the text that says how to run their examples offline)
    is pulled into a page, so the site's guides miss nothing the README shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pulled = {
        (match.group("heading"), bool(match.group("intro")))
        for page in DOCS.rglob("*.md")
        for match in hooks()._CALL.finditer(page.read_text(encoding="utf-8"))
    }
    for parent in ("## Using the client", "## The API, group by group"):
        if (parent, False) in pulled:
            continue
        assert (parent, True) in pulled, parent
        body = hooks().readme_section(readme, parent)
        for heading in re.findall(r"^### .+$", body, re.MULTILINE):
            assert (heading, False) in pulled, heading


def test_an_intro_ends_at_the_first_subheading() -> None:
    text = "## B\nb\n### C\nc\n## D\nd\n"
    assert hooks().readme_section(text, "## B", intro=True) == "b\n"


def test_a_section_ends_at_the_next_heading_of_its_level_not_inside_code() -> None:
    text = "# A\n## B\nb\n```\n# not a heading\n```\n### C\nc\n## D\nd\n"
    assert hooks().readme_section(text, "## B") == "b\n```\n# not a heading\n```\n### C\nc\n"
    with pytest.raises(ValueError, match="no heading"):
        hooks().readme_section(text, "## Missing")


def test_the_testing_page_examples_run() -> None:
    page = (DOCS / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(blocks) == 3
    # Each asserts by itself: every data view once, faults met, no 429; the lost POST made
    # exactly one data view; the rule's outage and the recorder's view of the walk.
    for block in blocks:
        exec(compile(block, "testing.md", "exec"), {"__name__": "docs_example"})


def test_the_no_429_promise_says_it_holds_within_a_process() -> None:
    """Every place that promises no 429 "of its own making" says, right there, that the
    limiter is per process and where one budget for many processes is explained: a user who
    runs the examples or the command line as separate processes against one served simulator
    meets 429s, and must not be told they cannot happen."""
    from cja_async._cli import cli

    promises = {
        "README.md": ((ROOT / "README.md").read_text(encoding="utf-8"), "(#many-processes)"),
        "docs/index.md": ((DOCS / "index.md").read_text(encoding="utf-8"), "(limits.md#"),
        "cja-async --help": (cli.help or "", "earlier runs"),
    }
    for where, (text, pointer) in promises.items():
        flat = " ".join(text.split())
        spots = [m.start() for m in re.finditer("own making", flat)]
        assert spots, where
        for spot in spots:
            around = flat[max(0, spot - 300) : spot + 400]
            assert "in the process" in around or "a run" in around, (where, around)
            assert "429s" in flat[spot : spot + 400] and pointer in flat[spot : spot + 400], (
                where,
                around,
            )
        assert "never see a 429" not in flat, where


def test_the_cli_pages_summary_examples_are_what_the_commands_print() -> None:
    from cja_async._cli._progress import plural

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    counts = re.findall(r": (\d+) (requests?), \d+ 429s, ", page)
    assert counts
    for count, noun in counts:
        assert plural(int(count), "request") == f"{count} {noun}"
