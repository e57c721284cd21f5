"""Output files: written whole or not at all, and their format from a flag or the suffix."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import click

from ._errors import CommandError

__all__ = ["atomic_path", "atomic_text", "check_writable_dir", "format_for"]


def format_for(path: Path, given: str | None, choices: Sequence[str]) -> str:
    """The output format: ``given``, else the file's suffix; one of ``choices`` (else a
    usage error, exit 2)."""
    chosen = given or path.suffix.lstrip(".").lower()
    if chosen not in choices:
        known = f"give --format ({'|'.join(choices)}) or a file name ending in one of them"
        if chosen:  # a format this command does not write (a report as .xlsx)
            raise click.UsageError(
                f"this command does not write {chosen} files ({str(path)!r}): {known}"
            )
        raise click.UsageError(f"cannot tell the format of {str(path)!r}: {known}")
    return chosen


def check_writable_dir(directory: Path) -> None:
    """Create ``directory`` if needed; fail early (before any request) if it cannot be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        # mkdir says "File exists" when a file stands where a folder of the path should be.
        file = next((p for p in (directory, *directory.parents) if p.is_file()), None)
        reason = f"{str(file)!r} is a file, not a folder" if file else exc.strerror or exc
        raise CommandError(f"cannot write to {str(directory)!r}: {reason}") from exc


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` only when the block succeeds.

    An error or Ctrl-C inside the block leaves ``path`` as it was (absent, or the previous
    complete file) and removes the temporary file: a reader never sees half a file.
    """
    check_writable_dir(path.parent)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    # Not mkstemp: its files are private (0600); an export gets the umask's usual mode.
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """``atomic_path`` opened for text (UTF-8, newlines as written, as csv needs)."""
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as stream:
        yield stream
