"""The one converter: camelCase JSON <-> snake_case attrs models, losslessly.

Per model class this module writes one structure and one unstructure function as Python
source and compiles it (the way attrs writes ``__init__``): straight-line code per field,
no per-member hook dispatch. They rename members (``parent_data_group_id`` <->
``parentDataGroupId``, or the ``json`` metadata of a field), keep unknown members in
``Model._extra`` and remember which members were present, so ``unstructure(structure(x)) ==
x`` for every JSON object ``x``.

Structuring is on the path of every response, so it is built for speed:
- primitives (``str``, ``bool``, ``int``, ``float``), ``Any`` and free-form
  ``dict[str, Any]`` values are taken as they are, not converted or copied (lists of them
  too, after the shape check);
- each shape of object (its member names, in order) gets a function of its own on first
  sight, which unpacks ``data.values()`` into locals and already knows which fields are
  absent, which members are unknown and the frozen set of present fields its models share.
  The items of a page share one shape or a few; a class keeps at most ``_MAX_SHAPES``, and
  a general function (a lookup per field) takes the rest;
- the model is made as its *filler*, a subclass with a plain ``__setattr__``, stored into
  slot by slot and then given its own class: ``__init__`` and the set-tracking hook would
  each cost a call per field;
- nested models call the nested class's function directly (bound once it is built).
A model with validators, converters or init hooks is built through its ``__init__``
instead, by the same generated code; every way stores the same things.

Enum-like values stay ``str``, so values Adobe adds later pass through. cattrs stays the
fallback for any other type (e.g. ``dict[str, list[str]]``) and the public ``converter``.
"""

from __future__ import annotations

import inspect
import threading
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, Union

import attrs
import cattrs

from .models._base import Model

__all__ = ["camel", "converter", "structure", "unstructure"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)

# Primitives pass through unchanged: converting (``5`` -> ``"5"``) would change the JSON we
# send back, and a bulk export should not die because Adobe sent ``"12"`` for a number.
# Shape errors (a list where an object belongs) still raise.
_PRIMITIVES = (str, bool, int, float)
for _primitive in _PRIMITIVES:
    converter.register_structure_hook(_primitive, lambda value, _type: value)

# Values that unstructure to themselves, so the generated code can skip the dispatch.
_ATOMS = frozenset({str, bool, int, float, type(None)})


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


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


# How a field's value is structured; decided once per field when the class's code is built.
_PASS = "pass"  # primitives and Any: taken as they are
_DICT = "dict"  # free-form JSON objects: must be a dict, taken as it is (not copied)
_LIST = "list"  # lists of primitives/Any: must be a list, taken as it is
_LIST_DICT = "list_dict"  # lists of free-form objects: a list of dicts (or nulls)
_LIST_HOOK = "list_hook"  # lists of models (or other types): each item through its hook
_HOOK = "hook"  # a model (or another type): through its hook


def _is_free_dict(tp: Any) -> bool:
    """``dict[str, Any]`` (or ``Mapping``): free-form JSON, nothing inside to structure."""
    origin = typing.get_origin(tp)
    if tp in (dict, Mapping):
        return True
    if origin not in (dict, Mapping):
        return False
    args = typing.get_args(tp)
    return not args or (args[0] in (str, Any) and args[1] is Any)


def _passes(tp: Any) -> bool:
    return tp is Any or tp in _PRIMITIVES


def _kind(tp: Any) -> tuple[str, Any]:
    """(kind, the type whose hook structures the value or its items)."""
    if _passes(tp):
        return _PASS, None
    if _is_free_dict(tp):
        return _DICT, None
    if tp is list or typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp) or (Any,)
        if _passes(item):
            return _LIST, None
        if _is_free_dict(item):
            return _LIST_DICT, None
        return _LIST_HOOK, item
    return _HOOK, tp


# One compiled function per type, built on first use: ``fn(value) -> structured``.
_structurers: dict[Any, Callable[[Any], Any]] = {}
_unstructurers: dict[type, Callable[[Any], Any]] = {}
# Functions being built (by the thread holding the lock), published together when the
# outermost is done: a model may nest itself (audit-log criteria hold sub-criteria) and
# needs its own function before it is complete, but no other thread may call it then.
_building: dict[Any, Callable[[Any], Any]] = {}
_build_lock = threading.RLock()


def _structurer(tp: Any) -> Callable[[Any], Any]:
    """The one-argument structure function of ``tp``, built once."""
    fn = _structurers.get(tp)
    if fn is not None:
        return fn
    with _build_lock:
        fn = _structurers.get(tp) or _building.get(tp)
        if fn is not None:
            return fn
        outermost = not _building
        try:
            if _is_model(tp):
                fn = _make_structure(tp)
            elif typing.get_origin(tp) is list or tp is list:
                fn = _make_list_structure(tp)
            else:
                fn = _bind_type(converter.get_structure_hook(tp), tp)
            _building[tp] = fn
            if outermost:
                _structurers.update(_building)
        finally:
            if outermost:
                _building.clear()
    return fn


