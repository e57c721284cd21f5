"""A transport that records every API request a client sends, then hands it to the simulator.

Tests use it to see what went over the wire (query, body, URL length) without mocking any
of our own code.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import httpx

from cja_async.testing import TOKEN_PATH, Simulator


@attrs.frozen
class Sent:
    """One API request as sent."""

    method: str
    url: httpx.URL
    body: Any

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def params(self) -> dict[str, str]:
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
        self.sent.clear()
