"""httpx transports for tests: one that loses requests or answers, one that records requests.

Put them between a client and the simulator (``sim.client(transport=...)``) to test what the
network does to a program: :class:`LossyTransport` raises a transport error for the requests
you pick, before they are sent or after the server answered; :class:`Recorder` keeps every API
request as the client sent it (``sim.calls`` is the server's side of the same story).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from ._simulator import TOKEN_PATH, Simulator

__all__ = ["LossyTransport", "Recorder", "Sent", "every_nth"]


class LossyTransport(httpx.AsyncBaseTransport):
    """Forwards to ``inner``; for requests ``fail(request)`` picks, raises ``error`` instead.

    ``after=True`` raises once the server has handled the request (its answer is lost, as
    with a read timeout); ``after=False`` raises before anything is sent (a refused connect).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        fail: Callable[[httpx.Request], bool],
        error: type[httpx.TransportError] = httpx.ReadTimeout,
        *,
        after: bool = True,
    ) -> None:
        self.inner = inner
        self.fail = fail
        self.error = error
        self.after = after
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        failing = self.fail(request)
        if failing and not self.after:
            raise self.error("simulated failure before sending", request=request)
        self.sent.append(request)
        response = await self.inner.handle_async_request(request)
        if failing:
            await response.aread()
            raise self.error("simulated failure after the server answered", request=request)
        return response

    async def aclose(self) -> None:
        """Close the transport it forwards to."""
        await self.inner.aclose()


def every_nth(n: int, method: str | None = None) -> Callable[[httpx.Request], bool]:
    """A ``fail`` predicate for every ``n``-th API request (optionally of one method)."""
    count = 0

    def pick(request: httpx.Request) -> bool:
        nonlocal count
        if request.url.path.startswith("/ims/") or (method and request.method != method):
            return False
        count += 1
        return count % n == 0

    return pick


@attrs.frozen
class Sent:
    """One API request as sent."""

    method: str
    url: httpx.URL
    body: Any

    @property
    def path(self) -> str:
        """The URL path."""
        return self.url.path

    @property
    def params(self) -> dict[str, str]:
        """The query parameters (the last value of a repeated one)."""
        return dict(self.url.params)


class Recorder(httpx.AsyncBaseTransport):
    """Records API requests (not token requests) and forwards them to ``sim`` in-process."""

    def __init__(self, sim: Simulator) -> None:
        self._inner = httpx.ASGITransport(app=sim)
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != TOKEN_PATH:
            raw = await request.aread()
            body = json.loads(raw) if raw else None
            self.sent.append(Sent(request.method, request.url, body))
        return await self._inner.handle_async_request(request)

    def clear(self) -> None:
        """Forget what was recorded."""
        self.sent.clear()