def _bind_type(hook: Callable[[Any, Any], Any], tp: Any) -> Callable[[Any], Any]:
    def structure_other(value: Any) -> Any:
        return hook(value, tp)

    return structure_other


def _not_a(what: str, value: Any) -> TypeError:
    return TypeError(f"expected a JSON {what}, got {type(value).__name__}")


def _check_dicts(items: list[Any]) -> None:
    for item in items:
        if item is not None and not isinstance(item, dict):
            raise _not_a("object", item)


def _make_list_structure(tp: Any) -> Callable[[Any], list[Any]]:
    kind, item_type = _kind(tp)

    if kind == _LIST:

        def structure_list(value: Any) -> list[Any]:
            # cattrs would iterate any iterable (a string becomes a list of characters); a
            # JSON array is the only thing that may fill a list field.
            if not isinstance(value, list):
                raise _not_a("array", value)
            return value

    elif kind == _LIST_DICT:

        def structure_list(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _not_a("array", value)
            _check_dicts(value)
            return value

    else:
        item_hook = _structurer(item_type)

        def structure_list(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _not_a("array", value)
            return [None if item is None else item_hook(item) for item in value]

    return structure_list


def _make_structure(cls: type[Model]) -> Callable[[Any], Model]:
    """Write the structure functions of ``cls`` and return the one that picks among them.

    Each shape of JSON object (its member names, in order) gets a function of its own,
    written on first sight: it unpacks ``data.values()`` into locals, knows which fields are
    absent and which members are unknown, and shares one frozen set of present fields among
    its models. The items of a page share one shape or a few, and this is several times
    cheaper than a lookup per field. A class keeps at most ``_MAX_SHAPES`` of them; other
    shapes, and dict subclasses, take the general function, which looks each member up.
    Both are written by :func:`_structure_lines`, so they check and store alike.
    """
    fields = _public_fields(cls)
    keys = [key for _, key, _ in fields]
    if len(set(keys)) != len(keys):
        raise TypeError(f"{cls.__name__}: two fields have the same JSON name")
    names = {key: field_name for field_name, key, _ in fields}
    fill = _filler(cls)
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_fill": fill,
        "_new": object.__new__,
        "_isinstance": isinstance,
        "_dict": dict,
        "_list": list,
        "_type": type,
        "_TypeError": TypeError,
        "_not_a": _not_a,
        "_set": object.__setattr__,  # no set tracking: these are facts about the JSON
    }
    for field in attrs.fields(cls):
        if field.name.startswith("_"):  # a constant (see _fills_slots); Model's own two unused
            namespace[f"_d{field.name}"] = field.default

    def write(shape: tuple[str, ...] | None, present: frozenset[str] | None = None) -> Any:
        lines = _structure_lines(cls, fields, shape, fill is not None)
        return _compile(cls, "structure", lines, namespace, _present=present)

    def present_of(keys: Iterable[Any]) -> frozenset[str]:
        return frozenset(names[key] for key in keys if key in names)

    def members(data: dict[Any, Any]) -> tuple[frozenset[str], dict[Any, Any] | None]:
        extra = {key: value for key, value in data.items() if key not in names}
        return present_of(data), extra or None

    namespace["_members"] = members
    general: Callable[[dict[str, Any]], Model] = write(None)
    by_shape: dict[tuple[str, ...], Callable[[dict[str, Any]], Model]] = {}

    def learn(shape: tuple[str, ...]) -> Callable[[dict[str, Any]], Model]:
        # Bounded, whatever members a server sends (in number of shapes and in the size of
        # each one's code); keys go into the code as repr()s, so only plain str keys (all
        # that JSON has).
        if (
            len(by_shape) >= _MAX_SHAPES
            or len(shape) > _MAX_MEMBERS
            or not all(type(key) is str for key in shape)
        ):
            return general
        fn: Callable[[dict[str, Any]], Model] = write(shape, present_of(shape))
        by_shape[shape] = fn
        return fn

    name = cls.__name__

    def structure_model(data: Any) -> Model:
        if type(data) is dict:
            shape = tuple(data)
            fn = by_shape.get(shape)
            if fn is None:
                fn = learn(shape)
            return fn(data)
        if isinstance(data, dict):  # a subclass may order or list its members its own way
            return general(data)
        raise TypeError(f"expected a JSON object for {name}, got {type(data).__name__}")

    structure_model.__qualname__ = f"structure_{name}"
    _building[cls] = structure_model  # before the nested hooks: a model may nest itself
    for index, (_, _, tp) in enumerate(fields):
        kind, hook_type = _kind(tp)
        if kind in (_LIST_HOOK, _HOOK):
            namespace[f"_h{index}"] = _structurer(hook_type)
    return structure_model


def _structure_lines(
    cls: type[Model],
    fields: list[tuple[str, str, Any]],
    shape: tuple[str, ...] | None,
    fill: bool,
) -> list[str]:
    """The source of one structure function of ``cls``: for ``shape``, or general (None).

    ``fill``: the model is made as its filler class (:func:`_filler`), its slots stored
    plainly, then given its own class; otherwise it is built through ``cls(...)``, so its
    validators, converters and hooks run.
    """
    name = cls.__name__
    # A shape's frozen set of present fields is a default: a fast local, shared by its models.
    lines = [
        "def structure_model(data):"
        if shape is None
        else "def structure_model(data, present=_present):"
    ]
    values: dict[str, str] = {}  # field name -> the expression of its value
    if shape is None:
        lines += ["    present, extra = _members(data)", "    get = data.get"]
    else:
        position = {key: index for index, key in enumerate(shape)}
        if shape:
            lines.append(
                f"    {''.join(f'm{index}, ' for index in range(len(shape)))}= data.values()"
            )
        known = {key for _, key, _ in fields}
        unknown = [f"{key!r}: m{index}" for index, key in enumerate(shape) if key not in known]
        lines.append(f"    extra = {{{', '.join(unknown)}}}" if unknown else "    extra = None")
    for index, (field_name, key, tp) in enumerate(fields):
        if shape is None:
            var = f"v{index}"
            lines.append(f"    {var} = get({key!r})")
        elif key in position:
            var = f"m{position[key]}"
        else:
            values[field_name] = "None"  # absent
            continue
        lines += _value_lines(name, key, tp, var, f"_h{index}")
        values[field_name] = var
    if fill:
        values.update(_present="present", _extra="extra")
        lines.append("    obj = _new(_fill)")
        for field in attrs.fields(cls):
            lines.append(f"    obj.{field.name} = {values.get(field.name, f'_d{field.name}')}")
        lines.append("    obj.__class__ = _cls")
    else:
        aliases = {f.name: f.alias for f in attrs.fields(cls)}
        if shape is None:
            lines.append("    kwargs = {}")
            for field_name, _, _ in fields:
                lines += [
                    f"    if {field_name!r} in present:",  # absent: attrs applies the default
                    f"        kwargs[{aliases[field_name]!r}] = {values[field_name]}",
                ]
            lines.append("    obj = _cls(**kwargs)")
        else:
            given = ", ".join(
                f"{aliases[field_name]}={values[field_name]}"
                for field_name, key, _ in fields
                if key in position
            )
            lines.append(f"    obj = _cls({given})")
        lines += ["    _set(obj, '_present', present)", "    _set(obj, '_extra', extra)"]
    lines.append("    return obj")
    return lines


def _filler(cls: type[Model]) -> type[Model] | None:
    """A subclass of ``cls`` that stores into its slots plainly, or None (use ``__init__``).

    A model's set tracking (``on_setattr``) gives it a ``__setattr__``, so each store costs a
    call; its filler has the plain one. The structure function fills a filler and then makes
    it a ``cls``: the filler adds no slots, so the two agree in layout, and the interpreter
    checks that once here. ``__init__`` would fill every slot a second time through the set
    tracking: as much again as the whole structuring.
    """
    if not _fills_slots(cls):
        return None
    filler: type[Model] = type(
        f"{cls.__name__}Filler",
        (cls,),
        {"__slots__": (), "__setattr__": object.__setattr__},
    )
    try:
        object.__setattr__(object.__new__(filler), "__class__", cls)
    except TypeError:  # e.g. a base class whose layout forbids it
        return None
    return filler


def _fills_slots(cls: type[Model]) -> bool:
    """Whether ``cls``'s structure functions may fill its slots themselves, skipping ``__init__``.

    That is right when ``__init__`` would do nothing more than store values: no validators,
    converters or init hooks, public fields that default to ``None`` and private ones to a
    constant, every one a slot.
    """
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None:
            return False
        constant = field.default is not attrs.NOTHING and not hasattr(field.default, "factory")
        if field.name in ("_extra", "_present"):
            pass  # Model's own, always set
        elif not (constant if field.name.startswith("_") else field.default is None):
            return False
        if not isinstance(
            inspect.getattr_static(cls, field.name, None), types.MemberDescriptorType
        ):
            return False
    return True


def _value_lines(name: str, key: str, tp: Any, var: str, hook: str) -> list[str]:
    """Code that checks ``var`` (the member ``key``) and converts it in place, through the
    structurer named ``hook`` where the type has one."""
    kind, _ = _kind(tp)
    if kind == _PASS:
        return []
    where = repr(f"{name}.{key}: ")
    lines = [f"    if {var} is not None:"]
    if kind == _DICT:
        lines += [
            f"        if _type({var}) is not _dict and not _isinstance({var}, _dict):",
            f"            raise _TypeError({where} + str(_not_a('object', {var})))",
        ]
    elif kind in (_LIST, _LIST_DICT, _LIST_HOOK):
        lines += [
            f"        if _type({var}) is not _list and not _isinstance({var}, _list):",
            f"            raise _TypeError({where} + str(_not_a('array', {var})))",
        ]
    if kind == _LIST_DICT:
        # (_check_dicts's loop, written out: a call per list costs as much as the loop.)
        lines += [
            f"        for i in {var}:",
            "            if i is not None and _type(i) is not _dict and not _isinstance(i, _dict):",
            f"                raise _TypeError({where} + str(_not_a('object', i)))",
        ]
    elif kind in (_LIST_HOOK, _HOOK):
        call = (
            f"{var} = [None if i is None else {hook}(i) for i in {var}]"
            if kind == _LIST_HOOK
            else f"{var} = {hook}({var})"
        )
        lines += [
            "        try:",
            f"            {call}",
            "        except Exception as exc:",
            f"            raise _TypeError({where} + str(exc)) from exc",
        ]
    return lines


# Shapes (member names in order) with a function of their own, per class: a page of one
# endpoint has one or a few. An object with more members than any model has fields (49) takes
# the general function: its own would cost a millisecond or more to write per 100 members.
_MAX_SHAPES = 32
_MAX_MEMBERS = 128


def _compile(
    cls: type, what: str, lines: list[str], namespace: dict[str, Any], **defaults: Any
) -> Any:
    """Compile ``lines``, which define ``{what}_model``, with ``namespace`` as its globals
    and ``defaults`` as the names its argument defaults may use."""
    source = "\n".join(lines) + "\n"
    filename = f"<cja_async {what} {cls.__module__}.{cls.__qualname__}>"
    # Only our own source, built from field names and repr()s of JSON names.
    defined = dict(defaults)  # not the namespace: functions may be written concurrently
    exec(compile(source, filename, "exec"), namespace, defined)
    fn = defined[f"{what}_model"]
    fn.__qualname__ = f"{what}_{cls.__name__}"
    return fn


def _unstructurer(cls: type[Model]) -> Callable[[Any], Any]:
    fn = _unstructurers.get(cls)
    if fn is None:
        fn = _unstructurers[cls] = _make_unstructure(cls)
    return fn


def _make_unstructure(cls: type[Model]) -> Callable[[Model], dict[str, Any]]:
    namespace: dict[str, Any] = {"_type": type, "_ATOMS": _ATOMS, "_u": converter.unstructure}
    lines = [
        "def unstructure_model(obj):",
        "    present = obj._present",
        "    out = {}",
    ]
    for field_name, key, _tp in _public_fields(cls):
        k = repr(key)
        lines += [
            f"    v = obj.{field_name}",
            "    if v is not None:",
            # Values of any type may have been assigned; only the JSON-ready ones skip cattrs.
            f"        out[{k}] = v if _type(v) in _ATOMS else _u(v)",
            # Absent stays absent; an explicit null (from JSON or set by the user) stays.
            f"    elif {field_name!r} in present:",
            f"        out[{k}] = None",
        ]
    lines += [
        "    extra = obj._extra",
        "    if extra:",
        "        for k, v in extra.items():",
        "            if k not in out:",
        "                out[k] = v",
        "    return out",
    ]
    fn: Callable[[Model], dict[str, Any]] = _compile(cls, "unstructure", lines, namespace)
    return fn


def _structure_hook_factory(tp: Any) -> Callable[[Any, Any], Any]:
    fn = _structurer(tp)

    def structure_hook(value: Any, _type: Any) -> Any:
        return fn(value)

    return structure_hook


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


# cattrs hands models and lists to the functions above too, e.g. inside a
# ``dict[str, list[Model]]`` that only cattrs knows how to structure.
converter.register_structure_hook_factory(_is_list, _structure_hook_factory)
converter.register_structure_hook_factory(_is_model, _structure_hook_factory)
converter.register_unstructure_hook_factory(_is_model, _unstructurer)


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` (a model, or e.g. ``list[Model]``) from decoded JSON."""
    fn = _structurers.get(cls)
    if fn is None:
        fn = _structurer(cls)
    result: T = fn(data)
    return result


def unstructure(obj: Any) -> Any:
    """The JSON-ready form of a model (or list of models), exactly as the API sent it."""
    fn = _unstructurers.get(type(obj))
    if fn is not None:
        return fn(obj)
    return converter.unstructure(obj)
