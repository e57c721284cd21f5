"""What a request is and what it expects back, declared by the caller instead of guessed.

A resource method describes its request as a ``Call``: method, path, query, body, and what
the request *is* (its cache ``group``, whether it only ``reads``, whether it may be sent
twice) and what it *expects* (a reader: ``One(Model)``, ``ListOf(Model)``, a page of a model,
see ``_paging.PageOf``). The client sends it; the response cache reads the declaration
instead of guessing from the URL (it still guesses for raw ``cja.request(...)`` calls).

``RequestOptions`` are the per-call extras every resource method takes (``extra_query``,
``extra_headers``, ``timeout``), so a parameter Adobe adds needs no release.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypedDict, TypeVar

import attrs
import httpx

from ._convert import structure

__all__ = ["Call", "ListOf", "One", "RequestOptions"]

T = TypeVar("T")

Params = Mapping[str, str | Sequence[str]]


@attrs.define
class One(Generic[T]):
    """Expect one ``model`` (a JSON object)."""

    model: type[T]

    def __call__(self, data: Any) -> T:
        return structure(data, self.model)


@attrs.define
class ListOf(Generic[T]):
    """Expect a JSON array of ``model``; ``or_one``: a lone object counts as a list of one
    (answers documented both ways, such as replacing tags or shares)."""

    model: type[T]
    or_one: bool = False

    def __call__(self, data: Any) -> list[T]:
        if self.or_one and not isinstance(data, list):
            data = [data]
        return structure(data, list[self.model])  # type: ignore[name-defined]


class RequestOptions(TypedDict, total=False):
    """Per-call extras, the ``**options`` every resource method takes: query parameters and
    headers added to (or overriding) what the method sends, and a timeout for this call
    (seconds or an ``httpx.Timeout``; its read timeout is also the deadline of the whole
    response). ``None`` is the same as not giving one: the client's default applies."""

    extra_query: Mapping[str, str | Sequence[str]] | None
    extra_headers: Mapping[str, str] | None
    timeout: float | httpx.Timeout | None


@attrs.define
class Call:
    """One request as declared: what to send, what it is, what it expects back.

    ``group`` is the cache group (the client attribute's name: ``"segments"``); ``reads``
    says the request changes nothing (a GET, or a POST that searches, validates or runs a
    report), so it drops no cached answer; ``idempotent`` says it may be sent again after
    a failure that left its outcome unknown. ``read`` turns the decoded JSON into the
    result (``None``: the JSON itself). A raw ``cja.request`` call declares no ``group`` and
    no ``reads`` (``None``): the cache guesses them from the path, and only if it is on.
    """

    method: str
    path: str
    group: str | None
    reads: bool | None
    idempotent: bool
    params: Params | None = None
    body: Any = None
    headers: Mapping[str, str] | None = None
    read: Callable[[Any], Any] | None = None
    fresh: bool = False
    timeout: float | httpx.Timeout | None = None

    def with_options(self, options: RequestOptions) -> Call:
        """This call with ``options`` applied (extras on top of what it sends)."""
        if not options:
            return self
        params = self.params
        if extra_query := options.get("extra_query"):
            params = {**(params or {}), **extra_query}
        headers = self.headers
        if extra_headers := options.get("extra_headers"):
            headers = {**(headers or {}), **extra_headers}
        timeout = options.get("timeout")
        if timeout is None:
            timeout = self.timeout
        return attrs.evolve(self, params=params, headers=headers, timeout=timeout)
