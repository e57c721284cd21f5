"""Argument checks shared by the constructors and builders (``Client``, ``RateLimit``,
``ReportRequest``, resource methods, ``RedisLimiterBackend``): one place for each rule, so
the same mistake gets the same message wherever it is made.

A wrong type raises ``TypeError``, a value out of range ``ValueError``; every message names
the argument and what it must be, and shows a value only where it cannot be a secret.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

__all__ = [
    "REDIS_SCHEMES",
    "check_int",
    "check_many",
    "check_own_headers",
    "check_positive",
    "check_redis_url",
    "check_timeout",
    "items_of",
    "masked_url",
]

_T = TypeVar("_T")

# The schemes redis-py's ``Redis.from_url`` reads.
REDIS_SCHEMES = ("redis", "rediss", "unix")


def items_of(values: Iterable[object], kind: type[_T], name: str, expected: str) -> tuple[_T, ...]:
    """``values`` as a tuple when every item is a ``kind``; else ``TypeError`` naming the
    argument (``name``), what it must hold (``expected``) and the type that came instead."""
    out: list[_T] = []
    for item in values:
        if not isinstance(item, kind):
            raise TypeError(f"{name} must hold {expected}, got {type(item).__name__}")
        out.append(item)
    return tuple(out)


def check_many(values: object, kind: type, name: str, what: str) -> Iterable[object]:
    """``values`` if it is an iterable of items; a lone ``kind`` (a ``str`` would iterate
    its characters) is a ``TypeError`` that shows the list to pass instead."""
    if isinstance(values, str | kind):
        shown = repr(values) if isinstance(values, str) else f"{kind.__name__}(...)"
        raise TypeError(
            f"{name} must be a list of {what}, not a single {type(values).__name__}:"
            f" pass {name}=[{shown}]"
        )
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of {what}, got {type(values).__name__}")
    return values


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def check_positive(
    value: object, name: str, expected: str = "a number", hint: str = "", unit: str = ""
) -> float:
    """``value`` if it is a positive finite number (not a ``bool``); ``TypeError`` saying it
    must be ``expected`` (plus ``hint``), or ``ValueError`` for the range (in ``unit``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}{hint}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive finite number{unit}, got {value}")
    return value


def check_timeout(value: object, name: str = "timeout") -> float | httpx.Timeout:
    """Seconds (a positive finite number) or an ``httpx.Timeout``."""
    if isinstance(value, httpx.Timeout):
        return value
    hint = f" (pass a number: {name}=10, not {name}='10')"
    return check_positive(value, name, "seconds or an httpx.Timeout", hint, " of seconds")


# Headers the client sets from its credentials and org: the limiter, the token cache and the
# response cache all go by them, so a request must not say otherwise.
_OWN_HEADERS = ("Authorization", "x-api-key", "x-gw-ims-org-id")


def check_own_headers(headers: Iterable[str] | None, name: str) -> None:
    """``ValueError`` when ``headers`` (names, any case) set one of the client's own."""
    for header in headers or ():
        own = next((h for h in _OWN_HEADERS if h.lower() == header.lower()), None)
        if own is not None:
            raise ValueError(
                f"{name} cannot set {own}: the client sends its own credentials and org with "
                "every request (use a Client made with the other credentials or org_id)"
            )


def masked_url(url: str) -> str:
    """``url`` with its password (if any) shown as ``***``: for messages and reprs."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not even a URL: it may still hold a password, so show none of it
        return "<a malformed URL>"
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


def check_redis_url(url: object, name: str = "url") -> str:
    """A URL redis-py can connect to: ``redis://``, ``rediss://`` or ``unix://``."""
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a str such as 'redis://localhost:6379/0'")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        scheme = parts.scheme
    except ValueError:
        scheme = ""
    if scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"{name} must be a redis://, rediss:// or unix:// URL (a port, if any, a number;"
            f" such as 'redis://localhost:6379/0'), got {masked_url(url)!r}"
        )
    return url
