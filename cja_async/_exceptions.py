"""Every error cja-async raises.

CJAError
 ├── APIStatusError                 the server answered with an error status
 │    ├── BadRequestError           400 (also 413 payload too large, 422)
 │    ├── AuthenticationError       401, or the identity server refused or failed a token request
 │    ├── PermissionDeniedError     403
 │    ├── NotFoundError             404 (``get_many`` also raises it for missing ids)
 │    ├── ConflictError             409
 │    ├── RateLimitError            429 after retries ran out
 │    └── ServerError               5xx after retries ran out
 ├── TransportError                 the request or response did not make it over the network
 │    ├── RequestTimeoutError       connect/read/write/pool timeout (was TimeoutError)
 │    └── OutcomeUnknownError       a POST failed after it may have reached the server
 ├── ResponseDecodeError            a 2xx body that is not JSON or not of the expected shape,
 │                                  or a body whose Content-Encoding cannot be undone
 ├── ResponseTooLargeError          a body larger than ``max_response_bytes`` (not retried)
 ├── ClientClosedError              the client was closed while the request waited or ran
 ├── EventLoopError                 a client used from an event loop other than its own
 └── LimiterUnavailableError        the shared limiter's store (Redis) is unreachable

No message, repr or attribute of these errors contains a secret or a token: they are built
from the response body (with every known secret and token scrubbed out of it) and the
request's method and path only, and none chains an httpx exception (which would hold the
request, its headers and the token form).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "CJAError",
    "ClientClosedError",
    "ConflictError",
    "EventLoopError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "LimiterUnavailableError",
    "RateLimitMismatchError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
]


class CJAError(Exception):
    """Base class of every error raised by cja-async."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.request_id = request_id

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method and self.path else ""
        parts = [self.message]
        if where:
            parts.append(f"({where})")
        if self.request_id:
            parts.append(f"[request id {self.request_id}]")
        return " ".join(parts)


class APIStatusError(CJAError):
    """The server answered with an error status; the fields come from either body shape.

    Adobe's gateway answers ``{"error_code": "429050", "message": "..."}``; the CJA services
    answer ``{"errorCode": "resource_not_found", "errorDescription": "...", "errorId": "..."}``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: str | None = None,
        details: Any = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path, request_id=request_id)
        self.status_code = status_code
        self.error_code = error_code
        self.details = details

    def __str__(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        return f"HTTP {self.status_code}{code}: {super().__str__()}"


class BadRequestError(APIStatusError):
    """400: bad parameters or a bad definition (also 413 and 422)."""


class AuthenticationError(APIStatusError):
    """401, or the identity server refused or could not issue a token."""


class PermissionDeniedError(APIStatusError):
    """403: the credential lacks access, the API key is wrong, or the token is missing."""


class NotFoundError(APIStatusError):
    """404: no such resource (``get_many`` lists the missing ids in ``missing_ids``)."""

    missing_ids: tuple[str, ...] = ()


class ConflictError(APIStatusError):
    """409: the resource changed or already exists."""


class RateLimitError(APIStatusError):
    """429 after every retry: the org's budget stayed spent (``retry_after`` in seconds)."""

    retry_after: float | None = None


class ServerError(APIStatusError):
    """A 5xx status after every retry."""


class TransportError(CJAError):
    """The network failed: no connection, a reset, a cut-short response."""


class RequestTimeoutError(TransportError):
    """A connect, read, write or pool timeout, or no whole response within the deadline.

    Named so that it does not shadow the builtin ``TimeoutError`` in a module that imports
    it (``cja_async.TimeoutError`` still works for now, with a ``DeprecationWarning``).
    """


class OutcomeUnknownError(TransportError):
    """A POST failed after it may have reached the server: it was not retried.

    The server may or may not have carried it out (a segment may exist now); look before
    you send it again.
    """


class ResponseDecodeError(CJAError):
    """A successful response whose body is not JSON, or not the shape the endpoint returns."""


class ResponseTooLargeError(CJAError):
    """The decoded response body would pass ``limit`` bytes (``Client(max_response_bytes=)``).

    Reading stopped there, so a compressed "bomb" never fills memory; it is not retried.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path, request_id=request_id)
        self.limit = limit


class ClientClosedError(CJAError):
    """The client was closed while this request waited or ran."""


class EventLoopError(CJAError):
    """A client belongs to the event loop it first ran on; it was used from another one.

    Its connections and locks are bound to that loop. Make one client per loop (or thread):
    clients of one org share the org's limiter wherever they run.
    """


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


class RateLimitMismatchError(CJAError, ValueError):
    """Another client of the org (in this process, or sharing its budget through Redis)
    already uses different limits: every client of one org must use the same ``rate_limit``.

    A ``ValueError`` too: it is a setting to fix, not an answer to retry.
    """


class LimiterUnavailableError(CJAError):
    """The shared limiter's store (Redis) cannot be reached, so no request was sent.

    Sending without it could spend another process's share of the org's budget. Pass
    ``fallback_workers=N`` to ``cja_async.redis.RedisLimiterBackend`` to run on ``1/N`` of
    the budget in-process instead while Redis is away. Defined here, not in
    ``cja_async.redis``, so that code can catch it without the redis extra installed.
    """
