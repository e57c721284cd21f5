"""The client and its one request pipeline: limit -> auth -> send -> classify -> retry."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self, TypedDict, TypeVar, Unpack, overload

import attrs
import httpx

from . import _exceptions as errors
from ._auth import (
    OAuthCredentials,
    OAuthTokenCache,
    StaticToken,
    StaticTokenSource,
    TokenSource,
    _console_fields,
    _env,
    _env_value,
    _load_json,
)
from ._cache import (
    CachedResponse,
    CacheKey,
    CacheStats,
    Flight,
    OrgCache,
    ResponseCache,
    cache_for_org,
    cache_key,
    existing_cache,
)
from ._call import Call
from ._checks import check_int, check_own_headers, check_timeout, masked_url
from ._closing import AsyncClosing
from ._config import RateLimit
from ._limits import InProcessLimiterBackend, Limiter, LimiterBackend
from ._receive import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES, receive
from ._response import classify, read_body, request_id, transport_error
from ._retry import (
    IDEMPOTENT_METHODS,
    Attempt,
    Pause,
    Raise,
    Renew,
    Retry,
    Return,
    decide,
)
from ._scrub import Scrubber
from ._version import __version__
from .resources import DataViews, Users
from .resources._base import check_limit
from .resources.annotations import Annotations
from .resources.assets import Assets
from .resources.audit_logs import AuditLogs
from .resources.calculated_metrics import CalculatedMetrics
from .resources.connections import Connections
from .resources.date_ranges import DateRanges
from .resources.projects import Projects
from .resources.reports import Reports
from .resources.segments import Segments
from .resources.shares import Shares
from .resources.tags import Tags

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_TIMEOUT",
    "Client",
    "ClientStats",
]

logger = logging.getLogger("cja_async.client")

T = TypeVar("T")

DEFAULT_BASE_URL = "https://cja.adobe.io"
# The largest page every list endpoint accepts (API-NOTES, "Page sizes"): the default page
# size of a walk without ``limit``, since each request spends a slice of the org's budget.
DEFAULT_PAGE_SIZE = 1000
# Reports may run up to 300 s at Adobe; connecting should never take long. The read timeout
# is also the deadline for a whole response (see _receive.py).
DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=15.0)

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "testserver"})
_ADOBE_IMS_DOMAIN = "adobelogin.com"  # ims-na1.adobelogin.com and its siblings


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_token_url(token_url: str, base_url: httpx.URL) -> None:
    """Refuse Adobe's identity server for an API on loopback: the client secret would go to
    Adobe while every API call goes to a local server (a simulator, most likely)."""
    token_host = httpx.URL(token_url).host
    adobe = token_host == _ADOBE_IMS_DOMAIN or token_host.endswith("." + _ADOBE_IMS_DOMAIN)
    if adobe and _is_loopback(base_url.host):
        raise ValueError(
            f"base_url {str(base_url)!r} is a loopback host but the credential's token_url is "
            f"Adobe's identity server ({token_url}): the client secret would be sent to Adobe "
            "for an API on this machine. For a simulator pass "
            f"OAuthCredentials(..., token_url={str(base_url.join('/ims/token/v3'))!r}); "
            "or use a StaticToken"
        )


def check_url(url: object, name: str) -> httpx.URL:
    """``url`` as an ``httpx.URL``: https, or http only for a loopback host."""
    if not isinstance(url, str | httpx.URL):
        raise TypeError(
            f"{name} must be a str (or an httpx.URL) such as 'https://cja.adobe.io',"
            f" got {type(url).__name__}"
        )
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        parsed = httpx.URL()
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and _is_loopback(parsed.host):
        return parsed
    raise ValueError(
        f"{name} must be an https:// URL (http:// is allowed only for loopback hosts), "
        f"got {masked_url(str(url))!r}"
    )


def check_org_id(org_id: object) -> str:
    """An IMS org id as Adobe writes it, ``XXXX@AdobeOrg``, or an error saying so.

    Refused here rather than by a 403 on the first request: an org id without its
    ``@AdobeOrg`` suffix is the usual copy-paste slip.
    """
    if not isinstance(org_id, str):
        raise TypeError(
            f"org_id must be a str such as 'XXXX@AdobeOrg', got {type(org_id).__name__}"
        )
    if not org_id.strip():
        raise ValueError("org_id must be a non-empty string such as 'XXXX@AdobeOrg'")
    head, at, tail = org_id.rpartition("@")
    if at != "@" or tail != "AdobeOrg" or not head.strip() or org_id != org_id.strip():
        raise ValueError(
            f"org_id must be an IMS org id ending in '@AdobeOrg' (the Developer Console's"
            f" 'Organization ID', e.g. 'XXXX@AdobeOrg'), got {org_id!r}"
        )
    return org_id


class RequestArgs(TypedDict, total=False):
    """The keyword arguments of :meth:`Client.request` besides ``parse``."""

    params: Mapping[str, str | Sequence[str]] | None
    json: Any
    headers: Mapping[str, str] | None
    idempotent: bool | None
    fresh: bool


@attrs.define
class ClientStats:
    """What one client did: requests sent, retries, 429s met, time spent waiting for slots."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    token_renewals: int = 0
    limiter_wait: float = 0.0


