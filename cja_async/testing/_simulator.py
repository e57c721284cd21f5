"""The simulator: an ASGI 3 app that behaves like CJA, its gateway and the identity server."""

from __future__ import annotations

import math
import random
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

import anyio
import attrs
import httpx

from cja_async._config import RateLimit, Window
from cja_async._limits import InProcessLimiterBackend

from . import (
    _annotations,
    _assets,
    _audit_logs,
    _calculated_metrics,
    _connections,
    _dataviews,
    _date_ranges,
    _projects,
    _reports,
    _segments,
    _shares,
    _tags,
    _users,
)
from ._dates import iso
from ._errors import fault_error, gateway_error, ims_error, service_error, too_many_requests
from ._http import ApiError, Receive, Response, Scope, Send
from ._paging import PageShape, check_page_cap
from ._request import Request
from ._router import Handler, Router
from ._rules import NO_STRIKE, Call, Faults, RouteRule, SideEffect, Strike, strike_of
from ._state import OrgState, SimStats

if TYPE_CHECKING:
    from cja_async import Client

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_ORG_ID",
    "TOKEN_PATH",
    "Simulator",
]

TOKEN_PATH = "/ims/token/v3"
DEFAULT_CLIENT_ID = "sim-client"
DEFAULT_CLIENT_SECRET = "sim-secret"
DEFAULT_ORG_ID = "SIMORG@AdobeOrg"

# Every resource module contributes its router; add new modules here.
_RESOURCE_ROUTERS: tuple[Router, ...] = (
    _users.router,
    _dataviews.router,
    _connections.router,
    _segments.router,
    _projects.router,
    _assets.router,
    _calculated_metrics.router,
    _date_ranges.router,
    _tags.router,
    _shares.router,
    _annotations.router,
    _audit_logs.router,
    _reports.router,
)

# Frozen, so sharing one default instance between simulators is safe.
_DEFAULT_RATE_LIMIT = RateLimit()

# The simulator clock starts near 0 (or wherever the event loop's clock is);
# dates shown to clients are this instant plus the clock reading.
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


@attrs.frozen
class _Client:
    client_id: str
    client_secret: str
    org_id: str


@attrs.frozen
class _Token:
    client_id: str
    org_id: str
    expires_at: float


CountAt = Literal["arrival", "random", "response"]

_SIM_BASE_URL = "http://127.0.0.1"
# With the simulator's limits off, the client's limiter should not hold anything back either.
_UNLIMITED = RateLimit(concurrency=10_000, windows=(Window(10**9, 0.001),))


