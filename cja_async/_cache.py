"""The opt-in response cache: GET answers kept per org, dropped when a write touches them.

Adobe's responses carry no caching headers worth obeying, so this is our own policy on top,
as the Segments guide asks ("cache results to save API calls"): with 60 requests a minute per
org, a request saved is time saved for the whole org.

Storage is ``cachetools.TLRUCache``: least-recently-used eviction with a time-to-live per
entry, so one bounded store serves every resource group with its own TTL. It is small and
well kept, and works on whole responses, which is what we need: we store the raw body and
parse it again on every hit, so no two callers ever share a mutable model. (hishel caches
at the httpx transport level by HTTP semantics, which Adobe's headers do not support.)

One store per org per process, shared by every client of that org; the key holds the
credential (client id, and a digest of any user token) with the method, path and query, so
one org's or one user's data never answers another's.

Single flight: while a GET is on its way, the same GET asked again on the same event loop
waits for that answer instead of sending its own (ten users opening the same page at once
cost one request, not ten). The followers parse the answer themselves, so each gets its own
model objects; if the leader fails (an error, a cancellation) nothing is cached and each
follower asks again by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from cachetools import TLRUCache

from ._config import loop_time
from ._registry import OrgRegistry

__all__ = ["CacheStats", "ResponseCache", "cache_group", "guess_kind"]

# Path prefix -> resource group (the client attribute's name), longest prefixes first.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("/componentmetadata/assets", "assets"),
    ("/componentmetadata/shares", "shares"),
    ("/componentmetadata/tags", "tags"),
    ("/calculatedmetrics", "calculated_metrics"),
    ("/auditlogs", "audit_logs"),
    ("/configuration", "users"),
    ("/data/connections", "connections"),
    ("/data/dataviews", "dataviews"),
    ("/annotations", "annotations"),
    ("/dateranges", "date_ranges"),
    ("/projects", "projects"),
    ("/reports", "reports"),
    ("/segments", "segments"),
)
# Writes to these change what other groups' answers show (tags and shares are expanded into
# component lists; a transfer changes owners): they drop the whole org's cache.
_WIDE_GROUPS = frozenset({"assets", "shares", "tags"})
# POSTs that only read: validation, searches, reports.
_READ_ONLY_SUFFIXES = ("/validate", "/search", "/reports")


def cache_group(path: str) -> str:
    """The resource group of an API path (``/segments/s1`` -> ``segments``): a guess for raw
    ``cja.request`` calls; resources declare theirs (``Call.group``)."""
    for prefix, group in _GROUPS:
        if path == prefix or path.startswith(prefix + "/"):
            return group
    return "other"


def guess_kind(method: str, path: str) -> tuple[str, bool]:
    """(group, reads) of a raw ``cja.request`` call, guessed from its method and path:
    a GET or HEAD reads, and so do the POSTs that validate, search or run a report."""
    reads = method in ("GET", "HEAD") or (
        method == "POST" and path.rstrip("/").endswith(_READ_ONLY_SUFFIXES)
    )
    return cache_group(path), reads


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number, got {value!r}")


def _ttls(value: Mapping[str, float]) -> Mapping[str, float]:
    ttls = dict(value)
    for group, ttl in ttls.items():
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl > 0:
            raise ValueError(f"ttl_by_group[{group!r}] must be a positive number, got {ttl!r}")
    return ttls


@attrs.frozen
class ResponseCache:
    """Turn on the response cache: ``Client(..., cache=ResponseCache(ttl=300))``.

    ``ttl`` seconds for every GET answer, or ``ttl_by_group`` per resource group (the client
    attribute names: ``{"segments": 60, "dataviews": 3600}``). ``max_entries`` bounds the
    org's store; the least recently used entry goes first.
    """

    ttl: float = attrs.field(default=300.0, validator=_positive)
    ttl_by_group: Mapping[str, float] = attrs.field(factory=dict, converter=_ttls)
    max_entries: int = attrs.field(default=2048, validator=_positive)

    def ttl_for(self, group: str) -> float:
        """The time-to-live of an answer of ``group``."""
        return float(self.ttl_by_group.get(group, self.ttl))


@attrs.define
class CacheStats:
    """One client's use of the cache; every hit is a request saved."""

    hits: int = 0
    misses: int = 0
    invalidations: int = 0

    @property
    def requests_saved(self) -> int:
        """Requests the cache answered instead of the API."""
        return self.hits


CacheKey = tuple[str, str, str, str, tuple[tuple[str, str | tuple[str, ...]], ...], str]


@attrs.frozen
class CachedResponse:
    """A GET answer as it came: parsed anew on every hit."""

    status_code: int
    content: bytes
    request_id: str | None


