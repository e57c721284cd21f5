"""Progress on stderr: a rich bar when stderr is a terminal, plain lines otherwise.

rich, not tqdm: it draws several bars at once (export walks its groups concurrently), sizes
them to the terminal, ships type hints (``mypy --strict`` stays clean) and tells a terminal
from a pipe or file itself, so redirected runs get no control characters.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

from .. import Client
from .._closing import Running

__all__ = ["Progress", "Track", "plural", "summary_line"]

# Plain mode writes a line per step at most this often (a log, not a flood).
_PLAIN_EVERY = 5.0


class Track:
    """One line of progress: ``update`` as items arrive, ``finish`` at the end."""

    def __init__(self, progress: Progress, label: str, task: TaskID | None) -> None:
        self._progress = progress
        self._label = label
        self._task = task
        self._done = 0
        self._total: int | None = None
        self._last_line = time.monotonic()

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` items so far, of ``total`` when known."""
        self._done = done
        self._total = total if total is not None else self._total
        rich = self._progress.rich
        if rich is not None and self._task is not None:
            rich.update(self._task, completed=done, total=self._total)
        elif time.monotonic() - self._last_line >= _PLAIN_EVERY:
            self._last_line = time.monotonic()
            of = f"/{self._total}" if self._total is not None else ""
            self._progress.line(f"{self._label}: {done}{of} ...")

    def finish(self, note: str = "") -> None:
        """The step is done: the bar fills, or one plain line says so."""
        rich = self._progress.rich
        if rich is not None and self._task is not None:
            # An empty step is complete at 0 of 0 (not "0/1", which reads as one item missing).
            rich.update(self._task, completed=self._done, total=self._done)
        else:
            self._progress.line(f"{self._label}: {self._done}{note}")


class Progress(Running):
    """Progress lines for one command, on ``stream`` (stderr by default).

    ``terminal`` forces the choice between the bar and plain lines (tests); by default it
    is whether the stream is a terminal.
    """

    def __init__(self, stream: TextIO | None = None, *, terminal: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        is_terminal = self.stream.isatty() if terminal is None else terminal
        self.rich: RichProgress | None = None
        if is_terminal:
            console = Console(file=self.stream, force_terminal=True)
            self.rich = RichProgress(
                TextColumn("{task.description:<20}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            )

    def start(self) -> None:
        """Start drawing the bars (plain lines need no start)."""
        if self.rich is not None:
            self.rich.start()

    def stop(self) -> None:
        """Stop drawing the bars."""
        if self.rich is not None:
            self.rich.stop()

    def track(self, label: str, total: int | None = None) -> Track:
        """A new line of progress for ``label``."""
        task = None if self.rich is None else self.rich.add_task(label, total=total)
        return Track(self, label, task)

    def line(self, text: str) -> None:
        """One plain line (above the bars when they are drawn)."""
        if self.rich is not None:
            self.rich.console.print(text, markup=False, highlight=False)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()


def summary_line(done: str, cja: Client, seconds: float) -> str:
    """The one-line summary every command ends with: what was done, requests, 429s, time."""
    stats = cja.stats
    return (
        f"{done}: {plural(stats.requests, 'request')}, {stats.rate_limited} 429s, {seconds:.1f} s"
    )


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 request``, ``2 requests``; ``nouns`` for a plural not made with "s" (people)."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {nouns if nouns is not None else noun + 's'}"
