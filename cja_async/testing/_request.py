"""The request object handlers receive.

The simulator speaks raw ASGI; this class keeps handlers free of ASGI details
so that a handler reads like a tiny web-framework view.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import attrs

from ._errors import service_error
from ._http import ApiError, Scope

__all__ = ["Request"]


@attrs.define
class Request:
    """An HTTP request as handlers see it.

    ``headers`` has lower-cased names; ``query`` maps each parameter to all of
    its values; ``path_params`` holds the ``{name}`` parts of the matched route.
    After authentication, ``org_id`` and ``client_id`` name the caller.
    """

    method: str
    path: str
    query: dict[str, list[str]] = attrs.Factory(dict)
    headers: dict[str, str] = attrs.Factory(dict)
    body: bytes = b""
    path_params: dict[str, str] = attrs.Factory(dict)
    org_id: str = ""
    client_id: str = ""

    @classmethod
    def from_scope(cls, scope: Scope, body: bytes) -> Request:
        """Build a request from an ASGI ``http`` scope and its complete body."""
        raw_query = scope.get("query_string", b"").decode("latin-1")
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            # Repeated headers are joined as HTTP allows; the API uses none of them.
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]},{text}" if key in headers else text
        path = scope.get("path", "/") or "/"
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        return cls(
            method=scope.get("method", "GET").upper(),
            path=path,
            query=parse_qs(raw_query, keep_blank_values=True),
            headers=headers,
            body=body,
        )

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``, or ``default``."""
        values = self.query.get(name)
        return values[0] if values else default

    def csv_param(self, name: str) -> list[str]:
        """All comma-separated values of ``name`` (repeated parameters are merged)."""
        items: list[str] = []
        for value in self.query.get(name, []):
            items.extend(part.strip() for part in value.split(",") if part.strip())
        return items

    def json(self) -> Any:
        """The body parsed as JSON; invalid JSON answers 400 ``invalid_parameters``."""
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                service_error(400, "invalid_parameters", f"Request body is not valid JSON: {exc}")
            ) from None
