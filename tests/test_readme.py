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
