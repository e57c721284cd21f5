"""The org's tags and which components carry them.

Which tags a component carries is kept apart from the tags themselves, so deleting a tag
takes it off every component.
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ._base import JSON, IntIdStore

if TYPE_CHECKING:
    from .._state import OrgState

__all__ = ["TAGS_PER_ORG", "Tags"]

TAGS_PER_ORG = 12
_NAMES = ("sales", "marketing", "finance", "warehouse", "web", "mobile", "emea", "americas")


class Tags(IntIdStore):
    """The org's tags by integer id (``TAGS_PER_ORG`` seeded), and the tags on components.

    Components are named by type and id (``"segment"``, ``"s300000123_..."``); they need not
    exist in their own store. Seeded components get their tags when their store is seeded.
    """

    kind = "tag"
    seed_name = "tags"
    first_id = 35600

    def __init__(self, org: OrgState) -> None:
        super().__init__(org)
        # "componentType:componentId" -> the tag ids on that component, in order.
        self._on: dict[str, builtins.list[int]] = {}

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        for index in range(TAGS_PER_ORG):
            name = f"{_NAMES[index % len(_NAMES)]}-{index // len(_NAMES) + 1}"
            yield {"id": self.first_id + index, "name": name, "description": f"{name} components"}

    def named(self, name: object) -> JSON | None:
        """The first tag called ``name``, else ``None``."""
        return next((tag for tag in self.list() if tag["name"] == name), None)

    def ids_on(self, component_type: str, component_id: str) -> builtins.list[int]:
        """The ids of the tags on a component (those set, whether they exist or not)."""
        return builtins.list(self._on.get(f"{component_type}:{component_id}", ()))

    def on(self, component_type: str, component_id: str) -> builtins.list[JSON]:
        """The tags on a component, as the API shows them (``id``, ``name``, ``description``)."""
        ids = self.ids_on(component_type, component_id)
        return [dict(tag) for tag in (self.find(tag_id) for tag_id in ids) if tag is not None]

    def set_on(self, component_type: str, component_id: str, tag_ids: Iterable[int]) -> None:
        """Give a component exactly ``tag_ids`` (none: take every tag off it)."""
        key = f"{component_type}:{component_id}"
        ids = builtins.list(dict.fromkeys(tag_ids))
        if ids:
            self._on[key] = ids
        else:
            self._on.pop(key, None)

    def components_with(self, tag_id: int) -> builtins.list[tuple[str, str]]:
        """``(componentType, componentId)`` of every component carrying the tag."""
        return [
            (key.split(":", 1)[0], key.split(":", 1)[1])
            for key, ids in self._on.items()
            if tag_id in ids
        ]

    def delete(self, item_id: int) -> JSON:
        """Delete the tag and take it off every component."""
        tag = super().delete(item_id)
        for component_type, component_id in self.components_with(item_id):
            remaining = [i for i in self.ids_on(component_type, component_id) if i != item_id]
            self.set_on(component_type, component_id, remaining)
        return tag
