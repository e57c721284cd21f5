"""Every Python example of the README type-checks under ``mypy --strict`` as written.

Users copy these examples into typed code bases; an example that needs a cast or an
``assert x is not None`` to pass ``--strict`` teaches the wrong thing (the package says
"Typing :: Typed"). A block without imports is a fragment inside a coroutine that has a
``cja`` client (the pager examples): it is checked inside ``async def _(cja: Client)``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
_FRAGMENT = "from cja_async import Client\n\n\nasync def _fragment(cja: Client) -> None:\n{}"


def _module(block: str) -> str:
    if re.search(r"^(import|from) ", block, re.M):
        return block
    return _FRAGMENT.format(textwrap.indent(block, "    "))


def test_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    assert len(BLOCKS) >= 10
    files = []
    for index, block in enumerate(BLOCKS):
        source = tmp_path / f"readme_{index:02d}.py"
        source.write_text(_module(block), encoding="utf-8")
        files.append(str(source))
    config = tmp_path / "mypy.ini"  # not the project's: the user's own, strict
    config.write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--config-file", str(config),
            # Errors inside installed packages are not the examples' (the library has its
            # own mypy --strict check); what the examples do with them is.
            "--follow-imports", "silent", "--cache-dir", str(tmp_path / "cache"), *files,
        ],
        capture_output=True, text=True, check=False, timeout=110,
    )  # fmt: skip
    assert result.returncode == 0, "README examples fail mypy --strict:\n" + result.stdout.replace(
        str(tmp_path) + "/", ""
    )
