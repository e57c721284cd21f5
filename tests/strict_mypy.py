"""``mypy --strict`` on code as a user writes it, for the tests that hold the public API's
types to what the README and the signatures promise.

The user's own strict config is used, not the project's; errors inside the installed
package are silenced (the library has its own ``mypy --strict`` check): what the user's
code does with it is what counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["strict_mypy"]


def strict_mypy(tmp_path: Path, sources: dict[str, str]) -> tuple[int, str]:
    """(exit status, output) of ``mypy --strict`` on ``sources`` (file name: text), written
    to ``tmp_path``; file names in the output are relative to it."""
    files = []
    for name, text in sources.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--config-file", str(config),
            "--follow-imports", "silent", "--cache-dir", str(tmp_path / "cache"),
            "--show-error-codes", *files,
        ],
        capture_output=True, text=True, check=False, timeout=110,
    )  # fmt: skip
    return result.returncode, result.stdout.replace(str(tmp_path) + "/", "")
