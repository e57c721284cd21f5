"""A tiny method + path-template router for the simulator's handlers.

Each resource module owns a :class:`Router` and registers handlers on it::

    router = Router()

    @router.route("GET", "/data/dataviews/{dataViewId}")
    async def get_dataview(sim: Simulator, req: Request) -> Response: ...

The simulator combines the routers of its resource modules into its own router,
so a simulator instance (and tests) can add routes without touching the others.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import attrs

from ._errors import not_found, service_error
from ._http import ApiError, Response
from ._request import Request
from ._stores import ItemNotFound

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["Handler", "Route", "Router", "compile_template"]

Handler = Callable[["Simulator", Request], Awaitable[Response]]
_H = TypeVar("_H", bound=Handler)

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def compile_template(template: str) -> re.Pattern[str]:
    """Turn ``/a/{id}/b`` into a regex where ``{id}`` matches one path segment."""
    pattern = ""
    position = 0
    for match in _PARAM.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += f"(?P<{match.group(1)}>[^/]+)"
        position = match.end()
    pattern += re.escape(template[position:])
    return re.compile(f"^{pattern}$")


@attrs.frozen
class Route:
    """One registered handler: ``method`` plus a path ``template`` like ``/x/{id}``."""

    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str] = attrs.field(eq=False, repr=False)

    @property
    def specificity(self) -> int:
        """Fewer ``{params}`` is more specific: ``/x/validate`` beats ``/x/{id}``."""
        return -self.template.count("{")

    async def answer(self, sim: Simulator, req: Request) -> Response:
        """The handler's answer; an object a store lacks (:class:`ItemNotFound`) is a 404."""
        try:
            return await self.handler(sim, req)
        except ItemNotFound as missing:
            raise ApiError(not_found(str(missing))) from None


class Router:
    """An ordered collection of routes with 404/405 handling."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    @property
    def routes(self) -> tuple[Route, ...]:
        """The registered routes, in registration order."""
        return tuple(self._routes)

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` requests to paths matching ``template``."""
        template = template.rstrip("/") or "/"
        self._routes.append(Route(method.upper(), template, handler, compile_template(template)))

    def route(self, method: str, template: str) -> Callable[[_H], _H]:
        """Decorator form of :meth:`add`; returns the handler unchanged."""

        def register(handler: _H) -> _H:
            self.add(method, template, handler)
            return handler

        return register

    def include(self, other: Router) -> None:
        """Add every route of ``other`` (later calls can add more; earlier ones are kept)."""
        self._routes.extend(other.routes)

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for ``method path`` and its path parameters.

        Raises :class:`ApiError` with 404 ``resource_not_found`` when no template
        matches and 405 ``method_not_allowed`` when only other methods do.
        """
        allowed: set[str] = set()
        best: tuple[Route, dict[str, str]] | None = None
        for route in self._routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            if route.method != method:
                allowed.add(route.method)
            elif best is None or route.specificity >= best[0].specificity:
                # ">=": of equally specific routes the latest added wins, so a test can
                # override a built-in endpoint with ``sim.route``.
                best = (route, match.groupdict())
        if best is not None:
            return best
        if allowed:
            response = service_error(
                405, "method_not_allowed", f"Request method '{method}' is not supported"
            )
            response.headers.append(("Allow", ", ".join(sorted(allowed))))
            raise ApiError(response)
        raise ApiError(service_error(404, "resource_not_found", f"No endpoint at {path}"))
