"""What every resource shares: escaped paths, query building with validation, and the calls.

A resource method says its path, its typed keyword arguments and its model; this module
does the rest. Arguments are checked before anything is sent, so a bad call raises
``ValueError``/``TypeError`` naming the argument and costs no request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from .._convert import structure, unstructure
from .._exceptions import ResponseDecodeError
from .._paging import AsyncPager, Page, parse_page

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["Resource", "check_id", "check_limit", "check_page", "path", "query"]

T = TypeVar("T")

_SNAKE = re.compile(r"_([a-z0-9])")


def check_id(value: object, name: str = "id") -> str:
    """A path id: a non-empty string that is not ``.`` or ``..``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip() or value in {".", ".."}:
        raise ValueError(f"{name} must be a non-empty id, got {value!r}")
    return value


def check_int_id(value: object, name: str = "id") -> str:
    """An integer path id (tags, shares), returned as its path text."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return str(value)


def check_ids(values: object, name: str = "ids") -> list[str]:
    """A non-empty sequence of ids for a JSON body (a lone ``str`` is refused, not split)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of str, got {type(values).__name__}")
    out = [check_id(value, name) for value in values]
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def path(template: str, *ids: str) -> str:
    """Fill ``{}`` in ``template`` with ids escaped as one path segment each.

    ``/``, ``?``, ``#`` and ``%`` are escaped, so an id can never reach another endpoint.
    """
    return template.format(*(quote(i, safe="") for i in ids))


def check_limit(limit: object, maximum: int = 1000, name: str = "limit") -> int:
    """A page size between 1 and ``maximum``."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"{name} must be an int, got {type(limit).__name__}")
    if not 1 <= limit <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}, got {limit}")
    return limit


def check_page(page: object, name: str = "page") -> int:
    """A 0-based page number."""
    if isinstance(page, bool) or not isinstance(page, int):
        raise TypeError(f"{name} must be an int, got {type(page).__name__}")
    if page < 0:
        raise ValueError(f"{name} must be 0 or more, got {page}")
    return page


def _camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


def _query_value(name: str, value: object, choices: Mapping[str, Iterable[str]]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        values: Sequence[object] = [value]
    elif isinstance(value, Sequence | set | frozenset):
        values = list(value)
    else:
        raise TypeError(f"{name} must be a str or a sequence of str, got {type(value).__name__}")
    allowed = {c.upper(): c for c in choices.get(name, ())}
    out = []
    for item in values:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{name} must hold non-empty strings, got {item!r}")
        if allowed:
            if item.upper() not in allowed:
                raise ValueError(f"{name} must be one of {sorted(allowed.values())}, got {item!r}")
            item = allowed[item.upper()]
        out.append(item)
    if not out:
        raise ValueError(f"{name} must not be empty")
    return ",".join(out)


def query(choices: Mapping[str, Iterable[str]] | None = None, **params: object) -> dict[str, str]:
    """Query parameters from snake_case keyword arguments; ``None`` values are left out.

    Sequences are sent comma-separated, booleans as ``true``/``false``. ``choices`` names the
    closed sets (matched case-insensitively, e.g. ``sort_direction``).
    """
    choices = choices or {}
    return {
        _camel(name): _query_value(name, value, choices)
        for name, value in params.items()
        if value is not None
    }


SORT_DIRECTIONS = {"sort_direction": ("ASC", "DESC")}


class Resource:
    """Base of the API groups (``cja.dataviews``, ``cja.segments``, ...)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def _call(
        self,
        model: type[T],
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> T:
        data = await self._client.request(
            method, url, params=params, json=body, idempotent=idempotent
        )
        result: T = self._structure(data, model, method, url)
        return result

    async def _send(self, method: str, url: str, *, params: Mapping[str, str] | None = None) -> Any:
        """A call whose answer is not modelled (deletes): the decoded JSON."""
        return await self._client.request(method, url, params=params)

    def _pager(
        self,
        model: type[T],
        url: str,
        params: Mapping[str, str],
        *,
        limit: int | None,
        page: int = 0,
        whole: bool = False,
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
        limit_key: str = "limit",
        page_key: str = "page",
        paging_in_body: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncPager[T]:
        """A pager over ``url``; ``limit``/``page`` are sent as the paging parameters.

        Endpoints that page differently say so: ``limit_key``/``page_key`` name the
        parameters (audit logs use ``pageSize``/``pageNumber``), ``paging_in_body`` puts them
        in the JSON ``body`` of a search ``method`` instead of the query. Every page request
        only reads, so a search POST is retried like a GET. ``headers`` go with every page.
        """
        if limit is not None:
            check_limit(limit)
        check_page(page)

        async def fetch(number: int) -> Page[T]:
            paged = dict(params)
            sent = None if body is None else dict(body)
            if limit is not None:
                if paging_in_body:
                    sent = {**(sent or {}), limit_key: limit, page_key: number}
                else:
                    paged[limit_key] = str(limit)
                    paged[page_key] = str(number)
            data = await self._client.request(
                method, url, params=paged, json=sent, headers=headers, idempotent=True
            )
            try:
                raw = parse_page(data, number, limit, whole=whole)
            except (TypeError, ValueError) as exc:
                raise ResponseDecodeError(
                    f"expected a page of {model.__name__}: {exc}", method=method, path=url
                ) from exc
            items = self._structure(raw.items, list[model], method, url)  # type: ignore[valid-type]
            return Page(
                items=items,
                number=raw.number,
                total_elements=raw.total_elements,
                total_pages=raw.total_pages,
                is_last=raw.is_last,
            )

        lookahead = 2 * self._client.rate_limit.concurrency
        return AsyncPager(fetch, first_page=page, lookahead=lookahead)

    @staticmethod
    def _structure(data: Any, model: Any, method: str, url: str) -> Any:
        try:
            return structure(data, model)
        except Exception as exc:
            name = getattr(model, "__name__", str(model))
            raise ResponseDecodeError(
                f"the response is not a valid {name}: {exc}", method=method, path=url
            ) from exc


def body_of(model: object) -> Any:
    """The JSON body for a model (unknown members included, absent members absent)."""
    return unstructure(model)
