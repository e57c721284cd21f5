"""Reading an answer: the result of a success, or the error an error status or a network
failure stands for.

Pure functions of the bytes and headers that came back; the client's loop calls them and
the retry decision (``_retry.decide``) reads what they found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from . import _exceptions as errors
from ._receive import DeadlineExceeded, decode_json
from ._retry import Attempt, parse_retry_after
from ._scrub import Scrubber

__all__ = [
    "SHAPE_ERRORS",
    "classify",
    "is_json",
    "read_body",
    "request_id",
    "status_error",
    "transport_error",
]

# What a reader raises when the answer is not of the shape it expects (the converter raises
# ``TypeError``/``ValueError``, page readers ``TypeError``, a missing member ``KeyError``).
# Anything else out of a reader (AttributeError, NameError, ...) is a bug of ours and
# propagates as it is: reporting it as the server's fault would hide it.
SHAPE_ERRORS: tuple[type[Exception], ...] = (TypeError, ValueError, LookupError)


# Every readable success is the same outcome to the decision: one object, not one per answer.
_READABLE = Attempt(200)


def classify(
    response: httpx.Response,
    content: bytes,
    read: Callable[[Any], Any] | None,
    method: str,
    path: str,
    scrub: Scrubber,
) -> tuple[Attempt, Any, errors.CJAError | None]:
    """What an answer is, for ``_retry.decide``: (the attempt, its result, its error)."""
    status = response.status_code
    if status < 300:
        try:
            return _READABLE, read_body(status, content, method, path, read, scrub), None
        except errors.ResponseDecodeError as exc:
            # The request id is read only when needed: most answers never need it.
            exc.request_id = request_id(response, scrub)
            return Attempt(status, readable=False, body_is_json=is_json(content)), None, exc
    error = status_error(response, content, method, path, scrub)
    return Attempt(status, retry_after=parse_retry_after(response.headers)), None, error


def request_id(response: httpx.Response, scrub: Scrubber) -> str | None:
    """The request id the gateway or the service sent, if any (scrubbed, at most 200 chars)."""
    headers = response.headers
    value: str | None = headers.get("x-request-id") or headers.get("x-adobe-request-id")
    return None if value is None else scrub.text(value[:200])


def is_json(content: bytes) -> bool:
    """Whether ``content`` decodes as JSON (an empty body counts: it reads as ``null``)."""
    try:
        decode_json(content or b"null")
    except ValueError:
        return False
    return True


def read_body(
    status: int,
    content: bytes,
    method: str,
    path: str,
    read: Callable[[Any], Any] | None,
    scrub: Scrubber,
    request_id: str | None = None,
) -> Any:
    """The decoded body of a success read by ``read``, or ``ResponseDecodeError`` saying why
    not: the body is not JSON, or ``read`` found it of the wrong shape (``SHAPE_ERRORS``).

    The errors chain nothing: the JSON and shape errors below would quote the body, which may
    echo a secret.
    """
    if content and not content.isspace():  # (strip() would copy a whole page to ask)
        try:
            data = decode_json(content)
        except ValueError:
            raise errors.ResponseDecodeError(
                f"HTTP {status} with a body that is not JSON",
                method=method,
                path=path,
                request_id=request_id,
            ) from None
    else:
        data = None
    if read is None:
        return data
    try:
        return read(data)
    except SHAPE_ERRORS as exc:
        problem = scrub.text(_short(exc))
    raise errors.ResponseDecodeError(
        f"the response is not of the expected shape: {problem}",
        method=method,
        path=path,
        request_id=request_id,
    )


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def status_error(
    response: httpx.Response, content: bytes, method: str, path: str, scrub: Scrubber
) -> errors.APIStatusError:
    """The error for an error status, from either body shape (gateway or service), with
    every known secret scrubbed out of what the server said."""
    try:
        body = decode_json(scrub.bytes(content)) if content else None
    except ValueError:
        body = None
    code = message = None
    details: Any = None
    found_id = request_id(response, scrub)
    if isinstance(body, dict):
        code = body.get("error_code") or body.get("errorCode") or body.get("error")
        message = (
            body.get("message")
            or body.get("errorDescription")
            or body.get("errorMessage")
            or body.get("error_description")
        )
        details = body.get("errorDetails")
        found_id = found_id or body.get("errorId")
    cls = errors.error_class_for(response.status_code)
    return cls(
        str(message) if message else (scrub.text(response.reason_phrase) or "error"),
        status_code=response.status_code,
        error_code=str(code) if code is not None else None,
        details=details,
        method=method,
        path=path,
        request_id=str(found_id) if found_id else None,
    )


def transport_error(
    exc: httpx.TransportError, method: str, path: str, idempotent: bool, reached: bool
) -> errors.TransportError:
    """The error for a network failure: ``OutcomeUnknownError`` when a request that is not
    idempotent may have reached the server, else a timeout or a transport error."""
    # Only the class name, or our own deadline's text: an httpx message may quote the URL.
    kind = str(exc) if isinstance(exc, DeadlineExceeded) else type(exc).__name__
    if reached and not idempotent:
        return errors.OutcomeUnknownError(
            f"{kind} after the request may have reached the server; it was not retried "
            "because it is not idempotent, so its outcome is unknown",
            method=method,
            path=path,
        )
    cls = (
        errors.RequestTimeoutError
        if isinstance(exc, httpx.TimeoutException)
        else errors.TransportError
    )
    return cls(f"network failure: {kind}", method=method, path=path)
