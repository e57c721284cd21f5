"""Per-simulator statistics and per-org state (data, limits, counters)."""

from __future__ import annotations

import bisect
import collections
import random
from collections.abc import Callable, Iterable

import attrs

from cja_async._config import RateLimit

from ._limits import OrgLimiter
from ._paging import JSON

__all__ = ["OrgState", "SimStats"]


@attrs.define
class SimStats:
    """Counters of what the simulator saw; mutable, read them in tests.

    ``requests`` counts API requests (not token requests) that passed
    authentication: those answered by a handler and those rejected with 429.
    ``starts`` holds the simulator-clock arrival time of every admitted API
    request, and ``spans`` its (arrival, end of response) once it ended; ``by_path``
    counts the same requests as ``requests`` by URL path.
    """

    requests: int = 0
    rejected_429: int = 0
    token_requests: int = 0
    faults_injected: int = 0
    max_in_flight: int = 0
    in_flight: int = 0
    auth_failures: int = 0
    starts: list[float] = attrs.Factory(list)
    spans: list[tuple[float, float]] = attrs.Factory(list)
    by_path: collections.Counter[str] = attrs.Factory(collections.Counter)

    def unsafe_starts(self, limit: RateLimit) -> int:
        """Admitted requests that a gateway counting at the unluckiest moment could refuse.

        The gateway counts a request at some moment between its arrival and the end of its
        response (API-NOTES), so a window slot is surely free only ``seconds`` after the
        response ended. A request is unsafe when, at its arrival, ``requests`` or more
        earlier ones of one window still held a slot by that rule: counting each of those at
        its last moment inside ``(arrival - seconds, arrival]`` and this one at its arrival
        puts ``requests + 1`` in one window. Zero means safe wherever Adobe counts. Only
        ended requests (``spans``) are judged.
        """
        unsafe = 0
        ends: list[float] = []  # sorted: the response ends of the requests that came earlier
        for arrival, end in sorted(self.spans):
            for window in limit.windows:
                # Earlier requests still holding a slot: end + seconds > arrival.
                holding = len(ends) - bisect.bisect_right(ends, arrival - window.seconds)
                if holding >= window.requests:
                    unsafe += 1
                    break
            bisect.insort(ends, end)
        return unsafe


Seeder = Callable[["OrgState", random.Random], Iterable[JSON]]


class OrgState:
    """Everything the simulator keeps for one org, created on the org's first request.

    Resource modules keep their objects in :meth:`collection`, seeded lazily and
    deterministically from the simulator's seed, the org id and the collection name,
    so adding a resource never changes the data of another one.
    """

    def __init__(self, org_id: str, seed: int) -> None:
        self.org_id = org_id
        self.seed = seed
        self.stats = SimStats()
        self.limiter = OrgLimiter()
        self._collections: dict[str, dict[str, JSON]] = {}
        self._id_rng = random.Random(f"{seed}:{org_id}:new-ids")

    def collection(self, name: str, seeder: Seeder) -> dict[str, JSON]:
        """The org's objects of kind ``name`` by id, seeded by ``seeder`` on first use."""
        store = self._collections.get(name)
        if store is None:
            rng = random.Random(f"{self.seed}:{self.org_id}:{name}")
            store = {item["id"]: item for item in seeder(self, rng)}
            self._collections[name] = store
        return store

    def new_id(self, prefix: str, taken: Iterable[str] = ()) -> str:
        """A fresh id like ``dv_`` + 24 hex digits, not among ``taken``."""
        used = set(taken)
        while True:
            candidate = f"{prefix}{self._id_rng.getrandbits(96):024x}"
            if candidate not in used:
                return candidate
