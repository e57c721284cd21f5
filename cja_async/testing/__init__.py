"""An in-process simulator of the Adobe CJA API, for testing code that calls it.

The :class:`Simulator` is a plain ASGI 3 application (no web framework) that plays
three parts: the identity server (``POST /ims/token/v3``), Adobe's gateway (auth
headers, strict per-org rate limits with 429 and ``Retry-After``) and the CJA
service (users and data views, seeded per org, with both page shapes and both
error-body shapes). Use it in-process::

    import httpx
    from cja_async.testing import Simulator

    sim = Simulator(latency=0.05)
    transport = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        token = (await http.post("/ims/token/v3", data={
            "grant_type": "client_credentials",
            "client_id": "sim-client",
            "client_secret": "sim-secret",
            "scope": "openid,AdobeID",
        })).json()["access_token"]
        ...
    assert sim.stats.rejected_429 == 0

or over a socket: ``python -m cja_async.testing --port 8000 --speed 10``.

All time is read from :func:`anyio.current_time` and waited with :func:`anyio.sleep`,
so the simulator runs unchanged under virtual-time event loops.

Faults on cue and what was sent: ``sim.on("GET", "/segments").fail(503, times=2)`` makes a
:class:`RouteRule` (respx-style ``side_effect``, its ``calls``); ``sim.calls`` keeps every API
request as a :class:`Call`; ``Simulator(faults=Faults(...))`` draws random faults everywhere.

Helpers for tests: :class:`VirtualTimeLoop` / :func:`run_virtual_time` (time jumps instead of
passing), :class:`LossyTransport` / :func:`every_nth` (requests or answers lost on the way) and
:class:`Recorder` (requests as the client sent them).

Data: ``sim.org(org_id)`` is the org's :class:`OrgState`, with one typed :class:`Store` per
resource (``.segments``, ``.dataviews``, ``.projects``...), seeded on first use. Seed what a
test needs and assert on what the code under test changed::

    org = sim.org(DEFAULT_ORG_ID)
    mine = org.segments.add({"name": "Mine", "rsid": org.dataviews.ids()[0], "definition": {}})
    ...
    assert org.segments.get(mine["id"])["name"] == "Renamed"

Extending: handlers are ``async def handler(sim, req) -> Response`` registered with
``@router.route("GET", "/path/{param}")`` on a :class:`Router`; see ``_dataviews.py``
for a complete resource module, or add routes to one instance with ``sim.route``. Data
for such routes lives in a store class of your own, ``sim.org(org_id).store(MyStore)``;
an :class:`ItemNotFound` a handler lets through is answered 404.
"""

from ._errors import (
    fault_error,
    gateway_error,
    ims_error,
    not_found,
    service_error,
    too_many_requests,
)
from ._http import ApiError, Response
from ._paging import (
    JSON,
    PageShape,
    SortSpec,
    bad_parameter,
    expand,
    expansion_of,
    int_param,
    paged,
    sort_items,
)
from ._reports import ReportOptions, report_events
from ._request import Request
from ._router import Handler, Route, Router
from ._rules import Call, Faults, Outcome, RouteRule, SideEffect, Strike
from ._served import serve
from ._simulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG_ID,
    TOKEN_PATH,
    Simulator,
)
from ._state import OrgState, SimStats
from ._stores import HexIdStore, IntIdStore, ItemNotFound, Store
from ._stores.users import technical_account_id
from ._transports import LossyTransport, Recorder, Sent, every_nth
from ._virtual_time import VirtualTimeLoop, run_virtual_time

__all__ = [
    "run_virtual_time",
    "every_nth",
    "VirtualTimeLoop",
    "Sent",
    "Recorder",
    "LossyTransport",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_ORG_ID",
    "JSON",
    "TOKEN_PATH",
    "ApiError",
    "Call",
    "Faults",
    "Handler",
    "HexIdStore",
    "IntIdStore",
    "ItemNotFound",
    "OrgState",
    "Outcome",
    "PageShape",
    "ReportOptions",
    "Request",
    "Response",
    "Route",
    "RouteRule",
    "Router",
    "SideEffect",
    "SimStats",
    "Simulator",
    "SortSpec",
    "Store",
    "Strike",
    "bad_parameter",
    "expand",
    "expansion_of",
    "fault_error",
    "gateway_error",
    "ims_error",
    "int_param",
    "not_found",
    "paged",
    "report_events",
    "serve",
    "service_error",
    "sort_items",
    "technical_account_id",
    "too_many_requests",
]
