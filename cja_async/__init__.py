"""cja-async: an async client for Adobe Customer Journey Analytics that keeps every org under
Adobe's rate limits and still finishes bulk work as fast as those limits allow."""

import warnings
from typing import Any

from ._auth import OAuthCredentials, StaticToken
from ._cache import CacheStats, ResponseCache
from ._call import RequestOptions
from ._client import Client, ClientStats
from ._config import RateLimit, Window
from ._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    CJAError,
    ClientClosedError,
    ConflictError,
    EventLoopError,
    LimiterUnavailableError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    RateLimitMismatchError,
    RequestTimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from ._paging import AsyncPager, Page
from ._version import __version__
from .resources._freeform import FreeformTable


def __getattr__(name: str) -> Any:
    # ``TimeoutError`` was the name of ``RequestTimeoutError`` up to 0.1.0; it shadowed the
    # builtin wherever it was imported. Kept for code that catches it, with a warning, and
    # not in ``__all__``, so ``from cja_async import *`` no longer shadows the builtin.
    if name == "TimeoutError":
        warnings.warn(
            "cja_async.TimeoutError is deprecated: use cja_async.RequestTimeoutError (the "
            "same class), which does not shadow the builtin TimeoutError",
            DeprecationWarning,
            stacklevel=2,
        )
        return RequestTimeoutError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIStatusError",
    "AsyncPager",
    "AuthenticationError",
    "CacheStats",
    "BadRequestError",
    "CJAError",
    "Client",
    "ClientClosedError",
    "ClientStats",
    "ConflictError",
    "EventLoopError",
    "FreeformTable",
    "LimiterUnavailableError",
    "RateLimitMismatchError",
    "NotFoundError",
    "OAuthCredentials",
    "OutcomeUnknownError",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RequestOptions",
    "RequestTimeoutError",
    "ResponseCache",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "StaticToken",
    "TransportError",
    "Window",
    "__version__",
]
