"""Context-manager mixins: one place for the ``with`` / ``async with`` plumbing.

A class says how it starts and stops (``start``/``stop``, or ``aclose``); the mixin turns
that into the context-manager protocol, so the ``__exit__`` signature is written once.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["AsyncClosing", "Running"]


class AsyncClosing:
    """``async with obj:`` hands back ``obj`` and awaits ``obj.aclose()`` on the way out."""

    async def aclose(self) -> None:
        """Release what the object holds (subclasses say what)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class Running:
    """``with obj:`` calls ``obj.start()``, gives ``obj``, calls ``obj.stop()`` on the way out."""

    def start(self) -> None:
        """Begin (subclasses say what)."""
        raise NotImplementedError

    def stop(self) -> None:
        """End what :meth:`start` began (subclasses say what)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
