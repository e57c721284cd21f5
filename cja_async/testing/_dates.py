"""Timestamps as the simulated API writes and reads them: the one place for ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

__all__ = ["iso", "parse_iso"]


def iso(moment: datetime, timespec: Literal["seconds", "milliseconds"] = "seconds") -> str:
    """``2021-03-04T05:06:07Z`` (or ``...07.123Z``): UTC with a ``Z``; naive means UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def parse_iso(text: str) -> datetime:
    """An ISO 8601 date or date-time; ``Z`` and numeric offsets are kept (``ValueError`` if
    it is not one)."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
