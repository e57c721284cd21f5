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
- the model is made with ``object.__new__`` and its slots are filled directly, which skips
  ``__init__`` (it would fill every slot twice) and the set-tracking ``on_setattr`` hook;
- nested models call the nested class's function directly, resolved on first use (models
  may refer to themselves) and then bound for good;
- a shape (the members of an object, in order) seen twice gets a function of its own,
  which takes every value out in one unpacking and knows without looking which fields are
  absent and which members are unknown. The items of a page share one shape or a few.
A model class this cannot fill directly (a field with a validator, a converter, a default
other than ``None``, or no slot) is built through its ``__init__`` instead.

Enum-like values stay ``str``, so values Adobe adds later pass through. cattrs stays the
fallback for any other type (e.g. ``dict[str, list[str]]``) and the public ``converter``.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
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


def _structurer(tp: Any) -> Callable[[Any], Any]:
    """The one-argument structure function of ``tp``, built once."""
    fn = _structurers.get(tp)
    if fn is None:
        if _is_model(tp):
            fn = _make_structure(tp)
        elif typing.get_origin(tp) is list or tp is list:
            fn = _make_list_structure(tp)
        else:
            hook = converter.get_structure_hook(tp)
            fn = _bind_type(hook, tp)
        _structurers[tp] = fn
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


class _Lazy:
    """A hook looked up on first call, then written over its own name in the generated
    code's globals, so later calls go straight to the real function.

    Models may refer to themselves (audit-log criteria nest sub-criteria): resolving every
    field's hook while building the class's own function would recurse forever.
    """

    __slots__ = ("name", "namespace", "tp")

    def __init__(self, namespace: dict[str, Any], name: str, tp: Any) -> None:
        self.namespace, self.name, self.tp = namespace, name, tp

    def __call__(self, value: Any) -> Any:
        hook = _structurer(self.tp)
        self.namespace[self.name] = hook
        return hook(value)


def _builder_class(cls: type[Model]) -> type | None:
    """A stand-in class with ``cls``'s slot layout and plain attribute assignment, or None.

    The generated code fills a new object of this class with ordinary ``obj.x = value``
    stores (the fastest way to fill a slot; the model's own ``__setattr__`` runs the
    set-tracking hook and ``__init__`` fills every slot twice) and then gives it its real
    class. That is only right when ``__init__`` would do nothing more than store the
    values: no validators or converters, ``None`` defaults, nothing beyond
    ``_extra``/``_present`` among the private fields, no pre/post-init hooks.
    """
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return None
    if len(cls.__bases__) != 1 or "__slots__" not in cls.__dict__:
        return None
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None:
            return None
        if field.name.startswith("_"):
            if field.name not in ("_extra", "_present"):
                return None
        elif field.default is not None:
            return None
        slot = inspect.getattr_static(cls, field.name, None)
        if not isinstance(slot, types.MemberDescriptorType):
            return None
    builder = type(
        f"_{cls.__name__}Builder",
        cls.__bases__,
        {
            "__slots__": cls.__dict__["__slots__"],
            "__setattr__": object.__setattr__,
            "__module__": __name__,
        },
    )
    try:  # the interpreter checks that the layouts agree
        object.__setattr__(object.__new__(builder), "__class__", cls)
    except TypeError:
        return None
    return builder


def _make_structure(cls: type[Model]) -> Callable[[Any], Model]:
    fields = _public_fields(cls)
    keys = [key for _, key, _ in fields]
    if len(set(keys)) != len(keys):
        raise TypeError(f"{cls.__name__}: two fields have the same JSON name")
    builder = _builder_class(cls)
    if builder is None:
        return _make_structure_by_init(cls, fields)
    names = {key: field_name for field_name, key, _ in fields}
    # Member names, in order, of the objects seen so far -> (the fields present, whether
    # some members are unknown). A page of one endpoint has one shape or a few.
    shapes: dict[tuple[str, ...], tuple[frozenset[str], bool]] = {}
    # Shapes seen twice -> code written for exactly that shape (see _shape_lines).
    fast: dict[tuple[Any, ...], Callable[[dict[str, Any]], Model]] = {}

    def learn(shape: tuple[str, ...]) -> tuple[frozenset[str], bool]:
        present = frozenset(names[key] for key in shape if key in names)
        # Each JSON member fills at most one field: fewer fields than members means some
        # members are unknown.
        known = present, len(present) != len(shape)
        if len(shapes) < _MAX_SHAPES:  # bounded, whatever members arrive
            shapes[shape] = known
        return known

    def promote(shape: tuple[Any, ...]) -> None:
        # Keys go into source code as repr()s: only plain str keys (all that JSON has),
        # whose repr is always a plain literal.
        if (
            len(fast) < _MAX_FAST_SHAPES
            and len(shape) <= _MAX_FAST_MEMBERS
            and all(type(key) is str for key in shape)
        ):
            # Its own globals, with the nested hooks resolved now: a _Lazy would only ever
            # replace itself in the generic function's globals.
            ns = {k: _structurer(v.tp) if isinstance(v, _Lazy) else v for k, v in namespace.items()}
            fast[shape] = _compile(cls, "structure", _shape_lines(name, fields, shape, ns), ns)

    namespace: dict[str, Any] = {
        "_cls": cls,
        "_builder": builder,
        "_new": object.__new__,
        "_isinstance": isinstance,
        "_dict": dict,
        "_list": list,
        "_type": type,
        "_TypeError": TypeError,
        "_not_a": _not_a,
        "_check_dicts": _check_dicts,
        "_known": frozenset(keys),
        "_tuple": tuple,
        "_shapes": shapes,
        "_learn": learn,
        "_fast": fast,
        "_promote": promote,
    }
    name = cls.__name__
    lines = [
        "def structure_model(data, _t=None):",
        "    if _type(data) is _dict:",
        "        shape = _tuple(data)",
        "        f = _fast.get(shape)",
        "        if f is not None:",
        "            return f(data)",
        "    elif _isinstance(data, _dict):",
        "        shape = _tuple(data)",
        "    else:",
        f"        raise _TypeError({'expected a JSON object for ' + name + ', got '!r}"
        " + _type(data).__name__)",
        "    get = data.get",
        "    obj = _new(_builder)",
    ]
    for index, (field_name, key, tp) in enumerate(fields):
        if _kind(tp)[0] == _PASS:
            lines.append(f"    obj.{field_name} = get({key!r})")
        else:
            lines.append(f"    v = get({key!r})")
            lines += _value_lines(name, field_name, key, tp, f"_h{index}", "v", namespace)
    lines += [
        # Which members were present (explicit nulls included): one frozen set shared by
        # every model of the same shape; the set-tracking hook copies it before a change.
        # Looking the shape up (a tuple of names the decoder shares) beats computing it.
        "    known = _shapes.get(shape)",
        "    if known is None:",
        "        present, unknown = _learn(shape)",
        "    else:",
        "        present, unknown = known",
        "        if _type(data) is _dict:",
        "            _promote(shape)  # seen before: worth code of its own",
        "    obj._present = present",
        "    obj._extra = {k: v for k, v in data.items() if k not in _known} if unknown else None",
        "    obj.__class__ = _cls",
        "    return obj",
    ]
    fn: Callable[[Any], Model] = _compile(cls, "structure", lines, namespace)
    return fn


