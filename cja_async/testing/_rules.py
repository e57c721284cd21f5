"""Fault rules and the record of calls: what a test tells the simulator to do, and what it saw.

Two kinds of rule decide whether a request is carried out as usual:

* :class:`Faults`, the simulator-wide random faults (``Simulator(faults=...)``): every rate is
  a probability per request, drawn from the simulator's seeded RNG;
* :class:`RouteRule`, one method and path template (``sim.on("GET", "/data/segments")``) with
  a respx-style ``side_effect``: a fixed outcome, a sequence consumed one per call (then the
  request is answered as usual), a callable, or a :class:`Faults` of its own.

Both come down to a :class:`Strike` per request, which the simulator performs. Every API
request the simulator receives is kept as a :class:`Call` in ``sim.calls``, and each rule keeps
the calls it matched in ``rule.calls``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeAlias, cast

import attrs

from ._http import Response
from ._request import Request
from ._router import compile_template

__all__ = ["Call", "Faults", "Outcome", "RouteRule", "SideEffect", "Strike"]


def _rate(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _non_negative(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0.0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _statuses(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(int(status) for status in value)


def _is_status(status: int) -> bool:
    return isinstance(status, int) and 100 <= status <= 599


def _some_statuses(_inst: object, _attribute: object, value: tuple[int, ...]) -> None:
    if not value or not all(_is_status(status) for status in value):
        raise ValueError(f"error_statuses must be HTTP statuses, got {value}")


@attrs.frozen
class Strike:
    """What a rule does to one request; the default carries it out unchanged.

    ``delay``: extra seconds in flight. ``status``: answer this injected failure instead of
    carrying the request out (a 500 in the service's error shape, other statuses in the
    gateway's). ``response``: answer this instead. ``garbage``: carry it out, then answer 200
    with an HTML page (a misbehaving proxy). ``cut``: carry it out, then send the headers and
    half the body and drop the connection. ``error``: carry it out, then raise this from the
    app instead of answering (in-process the client's transport raises it as it is: use an
    ``httpx.TransportError`` such as ``httpx.ReadTimeout`` for a lost answer).
    """

    delay: float = 0.0
    status: int | None = None
    response: Response | None = None
    garbage: bool = False
    cut: bool = False
    error: BaseException | None = None

    @property
    def faults(self) -> int:
        """How many faults this strike injects (counted in ``faults_injected``)."""
        return (
            int(self.delay > 0)
            + int(self.status is not None or self.response is not None)
            + int(self.garbage)
            + int(self.cut)
            + int(self.error is not None)
        )


NO_STRIKE = Strike()


@attrs.define
class Faults:
    """Fault injection; every rate is a probability per request, drawn from the seeded RNG.

    ``error_rate``: answer an admitted API request with a status from
    ``error_statuses`` (after the latency). ``slow_rate``: add ``slow_seconds``
    to the latency. ``token_error_rate``: the token endpoint answers 503.
    ``garbage_rate``: carry the request out, then answer 200 with an HTML page instead
    of JSON (a misbehaving proxy). ``cut_rate``: carry it out, then send the headers and
    half the body and drop the connection (in-process, the client's transport raises
    ``httpx.RemoteProtocolError`` exactly as it would on a socket).
    Mutable: change it on a running simulator to start or stop an outage. As the
    ``side_effect`` of a :class:`RouteRule` it applies to that route only.
    """

    error_rate: float = attrs.field(default=0.0, converter=float, validator=_rate)
    error_statuses: tuple[int, ...] = attrs.field(
        default=(500, 502, 503, 504), converter=_statuses, validator=_some_statuses
    )
    slow_rate: float = attrs.field(default=0.0, converter=float, validator=_rate)
    slow_seconds: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    token_error_rate: float = attrs.field(default=0.0, converter=float, validator=_rate)
    garbage_rate: float = attrs.field(default=0.0, converter=float, validator=_rate)
    cut_rate: float = attrs.field(default=0.0, converter=float, validator=_rate)

    def draw(self, rng: random.Random) -> Strike:
        """This request's strike. Only enabled faults draw, so turning one on does not
        reshuffle the others (and a simulator without faults draws nothing)."""
        slow = bool(self.slow_rate) and rng.random() < self.slow_rate
        failing = bool(self.error_rate) and rng.random() < self.error_rate
        status = rng.choice(self.error_statuses) if failing else None
        garbage = not failing and bool(self.garbage_rate) and rng.random() < self.garbage_rate
        cut = bool(self.cut_rate) and rng.random() < self.cut_rate
        if not (slow or failing or garbage or cut):
            return NO_STRIKE
        delay = self.slow_seconds if slow else 0.0
        return Strike(delay=delay, status=status, garbage=garbage, cut=cut)


Outcome: TypeAlias = (
    int | Response | Literal["cut", "garbage"] | Strike | Faults | BaseException | None
)
"""One call's outcome: a status to fail with, a response to answer, ``"cut"`` or ``"garbage"``
(carry the request out, then cut the body or answer HTML), an exception to raise once it is
carried out (``httpx.ReadTimeout(...)``: the answer is lost), a :class:`Strike`, a
:class:`Faults` drawn for this call, or ``None``: answer as usual."""

SideEffect: TypeAlias = Outcome | Iterable[Outcome] | Callable[[Request], Outcome]
"""A :class:`RouteRule`'s ``side_effect``: one outcome for every call, a sequence of outcomes
consumed one per call (then ``None``: answered as usual), or a callable from the request."""


def strike_of(outcome: Outcome, rng: random.Random) -> Strike:
    """The :class:`Strike` an outcome stands for."""
    if outcome is None:
        return NO_STRIKE
    if isinstance(outcome, Strike):
        return outcome
    if isinstance(outcome, Faults):
        return outcome.draw(rng)
    if isinstance(outcome, Response):
        return Strike(response=outcome)
    if isinstance(outcome, BaseException):
        return Strike(error=outcome)
    if outcome == "cut":
        return Strike(cut=True)
    if outcome == "garbage":
        return Strike(garbage=True)
    if isinstance(outcome, int) and not isinstance(outcome, bool) and _is_status(outcome):
        return Strike(status=outcome)
    raise ValueError(
        f"a fault outcome must be an HTTP status, a Response, 'cut', 'garbage', an exception, "
        f"a Strike, Faults or None, got {outcome!r}"
    )


@attrs.define(eq=False)
class Call:
    """One request the simulator received, as sent, and the status it was answered with.

    ``headers`` has lower-cased names and never the ``authorization`` header (tokens stay out
    of test output); ``query`` maps each parameter to all its values. ``org_id`` is the
    caller's org once authenticated (``""`` if it was not); ``at`` is the simulator clock at
    arrival; ``status`` is ``None`` until the answer is sent (or if the connection was cut).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    at: float
    org_id: str = ""
    status: int | None = None

    @classmethod
    def of(cls, req: Request, at: float) -> Call:
        """The record of ``req`` (shares its dicts: requests are not changed once read)."""
        headers = {k: v for k, v in req.headers.items() if k != "authorization"}
        return cls(req.method, req.path, req.query, headers, req.body, at)

    @property
    def params(self) -> dict[str, str]:
        """The first value of each query parameter."""
        return {name: values[0] for name, values in self.query.items() if values}

    def json(self) -> Any:
        """The body parsed as JSON (``None`` for an empty body)."""
        return json.loads(self.body) if self.body else None


class RouteRule:
    """Faults for the requests of one ``method`` to paths matching ``template``.

    Made by :meth:`Simulator.on`; ``template`` uses the router's syntax (``/x/{id}`` matches
    one path segment per parameter), ``method`` may be ``"*"`` for any. ``org_id`` limits the
    rule to one org. The first rule (in the order made) whose ``side_effect`` gives an outcome
    other than ``None`` decides; without one, the simulator's :class:`Faults` do. A rule that
    matches keeps the call in ``calls`` whether it struck or not::

        segments = sim.on("GET", "/data/segments").fail(503, times=2)  # then answers
        ...
        assert [call.status for call in segments.calls] == [503, 503, 200]
    """

    def __init__(
        self,
        method: str,
        template: str,
        side_effect: SideEffect = None,
        *,
        org_id: str | None = None,
    ) -> None:
        self.method = method.upper()
        self.template = template.rstrip("/") or "/"
        self.org_id = org_id
        self.calls: list[Call] = []
        self._pattern: re.Pattern[str] = compile_template(self.template)
        self._pending: Iterator[Outcome] | None = None
        self._side_effect: SideEffect = None
        self.side_effect = side_effect

    def __repr__(self) -> str:
        return f"RouteRule({self.method} {self.template}, calls={len(self.calls)})"

    @property
    def side_effect(self) -> SideEffect:
        """What the rule does (see :data:`SideEffect`); setting it starts a sequence anew."""
        return self._side_effect

    @side_effect.setter
    def side_effect(self, value: SideEffect) -> None:
        self._side_effect = value
        single = value is None or isinstance(
            value, int | str | Response | Strike | Faults | BaseException
        )
        if single or callable(value):
            self._pending = None
        else:
            self._pending = iter(cast("Iterable[Outcome]", value))

    @property
    def called(self) -> bool:
        """Whether any request matched the rule."""
        return bool(self.calls)

    @property
    def call_count(self) -> int:
        """How many requests matched the rule."""
        return len(self.calls)

    def fail(self, status: int = 503, *, times: int | None = None) -> RouteRule:
        """Answer ``status`` (an injected failure), ``times`` times or always; returns the rule."""
        return self._repeat(status, times)

    def respond(self, response: Response, *, times: int | None = None) -> RouteRule:
        """Answer ``response`` instead of the handler's, ``times`` times or always."""
        return self._repeat(response, times)

    def cut(self, *, times: int | None = None) -> RouteRule:
        """Carry requests out, then drop the connection mid-body, ``times`` times or always."""
        return self._repeat("cut", times)

    def garbage(self, *, times: int | None = None) -> RouteRule:
        """Carry requests out, then answer an HTML page, ``times`` times or always."""
        return self._repeat("garbage", times)

    def raises(self, error: BaseException, *, times: int | None = None) -> RouteRule:
        """Carry requests out, then raise ``error`` instead of answering (``httpx.ReadTimeout``:
        a lost answer), ``times`` times or always."""
        return self._repeat(error, times)

    def delay(self, seconds: float, *, times: int | None = None) -> RouteRule:
        """Hold requests ``seconds`` longer in flight, ``times`` times or always."""
        return self._repeat(Strike(delay=seconds), times)

    def reset(self) -> RouteRule:
        """Stop striking and forget the calls."""
        self.side_effect = None
        self.calls.clear()
        return self

    def _repeat(self, outcome: Outcome, times: int | None) -> RouteRule:
        strike_of(outcome, random.Random(0))  # reject a bad outcome now, not mid-test
        if times is not None and times < 0:
            raise ValueError(f"times must not be negative, got {times}")
        self.side_effect = outcome if times is None else [outcome] * times
        return self

    def matches(self, method: str, path: str, org_id: str) -> bool:
        """Whether a request of ``method`` to ``path`` by ``org_id`` is the rule's."""
        return (
            self.method in ("*", method)
            and (self.org_id is None or self.org_id == org_id)
            and self._pattern.match(path) is not None
        )

    def outcome(self, req: Request) -> Outcome:
        """This call's outcome (advances a sequence)."""
        if self._pending is not None:
            return next(self._pending, None)
        if callable(self._side_effect) and not isinstance(self._side_effect, Faults):
            return self._side_effect(req)
        return self._side_effect  # type: ignore[return-value]
