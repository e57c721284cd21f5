"""An asyncio event loop whose clock jumps instead of waiting.

When nothing is ready to run, the loop moves its clock straight to the next timer, so a test
of 60-second windows runs in milliseconds and is exactly repeatable. Only for in-process
work (``httpx.ASGITransport``, ``Simulator.client()``): real sockets would not wait for virtual
time. With pytest and anyio::

    @pytest.fixture
    def anyio_backend():
        return ("asyncio", {"loop_factory": VirtualTimeLoop})

or run one coroutine: ``run_virtual_time(main())``.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["VirtualTimeLoop", "run_virtual_time"]

_T = TypeVar("_T")


class _JumpingSelector(selectors.DefaultSelector):
    """Never sleeps: a wait for ``timeout`` seconds advances the loop's clock instead."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready or timeout is None or timeout <= 0 or self.loop is None:
            if not ready and timeout is None:
                # Nothing scheduled and nothing ready: only another thread could wake us.
                return super().select(None)
            return ready
        self.loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """``loop.time()`` is virtual; it starts at 1000.0 and only moves when the loop is idle."""

    def __init__(self) -> None:
        selector = _JumpingSelector()
        super().__init__(selector)
        selector.loop = self
        self._now = 1000.0

    def time(self) -> float:
        """The virtual clock, in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward (the loop does it itself when idle)."""
        self._now += seconds


def run_virtual_time(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` to completion on a fresh virtual-time loop."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
