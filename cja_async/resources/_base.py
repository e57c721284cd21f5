"""What every resource shares: escaped paths, query building with validation, and the calls.

A resource method says its path, its typed keyword arguments and its model; this module
does the rest. Arguments are checked before anything is sent, so a bad call raises
``ValueError``/``TypeError`` naming the argument and costs no request.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy as copy_module
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    Protocol,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
    get_args,
)
from urllib.parse import quote

import httpx

from .._call import Call, ListOf, One, RequestOptions
from .._checks import check_int, check_many, check_own_headers, check_timeout
from .._convert import camel, unstructure
from .._exceptions import BadRequestError, NotFoundError
from .._paging import AsyncPager, Listing, Page, PageShape, PageSizing, parse_page
from .._retry import IDEMPOTENT_METHODS

if TYPE_CHECKING:
    from .._client import Client

__all__ = [
    "MAX_URL_LENGTH",
    "RequestOptions",
    "Resource",
    "check_id",
    "check_limit",
    "check_options",
    "check_page",
    "chunk_ids",
    "model_arg",
    "ensure_valid",
    "paging",
    "path",
    "query",
    "repeated_query",
    "unique_ids",
]

T = TypeVar("T")


def check_id(value: object, name: str = "id") -> str:
    """A path id: a non-empty string that is not ``.`` or ``..``."""
    if value is None:
        # Typed ``str`` on models the API returns (models._base.api_id): None here is the
        # id of a model built locally and never created.
        raise TypeError(
            f"{name} is None: a model built locally has no id until the API returns it"
            " (pass the id of the model that create() returned)"
        )
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip() or value in {".", ".."}:
        raise ValueError(f"{name} must be a non-empty id, got {value!r}")
    return value


def check_int_id(value: object, name: str = "id") -> str:
    """An integer path id (tags, shares), returned as its path text."""
    if check_int(value, name) < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return str(value)


def check_ids(values: object, name: str = "ids") -> list[str]:
    """A non-empty sequence of ids for a JSON body (a lone ``str`` is refused, not split)."""
    out = [check_id(value, name) for value in check_many(values, str, name, "str ids")]
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
    limit = check_int(limit, name)
    if not 1 <= limit <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}, got {limit}")
    return limit


def check_page(page: object, name: str = "page") -> int:
    """A 0-based page number."""
    page = check_int(page, name)
    if page < 0:
        raise ValueError(f"{name} must be 0 or more, got {page}")
    return page


_OPTION_NAMES = RequestOptions.__optional_keys__


def check_options(options: Mapping[str, object]) -> RequestOptions:
    """Per-call options checked before anything is sent: known names only (a misspelt
    keyword of a method lands here too) and values of the types ``RequestOptions`` says."""
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r} (besides its own arguments, every"
            " method takes extra_query, extra_headers and timeout)"
        )
    for name, value in _items(options.get("extra_query"), "extra_query"):
        if isinstance(value, str):
            continue
        if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            # The type only: a value may be a secret (a token sent as a parameter).
            raise TypeError(
                f"{name} must be a str or a sequence of str, got {type(value).__name__}"
            )
    for name, value in _items(options.get("extra_headers"), "extra_headers"):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    check_own_headers(
        cast("Mapping[str, str] | None", options.get("extra_headers")), "extra_headers"
    )
    timeout = options.get("timeout")
    if timeout is not None:
        check_timeout(timeout)
    return cast(RequestOptions, options)


def _items(mapping: object, name: str) -> list[tuple[str, object]]:
    """(``name[key]``, value) of an option that maps names to values (``None``: none)."""
    if mapping is None:
        return []
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name} must be a mapping (a dict), got {type(mapping).__name__}")
    for key in mapping:
        if not isinstance(key, str) or not key:
            raise TypeError(f"{name} keys must be non-empty str, got {key!r}")
    return [(f"{name}[{key!r}]", value) for key, value in mapping.items()]


def _merged(base: RequestOptions, top: RequestOptions) -> RequestOptions:
    """``base`` with ``top`` on top: extras joined (``top``'s win), ``top``'s timeout if set."""
    merged: RequestOptions = {}
    extra_query = {**(base.get("extra_query") or {}), **(top.get("extra_query") or {})}
    if extra_query:
        merged["extra_query"] = extra_query
    extra_headers = {**(base.get("extra_headers") or {}), **(top.get("extra_headers") or {})}
    if extra_headers:
        merged["extra_headers"] = extra_headers
    timeout = top.get("timeout")
    if timeout is None:
        timeout = base.get("timeout")
    if timeout is not None:
        merged["timeout"] = timeout
    return merged


def _query_value(name: str, value: object, choices: Mapping[str, Iterable[str]]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return ",".join(_query_items(name, value, choices))


def _query_items(name: str, value: object, choices: Mapping[str, Iterable[str]]) -> list[str]:
    """The checked strings of a ``str`` or a sequence of them."""
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
    return out


def query(choices: Mapping[str, Iterable[str]] | None = None, **params: object) -> dict[str, str]:
    """Query parameters from snake_case keyword arguments; ``None`` values are left out.

    Sequences are sent comma-separated, booleans as ``true``/``false``. ``choices`` names the
    closed sets (matched case-insensitively, e.g. ``sort_direction``).
    """
    choices = choices or {}
    return {
        camel(name): _query_value(name, value, choices)
        for name, value in params.items()
        if value is not None
    }


def repeated_query(**params: object) -> dict[str, list[str]]:
    """Query parameters sent once per value (``action=CREATE&action=DELETE``), for the
    endpoints whose guides repeat a parameter instead of joining its values with commas;
    ``None`` values are left out, the rest checked as :func:`query` does."""
    return {
        camel(name): _query_items(name, value, {})
        for name, value in params.items()
        if value is not None
    }


# The values ``sort_direction`` takes (any case is accepted and sent upper-case).
SortDirection = Literal["ASC", "DESC", "asc", "desc"]
SORT_DIRECTIONS = {"sort_direction": tuple(v for v in get_args(SortDirection) if v.isupper())}


class Declared(TypedDict, total=False):
    """What a resource method says about its request besides method, path and result."""

    params: Mapping[str, str | Sequence[str]] | None
    body: Any
    headers: Mapping[str, str] | None
    reads: bool
    idempotent: bool | None
    fresh: bool
    options: RequestOptions | None  # the caller's per-call options, passed through


class Resource:
    """Base of the API groups (``cja.dataviews``, ``cja.segments``, ...).

    ``group`` is the subclass's cache group (the client attribute's name): every request it
    declares belongs to it.

    Every public method takes, besides its own arguments, the per-call options
    ``extra_query``, ``extra_headers`` and ``timeout`` (:class:`RequestOptions`, in its
    signature as ``**options``); ``with_options`` binds them for every call. A method passes
    its ``options`` to the helper that declares its request (``_call``, ``_get``,
    ``_pager``, ...), which applies them on top of the bound ones.
    """

    group: ClassVar[str] = "other"

    def __init__(self, client: Client, options: RequestOptions | None = None) -> None:
        self._client = client
        self._options: RequestOptions = options or {}

    def __init_subclass__(cls, *, group: str = "other", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.group = group

    def with_options(self, **options: Unpack[RequestOptions]) -> Self:
        """This resource with extras for every call made through it: query parameters and
        headers added to (or overriding) what each method sends, and a timeout (seconds or
        an ``httpx.Timeout``). For a parameter Adobe added that a method does not know yet::

            await cja.dataviews.with_options(extra_query={"newFlag": "true"}).get(dv_id)

        Each method also takes the same three keyword arguments for one call.
        """
        copy = copy_module.copy(self)
        copy._options = _merged(self._options, check_options(options))
        return copy

    def _declare(
        self,
        method: str,
        url: str,
        *,
        read: Callable[[Any], Any] | None = None,
        **declared: Unpack[Declared],
    ) -> Call:
        """The ``Call`` of one request of this group, with this resource's options applied.

        ``reads``: a POST that changes nothing (validate, search, report), so it drops no
        cached answer and may be sent again; ``idempotent`` overrides that default (a PUT
        that copies is not).
        """
        reads = declared.get("reads", False) or method == "GET"
        idempotent = declared.get("idempotent")
        if idempotent is None:
            idempotent = reads or method in IDEMPOTENT_METHODS
        call = Call(
            method,
            url,
            self.group,
            reads,
            idempotent,
            params=declared.get("params"),
            body=declared.get("body"),
            headers=declared.get("headers"),
            read=read,
            fresh=declared.get("fresh", False),
        )
        return self._with_options(call, declared.get("options"))

    def _with_options(self, call: Call, options: RequestOptions | None) -> Call:
        """``call`` with this resource's options, then the call's own on top."""
        call = call.with_options(self._options)
        return call.with_options(check_options(options)) if options else call

    # The calls below return the client's coroutine instead of awaiting it in one more
    # frame of their own: they run on every request.

    def _call(
        self, model: type[T], method: str, url: str, **declared: Unpack[Declared]
    ) -> Coroutine[Any, Any, T]:
        """One ``model`` back."""
        return self._client._send(self._declare(method, url, read=One(model), **declared))

    def _get(
        self, model: type[T], url: str, *, options: RequestOptions | None = None, **params: object
    ) -> Coroutine[Any, Any, T]:
        """``GET url`` with ``params`` sent as ``query`` sends them: one ``model`` back."""
        # The most common call, declared directly (no ``Declared`` to unpack): a GET reads.
        call = Call("GET", url, self.group, True, True, query(None, **params), read=One(model))
        return self._client._send(self._with_options(call, options))

    def _call_list(
        self, model: type[T], method: str, url: str, **declared: Unpack[Declared]
    ) -> Coroutine[Any, Any, list[T]]:
        """A call whose answer is documented both as one object and as an array of them
        (replacing tags or shares): always a list."""
        read = ListOf(model, or_one=True)
        return self._client._send(self._declare(method, url, read=read, **declared))

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        options: RequestOptions | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """A call whose answer is not modelled (deletes): the decoded JSON."""
        return self._client._send(self._declare(method, url, params=params, options=options))

    def _pager(
        self,
        model: type[T],
        url: str,
        params: Mapping[str, str | Sequence[str]],
        *,
        limit: int | None,
        page: int | None = 0,
        pagination: bool | None = None,
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
        limit_key: str = "limit",
        page_key: str = "page",
        paging_in_body: bool = False,
        headers: Mapping[str, str] | None = None,
        shape: PageShape = parse_page,
        endpoint: str | None = None,
        preferred: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPager[T]:
        """A pager over ``url``; ``limit``/``page`` are sent as the paging parameters.

        ``limit=None`` lets the client choose the page size: ``preferred`` if given, else the
        client's ``page_size`` (the largest the endpoint accepts by default), with a fallback
        if the server refuses it, remembered per ``endpoint`` (``url`` unless it holds ids)
        and org. ``pagination=False`` asks for the whole result as one array (the caller's
        ``pagination`` argument: then no ``limit`` or ``page`` may be given, see ``paging``).

        Endpoints that page differently say so (see ``Listing``). Every page request only
        reads, so a search POST is retried like a GET. ``headers`` go with every page.
        ``shape`` reads a page whose items are not under one of the usual members (reports
        list them under ``rows``).
        """
        limit, page, whole = paging(pagination, limit, page)
        if limit is not None:
            check_limit(limit)
        check_page(page)
        call = self._declare(
            method, url, params=params, body=body, headers=headers, reads=True, options=options
        )
        if not whole and not paging_in_body:
            for key in (limit_key, page_key):
                if key in (call.params or {}):  # set through extra_query: the pager's would win
                    raise ValueError(
                        f"extra_query cannot set {key!r} of a list: the pager sends it with "
                        "every page; pass limit= (the page size) or page= (the first page)"
                    )
        listing = Listing(
            self._client._send,
            call,
            model,
            whole=whole,
            shape=shape,
            limit_key=limit_key,
            page_key=page_key,
            paging_in_body=paging_in_body,
        )
        size: int | PageSizing
        if whole:
            size = 0
        elif limit is not None:
            size = limit
        else:
            name = endpoint or url
            client = self._client
            size = PageSizing(
                preferred=preferred or client.page_size,
                key=(str(client.base_url), client.org_id, method, name),
                what=f"{method} {name}",
            )
        return AsyncPager.sized(
            listing.fetch, size=size, first_page=page, lookahead=self._lookahead()
        )

    def _component_search(
        self,
        model: type[T],
        url: str,
        component_type: str,
        component_ids: Sequence[str],
        data_id: str | None,
        params: Mapping[str, str],
        limit: int | None,
        page: int,
        options: RequestOptions,
    ) -> AsyncPager[T]:
        """The component-metadata searches (the tags or shares of components): a POST that
        reads, paged in the query."""
        body: dict[str, Any] = {
            "componentType": check_id(component_type, "component_type"),
            "componentIds": check_ids(component_ids, "component_ids"),
        }
        if data_id is not None:
            body["dataId"] = check_id(data_id, "data_id")
        return self._pager(
            model, url, params, limit=limit, page=page, method="POST", body=body, options=options
        )

    def _walk(self, fetch: Callable[[int], Awaitable[Page[T]]], first_page: int) -> AsyncPager[T]:
        """A pager over ``fetch(n)`` (page ``n``) for endpoints that page their own way
        (reports page through their JSON body and list their items under ``rows``)."""
        return AsyncPager(fetch, first_page=first_page, lookahead=self._lookahead())

    def _lookahead(self) -> int:
        # Ask ahead as far as the limiter can run pages at once, twice over, so a slow
        # page never idles the budget; capped, so memory stays bounded however high the
        # concurrency (a simulator without limits allows thousands).
        return min(2 * self._client.rate_limit.concurrency, MAX_LOOKAHEAD)

    async def _get_many(
        self,
        model: type[T],
        url: str,
        ids: Iterable[str],
        *,
        params: Mapping[str, str] | None = None,
        id_param: str = "filterByIds",
        max_limit: int = 1000,
        name: str = "ids",
        options: RequestOptions | None = None,
    ) -> list[T]:
        """Fetch many items by id through a list endpoint's ``id_param`` filter.

        The ids are deduplicated and packed into as few requests as the URL length allows
        (each URL stays under ``MAX_URL_LENGTH``, base URL and ``params`` included); the
        chunks run concurrently through the org's limiter. Returns one item per entry of
        ``ids``, in that order (a repeated id gives the same item again). Raises
        ``NotFoundError`` naming the ids the server did not return (``.missing_ids``).
        """
        ordered = ids_in_order(ids, name)  # once: ``ids`` may be a one-shot iterator
        wanted = unique_ids(ordered, name)
        if not wanted:
            return []
        fixed = dict(params or {})
        probe = httpx.QueryParams({**fixed, "limit": str(max_limit), "page": "0", id_param: ""})
        overhead = len(str(self._client.base_url).rstrip("/")) + len(url) + 1 + len(str(probe))
        chunks = chunk_ids(wanted, MAX_URL_LENGTH - overhead, max_limit)

        async def fetch(chunk: list[str]) -> list[T]:
            chunk_params = {**fixed, id_param: ",".join(chunk)}
            pager = self._pager(
                model, url, chunk_params, limit=None, preferred=len(chunk), options=options
            )
            items: list[T] = []
            left = set(chunk)
            # Stop as soon as every id of the chunk is in: a server that does not mark its
            # last page must not cost one more request per chunk.
            pages = cast("AsyncGenerator[Page[T], None]", pager.pages())
            async with contextlib.aclosing(pages):
                async for page in pages:
                    items.extend(page.items)
                    left.difference_update(getattr(item, "id", None) for item in page.items)
                    if not left:
                        break
            return items

        tasks = [asyncio.ensure_future(fetch(chunk)) for chunk in chunks]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            # One chunk failed: stop the others instead of leaving them to run unobserved.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        found: dict[str, T] = {}
        for items in results:
            for item in items:
                item_id = getattr(item, "id", None)
                if isinstance(item_id, str):
                    found.setdefault(item_id, item)
        missing = [item_id for item_id in wanted if item_id not in found]
        if missing:
            shown = ", ".join(missing[:20]) + (", ..." if len(missing) > 20 else "")
            error = NotFoundError(
                f"{len(missing)} of {len(wanted)} ids not found: {shown}",
                status_code=404,
                error_code="resource_not_found",
                method="GET",
                path=url,
            )
            error.missing_ids = tuple(missing)
            raise error
        return [found[item_id] for item_id in ordered]


def bodies_of(items: object, cls: type[Any], name: str) -> list[Any]:
    """The JSON array body for a non-empty sequence of ``cls`` models."""
    if isinstance(items, cls | str) or not isinstance(items, Sequence):
        raise TypeError(f"{name} must be a sequence of {cls.__name__}")
    if not items:
        raise ValueError(f"{name} must not be empty")
    for item in items:
        if not isinstance(item, cls):
            raise TypeError(f"{name} must hold {cls.__name__} objects, got {type(item).__name__}")
    return [body_of(item) for item in items]


class Validation(Protocol):
    """What a ``validate`` call answers, as ``ensure_valid`` reads it."""

    @property
    def is_valid(self) -> bool | None:
        """``True``/``False`` when the validator said so, ``None`` when it did not."""

    @property
    def message(self) -> str | None:
        """The validator's summary."""

    @property
    def errors(self) -> Sequence[Any] | None:
        """The validator's errors: strings or objects, as it answered them."""


