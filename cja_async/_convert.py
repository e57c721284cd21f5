"""The one cattrs converter: camelCase JSON <-> snake_case attrs models, losslessly.

Per model class, a hook factory builds one structure and one unstructure function (cached by
cattrs). They rename members (``parent_data_group_id`` <-> ``parentDataGroupId``, or the
``json`` metadata of a field), keep unknown members in ``Model._extra`` and remember which
members were present, so ``unstructure(structure(x)) == x`` for every JSON object ``x``.

Enum-like values stay ``str``, so values Adobe adds later pass through.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, Union

import attrs
import cattrs

from .models._base import Model

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)


# Primitives pass through unchanged: converting (``5`` -> ``"5"``) would change the JSON we
# send back, and a bulk export should not die because Adobe sent ``"12"`` for a number.
# Shape errors (a list where an object belongs) still raise, see ``structure_model``.
_PRIMITIVES = (str, bool, int, float)
for _primitive in _PRIMITIVES:
    converter.register_structure_hook(_primitive, lambda value, _type: value)


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


def _make_list_structure(tp: Any) -> Callable[[Any, Any], list[Any]]:
    (item_type,) = typing.get_args(tp) or (Any,)
    item_hook = _identity if item_type is Any else converter.get_structure_hook(item_type)

    def structure_list(value: Any, _type: Any) -> list[Any]:
        # cattrs would iterate any iterable (a string becomes a list of characters); a JSON
        # array is the only thing that may fill a list field.
        if not isinstance(value, list):
            raise TypeError(f"expected a JSON array, got {type(value).__name__}")
        return [None if item is None else item_hook(item, item_type) for item in value]

    return structure_list


converter.register_structure_hook_factory(_is_list, _make_list_structure)


def camel(name: str) -> str:
    """``parent_data_group_id`` -> ``parentDataGroupId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _without_none(tp: Any) -> Any:
    """``X | None`` -> ``X``; other types unchanged."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        if all(a in _PRIMITIVES for a in args):
            return Any  # e.g. ``int | str``: primitives pass through anyway
        return Union[tuple(args)]  # noqa: UP007 - built from a runtime tuple
    return tp


def _public_fields(cls: type[Model]) -> list[tuple[str, str, Any]]:
    """(field name, JSON name, type without None) for every modelled member."""
    attrs.resolve_types(cls)
    return [
        (f.name, f.metadata.get("json", camel(f.name)), _without_none(f.type))
        for f in attrs.fields(cls)
        if not f.name.startswith("_")
    ]


def _identity(value: Any, _type: Any) -> Any:
    return value


def _lazy_structure_hook(tp: Any) -> Callable[[Any, Any], Any]:
    """The structure hook of ``tp``, looked up on first use rather than now.

    Models may refer to themselves (audit-log criteria nest sub-criteria): building every
    field's hook eagerly while building the class's own hook would recurse forever.
    """
    hook: Callable[[Any, Any], Any] | None = None

    def structure_field(value: Any, field_type: Any) -> Any:
        nonlocal hook
        if hook is None:
            hook = converter.get_structure_hook(tp)
        return hook(value, field_type)

    return structure_field


def _make_structure(cls: type[Model]) -> Callable[[Any, Any], Model]:
    members: dict[str, tuple[str, Callable[[Any, Any], Any], Any]] = {}
    for field_name, json_key, tp in _public_fields(cls):
        hook = _identity if tp is Any else _lazy_structure_hook(tp)
        members[json_key] = (field_name, hook, tp)

    def structure_model(data: Any, _type: Any) -> Model:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        present: set[str] = set()
        for key, value in data.items():
            member = members.get(key)
            if member is None:
                extra[key] = value
                continue
            field_name, hook, tp = member
            try:
                kwargs[field_name] = None if value is None else hook(value, tp)
            except Exception as exc:
                raise TypeError(f"{cls.__name__}.{key}: {exc}") from exc
            present.add(field_name)
        obj = cls(**kwargs)
        # Set without the on_setattr hook: these are facts about the source JSON.
        object.__setattr__(obj, "_extra", extra)
        object.__setattr__(obj, "_present", present)
        return obj

    return structure_model


def _make_unstructure(cls: type[Model]) -> Callable[[Model], dict[str, Any]]:
    members = [
        (field_name, json_key, _identity_unstructure if tp is Any else converter.unstructure)
        for field_name, json_key, tp in _public_fields(cls)
    ]

    def unstructure_model(obj: Model) -> dict[str, Any]:
        out: dict[str, Any] = {}
        present = obj._present
        for field_name, json_key, hook in members:
            value = getattr(obj, field_name)
            if value is None:
                # Absent stays absent; an explicit null (from JSON or set by the user) stays.
                if field_name in present:
                    out[json_key] = None
                continue
            out[json_key] = hook(value)
        for key, value in obj._extra.items():
            out.setdefault(key, value)
        return out

    return unstructure_model


def _identity_unstructure(value: Any) -> Any:
    return value


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


converter.register_structure_hook_factory(_is_model, _make_structure)
converter.register_unstructure_hook_factory(_is_model, _make_unstructure)


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` (a model, or e.g. ``list[Model]``) from decoded JSON."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """The JSON-ready form of a model (or list of models), exactly as the API sent it."""
    return converter.unstructure(obj)