class Simulator:
    """An in-process Adobe CJA API, identity server and rate-limiting gateway.

    The simulator is an ASGI 3 application: use it with
    ``httpx.AsyncClient(transport=httpx.ASGITransport(app=sim))`` or serve it with
    ``uvicorn.run(sim)``. Tokens come from ``POST /ims/token/v3`` on the same app.

    Args:
        rate_limit: per-org limits enforced strictly (``None``: no limits).
        latency: seconds every admitted API request is held in flight.
        token_ttl: seconds a token lives, on the simulator clock.
        page_shape: page body of list endpoints whose shape varies in the wild.
        count_at: when the gateway counts a request in the windows: at its ``"arrival"``,
            at a ``"random"`` moment of its latency (the strictest model of what API-NOTES
            says Adobe may do, and what the benchmarks use), or at its ``"response"``.
            A request found over a window when counted is answered 429 then.
        faults: fault injection (a fresh :class:`Faults` when ``None``).
        seed: seeds fault injection and every org's generated data.
        dataviews: data views seeded in each org.
        reports: how reports treat multi-dimension requests (a fresh
            :class:`ReportOptions` when ``None``: accepted up to 20,000 combinations).
        page_cap: the largest page size (``limit``, ``pageSize``) the server accepts; a larger
            one is answered 400 ``invalid_parameters`` (``None``: each endpoint's own maximum).
        record_calls: keep every API request in :attr:`calls` (``False`` for a long-running
            server, whose memory would otherwise grow with its traffic).

    A client ``sim-client`` / ``sim-secret`` of org ``SIMORG@AdobeOrg`` exists
    from the start; :meth:`add_client` registers more. All time comes from
    :func:`anyio.current_time`, so the simulator follows virtual-time loops.
    """

    def __init__(
        self,
        *,
        rate_limit: RateLimit | None = _DEFAULT_RATE_LIMIT,
        latency: float = 0.0,
        token_ttl: float = 86399.0,
        page_shape: PageShape = "analytics",
        count_at: CountAt = "arrival",
        faults: Faults | None = None,
        seed: int = 0,
        dataviews: int = 300,
        reports: _reports.ReportOptions | None = None,
        page_cap: int | None = None,
        record_calls: bool = True,
    ) -> None:
        if latency < 0:
            raise ValueError(f"latency must not be negative, got {latency}")
        if token_ttl <= 0:
            raise ValueError(f"token_ttl must be positive, got {token_ttl}")
        if page_shape not in ("analytics", "spring"):
            raise ValueError(f"page_shape must be 'analytics' or 'spring', got {page_shape!r}")
        if dataviews < 0:
            raise ValueError(f"dataviews must not be negative, got {dataviews}")
        if page_cap is not None and page_cap < 1:
            raise ValueError(f"page_cap must be at least 1, got {page_cap}")
        self.rate_limit: RateLimit | None = rate_limit
        self.latency: float = latency
        self.token_ttl: float = token_ttl
        self.page_shape: PageShape = page_shape
        if count_at not in ("arrival", "random", "response"):
            raise ValueError(f"count_at must be arrival, random or response, got {count_at!r}")
        self.count_at: CountAt = count_at
        self.faults: Faults = Faults() if faults is None else faults
        self.seed: int = seed
        self.dataviews: int = dataviews
        self.reports: _reports.ReportOptions = reports or _reports.ReportOptions()
        self.page_cap: int | None = page_cap
        self.stats: SimStats = SimStats()
        self.rules: list[RouteRule] = []
        """Per-route fault rules, in the order :meth:`on` made them."""
        self.calls: list[Call] = []
        """Every API request received (not token requests), oldest first."""
        self.record_calls: bool = record_calls
        self.router: Router = Router()
        for resource_router in _RESOURCE_ROUTERS:
            self.router.include(resource_router)
        self._rng = random.Random(seed)
        self._clients: dict[str, _Client] = {}
        self._tokens: dict[str, _Token] = {}
        self._orgs: dict[str, OrgState] = {}
        self._limiters = InProcessLimiterBackend(private=True)
        self.add_client(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID)

    # -- public helpers ---------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str, org_id: str) -> None:
        """Register OAuth server-to-server credentials (replacing any with that client id).

        Clients of the same org share its data and its rate limits.
        """
        self._clients[client_id] = _Client(client_id, client_secret, org_id)

    def client(
        self,
        *,
        org_id: str = DEFAULT_ORG_ID,
        client_id: str | None = None,
        client_secret: str | None = None,
        **kwargs: Any,
    ) -> Client:
        """A :class:`cja_async.Client` wired to this simulator in-process.

        With ``client_id``/``client_secret`` unset, credentials for ``org_id`` are registered
        on the fly. ``rate_limit`` defaults to the simulator's own; other keyword arguments
        go to ``Client``::

            async with sim.client() as cja:
                me = await cja.users.me()
        """
        from .. import Client, OAuthCredentials

        if client_id is None:
            client_id = f"client-{org_id}"
            client_secret = client_secret or "secret"
            self.add_client(client_id, client_secret, org_id)
        credentials = OAuthCredentials(
            client_id=client_id,
            client_secret=client_secret or DEFAULT_CLIENT_SECRET,
            token_url=f"{_SIM_BASE_URL}{TOKEN_PATH}",
        )
        kwargs.setdefault("rate_limit", self.rate_limit or _UNLIMITED)
        kwargs.setdefault("transport", httpx.ASGITransport(app=self))
        # This simulator's orgs share budgets among its clients only, never with clients of
        # a real org (or another simulator) that happen to use the same org id.
        kwargs.setdefault("limiter_backend", self._limiters)
        return Client(org_id=org_id, credentials=credentials, base_url=_SIM_BASE_URL, **kwargs)

    def revoke_tokens(self) -> None:
        """Invalidate every token issued so far; the next API call with one gets 401."""
        self._tokens.clear()

    def org(self, org_id: str) -> OrgState:
        """The state of org ``org_id``: its counters, its limiter and its data, one typed
        store per resource (``sim.org(org_id).segments.get(id)``), each seeded on first use."""
        state = self._orgs.get(org_id)
        if state is None:
            state = self._orgs[org_id] = OrgState(org_id, self.seed, dataviews=self.dataviews)
        return state

    def org_stats(self, org_id: str = DEFAULT_ORG_ID) -> SimStats:
        """The counters of one org (all zero if it was never called)."""
        return self.org(org_id).stats

    def reset_stats(self) -> None:
        """Zero the counters of the simulator and of every org and forget :attr:`calls`
        (data, limits and rules are kept)."""
        self.stats = SimStats(in_flight=self.stats.in_flight)
        self.calls.clear()
        for state in self._orgs.values():
            state.stats = SimStats(in_flight=state.stats.in_flight)

    def on(
        self,
        method: str,
        template: str,
        side_effect: SideEffect = None,
        *,
        org_id: str | None = None,
    ) -> RouteRule:
        """A fault rule for ``method`` requests to paths matching ``template`` (see
        :class:`RouteRule`), also a record of the calls it matched::

            segments = sim.on("GET", "/data/segments").fail(503, times=2)  # then answers
            sim.on("GET", "/data/dataviews/{id}", ["cut", 502, None])
            sim.on("*", "/reports", Faults(error_rate=0.2))

        Rules made earlier are asked first; one on ``TOKEN_PATH`` fails the identity server.
        """
        rule = RouteRule(method, template, side_effect, org_id=org_id)
        self.rules.append(rule)
        return rule

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        """Decorator adding a handler to this simulator only (see :class:`Router`)."""
        return self.router.route(method, template)

    def now(self) -> float:
        """The simulator clock: :func:`anyio.current_time`."""
        return anyio.current_time()

    def now_iso(self) -> str:
        """The simulator clock as an ISO 8601 UTC timestamp, for created/modified dates."""
        return iso(_EPOCH + timedelta(seconds=self.now()), "milliseconds")

    # -- ASGI -------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI 3 entry point (``http`` and ``lifespan`` scopes)."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the CJA simulator does not handle {scope['type']!r} scopes")
        req = Request.from_scope(scope, await _read_body(receive))
        request_id = str(uuid.uuid4())
        if req.path == TOKEN_PATH:
            # The form holds the client secret: the rules' record of it keeps no body.
            call = Call(req.method, req.path, {}, {}, b"", self.now())
            strike = self._strike(self._rules_of(call), req)
            if strike.delay > 0:
                await anyio.sleep(strike.delay)
            response = self._issue_token(req, strike)
            if strike.error is not None:
                raise strike.error
            if strike.garbage:
                response = Response(status=200, body=_PROXY_PAGE, content_type="text/html")
            if strike.cut:
                await _send_cut_short(send, response, request_id)
            await _send(send, response, request_id, call)
        else:
            await self._api(req, send, request_id)

    # -- identity server --------------------------------------------------------------

    def _issue_token(self, req: Request, strike: Strike) -> Response:
        """The identity server's answer; ``strike`` is what a rule on ``TOKEN_PATH`` does."""
        self.stats.token_requests += 1
        if req.method != "POST":
            return ims_error(405, "method_not_allowed", "Use POST")
        failing = self.faults.token_error_rate
        if strike is NO_STRIKE and failing and self._rng.random() < failing:
            strike = Strike(status=503)
        self.stats.faults_injected += strike.faults
        if strike.response is not None:
            return strike.response
        if strike.status is not None:
            return ims_error(
                strike.status, "temporarily_unavailable", "Simulated identity server outage"
            )
        form = {**req.query, **parse_qs(req.body.decode("latin-1"), keep_blank_values=True)}

        def field(name: str) -> str:
            values = form.get(name)
            return values[0] if values else ""

        if field("grant_type") != "client_credentials":
            return ims_error(400, "unsupported_grant_type", "unsupported grant_type parameter")
        client = self._clients.get(field("client_id"))
        if client is None:
            return ims_error(401, "invalid_client", "invalid client_id parameter")
        if field("client_secret") != client.client_secret:
            return ims_error(401, "invalid_client", "invalid client_secret parameter")
        self.org(client.org_id).stats.token_requests += 1
        token = secrets.token_urlsafe(32)
        self._tokens[token] = _Token(client.client_id, client.org_id, self.now() + self.token_ttl)
        return Response.json(
            {"access_token": token, "token_type": "bearer", "expires_in": int(self.token_ttl)}
        )

    # -- API requests: gateway, then service ------------------------------------------

    def _authenticate(self, req: Request) -> None:
        """Check the gateway headers in Adobe's order; fill in ``org_id`` and ``client_id``."""
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(gateway_error(403, "403010", "Oauth token is missing."))
        info = self._tokens.get(token)
        if info is not None and self.now() >= info.expires_at:
            del self._tokens[token]
            info = None
        if info is None:
            raise ApiError(gateway_error(401, "401013", "Oauth token is not valid"))
        if req.headers.get("x-api-key") != info.client_id:
            raise ApiError(gateway_error(403, "403003", "Api Key is invalid"))
        if req.headers.get("x-gw-ims-org-id") != info.org_id:
            raise ApiError(
                service_error(
                    403,
                    "insufficient_access",
                    "The x-gw-ims-org-id header does not match the org of the access token",
                )
            )
        req.org_id = info.org_id
        req.client_id = info.client_id

    async def _api(self, req: Request, send: Send, request_id: str) -> None:
        call = Call.of(req, self.now())
        if self.record_calls:
            self.calls.append(call)
        try:
            self._authenticate(req)
        except ApiError as error:
            self.stats.auth_failures += 1
            await _send(send, error.response, request_id, call)
            return
        call.org_id = req.org_id
        rules = self._rules_of(call)
        org = self.org(req.org_id)
        both = (self.stats, org.stats)
        for stats in both:
            stats.requests += 1
            stats.by_path[req.path] += 1
        now = self.now()
        at_arrival = self.count_at == "arrival"
        retry_after = org.limiter.retry_after(self.rate_limit, now, windows=at_arrival)
        if retry_after is not None:
            for stats in both:
                stats.rejected_429 += 1
            await _send(send, too_many_requests(retry_after), request_id, call)
            return
        org.limiter.admit(self.rate_limit, now, count=at_arrival)
        for stats in both:
            stats.starts.append(now)
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            waited = 0.0 if at_arrival else await self._count_later(org)
            if waited < 0:  # the windows were full when the gateway counted it
                for stats in both:
                    stats.rejected_429 += 1
                await _send(send, too_many_requests(math.ceil(-waited)), request_id, call)
                return
            strike = self._strike(rules, req)
            response, cut = await self._serve(req, org, strike, waited)
            if strike.error is not None:
                raise strike.error
            if cut:
                await _send_cut_short(send, response, request_id)
            await _send(send, response, request_id, call)
        finally:
            # In flight until the response is fully sent, as the gateway counts it.
            org.limiter.release()
            span = (now, self.now())
            for stats in both:
                stats.in_flight -= 1
                stats.spans.append(span)

    async def _count_later(self, org: OrgState) -> float:
        """Wait until the gateway counts this request (some moment of its latency), check
        the windows then; the seconds waited, or minus the ``Retry-After`` of a rejection."""
        share = 1.0 if self.count_at == "response" else self._rng.random()
        waited = self.latency * share
        if waited > 0:
            await anyio.sleep(waited)
        now = self.now()
        retry_after = org.limiter.retry_after(self.rate_limit, now, concurrency=False)
        if retry_after is not None:
            return -float(retry_after)
        org.limiter.count(self.rate_limit, now)
        return waited

    def _rules_of(self, call: Call) -> list[RouteRule]:
        """The rules matching a request past authentication, each keeping the call."""
        rules = [rule for rule in self.rules if rule.matches(call.method, call.path, call.org_id)]
        for rule in rules:
            rule.calls.append(call)
        return rules

    def _strike(self, rules: list[RouteRule], req: Request) -> Strike:
        """The strike of the first of ``rules`` with an outcome for this call, else none.

        Asked only for requests the gateway admits, so "503 twice" means two answers of 503.
        """
        for rule in rules:
            outcome = rule.outcome(req)
            if outcome is not None:
                return strike_of(outcome, self._rng)
        return NO_STRIKE

    async def _serve(
        self, req: Request, org: OrgState, strike: Strike, waited: float = 0.0
    ) -> tuple[Response, bool]:
        """Carry the request out as ``strike`` (or, without one, the :class:`Faults`) says;
        the response and whether to cut it short."""
        if strike is NO_STRIKE:
            strike = self.faults.draw(self._rng)
        delay = self.latency - waited + strike.delay
        if delay > 0:
            await anyio.sleep(delay)
        response = strike.response
        if response is None and strike.status is not None:
            response = fault_error(strike.status)
        if response is None:
            try:
                if self.page_cap is not None:
                    check_page_cap(req, self.page_cap)
                route, params = self.router.resolve(req.method, req.path)
                req.path_params = params
                response = await route.answer(self, req)
            except ApiError as error:
                # A refused request is answered as is: the proxy only garbles successes.
                strike = attrs.evolve(strike, garbage=False)
                response = error.response
            if strike.garbage:
                response = Response(status=200, body=_PROXY_PAGE, content_type="text/html")
        for stats in (self.stats, org.stats):
            stats.faults_injected += strike.faults
        return response, strike.cut


async def _lifespan(receive: Receive, send: Send) -> None:
    # Nothing to set up: state is created lazily on the running loop.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


_PROXY_PAGE = b"<html><body><h1>502 Bad Gateway</h1>The proxy got no answer.</body></html>"


async def _send_cut_short(send: Send, response: Response, request_id: str) -> None:
    """Start the response, send half its body, then drop the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": _headers(response, request_id),
        }
    )
    half = response.body[: len(response.body) // 2]
    await send({"type": "http.response.body", "body": half, "more_body": True})
    # Under uvicorn an exception here closes the socket mid-body; under httpx.ASGITransport
    # it reaches the client as the very error a cut socket gives.
    raise httpx.RemoteProtocolError("simulated: connection closed in the middle of the body")


def _headers(response: Response, request_id: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(response.body)).encode("latin-1")),
        (b"x-request-id", request_id.encode("latin-1")),
    ]
    headers.extend(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers
    )
    return headers


async def _send(send: Send, response: Response, request_id: str, call: Call | None = None) -> None:
    if call is not None:
        call.status = response.status
    headers = _headers(response, request_id)
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})