def _error_text(error: object) -> str:
    if isinstance(error, Mapping):
        for key in ("message", "errorDescription", "description"):
            if isinstance(error.get(key), str):
                return str(error[key])
    return str(error)


def ensure_valid(result: Validation, *, what: str, path: str) -> None:
    """Raise ``BadRequestError`` when a validate call (``POST path``) answered invalid.

    The "validate before write" option of create/update (``validate=True``) calls the
    resource's validate endpoint and then this, so an invalid definition fails the way the
    write itself would (400) without creating or changing anything. Only an explicit
    ``valid: false`` counts as invalid: an answer that does not say leaves the decision to
    the write, which the service checks anyway. ``details`` is the whole validator answer.
    """
    if result.is_valid is not False:
        return
    summary = result.message or ""
    reasons = [summary] if summary else []
    # Validators often repeat their errors in the message ("a; b"): say each reason once.
    said = {summary, *summary.split("; ")}
    for text in map(_error_text, result.errors or ()):
        if text and text not in said:
            reasons.append(text)
            said.add(text)
    raise BadRequestError(
        f"the {what} definition is invalid: {'; '.join(reasons) or 'the validator gave no reason'}",
        status_code=400,
        error_code="invalid_definition",
        details=unstructure(result),
        method="POST",
        path=path,
    )