class Client(AsyncClosing):
    """An async CJA client for one org. Use it as an async context manager::

        async with Client(org_id="XXXX@AdobeOrg", credentials=creds) as cja:
            me = await cja.users.me()

    Every request goes through the org's limiter, which every ``Client`` of that org in this
    process shares, so parallel work never exceeds Adobe's limits. Requests that fail with
    429, 5xx or a network error are retried (up to ``max_retries``) when that is safe.

    Args:
        org_id: the IMS org, ``XXXX@AdobeOrg`` (sent as ``x-gw-ims-org-id``).
        credentials: ``OAuthCredentials`` (tokens fetched and renewed for you) or a
            ``StaticToken`` minted elsewhere.
        base_url: the API; ``http://`` only for loopback hosts (simulators, tests).
        rate_limit: the org's limits; Adobe's documented ones by default. Every client of
            one org in a process must pass the same value.
        timeout: seconds, or an ``httpx.Timeout``; by default 300 s for a response (reports
            can take that long) and 15 s to connect. The read timeout (300 s) is also a
            deadline for the whole response, however slowly its bytes arrive.
        max_retries: retries of one request after 429, 5xx or network failures (and of a
            token request the identity server failed).
        max_response_bytes: the largest response body accepted, decoded (128 MiB by
            default); a larger one raises ``ResponseTooLargeError`` and is not retried.
        transport: an ``httpx.AsyncBaseTransport`` to send through (a simulator, a proxy).
        limiter_backend: where the org's limiter lives; in this process by default.
        cache: turn on the response cache (see ``ResponseCache``); off by default.
        page_size: the page size of lists walked without a ``limit``: by default the largest
            every list endpoint accepts (1000), so a walk of n items costs ceil(n / 1000)
            requests. A ``limit`` passed to a list is sent as given.

    A client belongs to the event loop it first runs on (its connections and the token fetch
    are bound to it); using it from another loop raises ``EventLoopError``. Make one client
    per loop or thread: they share the org's limiter.
    """

    def __init__(
        self,
        *,
        org_id: str,
        credentials: OAuthCredentials | StaticToken,
        base_url: str = DEFAULT_BASE_URL,
        rate_limit: RateLimit | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 5,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter_backend: LimiterBackend | None = None,
        cache: ResponseCache | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        # Every argument is checked here, before anything is made: a wrong one fails at
        # construction, naming itself, not in the first request. (Types raise TypeError,
        # ranges ValueError; a credential's values are never shown.)
        check_org_id(org_id)
        if not isinstance(credentials, OAuthCredentials | StaticToken):
            raise TypeError(
                "credentials must be OAuthCredentials or StaticToken,"
                f" got {type(credentials).__name__}"
            )
        check_int(max_retries, "max_retries", minimum=0)
        check_int(max_response_bytes, "max_response_bytes", minimum=1)
        timeout = check_timeout(timeout)
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(
                f"transport must be an httpx.AsyncBaseTransport, got {type(transport).__name__}"
            )
        rate_limit = RateLimit() if rate_limit is None else rate_limit
        if not isinstance(rate_limit, RateLimit):
            raise TypeError(f"rate_limit must be a RateLimit, got {type(rate_limit).__name__}")
        backend = InProcessLimiterBackend() if limiter_backend is None else limiter_backend
        if not isinstance(backend, LimiterBackend):
            raise TypeError("limiter_backend must have a limiter_for(org_id, rate_limit) method")
        if cache is not None and not isinstance(cache, ResponseCache):
            raise TypeError("cache must be a ResponseCache or None")
        self.page_size = check_limit(page_size, DEFAULT_PAGE_SIZE, "page_size")
        self.base_url = check_url(base_url, "base_url")
        if isinstance(credentials, OAuthCredentials):
            check_url(credentials.token_url, "token_url")
            _check_token_url(credentials.token_url, self.base_url)
        self.org_id = org_id
        # Both may refuse a second, different configuration for the org: ask before the
        # HTTP client exists, so a refusal leaves nothing to close.
        self._limiter: Limiter = backend.limiter_for(org_id, rate_limit)
        self._cache: OrgCache | None = None if cache is None else cache_for_org(org_id, cache)
        self.rate_limit = rate_limit
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes
        self.stats = ClientStats()
        timeouts = httpx.Timeout(timeout)
        self._deadline = timeouts.read  # for a whole response, not one read
        # Redirects are never followed: a redirect to another host would carry our token.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeouts,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": f"cja-async/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
        )
        # What a request path is appended to (see _url). httpx would parse the path, then
        # parse the URL again to join them: the second parse is a tenth of a request's CPU.
        api = self._http.base_url
        self._url_prefix = None if api.query or api.fragment else str(api).rstrip("/") + "/"
        self._auth: TokenSource
        if isinstance(credentials, OAuthCredentials):
            self._auth = OAuthTokenCache(
                credentials, self._http, max_attempts=max_retries + 1, deadline=self._deadline
            )
        else:
            self._auth = StaticTokenSource(credentials)
        self._scrub: Scrubber = self._auth.scrubber
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop it belongs to
        self.cache_stats = CacheStats()
        self._closed = False
        self._header_token: str | None = None
        self._base_headers: dict[str, str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()  # running requests, for aclose()
        self._closing: set[asyncio.Task[Any]] = set()  # those aclose() cancelled

        self.users = Users(self)
        self.dataviews = DataViews(self)
        self.connections = Connections(self)
        self.segments = Segments(self)
        self.projects = Projects(self)
        self.assets = Assets(self)
        self.calculated_metrics = CalculatedMetrics(self)
        self.date_ranges = DateRanges(self)
        self.tags = Tags(self)
        self.shares = Shares(self)
        self.annotations = Annotations(self)
        self.audit_logs = AuditLogs(self)
        self.reports = Reports(self)

    @classmethod
    def from_env(cls, prefix: str = "CJA_", **kwargs: Any) -> Self:
        """A client from ``CJA_ORG_ID``, ``CJA_CLIENT_ID``, ``CJA_CLIENT_SECRET`` (and
        optionally ``CJA_SCOPES``, ``CJA_TOKEN_URL``, ``CJA_BASE_URL``), each stripped of
        surrounding whitespace (a secrets file's trailing newline)."""
        org_id = _env(os.environ, f"{prefix}ORG_ID")
        kwargs.setdefault("credentials", OAuthCredentials.from_env(prefix))
        base_url = _env_value(os.environ, f"{prefix}BASE_URL")
        if base_url:
            kwargs.setdefault("base_url", base_url)
        return cls(org_id=org_id, **kwargs)

    @classmethod
    def from_console_json(
        cls, source: str | os.PathLike[str] | Mapping[str, Any], **kwargs: Any
    ) -> Self:
        """A client from the credential JSON that Adobe's Developer Console downloads."""
        org_id, fields = _console_fields(_load_json(source))
        org_id = kwargs.pop("org_id", None) or org_id
        if not org_id:
            raise ValueError("the credential JSON names no org; pass org_id=")
        return cls(org_id=org_id, credentials=OAuthCredentials(**fields), **kwargs)

    def __repr__(self) -> str:
        return f"Client(org_id={self.org_id!r}, base_url={str(self.base_url)!r})"

    def _check_loop(self, method: str | None = None, path: str | None = None) -> None:
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        if self._loop is None:
            self._loop = loop
            return
        raise errors.EventLoopError(
            "this client belongs to the event loop it first ran on, and this is another one "
            "(a second asyncio.run, or another thread); make one Client per event loop "
            "(clients of one org share its limiter wherever they run)",
            method=method,
            path=path,
        )

    async def __aenter__(self) -> Self:
        if self._closed:
            raise errors.ClientClosedError("this client is closed; make a new one")
        self._check_loop()
        return self

    async def aclose(self) -> None:
        """Close the connections; requests still running end with ``ClientClosedError``."""
        if self._closed:
            return
        if self._loop is not None and self._loop.is_closed():
            # Its connections died with their loop; nothing is left to close.
            self._closed = True
            return
        self._check_loop()
        self._closed = True
        current = asyncio.current_task()
        for task in self._tasks - {current}:
            self._closing.add(task)
            task.cancel()
        await self._http.aclose()
        await self._limiter.settle()  # releases scheduled for Redis reach it before we go

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closed

    @overload
    async def request(
        self, method: str, path: str, *, parse: None = None, **args: Unpack[RequestArgs]
    ) -> Any: ...

    @overload
    async def request(
        self, method: str, path: str, *, parse: Callable[[Any], T], **args: Unpack[RequestArgs]
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        parse: Callable[[Any], Any] | None = None,
        **args: Unpack[RequestArgs],
    ) -> Any:
        """Send one API request through the limiter, with retries; return the decoded JSON.

        ``args`` are ``params`` (the query), ``json`` (the body), ``headers``, ``idempotent``
        and ``fresh`` (see ``RequestArgs``). ``path`` must already be escaped (resources
        build it). ``idempotent`` overrides the method's default (GET, PUT, DELETE are; POST
        is not) for POSTs that only read.
        ``parse`` turns the decoded JSON into the result; if it finds the body of another
        shape (raises ``TypeError``, ``ValueError`` or ``LookupError``) the error is a
        ``ResponseDecodeError`` naming the request.
        ``fresh=True`` asks the server even when the response cache has the answer (a read
        that a write is built on must not be stale); the answer is cached as usual.
        """
        check_own_headers(args.get("headers"), "headers")
        idempotent = args.get("idempotent")
        call = Call(
            method,
            path,
            None,  # group and reads: guessed from the path if the cache needs them
            None,
            method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            params=args.get("params"),
            body=args.get("json"),
            headers=args.get("headers"),
            read=parse,
            fresh=args.get("fresh", False),
        )
        return await self._send(call)

    async def _send(self, call: Call) -> Any:
        """Send a declared ``Call`` (what resources do): the cache, then ``_attempts``."""
        method, path = call.method, call.path
        if self._closed:
            raise errors.ClientClosedError("this client is closed", method=method, path=path)
        if asyncio.get_running_loop() is not self._loop:
            self._check_loop(method, path)
        key: CacheKey | None = None
        flight: Flight | None = None
        cache = self._cache
        if cache is None and method != "GET":
            # Other clients of the org may cache: a write drops what it touches there too.
            cache = existing_cache(self.org_id)
        if cache is not None:
            if method == "GET":
                key = cache_key(
                    self._auth.client_id, method, path, call.params, call.headers, call.group
                )
                # ``fresh``: past the cache, and past a GET on its way (it may predate a write).
                while not call.fresh:
                    hit = cache.get(key)
                    if hit is None:
                        flight, leader = cache.join(key)
                        if leader:
                            break
                        # The same GET is on its way: wait for its answer (shielded, so a
                        # follower that gives up does not cancel it for the others).
                        hit = await asyncio.shield(flight)
                    if hit is not None:  # no limiter slot, nothing sent
                        self.cache_stats.hits += 1
                        return read_body(
                            hit.status_code,
                            hit.content,
                            method,
                            path,
                            call.read,
                            self._scrub,
                            hit.request_id,
                        )
                    if self._closed:
                        raise errors.ClientClosedError(
                            "this client is closed", method=method, path=path
                        )
                    # The leader failed: nothing was cached; ask again, leading or following.
                self.cache_stats.misses += 1
            elif cache.invalidate(method, path, group=call.group, reads=call.reads):
                self.cache_stats.invalidations += 1
        # aclose() cancels the tasks of the requests still running. A set of tasks does
        # that for far less than a cancel scope per request (about 10 us each, a tenth of
        # the client's whole CPU cost per request).
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            return await self._attempts(call, key, flight)
        except asyncio.CancelledError:
            if task is not None and task in self._closing:
                self._closing.discard(task)
                if task.uncancel() == 0:  # nobody else cancelled it too
                    raise errors.ClientClosedError(
                        "the client was closed while this request ran", method=method, path=path
                    ) from None
            raise
        finally:
            if task is not None:
                self._tasks.discard(task)
                if task in self._closing:  # something below swallowed the close's cancellation
                    self._closing.discard(task)
                    task.uncancel()
            if cache is not None:
                if flight is not None and key is not None:
                    cache.land(key, flight)
                elif method != "GET":
                    # Again once the write is done (or failed: it may have happened), so no
                    # answer cached while it ran survives it.
                    cache.invalidate(method, path, group=call.group, reads=call.reads)

    async def _attempts(self, call: Call, key: CacheKey | None, flight: Flight | None) -> Any:
        """Send ``call`` until ``_retry.decide`` says return or raise; this loop only performs
        the decisions (and counts them), it makes none."""
        method, path, idempotent = call.method, call.path, call.idempotent
        body = call.body
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        deadline = self._deadline
        timeout: Any = httpx.USE_CLIENT_DEFAULT
        if call.timeout is not None:
            timeout = httpx.Timeout(call.timeout)
            deadline = timeout.read
        url = self._url(path)
        attempt = 0  # retries made so far
        renewed = False
        maybe_done = False  # an earlier attempt may have been carried out, its answer lost
        while True:
            if self._closed:  # only if something below swallowed the close's cancellation
                raise errors.ClientClosedError("this client is closed", method=method, path=path)
            # Fetch a token before queueing, so a slot is not held while the identity server
            # answers; then ask again once admitted: the wait may have outlived the token.
            await self._auth.token()
            slot = await self._limiter.acquire()
            waited = slot.waited
            self.stats.limiter_wait += waited
            reached_server = False
            failure: httpx.TransportError | None = None
            try:
                token = await self._auth.token()
                request = self._http.build_request(
                    method,
                    url,
                    # Hot path: an empty mapping (most GETs) would make httpx re-parse the
                    # URL to merge nothing; None skips that, with the same URL.
                    params=call.params or None,
                    content=content,
                    headers=self._headers(token, content, call.headers),
                    timeout=timeout,
                )
                self.stats.requests += 1
                reached_server = True  # from here on, the server may have seen it
                response, answer = await receive(
                    self._http, request, max_bytes=self.max_response_bytes, deadline=deadline
                )
            except httpx.TransportError as exc:
                failure = exc
                # These fail before a byte left: the server cannot have counted or acted on it.
                reached_server = not isinstance(
                    exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
                )
            finally:
                slot.release(reached_server=reached_server)

            # Classify what came back (_response.py), then decide (_retry.py).
            result: Any = None
            error: errors.CJAError | None
            if failure is None:
                outcome, result, error = classify(
                    response, answer, call.read, method, path, self._scrub
                )
            else:
                outcome = Attempt(None, reached_server=reached_server)
                error = transport_error(failure, method, path, idempotent, reached_server)
            decision = decide(
                outcome,
                method=method,
                attempt=attempt,
                max_retries=self.max_retries,
                idempotent=idempotent,
                renewed=renewed,
                maybe_done=maybe_done,
            )
            logger.debug(
                "%s %s -> %s (attempt %d, waited %.3fs): %s",
                method,
                path,
                response.status_code if failure is None else type(failure).__name__,
                attempt + 1,
                waited,
                decision,
            )

            delay = 0.0
            if isinstance(decision, Return):
                if key is not None and self._cache is not None and not decision.none:
                    cached = CachedResponse(
                        response.status_code, answer, request_id(response, self._scrub)
                    )
                    self._cache.put(key, cached, flight)
                return None if decision.none else result
            if isinstance(decision, Retry):
                delay = decision.delay
            elif isinstance(decision, Renew):
                # A token the API rejects (revoked, expired early): renew once, not in a loop;
                # a token that cannot be renewed (a static one) stands refused.
                if self._auth.invalidate(token):
                    renewed = True
                    self.stats.token_renewals += 1
                    continue
                decision = Raise()
            elif isinstance(decision, Pause):
                self.stats.rate_limited += 1
                self._limiter.pause(decision.seconds)  # the retry waits there, not here
                if not decision.retry:
                    decision = Raise()
            if isinstance(decision, Raise) and error is not None:
                # (Every outcome but a readable success has its error.)
                if isinstance(error, errors.RateLimitError):
                    error.retry_after = outcome.retry_after
                raise error
            # The one place a retry is counted.
            attempt += 1
            self.stats.retries += 1
            maybe_done = maybe_done or (failure is not None and reached_server)
            if delay:
                await asyncio.sleep(delay)

    def _url(self, path: str) -> str:
        """The absolute URL of ``path`` (under ``base_url``), as httpx would join them.

        Paths httpx joins its own way (``//host/...`` drops the host, a fragment is kept
        apart) and a ``base_url`` with a query go to httpx as they are.
        """
        prefix = self._url_prefix
        if prefix is None or path[:1] != "/" or path[1:2] == "/" or "#" in path:
            return path
        return prefix + path[1:]

    def _headers(
        self, token: str, content: bytes | None, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        if token is not self._header_token:  # built once per token, not per request
            self._base_headers = {
                "Authorization": f"Bearer {token}",
                "x-api-key": self._auth.client_id,
                "x-gw-ims-org-id": self.org_id,
                "Accept": "application/json",
            }
            self._header_token = token
        if content is None and not extra:
            return self._base_headers  # httpx copies it into the request's own headers
        headers = dict(self._base_headers)
        if content is not None:
            headers["Content-Type"] = "application/json"
        if extra:
            headers.update(extra)
        return headers
