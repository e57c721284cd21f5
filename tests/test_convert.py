"""The generated (un)structure functions: lossless, shape-checked, and models stay models."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest

from cja_async import _convert, models
from cja_async._convert import structure, unstructure
from cja_async.models import AuditLogCriteria, DataView, Owner, Report, Segment
from cja_async.models._base import Model, json_field, model

VIEW: dict[str, Any] = {
    "id": "dv_1",
    "name": "Web",
    "description": None,  # explicit null: must come back
    "owner": {"imsUserId": "U@AdobeID", "name": "Ada", "unknownOwnerBit": 1},
    "segmentList": ["<string>"],
    "isDeleted": "<boolean>",  # placeholders pass through, never coerced
    "sessionDefinition": [{"numPeriods": 30, "events": []}, None],
    "tags": [{"id": 1}, None],
    "componentSettings": {"caseSensitive": True},  # not modelled: kept
}


def test_structure_builds_real_models_and_round_trips() -> None:
    view = structure(VIEW, DataView)
    assert type(view) is DataView and isinstance(view, Model)
    assert view.owner is not None and type(view.owner).__name__ == "Owner"
    assert view.is_deleted == "<boolean>"  # type: ignore[comparison-overlap]
    assert view.session_definition is not None and view.session_definition[1] is None
    assert view.session_definition[0].num_periods == 30
    assert view.description is None and view.modified_date is None
    assert view.extra == {"componentSettings": {"caseSensitive": True}}
    assert view.owner.extra == {"unknownOwnerBit": 1}
    assert unstructure(view) == VIEW
    assert view == structure(VIEW, DataView)  # eq, repr work on the built objects
    assert "Web" in repr(view)
    assert attrs.evolve(view, name="x").name == "x"


def test_fields_set_after_structuring_are_sent_and_shapes_do_not_share_changes() -> None:
    first, second = structure([{"id": "a"}, {"id": "b"}], list[DataView])
    first.description = None  # set after construction: sent even though None
    first.name = "n"
    assert unstructure(first) == {"id": "a", "description": None, "name": "n"}
    assert unstructure(second) == {"id": "b"}  # same shape, untouched
    third = structure({"id": "c"}, DataView)
    assert unstructure(third) == {"id": "c"}


@model
class _Shaped(Model):
    """A model of its own, so that no other test has used up its shape-specific code."""

    name: str | None = None
    owner: Owner | None = None
    tags: list[dict[str, Any]] | None = None
    count: int | None = None


class _Subclass(dict[str, Any]):
    """A dict subclass: structured by the general function, a lookup per field."""


def test_shapes_get_their_own_code_and_agree_with_the_general_code() -> None:
    page = [
        {"name": f"n{i}", "owner": {"name": "Ada", "x": i}, "tags": [], "more": [i], "count": None}
        for i in range(3)
    ]
    built = structure(page, list[_Shaped])  # the shape's code, written once, used thrice
    assert [unstructure(b) for b in built] == page
    general = structure([_Subclass(item) for item in page], list[_Shaped])
    assert general == built and [b._present for b in general] == [b._present for b in built]
    assert [b.extra for b in built] == [{"more": [i]} for i in range(3)]
    assert built[2].count is None and "count" in built[2]._present  # explicit null kept
    assert type(built[2].owner) is Owner and built[2].owner.extra == {"x": 2}
    built[2].count = 5  # a change copies the frozen set the shape's models share
    assert unstructure(built[1])["count"] is None and unstructure(built[2])["count"] == 5
    # Same members, wrong values: the shape's own code checks like the general code.
    wrong: dict[str, Any] = {
        "name": "n",
        "owner": "not an object",
        "tags": [],
        "more": [],
        "count": None,
    }
    for given in (wrong, _Subclass(wrong)):
        with pytest.raises(TypeError, match=re.escape("_Shaped.owner: expected a JSON object")):
            structure(given, _Shaped)
    reordered = {"count": 1, "more": 0, "tags": None, "owner": None, "name": "r"}
    for _ in range(3):  # another order is another shape, with the same result
        again = structure(reordered, _Shaped)
        assert unstructure(again) == reordered and again.extra == {"more": 0}
        assert list(unstructure(again)) == ["name", "owner", "tags", "count", "more"]


class _Sneaky(str):
    def __repr__(self) -> str:
        raise AssertionError("a key's repr() reached generated code")


def test_only_plain_string_keys_reach_generated_code() -> None:
    payload = {_Sneaky("odd"): 1, "name": "n"}
    for _ in range(3):  # a shape seen again would get code of its own, but not this one
        built = structure(payload, _Shaped)
        assert built.name == "n" and built.extra == {"odd": 1}


def test_extra_is_a_dict_of_its_own_even_when_no_member_was_unknown() -> None:
    first, second = structure([{"id": "a"}, {"id": "b"}], list[DataView])
    assert first.extra == {} and first == DataView(id="a")  # nothing unknown: equal
    first.extra["addedLater"] = 1  # kept, and sent back
    assert unstructure(first) == {"id": "a", "addedLater": 1}
    assert second.extra == {} and unstructure(second) == {"id": "b"}
    assert first != structure({"id": "a"}, DataView)  # extra members count in equality


def test_free_form_json_is_kept_as_is() -> None:
    definition = {"func": "segment-def", "container": {"func": "container"}}
    segment = structure({"id": "s", "definition": definition, "categories": [1, "x"]}, Segment)
    assert segment.definition == definition
    assert unstructure(segment) == {"id": "s", "definition": definition, "categories": [1, "x"]}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"segmentList": "abc"}, "DataView.segmentList: expected a JSON array, got str"),
        ({"owner": ["x"]}, "DataView.owner: expected a JSON object for Owner, got list"),
        ({"sessionDefinition": [1]}, "DataView.sessionDefinition: expected a JSON object"),
        ({"tags": ["x"]}, "DataView.tags: expected a JSON object, got str"),
        ({"owner": {"imsUserId": "u"}, "externalData": 5}, "DataView.externalData"),
    ],
)
def test_wrong_shapes_raise_type_error_naming_the_member(
    payload: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        structure(payload, DataView)


def test_wrong_top_level_shapes_raise() -> None:
    with pytest.raises(TypeError, match="expected a JSON object for DataView"):
        structure([1], DataView)
    with pytest.raises(TypeError, match="expected a JSON array"):
        structure({"id": "x"}, list[DataView])
    with pytest.raises(TypeError, match=r"Segment\.definition: expected a JSON object"):
        structure({"definition": "x"}, Segment)


@pytest.mark.parametrize("many", [list[str], list[dict[str, Any]], list[Owner]])
def test_a_list_of_anything_given_no_array_says_so(many: Any) -> None:
    with pytest.raises(TypeError, match=r"^expected a JSON array, got str$"):
        structure("abc", many)


def test_self_referential_models_nest() -> None:
    criteria = {"subCriteria": {"subCriteria": {"fieldOperator": "AND"}}, "other": True}
    built = structure(criteria, AuditLogCriteria)
    assert built.sub_criteria is not None and built.sub_criteria.sub_criteria is not None
    assert built.sub_criteria.sub_criteria.field_operator == "AND"
    assert unstructure(built) == criteria


@model
class _Checked(Model):
    """A model the fast path cannot fill (a validator and a default): built by __init__."""

    value: int | None = attrs.field(default=None, validator=attrs.validators.instance_of(int))
    label: str | None = "unset"


def test_models_with_validators_or_defaults_go_through_init() -> None:
    built = structure({"value": 3, "more": 1}, _Checked)
    assert built.value == 3 and built.label == "unset" and built.extra == {"more": 1}
    assert unstructure(built) == {"value": 3, "label": "unset", "more": 1}
    with pytest.raises(TypeError):
        structure({"value": "3"}, _Checked)  # the validator ran


@model
class _Memo(Model):
    """A model with a private field of its own (as ``Report`` has ``_sent``)."""

    name: str | None = None
    owner: Owner | None = None
    _memo: str | None = attrs.field(default=None, init=False, repr=False, eq=False)


def _no_init(self: Any, **kwargs: Any) -> None:
    raise AssertionError(f"{type(self).__name__}.__init__ ran: the slower way, twice the cost")


def test_a_private_field_of_its_own_does_not_send_a_model_through_init(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cls in (_Memo, Report):
        monkeypatch.setattr(cls, "__init__", _no_init)
    built = structure({"name": "n", "owner": {"name": "Ada"}, "new": 1}, _Memo)
    assert built._memo is None and built.extra == {"new": 1}
    assert unstructure(built) == {"name": "n", "owner": {"name": "Ada"}, "new": 1}
    report = structure({"totalPages": 1, "rows": [], "later": None}, Report)
    assert report._sent is None and unstructure(report) == {
        "totalPages": 1,
        "rows": [],
        "later": None,
    }


@model
class _Constant(Model):
    """A private field with a constant default other than None: filled without __init__."""

    name: str | None = None
    _kind: str = attrs.field(default="plain", init=False, repr=False)


def test_a_private_field_with_a_constant_default_gets_it_without_init(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_Constant, "__init__", _no_init)
    for given in ({"name": "n"}, _Subclass(name="n")):
        built = structure(given, _Constant)
        assert built._kind == "plain" and built.name == "n"


def test_two_fields_with_one_json_name_are_refused() -> None:
    @model
    class _Twice(Model):
        parent_id: str | None = None
        other: str | None = json_field("parentId")

    with pytest.raises(TypeError, match="_Twice: two fields have the same JSON name"):
        structure({}, _Twice)


@pytest.mark.parametrize("cls", [_Shaped, _Checked])
def test_both_ways_of_building_store_the_same_empties(cls: type[Model]) -> None:
    key = "count" if cls is _Shaped else "value"
    plain = structure({key: 1}, cls)
    unknown = structure({key: 2, "zz": 1}, cls)
    # Nothing unknown: no dict at all; present fields: one frozen set per shape, shared.
    assert plain._extra is None and plain._present == frozenset({key})
    assert unknown._extra == {"zz": 1} and type(unknown._present) is frozenset
    assert structure({key: 3, "zz": 2}, cls)._present is unknown._present


def test_ever_new_members_write_a_bounded_amount_of_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that sends new member names in every object must not make the converter
    write (and keep) a function per object: past the limit, the general function serves."""

    @model
    class _Fresh(Model):
        name: str | None = None

    written: list[str] = []
    compile_ = _convert._compile

    def counting(cls: type, what: str, *args: Any, **kwargs: Any) -> Any:
        written.append(what)
        return compile_(cls, what, *args, **kwargs)

    monkeypatch.setattr(_convert, "_compile", counting)
    page = [{"name": f"n{i}", f"member{i}": i} for i in range(3 * _convert._MAX_SHAPES)]
    built = structure(page, list[_Fresh])
    assert [b.extra for b in built] == [{f"member{i}": i} for i in range(len(page))]
    assert [unstructure(b) for b in built] == page
    assert written.count("structure") == _convert._MAX_SHAPES + 1  # and the general one
    structure(page, list[_Fresh])  # seen before: nothing more is written
    assert written.count("structure") == _convert._MAX_SHAPES + 1

    @model
    class _Wide(Model):
        name: str | None = None

    del written[:]
    huge = {f"member{i}": i for i in range(20_000)}  # no code of its own: the general one
    assert structure(huge, _Wide).extra == huge and structure(huge, _Wide).extra == huge
    assert written.count("structure") == 1  # _Wide's general function, written once


MODELS = sorted(
    (
        c
        for c in vars(models).values()
        if isinstance(c, type) and issubclass(c, Model) and c is not Model
    ),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_model_is_built_without_its_init(
    cls: type[Model], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No model of ours silently takes the slower way (``__init__`` fills every slot a
    second time, through the set tracking), and none comes out as anything but itself."""

    monkeypatch.setattr(cls, "__init__", _no_init)
    field, key, _ = _convert._public_fields(cls)[0]
    for given in ({key: None, "zz": 1}, _Subclass({key: None, "zz": 1})):
        built = structure(given, cls)
        assert type(built) is cls and built.extra == {"zz": 1}
        assert unstructure(built) == {key: None, "zz": 1}
        setattr(built, field, "changed")  # the set tracking is back on the built model
        assert unstructure(built)[key] == "changed"
    fresh = structure({}, cls)
    setattr(fresh, field, None)  # set after structuring: sent, though None
    assert unstructure(fresh) == {key: None}
