"""The base of every model: plain attrs classes that remember what JSON they came from.

Two things make a model lossless (API.md, "Models"):
- members the class does not know are kept in ``_extra`` and sent back unchanged;
- ``_present`` records which members the JSON had (or the user set after building the
  model), so an absent member stays absent and an explicit ``null`` stays ``null``. A field
  left at its default ``None`` is not sent: a whole-overwrite PUT must not wipe it.
The converter in ``cja_async._convert`` does the (un)structuring; models hold no such code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar, dataclass_transform

import attrs
from attrs import setters


def _mark_set(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> Any:
    # Assigning a field after construction (even to None) means "send this member".
    if not attribute.name.startswith("_"):
        present = instance._present
        if type(present) is frozenset:
            # The converter shares one frozen set among the models of one shape (faster
            # structuring): this model gets its own before its first change.
            present = set(present)
            object.__setattr__(instance, "_present", present)
        present.add(attribute.name)
    return value


_M = TypeVar("_M", bound="Model")


def _or_empty(extra: dict[str, Any] | None) -> dict[str, Any]:
    return extra or {}


def json_name(name: str) -> dict[str, str]:
    """Field metadata naming the JSON member when it is not the camelCase of the field."""
    return {"json": name}


def json_field(name: str) -> Any:
    """An optional field (``None`` by default) whose JSON member is ``name``, not the camelCase
    of the field's own name (``json_field("validator_version")``)."""
    return attrs.field(default=None, metadata=json_name(name))


def api_id() -> Any:
    """The ``id`` of a model the API returns: typed ``str`` (or ``int``) without ``None``.

    Every answer carries its id (a list without ``expansion`` returns nothing else), so code
    that passes ``created.id`` or ``view.id`` to the next call type-checks as written. A
    model built locally for ``create`` has no id until the API returns one: there it is
    ``None`` at run time (absent, so never sent) and methods given it raise ``TypeError``.
    """
    return attrs.field(default=None)


_ON_SETATTR: list[Callable[[Any, attrs.Attribute[Any], Any], Any]] = [
    setters.convert,
    setters.validate,
    _mark_set,
]


@dataclass_transform(kw_only_default=True, field_specifiers=(attrs.field,))
def model(cls: type[_M]) -> type[_M]:
    """Class decorator for models: ``attrs.define`` with keyword-only fields and set tracking."""
    return attrs.define(cls, kw_only=True, on_setattr=_ON_SETATTR)


@attrs.define(kw_only=True, on_setattr=_ON_SETATTR)
class Model:
    """Base class of every API model.

    ``extra`` holds the JSON members this version of cja-async does not know about; they
    are sent back as they came.
    """

    # None until there is something in it: most models have no unknown members, and an
    # empty dict for each was a third of the objects a page of data views allocated (and
    # of the garbage collector's work). Compared as ``{}``.
    _extra: dict[str, Any] | None = attrs.field(default=None, init=False, repr=False, eq=_or_empty)
    # A frozenset when it came from the converter (shared; copied on the first change).
    _present: set[str] | frozenset[str] = attrs.field(factory=set, init=False, repr=False, eq=False)

    @property
    def extra(self) -> dict[str, Any]:
        """JSON members not modelled by this class, kept for the round trip (and sent back
        as they are, changes included)."""
        extra = self._extra
        if extra is None:
            extra = {}
            object.__setattr__(self, "_extra", extra)  # not a member: no set tracking
        return extra

    def __copy__(self) -> Self:
        """A shallow copy with its own bookkeeping: changing either model (a field, or a
        member of ``extra``) never changes what the other sends."""
        cls = type(self)
        twin = cls.__new__(cls)
        for field in attrs.fields(cls):
            object.__setattr__(twin, field.name, getattr(self, field.name))
        present, extra = self._present, self._extra
        # A frozen set is shared safely (it is copied before a change); a set is not.
        object.__setattr__(
            twin, "_present", present if type(present) is frozenset else set(present)
        )
        object.__setattr__(twin, "_extra", None if extra is None else dict(extra))
        return twin

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON object for this model, ready for ``json.dumps``.

        Members are camelCase as the API names them; unknown members (``extra``) are
        included; a member the model never had stays absent and an explicit ``null`` stays
        ``None``, so ``Type.from_dict(m.to_dict()) == m`` and ``from_dict(d).to_dict() == d``.
        The result is a new object: changing it does not change the model.
        """
        from .._convert import unstructure  # the converter imports this module

        data: dict[str, Any] = copy.deepcopy(unstructure(self))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from the API's JSON object (e.g. one that ``to_dict`` gave).

        The inverse of ``to_dict``: unknown members go to ``extra``, absent ones stay
        absent. ``data`` is copied, not kept. Raises ``TypeError`` when ``data`` is not a
        JSON object or a member has the wrong shape (a list where an object belongs).
        """
        from .._convert import structure

        if not isinstance(data, Mapping):
            raise TypeError(
                f"{cls.__name__}.from_dict expects a JSON object (dict), got {type(data).__name__}"
            )
        return structure(copy.deepcopy(dict(data)), cls)
