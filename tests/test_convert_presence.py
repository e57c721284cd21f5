"""The converter's presence and unknown-member bookkeeping, on every path that builds a model.

A model is built by generated code (a shape's own function, or the general function that
dict subclasses and shapes past the limit take) or, for a model with validators or defaults,
through ``__init__``.
Whichever builds it: absent stays absent, an explicit null stays null, unknown members come
back as they came, and a wrong shape is a ``TypeError`` naming the model and the member.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import attrs
import pytest

from cja_async._convert import structure, unstructure
from cja_async.models import Owner
from cja_async.models._base import Model, model


@model
class _Plain(Model):
    """Built by generated code (its own class, so no other test warmed its functions)."""

    name: str | None = None
    owner: Owner | None = None
    owners: list[Owner] | None = None
    tags: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    codes: list[str] | None = None


@model
class _ByInit(Model):
    """Built through __init__: a validator and a default."""

    count: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(int))
    )
    label: str | None = "unset"
    owner: Owner | None = None
    owners: list[Owner] | None = None


OBJECTS: list[dict[str, Any]] = [
    {},
    {"name": None},
    {"name": "n", "owner": None, "unknown": [1, {"a": None}]},
    {"owner": {"name": "Ada", "extraBit": 1}, "owners": [None, {"imsUserId": "U"}]},
    {"tags": [{"id": 1}, None], "meta": {"k": [1]}, "codes": ["a"], "zz": None},
]


@pytest.mark.parametrize("data", OBJECTS)
@pytest.mark.parametrize("cls", [_Plain, _ByInit])
def test_every_object_round_trips_exactly_on_every_path(
    cls: type[Model], data: dict[str, Any]
) -> None:
    if cls is _ByInit:
        data = {k: v for k, v in data.items() if k not in ("name", "tags", "meta", "codes")}
    # The shape's own code (written at the first sighting, then reused) and the general
    # code, which a dict subclass takes: all must agree.
    for given in (data, data, OrderedDict(data)):
        built = structure(given, cls)
        assert unstructure(built) == {**({"label": "unset"} if cls is _ByInit else {}), **data}


def test_absent_explicit_null_and_unknown_are_told_apart() -> None:
    for _ in range(3):
        absent, null = structure([{"name": "a"}, {"name": "b", "owner": None}], list[_Plain])
        assert absent.owner is None and null.owner is None
        assert "owner" not in absent._present and "owner" in null._present
        assert unstructure(absent) == {"name": "a"}
        assert unstructure(null) == {"name": "b", "owner": None}
        extra = structure({"name": "c", "new": 1, "newer": None}, _Plain)
        assert extra.extra == {"new": 1, "newer": None}
        assert structure({"name": "d"}, _Plain).extra == {}


def test_by_init_keeps_explicit_nulls_and_unknown_members() -> None:
    built = structure({"owner": None, "owners": None, "label": None, "more": 1}, _ByInit)
    assert built.owner is None and built.label is None and built.extra == {"more": 1}
    assert built._present == {"owner", "owners", "label"}
    assert unstructure(built) == {"owner": None, "owners": None, "label": None, "more": 1}
    nested = structure({"owner": {"name": "Ada"}, "owners": [{"name": "Bo"}, None]}, _ByInit)
    assert type(nested.owner) is Owner and nested.owner.name == "Ada"
    assert nested.owners is not None and nested.owners[1] is None
    again = structure({"owner": {"name": "Cy"}}, _ByInit)  # the nested hook, remembered
    assert again.owner is not None and again.owner.name == "Cy"


def test_a_dict_subclass_is_structured_like_a_dict() -> None:
    data = OrderedDict([("name", "n"), ("owner", OrderedDict(name="Ada")), ("x", 1)])
    for _ in range(3):
        built = structure(data, _Plain)
        assert built.name == "n" and built.owner is not None and built.owner.name == "Ada"
        assert built.extra == {"x": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owner": []}, "_Plain.owner: expected a JSON object for Owner, got list"),
        ({"owners": {}}, "_Plain.owners: expected a JSON array, got dict"),
        ({"owners": [3]}, "_Plain.owners: expected a JSON object for Owner, got int"),
        ({"tags": [3]}, "_Plain.tags: expected a JSON object, got int"),
        ({"meta": []}, "_Plain.meta: expected a JSON object, got list"),
        ({"codes": "abc"}, "_Plain.codes: expected a JSON array, got str"),
    ],
)
def test_wrong_shapes_name_the_model_and_member_on_every_path(
    data: dict[str, Any], message: str
) -> None:
    for given in (data, data, OrderedDict(data)):  # the shape's own code, the general code
        with pytest.raises(TypeError) as caught:
            structure(given, _Plain)
        assert str(caught.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object for _ByInit, got list"),
        ({"owner": []}, "_ByInit.owner: expected a JSON object for Owner, got list"),
        ({"owners": [1]}, "_ByInit.owners: expected a JSON object for Owner, got int"),
    ],
)
def test_wrong_shapes_through_init_name_the_model_and_member(data: Any, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        structure(data, _ByInit)
    assert str(caught.value) == message


def test_a_top_level_wrong_shape_names_the_model() -> None:
    for _ in range(2):
        with pytest.raises(TypeError, match=r"^expected a JSON object for _Plain, got list$"):
            structure([], _Plain)


PRE_INITS: list[str] = []


@model
class _Hooked(Model):
    """An init hook of each kind: it must be built through __init__, so both run."""

    name: str | None = None
    _hooked: str = attrs.field(default="", init=False, eq=False, repr=False)

    def __attrs_pre_init__(self) -> None:
        PRE_INITS.append("pre")

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_hooked", f"post {self.name}")


@model
class _PreInitOnly(Model):
    name: str | None = None

    def __attrs_pre_init__(self) -> None:
        PRE_INITS.append("pre only")


@model
class _PostInitOnly(Model):
    name: str | None = None
    _hooked: str = attrs.field(default="", init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_hooked", "post only")


@model
class _Private(Model):
    """Private fields of its own: a constant default (slots may be filled directly) and a
    factory (each object needs its own value: built through __init__)."""

    name: str | None = None
    _kind: str = attrs.field(default="plain", init=False, eq=False, repr=False)


@model
class _PrivateFactory(Model):
    name: str | None = None
    _notes: list[str] = attrs.field(factory=list, init=False, eq=False, repr=False)


def test_init_hooks_run_whichever_code_builds_the_model() -> None:
    PRE_INITS.clear()
    for _ in range(3):  # the general code, then the shape's own
        assert structure({"name": "n"}, _Hooked)._hooked == "post n"
        assert structure({"name": "n"}, _PostInitOnly)._hooked == "post only"
        structure({"name": "n"}, _PreInitOnly)
    assert PRE_INITS == ["pre", "pre only"] * 3


def test_private_fields_get_their_defaults() -> None:
    for _ in range(3):
        assert structure({"name": "n"}, _Private)._kind == "plain"
        first = structure({"name": "n"}, _PrivateFactory)
        second = structure({"name": "n"}, _PrivateFactory)
        assert first._notes == [] and first._notes is not second._notes
        assert unstructure(first) == {"name": "n"}


@attrs.define(kw_only=True, slots=False)
class _Unslotted(Model):
    """A subclass that keeps its fields in a ``__dict__``: no slot descriptors to fill."""

    label: str | None = None


def test_a_model_whose_fields_are_not_slots_is_built_through_init() -> None:
    data = {"label": "x", "other": 1}
    built = structure(data, _Unslotted)
    assert built.label == "x" and built.extra == {"other": 1}
    assert unstructure(built) == data
