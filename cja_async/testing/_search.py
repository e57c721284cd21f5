"""Search clauses (``CONTAINS 'x' OR BEGINS-WITH 'y'``) and report ``search`` specs as matchers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._events import Item
from ._paging import bad_parameter

if TYPE_CHECKING:
    pass

# -- search clauses ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\()|(\))|'((?:[^'\\]|\\.|'')*)'|([A-Za-z][A-Za-z-]*))")
_OPERATORS = {"CONTAINS", "MATCH", "BEGINS-WITH", "ENDS-WITH"}
Matcher = Callable[[str], bool]


def _tokens(clause: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    clause = clause.rstrip()
    while position < len(clause):
        match = _TOKEN.match(clause, position)
        if match is None or match.end() == position:
            raise bad_parameter(f"Cannot parse the search clause near {clause[position:]!r}")
        position = match.end()
        if match.group(1):
            out.append(("(", "("))
        elif match.group(2):
            out.append((")", ")"))
        elif match.group(3) is not None:
            text = match.group(3).replace("''", "'")
            out.append(("str", re.sub(r"\\(.)", r"\1", text)))
        else:
            out.append(("word", match.group(4).upper()))
    return out


def parse_clause(clause: str) -> Matcher:
    """A predicate on item values for Adobe's search clause syntax: quoted terms (contains),
    ``CONTAINS``/``MATCH``/``BEGINS-WITH``/``ENDS-WITH``, ``AND``, ``OR``, ``NOT``, parens;
    case-insensitive."""
    tokens = _tokens(clause)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        token = peek()
        if token is None:
            raise bad_parameter(f"The search clause {clause!r} ends too early")
        position += 1
        return token

    def expr() -> Matcher:
        parts = [term()]
        while peek() == ("word", "OR"):
            take()
            parts.append(term())
        return parts[0] if len(parts) == 1 else lambda v: any(p(v) for p in parts)

    def term() -> Matcher:
        parts = [factor()]
        while peek() == ("word", "AND"):
            take()
            parts.append(factor())
        return parts[0] if len(parts) == 1 else lambda v: all(p(v) for p in parts)

    def factor() -> Matcher:
        kind, text = take()
        if (kind, text) == ("word", "NOT"):
            inner = factor()
            return lambda v: not inner(v)
        if kind == "(":
            inner = expr()
            if take()[0] != ")":
                raise bad_parameter(f"Unbalanced parentheses in the search clause {clause!r}")
            return inner
        operator = "CONTAINS"
        if kind == "word" and text in _OPERATORS:
            operator = text
            kind, text = take()
        if kind != "str":
            raise bad_parameter(f"Expected a quoted term in the search clause {clause!r}")
        needle = text.lower()
        if operator == "MATCH":
            return lambda v: v.lower() == needle
        if operator == "BEGINS-WITH":
            return lambda v: v.lower().startswith(needle)
        if operator == "ENDS-WITH":
            return lambda v: v.lower().endswith(needle)
        return lambda v: needle in v.lower()

    matcher = expr()
    if peek() is not None:
        raise bad_parameter(f"Unexpected {peek()[1]!r} in the search clause {clause!r}")  # type: ignore[index]
    return matcher


def search_matcher(spec: Any, where: str) -> Callable[[Item], bool] | None:
    """An item test for a ``search`` object (clause, itemIds, excludeItemIds)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise bad_parameter(f"{where} must be an object")
    tests: list[Callable[[Item], bool]] = []
    clause = spec.get("clause")
    if isinstance(clause, str) and clause.strip():
        text_test = parse_clause(clause)
        tests.append(lambda item: text_test(item[1]))
    keep = spec.get("itemIds")
    if isinstance(keep, list) and keep:
        kept = {str(i) for i in keep}
        tests.append(lambda item: item[0] in kept)
    drop = spec.get("excludeItemIds")
    if isinstance(drop, list) and drop:
        dropped = {str(i) for i in drop}
        tests.append(lambda item: item[0] not in dropped)
    if not tests:
        return None
    return lambda item: all(t(item) for t in tests)
