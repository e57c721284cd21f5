"""The org's calculated metrics, seeded with formulas over a few base metrics."""

from __future__ import annotations

import random
from collections.abc import Iterator

from .._dates import iso
from ._base import JSON, HexIdStore, random_moment, user_owner

__all__ = ["CALCULATED_METRICS_PER_ORG", "CalculatedMetrics"]

CALCULATED_METRICS_PER_ORG = 40

_BASE_METRICS = ("metrics/visits", "metrics/visitors", "metrics/occurrences", "metrics/revenue")
_OPERATORS = ("divide", "multiply", "add", "subtract")
_TYPES = ("DECIMAL", "PERCENT", "CURRENCY", "TIME")


class CalculatedMetrics(HexIdStore):
    """The org's calculated metrics (``CALCULATED_METRICS_PER_ORG`` seeded, every fourth
    one tagged)."""

    kind = "calculated metric"
    seed_name = "calculatedmetrics"
    id_prefix = "cm_"

    def _seed(self, rng: random.Random) -> Iterator[JSON]:
        org = self.org
        users = list(org.users.list())
        views = sorted(org.dataviews.ids())[:8] or ["dv_none"]
        tag_ids = sorted(org.tags.ids())
        for index in range(CALCULATED_METRICS_PER_ORG):
            owner = rng.choice(users)
            created = random_moment(rng)
            first, second = rng.sample(_BASE_METRICS, 2)
            operator = rng.choice(_OPERATORS)
            view = rng.choice(views)
            metric_id = f"cm_{rng.getrandbits(96):024x}"
            if tag_ids and index % 4 == 0:
                org.tags.set_on("calculatedMetric", metric_id, rng.sample(tag_ids, 2))
            yield {
                "id": metric_id,
                "name": f"{first[8:].title()} {operator} {second[8:]} {index + 1}",
                "description": f"Simulated calculated metric {index + 1}",
                "rsid": view,
                "dataId": view,
                "owner": user_owner(owner),
                "polarity": rng.choice(("positive", "negative")),
                "precision": rng.choice((0, 1, 2)),
                "type": rng.choice(_TYPES),
                "definition": {
                    "func": "calc-metric",
                    "formula": {
                        "func": operator,
                        "col1": {"func": "metric", "name": first},
                        "col2": {"func": "metric", "name": second},
                    },
                    "version": [1, 0, 0],
                },
                "isDeleted": False,
                "internal": index % 19 == 7,
                "template": index % 13 == 5,
                "approved": rng.random() < 0.3,
                "favorite": rng.random() < 0.2,
                "categories": [rng.choice(("Revenue", "Engagement", "Conversion"))],
                "created": iso(created),
                "modified": iso(created),
                # A member no client model declares: it must survive a round trip.
                "migratedIds": [],
            }
