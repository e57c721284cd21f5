"""The dimensions and metrics of the org's data views.

Every data view gets the same catalogue of components (with per-view flags drawn from a
generator seeded by the view id), made on first use, so seeded and created views alike
have dimensions and metrics. A few of each are hidden: lists leave them out unless
``includeType=hidden``. The routes live in ``_dataviews.py``.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from ._base import JSON, Store

__all__ = ["Components"]

# (id, name, type, schema path); the last two of each are hidden.
_DIMENSIONS = (
    ("daterangeday", "Day", "TIME", "timestamp"),
    ("daterangeweek", "Week", "TIME", "timestamp"),
    ("daterangemonth", "Month", "TIME", "timestamp"),
    ("page", "Page Name", "STRING", "web.webPageDetails.name"),
    ("pageurl", "Page URL", "STRING", "web.webPageDetails.URL"),
    ("marketingchannel", "Marketing Channel", "STRING", "channel.typeAtSource"),
    ("referrer", "Referrer", "STRING", "web.webReferrer.URL"),
    ("browser", "Browser", "STRING", "environment.browserDetails.name"),
    ("operatingsystem", "Operating System", "STRING", "environment.operatingSystem"),
    ("devicetype", "Device Type", "STRING", "device.type"),
    ("country", "Country", "STRING", "placeContext.geo.countryCode"),
    ("city", "City", "STRING", "placeContext.geo.city"),
    ("campaign", "Campaign", "STRING", "marketing.trackingCode"),
    ("searchterm", "Internal Search Term", "STRING", "search.keywords"),
    ("productname", "Product Name", "STRING", "productListItems.name"),
    ("productcategory", "Product Category", "STRING", "productListItems.productCategories"),
    ("orderid", "Order ID", "STRING", "commerce.order.purchaseID"),
    ("loyaltytier", "Loyalty Tier", "STRING", "_exampleorg.loyalty.tier"),
    ("pagedepth", "Page Depth", "INT", "_exampleorg.pageDepth"),
    ("timespent", "Time Spent (bucketed)", "INT", "_exampleorg.timeSpent"),
    ("crmsegment", "CRM Segment", "STRING", "_exampleorg.crm.segment"),
    ("debugflag", "Debug Flag", "BOOLEAN", "_exampleorg.debug.enabled"),
    ("rawuseragent", "Raw User Agent", "STRING", "environment.browserDetails.userAgent"),
)
_METRICS = (
    ("occurrences", "Occurrences", "INT", "timestamp"),
    ("visits", "Sessions", "INT", "timestamp"),
    ("visitors", "People", "INT", "identityMap"),
    ("pageviews", "Page Views", "INT", "web.webPageDetails.pageViews.value"),
    ("revenue", "Revenue", "CURRENCY", "commerce.order.priceTotal"),
    ("orders", "Orders", "INT", "commerce.purchases.value"),
    ("units", "Units", "INT", "productListItems.quantity"),
    ("cartadditions", "Cart Additions", "INT", "commerce.productListAdds.value"),
    ("bouncerate", "Bounce Rate", "PERCENT", "timestamp"),
    ("timespentpervisit", "Time Spent per Session", "TIME", "timestamp"),
    ("loyaltypoints", "Loyalty Points", "DECIMAL", "_exampleorg.loyalty.points"),
    ("debugevents", "Debug Events", "INT", "_exampleorg.debug.count"),
    ("rawhits", "Raw Hits", "INT", "timestamp"),
)
_HIDDEN_PER_KIND = 2


def _common(
    rng: random.Random, prefix: str, entry: tuple[str, str, str, str], hidden: bool
) -> JSON:
    short_id, name, type_, schema_path = entry
    data_set_id = f"{rng.getrandbits(96):024x}"
    return {
        "id": f"{prefix}{short_id}",
        "name": name,
        "description": f"{name} (simulated)",
        "type": type_,
        "sourceFieldId": schema_path,
        "sourceFieldName": schema_path.rsplit(".", 1)[-1],
        "sourceFieldType": type_.lower(),
        "storageId": f"{short_id}_{data_set_id[:6]}",
        "dataSetIds": [data_set_id],
        "dataSetType": "EVENT",
        "schemaType": type_.lower(),
        "schemaPath": schema_path,
        "tableName": "events",
        "required": False,
        "hideFromReporting": hidden,
        "hidden": hidden,
        "hasData": rng.random() < 0.9,
        "segmentable": True,
        "favorite": False,
        "approved": rng.random() < 0.3,
        "fromGlobalLookup": False,
        "multiValued": short_id.startswith("product"),
        "tags": [],
        "includeExcludeSetting": {"enabled": False, "caseSensitive": False, "rules": []},
    }


def _dimension(rng: random.Random, entry: tuple[str, str, str, str], hidden: bool) -> JSON:
    item = _common(rng, "variables/", entry, hidden)
    numeric = entry[2] == "INT"
    item["bucketingSetting"] = {
        "enabled": numeric,
        "bucketSettings": [{"from": 0, "to": 5}, {"from": 5, "to": 20}] if numeric else [],
    }
    item["noValueOptionsSetting"] = {"option": "show-no-value", "value": "No value"}
    item["defaultDimensionSort"] = entry[2] == "TIME"
    item["persistenceSetting"] = {"enabled": entry[0] in ("campaign", "marketingchannel")}
    return item


def _metric(rng: random.Random, entry: tuple[str, str, str, str], hidden: bool) -> JSON:
    item = _common(rng, "metrics/", entry, hidden)
    currency = entry[2] == "CURRENCY"
    item["countType"] = "instances"
    item["formatSetting"] = {
        "polarity": "positive",
        "formatType": {"CURRENCY": "currency", "PERCENT": "percent", "TIME": "time"}.get(
            entry[2], "decimal"
        ),
        "decimalPlaces": 2 if currency else 0,
        "currency": "USD" if currency else None,
    }
    item["attributionSetting"] = {"enabled": False}
    item["precision"] = 2 if entry[2] in ("CURRENCY", "DECIMAL") else 0
    return item


class Components(Store[str]):
    """The dimensions and metrics of each data view, by data view id, made on first use
    (``add`` takes an object whose ``id`` is the data view's)."""

    kind = "data view's components"
    seed_name = "dataview-components"

    def of(self, view_id: str) -> dict[str, Any]:
        """``{"dimensions": [...], "metrics": [...]}`` of data view ``view_id``."""
        entry = self.find(view_id)
        if entry is None:
            entry = self.add(self._make(view_id))
        return entry

    def copy(self, source_id: str, target_id: str) -> None:
        """Give data view ``target_id`` a deep copy of the components of ``source_id``."""
        copied = copy.deepcopy(self.of(source_id))
        copied["id"] = target_id
        self._by_id[target_id] = copied

    def _make(self, view_id: str) -> JSON:
        org = self.org
        rng = random.Random(f"{org.seed}:{org.org_id}:{view_id}:components")
        dims = [
            _dimension(rng, entry, index >= len(_DIMENSIONS) - _HIDDEN_PER_KIND)
            for index, entry in enumerate(_DIMENSIONS)
        ]
        metrics = [
            _metric(rng, entry, index >= len(_METRICS) - _HIDDEN_PER_KIND)
            for index, entry in enumerate(_METRICS)
        ]
        return {"id": view_id, "dimensions": dims, "metrics": metrics}
