"""Every Python example of the README type-checks under ``mypy --strict`` as written.

Users copy these examples into typed code bases; an example that needs a cast or an
``assert x is not None`` to pass ``--strict`` teaches the wrong thing (the package says
"Typing :: Typed"). A block without imports is a fragment inside a coroutine that has a
``cja`` client (the pager examples): it is checked inside ``async def _(cja: Client)``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from strict_mypy import strict_mypy

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
_FRAGMENT = "from cja_async import Client\n\n\nasync def _fragment(cja: Client) -> None:\n{}"


def _module(block: str) -> str:
    if re.search(r"^(import|from) ", block, re.M):
        return block
    return _FRAGMENT.format(textwrap.indent(block, "    "))


def test_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    assert len(BLOCKS) >= 10
    sources = {f"readme_{index:02d}.py": _module(block) for index, block in enumerate(BLOCKS)}
    status, output = strict_mypy(tmp_path, sources)
    assert status == 0, "README examples fail mypy --strict:\n" + output
