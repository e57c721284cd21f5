"""The one error a command raises on purpose: a message for the user, and an exit code."""

from __future__ import annotations

__all__ = ["CommandError"]


class CommandError(Exception):
    """A failure the user can fix (bad input, an unwritable file): one line, exit 1."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
