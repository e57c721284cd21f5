"""Error bodies in the three shapes Adobe uses.

* gateway (Adobe I/O): ``{"error_code": "401013", "message": "..."}``
* service (CJA itself): ``{"errorCode": "...", "errorDescription": "...", "errorId": "..."}``
* identity server (IMS): ``{"error": "invalid_client", "error_description": "..."}``

Clients must cope with all of them, so the simulator answers each error in the
shape the real service uses for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from ._http import Response

__all__ = [
    "fault_error",
    "gateway_error",
    "ims_error",
    "missing_fields",
    "not_found",
    "service_error",
    "too_many_requests",
]


def gateway_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A gateway-shape error: ``{"error_code": code, "message": message}``."""
    return Response.json({"error_code": code, "message": message}, status, headers)


def service_error(
    status: int,
    code: str,
    description: str,
    details: Mapping[str, Any] | None = None,
) -> Response:
    """A service-shape error with a fresh ``errorId`` (and ``errorDetails`` if given)."""
    body: dict[str, Any] = {
        "errorCode": code,
        "errorDescription": description,
        "errorId": str(uuid.uuid4()),
    }
    if details is not None:
        body["errorDetails"] = dict(details)
    return Response.json(body, status)


def ims_error(status: int, error: str, description: str) -> Response:
    """An identity-server error: ``{"error": error, "error_description": description}``."""
    return Response.json({"error": error, "error_description": description}, status)


def not_found(description: str) -> Response:
    """404 ``resource_not_found`` in the service shape."""
    return service_error(404, "resource_not_found", description)


def too_many_requests(retry_after: int) -> Response:
    """The gateway's 429 with its ``Retry-After`` header (whole seconds)."""
    return gateway_error(
        429, "429050", "Too many requests", {"Retry-After": str(max(1, retry_after))}
    )


def missing_fields(missing: list[str]) -> Response:
    """400 ``invalid_parameters`` naming the required fields a body lacks (and listing them
    in ``details.missing``), as create endpoints answer."""
    message = f"Missing required field(s): {', '.join(missing)}"
    return service_error(400, "invalid_parameters", message, {"missing": missing})


def fault_error(status: int) -> Response:
    """An injected failure: 500 in the service shape, other statuses as the gateway sends them."""
    if status == 500:
        return service_error(500, "unexpected_error", "Simulated failure")
    if status == 429:
        return too_many_requests(1)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Simulated failure"
    return gateway_error(status, f"{status}000", phrase)