def body_of(model: object) -> Any:
    """The JSON body for a model (unknown members included, absent members absent)."""
    return unstructure(model)


M = TypeVar("M")


def model_arg(value: object, cls: type[M], name: str) -> M:
    """``value`` if it is a ``cls``, else a ``TypeError`` naming the argument: the one check
    of every "pass a model" argument."""
    if not isinstance(value, cls):
        article = "an" if cls.__name__[:1] in "AEIOU" else "a"
        raise TypeError(f"{name} must be {article} {cls.__name__}, got {type(value).__name__}")
    return value


# Pages requested ahead of the consumer at most: 2 x Adobe's concurrency of 6 is 12.
MAX_LOOKAHEAD = 16

# Common gateways, CDNs and servers accept request lines of 8 KiB (nginx's and Akamai's
# defaults); staying well under that keeps bulk fetches portable while packing a hundred or
# more of CJA's ~35-character ids (each comma sent as %2C) into one request.
MAX_URL_LENGTH = 6000


def ids_in_order(ids: Iterable[str], name: str = "ids") -> list[str]:
    """``ids`` as a list (a plain ``str`` is refused: it would iterate characters)."""
    if isinstance(ids, bytes):
        raise TypeError(f"{name} must be a list of str ids, got bytes")
    return list(cast(Iterable[str], check_many(ids, str, name, "ids")))


