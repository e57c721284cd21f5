"""Per-org registries: the only process-wide state, one limiter and one cache per org."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["OrgRegistry"]

C = TypeVar("C")
V = TypeVar("V")


class OrgRegistry(Generic[C, V]):
    """One ``V`` per org, made by ``make(config)`` on first use and shared after that.

    Every client of one org must pass the same config: a second, different one is refused,
    since two limiters (or caches) for one org would let two budgets run side by side.
    """

    def __init__(self, make: Callable[[C], V], config_of: Callable[[V], C], what: str) -> None:
        self._make = make
        self._config_of = config_of
        self._what = what
        self._items: dict[str, V] = {}
        # Clients of one org may be built on different threads.
        self._lock = threading.Lock()

    def find(self, org_id: str) -> V | None:
        """The ``V`` of ``org_id`` if a client made one, without making one."""
        return self._items.get(org_id)  # one dict read: atomic, no lock needed

    def get(self, org_id: str, config: C) -> V:
        """The ``V`` of ``org_id``, made from ``config`` if there is none yet."""
        with self._lock:
            item = self._items.get(org_id)
            if item is None:
                item = self._items[org_id] = self._make(config)
            elif self._config_of(item) != config:
                raise ValueError(
                    f"org {org_id!r} already has a {self._what} with {self._config_of(item)!r}; "
                    f"every client of one org in a process must use the same {self._what}"
                )
            return item
