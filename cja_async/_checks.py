"""Argument checks shared by the builders (``RateLimit``, ``ReportRequest``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

__all__ = ["items_of"]

_T = TypeVar("_T")


def items_of(values: Iterable[object], kind: type[_T], name: str, expected: str) -> tuple[_T, ...]:
    """``values`` as a tuple when every item is a ``kind``; else ``TypeError`` naming the
    argument (``name``), what it must hold (``expected``) and the type that came instead."""
    out: list[_T] = []
    for item in values:
        if not isinstance(item, kind):
            raise TypeError(f"{name} must hold {expected}, got {type(item).__name__}")
        out.append(item)
    return tuple(out)
