"""Helpers list endpoints share: query parsing, sorting, expansion and page bodies."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ._errors import service_error
from ._http import ApiError
from ._request import Request
from ._stores._base import JSON

__all__ = [
    "JSON",
    "check_page_cap",
    "PageShape",
    "SortSpec",
    "bad_parameter",
    "expand",
    "expansion_of",
    "int_param",
    "paged",
    "sort_items",
]

PageShape = Literal["analytics", "spring"]


def bad_parameter(message: str) -> ApiError:
    """An :class:`ApiError` answering 400 ``invalid_parameters`` with ``message``."""
    return ApiError(service_error(400, "invalid_parameters", message))


def int_param(
    req: Request, name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    """Query parameter ``name`` as an int within bounds, else 400 ``invalid_parameters``."""
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise bad_parameter(f"{name} must be at least {minimum}{upper}, got {value}")
    return value


# The page-size parameters of the list endpoints: in the query, and in the JSON body of the
# audit-log search.
_SIZE_PARAMS = ("limit", "pageSize")


def check_page_cap(req: Request, cap: int) -> None:
    """Refuse a page size over ``cap`` with 400 ``invalid_parameters``, as a server whose
    largest page is smaller than the client asked for does (``Simulator(page_cap=...)``)."""
    sizes: list[object] = [req.param(name) for name in _SIZE_PARAMS]
    if req.method == "POST" and req.body[:1] == b"{":
        body = req.json()
        sizes.extend(body.get(name) for name in _SIZE_PARAMS)
    for size in sizes:
        try:
            value = int(str(size))
        except ValueError:
            continue  # absent, or not a number: the endpoint itself says what is wrong
        if value > cap:
            raise bad_parameter(f"limit must be at most {cap}, got {value}")


def expansion_of(req: Request, aliases: Mapping[str, str] | None = None) -> set[str]:
    """The field names the ``expansion`` parameter asks for.

    ``aliases`` maps expansion names to the member they reveal when the two
    differ (the data views API expands ``modified`` into ``modifiedDate``).
    """
    names = set(req.csv_param("expansion"))
    for alias, field in (aliases or {}).items():
        if alias in names:
            names.add(field)
    return names


def expand(item: Mapping[str, Any], expansion: Iterable[str]) -> JSON:
    """A copy of ``item`` with only ``id`` and the requested fields, as list endpoints answer.

    Names the item does not have are ignored, like the real service does.
    """
    wanted = set(expansion)
    return {key: value for key, value in item.items() if key == "id" or key in wanted}


@attrs.frozen
class SortSpec:
    """How a list was sorted; ``explicit`` when the caller asked for it."""

    property: str
    direction: Literal["ASC", "DESC"]
    explicit: bool


def _sort_key(field: str) -> Callable[[Mapping[str, Any]], tuple[bool, str, str]]:
    # Stored objects are whatever clients PUT, so values may be missing or of
    # any kind; compare them as text, missing values last, ties broken by id.
    def key(item: Mapping[str, Any]) -> tuple[bool, str, str]:
        value = item.get(field)
        return (value is None, "" if value is None else str(value), str(item.get("id", "")))

    return key


def sort_items(
    items: Iterable[Mapping[str, Any]],
    req: Request,
    properties: Mapping[str, str],
    default: str = "id",
) -> tuple[list[JSON], SortSpec]:
    """Sort by ``sortProperty`` / ``sortDirection`` (ASC or DESC, any case).

    ``properties`` maps each allowed ``sortProperty`` value to the member it sorts
    on; other values answer 400 ``invalid_parameters``.
    """
    prop = req.param("sortProperty") or default
    if prop not in properties:
        allowed = ", ".join(sorted(properties))
        raise bad_parameter(f"sortProperty must be one of {allowed}, got {prop!r}")
    direction_raw = (req.param("sortDirection") or "ASC").upper()
    if direction_raw not in ("ASC", "DESC"):
        raise bad_parameter(f"sortDirection must be ASC or DESC, got {direction_raw!r}")
    direction: Literal["ASC", "DESC"] = "ASC" if direction_raw == "ASC" else "DESC"
    # The stored objects themselves, not copies: ``paged`` copies the few it returns, and
    # copying thousands per request made every list call cost milliseconds.
    ordered: list[JSON] = sorted(
        items,  # type: ignore[arg-type]
        key=_sort_key(properties[prop]),
        reverse=direction == "DESC",
    )
    explicit = req.param("sortProperty") is not None or req.param("sortDirection") is not None
    return ordered, SortSpec(prop, direction, explicit)


def _spring_sort(sort: SortSpec | None) -> JSON:
    sorted_ = sort is not None and sort.explicit
    return {"sorted": sorted_, "unsorted": not sorted_, "empty": not sorted_}


def paged(
    items: Sequence[Mapping[str, Any]],
    req: Request,
    shape: PageShape,
    *,
    sort: SortSpec | None = None,
    render: Callable[[Mapping[str, Any]], JSON] | None = None,
    default_limit: int = 10,
    max_limit: int = 1000,
) -> JSON:
    """The page body for ``items`` (already filtered and sorted) per ``limit`` and ``page``.

    ``render`` turns each item of the page into its answer (e.g. :func:`expand`).
    A page past the end has empty ``content`` and is marked last, so every stop
    rule a client may use (last flag, ``totalPages``, short or empty page) holds.
    """
    limit = int_param(req, "limit", default_limit, 1, max_limit)
    page = int_param(req, "page", 0, 0)
    total = len(items)
    total_pages = math.ceil(total / limit)
    chunk = items[page * limit : (page + 1) * limit]
    content = [render(item) if render else dict(item) for item in chunk]
    is_last = page + 1 >= total_pages
    if shape == "analytics":
        analytics_sort: list[JSON] | None = None
        if sort is not None and sort.explicit:
            analytics_sort = [
                {
                    "direction": sort.direction,
                    "property": sort.property,
                    "ignoreCase": False,
                    "ascending": sort.direction == "ASC",
                }
            ]
        return {
            "content": content,
            "totalElements": total,
            "totalPages": total_pages,
            "numberOfElements": len(content),
            "number": page,
            "firstPage": page == 0,
            "lastPage": is_last,
            "sort": analytics_sort,
            "size": limit,
        }
    spring_sort = _spring_sort(sort)
    return {
        "content": content,
        "pageable": {
            "pageNumber": page,
            "pageSize": limit,
            "offset": page * limit,
            "paged": True,
            "unpaged": False,
            "sort": dict(spring_sort),
        },
        "first": page == 0,
        "last": is_last,
        "empty": not content,
        "totalElements": total,
        "totalPages": total_pages,
        "size": limit,
        "number": page,
        "numberOfElements": len(content),
        "sort": spring_sort,
    }