def unique_ids(ids: Iterable[str], name: str = "ids") -> list[str]:
    """The ids checked with ``check_id`` and deduplicated, first occurrence first."""
    seen: dict[str, None] = {}
    for index, item in enumerate(ids_in_order(ids, name)):
        seen.setdefault(check_id(item, f"{name}[{index}]"), None)
    return list(seen)


def chunk_ids(ids: Sequence[str], room: int, max_per_chunk: int) -> list[list[str]]:
    """Split ids into comma-joined groups whose URL-encoded length fits in ``room``.

    Greedy in order, which is optimal here: every id costs its encoded length plus one
    encoded comma, so packing in order minimises the number of groups. An id too long to
    share a URL still gets a group of its own (the server may yet accept it).
    """
    comma = _encoded_length(",")
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for item in ids:
        cost = _encoded_length(item) + (comma if current else 0)
        if current and (used + cost > room or len(current) >= max_per_chunk):
            chunks.append(current)
            current, used = [], 0
            cost = _encoded_length(item)
        current.append(item)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def _encoded_length(value: str) -> int:
    # Exactly what httpx sends: it percent-encodes commas and most punctuation.
    return len(str(httpx.QueryParams({"": value}))) - 1


def paging(
    pagination: bool | None, limit: int | None, page: int | None
) -> tuple[int | None, int, bool]:
    """(limit, page, whole) for a list that may be asked for unpaginated; ``limit`` stays
    ``None`` when not given, so the client chooses the page size.

    ``pagination=False`` answers the whole result as one bare array, so ``limit`` and
    ``page`` would be ignored by the server: passing them is a mistake worth reporting.
    """
    if pagination is False:
        if limit is not None or page is not None:
            raise ValueError("limit and page do not apply with pagination=False")
        return None, 0, True
    return limit, (0 if page is None else page), False