def _value_lines(
    name: str, field_name: str, key: str, tp: Any, hook: str, var: str, ns: dict[str, Any]
) -> list[str]:
    """Code that checks and converts ``var`` (the member ``key``) and stores it in the field."""
    kind, hook_type = _kind(tp)
    if kind == _PASS:
        return [f"    obj.{field_name} = {var}"]
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
    if kind in (_LIST_DICT, _LIST_HOOK, _HOOK):
        if kind == _LIST_DICT:
            call = f"_check_dicts({var})"
        else:
            ns.setdefault(hook, _Lazy(ns, hook, hook_type))
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
    lines.append(f"    obj.{field_name} = {var}")
    return lines


def _shape_lines(
    name: str, fields: list[tuple[str, str, Any]], shape: tuple[Any, ...], ns: dict[str, Any]
) -> list[str]:
    """The structure function of one shape (the members of a dict, in order).

    The values come out in one unpacking of ``data.values()`` instead of one lookup per
    field, absent fields are ``None`` without a lookup, and which fields are present and
    which members are unknown is written into the code: the fast path of bulk pages, whose
    items all have one shape or a few.
    """
    position = {key: index for index, key in enumerate(shape)}
    values = ", ".join(f"v{index}" for index in range(len(shape)))
    lines = ["def structure_model(data):"]
    if shape:
        lines.append(f"    {values}, = data.values()")
    lines.append("    obj = _new(_builder)")
    known = set()
    for index, (field_name, key, tp) in enumerate(fields):
        if key in position:
            known.add(key)
            var = f"v{position[key]}"
            lines += _value_lines(name, field_name, key, tp, f"_h{index}", var, ns)
        else:
            lines.append(f"    obj.{field_name} = None")
    present = frozenset(field_name for field_name, key, _ in fields if key in known)
    extra = ", ".join(f"{key!r}: v{index}" for index, key in enumerate(shape) if key not in known)
    extra = f"{{{extra}}}" if extra else "None"  # see Model._extra
    ns["_present_shape"] = present
    lines += [
        "    obj._present = _present_shape",
        f"    obj._extra = {extra}",
        "    obj.__class__ = _cls",
        "    return obj",
    ]
    return lines


# Distinct member sets remembered per class (a page of one endpoint has one or a few),
# how many of them get code of their own, and up to how many members.
_MAX_SHAPES = 256
_MAX_FAST_SHAPES = 8
_MAX_FAST_MEMBERS = 64


def _make_structure_by_init(
    cls: type[Model], fields: list[tuple[str, str, Any]]
) -> Callable[[Any], Model]:
    """The plain way, through ``cls(**kwargs)``, for a model the fast way cannot fill."""
    members = {key: (field_name, tp) for field_name, key, tp in fields}
    hooks: dict[str, Callable[[Any], Any]] = {}

    def structure_model(data: Any, _type: Any = None) -> Model:
        if not isinstance(data, dict):
            raise _not_a(f"object for {cls.__name__}", data)
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            member = members.get(key)
            if member is None:
                extra[key] = value
                continue
            field_name, tp = member
            if value is not None and not _passes(tp):
                hook = hooks.get(key)
                if hook is None:
                    hook = hooks[key] = _structurer(tp)
                try:
                    value = hook(value)
                except Exception as exc:
                    raise TypeError(f"{cls.__name__}.{key}: {exc}") from exc
            kwargs[field_name] = value
        obj = cls(**kwargs)
        # Set without the on_setattr hook: these are facts about the source JSON.
        object.__setattr__(obj, "_extra", extra)
        object.__setattr__(obj, "_present", set(kwargs))
        return obj

    return structure_model


def _compile(cls: type, what: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    source = "\n".join(lines) + "\n"
    filename = f"<cja_async {what} {cls.__module__}.{cls.__qualname__}>"
    # Only our own source, built from field names and repr()s of JSON names.
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[f"{what}_model"]
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
