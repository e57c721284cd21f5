"""cja-async: an async client for Adobe Customer Journey Analytics that keeps every org under
Adobe's rate limits and still finishes bulk work as fast as those limits allow."""

from ._auth import OAuthCredentials, StaticToken
from ._cache import CacheStats, ResponseCache
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
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    TimeoutError,
    TransportError,
)
from ._paging import AsyncPager, Page
from ._version import __version__
from .resources._freeform import FreeformTable

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
    "NotFoundError",
    "OAuthCredentials",
    "OutcomeUnknownError",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ResponseCache",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "StaticToken",
    "TimeoutError",
    "TransportError",
    "Window",
    "__version__",
]
