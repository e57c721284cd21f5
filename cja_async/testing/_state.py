"""Per-simulator statistics and per-org state (data, limits, counters)."""

from __future__ import annotations

import bisect
import collections
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from cja_async._config import RateLimit

from ._limits import OrgLimiter
from ._stores import (
    Annotations,
    AuditLogs,
    CalculatedMetrics,
    Components,
    Connections,
    DataViews,
    DateRanges,
    Projects,
    Segments,
    Shares,
    Store,
    Tags,
    Users,
)

if TYPE_CHECKING:
    from ._events import EventTable

S = TypeVar("S", bound=Store[Any])

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


class OrgState:
    """Everything the simulator keeps for one org, created on the org's first request:
    its gateway counters and limiter, and its data, one typed store per resource.

    Each store seeds itself lazily and deterministically from the simulator's seed, the
    org id and the store's name, so adding a resource never changes another one's data.
    Seed and inspect data in tests through the stores::

        org = sim.org("MYORG@AdobeOrg")
        segment = org.segments.add({"name": "Mine", "rsid": org.dataviews.ids()[0]})
        ...  # the code under test, through a client of that org
        assert org.segments.get(segment["id"])["name"] == "Renamed"
    """

    def __init__(self, org_id: str, seed: int, *, dataviews: int = 300) -> None:
        self.org_id = org_id
        self.seed = seed
        self.stats = SimStats()
        self.limiter = OrgLimiter()
        self._id_rng = random.Random(f"{seed}:{org_id}:new-ids")
        # Each store after those its seeding draws on (owners, data views, tags...).
        self.users = Users(self)
        self.connections = Connections(self)
        self.dataviews = DataViews(self, dataviews)
        self.components = Components(self)
        """The dimensions and metrics of each data view (``components.of(view_id)``)."""
        self.segments = Segments(self)
        self.projects = Projects(self)
        self.tags = Tags(self)
        self.calculated_metrics = CalculatedMetrics(self)
        self.date_ranges = DateRanges(self)
        self.annotations = Annotations(self)
        self.audit_logs = AuditLogs(self)
        self.shares = Shares(self)
        # Reports' generated events, by data view id (large: made when a report asks).
        self.event_tables: dict[str, EventTable] = {}
        self._own_stores: dict[type[Store[Any]], Store[Any]] = {}

    def store(self, kind: type[S]) -> S:
        """The org's instance of a store class of your own, made on first use: data for
        routes you add with ``sim.route`` (subclass :class:`HexIdStore` or
        :class:`IntIdStore`, set ``kind`` and ``seed_name``, override ``_seed``)::

            class Alerts(HexIdStore):
                kind, seed_name, id_prefix = "alert", "alerts", "al_"

            @sim.route("GET", "/alerts/{id}")
            async def get_alert(sim: Simulator, req: Request) -> Response:
                return Response.json(sim.org(req.org_id).store(Alerts).get(req.path_params["id"]))
        """
        made = self._own_stores.get(kind)
        if made is None:
            made = self._own_stores[kind] = kind(self)
        return made  # type: ignore[return-value]

    def owned_components(self) -> dict[str, Store[str]]:
        """The stores of components with an owner, by ``componentType`` (asset transfers)."""
        return {"segment": self.segments, "project": self.projects}

    def new_id(self, prefix: str, taken: Iterable[str] = ()) -> str:
        """A fresh id like ``dv_`` + 24 hex digits, not among ``taken``."""
        used = set(taken)
        while True:
            candidate = f"{prefix}{self._id_rng.getrandbits(96):024x}"
            if candidate not in used:
                return candidate
