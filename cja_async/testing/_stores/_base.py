"""The store every resource of a simulated org keeps its objects in.

A store is moto's "backend" for one resource: it holds the objects, seeds them lazily
and deterministically, and answers typed questions (``get``, ``list``, ``owned_by``...).
It knows nothing of HTTP: the route modules parse requests, call stores, render answers.
Objects stay JSON objects (``dict``), because their wire shape is what they are.
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from .._state import OrgState

__all__ = [
    "JSON",
    "SEEDED_SINCE",
    "HexIdStore",
    "IntIdStore",
    "ItemNotFound",
    "Store",
    "ims_owner",
    "owner_id",
    "random_moment",
    "user_owner",
]

JSON = dict[str, Any]
K = TypeVar("K", str, int)


class ItemNotFound(KeyError):
    """A store has no object with this id (a :class:`KeyError`)."""

    def __init__(self, kind: str, item_id: object, org_id: str) -> None:
        super().__init__(item_id)
        self.kind = kind
        self.item_id = item_id
        self.org_id = org_id

    def __str__(self) -> str:
        return f"no {self.kind} with id {self.item_id!r} in org {self.org_id}"


SEEDED_SINCE = datetime(2021, 1, 1, tzinfo=UTC)


def random_moment(rng: random.Random, days: int = 3 * 365) -> datetime:
    """A seeded instant after :data:`SEEDED_SINCE`."""
    return SEEDED_SINCE + timedelta(seconds=rng.randrange(days * 86400))


def user_owner(user: Mapping[str, Any]) -> JSON:
    """The short ``owner`` member (metrics, date ranges, annotations) for an org user."""
    return {"imsUserId": user["id"], "name": user["fullName"]}


def ims_owner(user_id: str, name: str | None) -> JSON:
    """The ``owner`` member as the segment and project APIs answer it."""
    return {"imsUserId": user_id, "ownerId": user_id, "name": name, "type": "imsUser"}


def owner_id(item: Mapping[str, Any]) -> Any:
    """The ``owner.imsUserId`` of a component (``None`` when it has no such owner)."""
    owner = item.get("owner")
    return owner.get("imsUserId") if isinstance(owner, dict) else None


class Store(Generic[K]):
    """The objects of one kind in one org, by id, in the order they were added.

    Seeded on first use from the simulator's seed, the org id and :attr:`seed_name`, so
    adding a store never changes another one's data. Objects are returned by reference:
    changing one in a test changes what the simulator answers::

        segments = sim.org(DEFAULT_ORG_ID).segments
        mine = segments.add({"name": "Mine", "rsid": "dv_1", "definition": {...}})
        ...  # the code under test renames it through a client
        assert segments.get(mine["id"])["name"] == "Renamed"
        assert all(s["owner"]["imsUserId"] == user for s in segments.owned_by(user))
    """

    kind: ClassVar[str] = "object"
    """What errors call one object (``"segment"``)."""
    seed_name: ClassVar[str] = ""
    """Names this store's random stream (kept as it is, so the seeded data stays put)."""

    def __init__(self, org: OrgState) -> None:
        self.org = org
        self._items: dict[K, JSON] | None = None

    def _seed(self, rng: random.Random) -> Iterable[JSON]:
        """The objects a new org starts with (none by default)."""
        return ()

    @property
    def _by_id(self) -> dict[K, JSON]:
        if self._items is None:
            rng = random.Random(f"{self.org.seed}:{self.org.org_id}:{self.seed_name}")
            self._items = {item["id"]: item for item in self._seed(rng)}
        return self._items

    def new_id(self) -> K:
        """A fresh id for an object of this store."""
        raise NotImplementedError

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> builtins.list[K]:
        """Every id, oldest first."""
        return builtins.list(self._by_id)

    def list(self) -> builtins.list[JSON]:
        """Every object, soft-deleted ones included, oldest first."""
        return builtins.list(self._by_id.values())

    def live(self) -> builtins.list[JSON]:
        """The objects not soft-deleted (``isDeleted`` is not ``true``)."""
        return [item for item in self._by_id.values() if item.get("isDeleted") is not True]

    def owned_by(self, user_id: str) -> builtins.list[JSON]:
        """The objects whose ``owner.imsUserId`` is ``user_id`` (soft-deleted ones too)."""
        return [item for item in self._by_id.values() if owner_id(item) == user_id]

    def find(self, item_id: K) -> JSON | None:
        """The object with this id, else ``None``."""
        return self._by_id.get(item_id)

    def get(self, item_id: K) -> JSON:
        """The object with this id, else :class:`ItemNotFound`."""
        item = self._by_id.get(item_id)
        if item is None:
            raise ItemNotFound(self.kind, item_id, self.org.org_id)
        return item

    def add(self, item: Mapping[str, Any]) -> JSON:
        """Store a new object (given a fresh ``id`` first when it has none); the stored object.

        Raises ``ValueError`` if the id is taken: :meth:`replace` changes an object.
        """
        stored: JSON = dict(item) if "id" in item else {"id": self.new_id(), **item}
        if stored["id"] in self._by_id:
            raise ValueError(f"{self.kind} {stored['id']!r} exists already; replace() it")
        self._by_id[stored["id"]] = stored
        return stored

    def replace(self, item: Mapping[str, Any]) -> JSON:
        """Store ``item`` whole in place of the object with its ``id``; the stored object."""
        self.get(item["id"])
        stored = self._by_id[item["id"]] = dict(item)
        return stored

    def update(self, item_id: K, changes: Mapping[str, Any]) -> JSON:
        """Store the object with ``changes`` merged over its members; the stored object."""
        return self.replace({**self.get(item_id), **changes})

    def delete(self, item_id: K) -> JSON:
        """Remove the object for good (soft deletion is ``update(id, {"isDeleted": True})``)."""
        self.get(item_id)
        return self._by_id.pop(item_id)


class HexIdStore(Store[str]):
    """A store whose ids are :attr:`id_prefix` plus 24 hex digits (``dv_0123...``)."""

    id_prefix: ClassVar[str] = ""

    def new_id(self) -> str:
        """A fresh id, from the org's stream of new ids."""
        return self.org.new_id(self.id_prefix, self._by_id)


class IntIdStore(Store[int]):
    """A store whose ids are integers counting up from :attr:`first_id`."""

    first_id: ClassVar[int] = 1

    def new_id(self) -> int:
        """One more than the largest id so far."""
        return max(self._by_id, default=self.first_id - 1) + 1
