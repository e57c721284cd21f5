"""Every README example that runs a program (``asyncio.run``) runs against the simulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = [
    block
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    # Blocks that build their client from the environment run against a served simulator
    # in test_readme_snippets.py.
    if "asyncio.run(" in block and "Client.from_env()" not in block
]


def test_readme_has_runnable_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip()  # every example prints what it got


def test_the_first_example_is_a_whole_program_a_user_can_run() -> None:
    first = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[0]
    assert first.rstrip().endswith("asyncio.run(main())")
    # It is run against a served simulator by test_readme_snippets.py (it uses from_env).
    assert "Client.from_env()" in first


def test_client_stats_are_documented() -> None:
    text = README.read_text(encoding="utf-8")
    assert "`cja.stats`" in text
    for field in ("requests", "retries", "rate_limited", "token_renewals", "limiter_wait"):
        assert f"`{field}`" in text, field


def test_the_offline_settings_are_the_served_simulators_credentials() -> None:
    """The exports the README gives for trying the examples offline are what
    ``python -m cja_async.testing --port 8000`` accepts."""
    from cja_async.testing._simulator import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_ORG_ID,
    )

    text = README.read_text(encoding="utf-8")
    block = text[text.index("to try them\noffline") :]
    block = block[
        block.index("```console\n") : block.index("```\n", block.index("```console\n") + 3)
    ]
    settings = dict(re.findall(r"(CJA_[A-Z_]+)=(\S+)", block))
    assert settings == {
        "CJA_BASE_URL": "http://127.0.0.1:8000",
        "CJA_TOKEN_URL": "http://127.0.0.1:8000/ims/token/v3",
        "CJA_ORG_ID": DEFAULT_ORG_ID,
        "CJA_CLIENT_ID": DEFAULT_CLIENT_ID,
        "CJA_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
    }
    assert "python -m pip install '.[simulator]'" in text[: text.index(block)][-400:]


def test_the_quick_start_says_how_to_install_and_run_the_env_examples_offline() -> None:
    """A new user reads the quick start first: it must say that the package comes from the
    checkout (not PyPI, where the name may be someone else's) and where the offline settings
    for the ``Client.from_env()`` examples are, which come long after the first of them."""
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") : text.index("\n## ", text.index("## Quick start"))]
    assert "not on PyPI yet" in quick
    assert "python -m pip install '.[simulator]'" in quick
    assert "Client.from_env()" in quick and "(#the-api-group-by-group)" in quick
    assert "python -m cja_async.testing" in text.split("## The API, group by group", 1)[1]


def test_examples_import_only_public_modules_and_say_what_to_install() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    private = [line for b in blocks for line in b.splitlines() if "import" in line and "._" in line]
    assert private == []  # a user cannot rely on cja_async._anything
    many = text.split("## Many processes", 1)[1].split("\n## ", 1)[0]
    assert "from fastapi import" in many and "pip install fastapi uvicorn" in many
    assert "python -m pip install '.[redis]'" in many  # the package is not on PyPI yet


def test_the_limiter_names_the_readme_uses_are_public() -> None:
    from cja_async import _limits, limits

    for name in limits.__all__:
        assert getattr(limits, name) is getattr(_limits, name)
    assert {"Limiter", "LimiterBackend", "Slot", "InProcessLimiterBackend"} <= set(limits.__all__)