# What a request that follows another one's GET waits for: the answer, or ``None`` if the
# leader got none to share.
Flight = asyncio.Future[CachedResponse | None]


def _entry(key: CacheKey) -> tuple[asyncio.AbstractEventLoop, CacheKey]:
    return asyncio.get_running_loop(), key


class OrgCache:
    """The store of one org, shared by its clients (thread-safe: clients may be on threads)."""

    def __init__(self, policy: ResponseCache) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        # GETs on their way, per event loop (a future belongs to one loop; clients of the
        # org may run on several).
        self._flights: dict[tuple[asyncio.AbstractEventLoop, CacheKey], Flight] = {}
        self._store: TLRUCache[CacheKey, CachedResponse] = TLRUCache(
            maxsize=policy.max_entries,
            ttu=lambda key, _value, now: now + policy.ttl_for(key[0]),
            timer=loop_time,
        )

    def __len__(self) -> int:
        with self._lock:
            return len(self._store)

    def get(self, key: CacheKey) -> CachedResponse | None:
        with self._lock:
            return self._store.get(key)

    def put(self, key: CacheKey, response: CachedResponse, flight: Flight | None = None) -> None:
        """Keep ``response`` (the answer of ``flight``), and hand it to the requests waiting
        for it. An answer whose flight a write cut loose meanwhile is handed to its followers,
        who asked before the write, but not kept: it may show the data from before the write.
        """
        with self._lock:
            current = flight is None or self._flights.get(_entry(key)) is flight
            if current:
                self._store[key] = response
        if flight is not None and not flight.done():
            flight.set_result(response)

    def join(self, key: CacheKey) -> tuple[Flight, bool]:
        """The flight of the GET ``key`` on this loop, and whether the caller leads it (sends
        the request; it must call :meth:`land` when done) or follows (awaits the answer)."""
        entry = _entry(key)
        with self._lock:
            flight = self._flights.get(entry)
            if flight is not None:
                return flight, False
            flight = self._flights[entry] = entry[0].create_future()
            return flight, True

    def land(self, key: CacheKey, flight: Flight) -> None:
        """The leader is done: followers still waiting learn that it brought no answer."""
        entry = _entry(key)
        with self._lock:
            if self._flights.get(entry) is flight:
                del self._flights[entry]
        if not flight.done():
            flight.set_result(None)

    def invalidate(
        self, method: str, path: str, *, group: str | None = None, reads: bool | None = None
    ) -> bool:
        """Drop what a ``method path`` request may change; ``False`` if it only reads.

        ``group`` and ``reads`` are what the request declared (``Call``); when not given
        they are guessed from ``method`` and ``path`` (``guess_kind``).
        """
        if group is None or reads is None:
            guessed_group, guessed_reads = guess_kind(method, path)
            group = guessed_group if group is None else group
            reads = guessed_reads if reads is None else reads
        if reads:
            return False
        wide = group in _WIDE_GROUPS or group == "other"
        with self._lock:
            if wide:
                self._store.clear()
            else:
                for key in [k for k in self._store.keys() if k[0] == group]:  # noqa: SIM118
                    self._store.pop(key, None)
            # A GET asked after this write must not join one sent before it.
            for entry in [e for e in self._flights if wide or e[1][0] == group]:
                del self._flights[entry]
        return True


def cache_key(
    client_id: str,
    method: str,
    path: str,
    params: Mapping[str, str | Sequence[str]] | None,
    headers: Mapping[str, str] | None,
    group: str | None = None,
) -> CacheKey:
    """The key of a GET: group (guessed from ``path`` if not given), credential, method,
    path, sorted query, user-token digest."""
    user = ""
    if headers:
        # A per-user header (x-user-auth) changes the answer; keep a digest, never the token.
        joined = "\n".join(f"{k.lower()}:{v}" for k, v in sorted(headers.items()))
        user = hashlib.sha256(joined.encode()).hexdigest()
    # A repeated parameter (a list of values) keeps its order: it is part of the query.
    query = tuple(
        sorted((k, v if isinstance(v, str) else tuple(v)) for k, v in (params or {}).items())
    )
    return (cache_group(path) if group is None else group, client_id, method, path, query, user)


_caches: OrgRegistry[ResponseCache, OrgCache] = OrgRegistry(
    OrgCache, lambda cache: cache.policy, "response cache"
)


def cache_for_org(org_id: str, policy: ResponseCache) -> OrgCache:
    """The process-wide response cache of ``org_id`` (one policy per org, like the limiter)."""
    return _caches.get(org_id, policy)


def existing_cache(org_id: str) -> OrgCache | None:
    """The response cache of ``org_id`` if some client of the org turned it on: a write by
    a client without one must still drop what it touches there."""
    return _caches.find(org_id)
