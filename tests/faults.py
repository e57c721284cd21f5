"""Network faults between the client and the simulator, as httpx transports."""

from __future__ import annotations

from collections.abc import Callable

import httpx


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
