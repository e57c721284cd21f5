"""Responses, the error exception and the ASGI types the simulator is built on."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

import attrs

__all__ = [
    "ApiError",
    "Receive",
    "Response",
    "Scope",
    "Send",
]

# The ASGI 3 callable types, spelled as httpx.ASGITransport spells them (uvicorn
# accepts any callable), so that ``ASGITransport(app=sim)`` type-checks without casts.
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@attrs.define
class Response:
    """An HTTP response: status, raw body and extra headers.

    Build JSON answers with :meth:`Response.json`; ``content-type`` and
    ``x-request-id`` are added by the simulator when the response is sent.
    """

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = attrs.Factory(list)
    content_type: str = "application/json"

    @classmethod
    def json(
        cls,
        payload: Any,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A response whose body is ``payload`` serialised as JSON."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status=status, body=body, headers=list((headers or {}).items()))

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


class ApiError(Exception):
    """Raise from a handler (or a helper it calls) to answer with ``response``.

    Lets parameter parsers deep inside a handler abort the request with a
    proper error body instead of threading error values back up.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response
