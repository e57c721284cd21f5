"""The README-ready examples for calculated metrics, date ranges, tags, shares, annotations
and audit logs run against the simulator (each is a whole program that prints)."""

from __future__ import annotations

import pytest

CALCULATED_METRICS = """
import asyncio

from cja_async.models import CalculatedMetric
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        definition = {
            "func": "calc-metric",
            "formula": {
                "func": "divide",
                "col1": {"func": "metric", "name": "metrics/visits"},
                "col2": {"func": "metric", "name": "metrics/visitors"},
            },
            "version": [1, 0, 0],
        }
        draft = CalculatedMetric(name="Visits per visitor", data_id="dv_123", definition=definition)
        check = await cja.calculated_metrics.validate(draft)
        print("valid:", check.is_valid, "uses", check.functions)
        metric = await cja.calculated_metrics.create(draft)
        await cja.calculated_metrics.update(metric.id, CalculatedMetric(precision=2))  # merged
        async for m in cja.calculated_metrics.list(expansion=["definition"], sort_property="name"):
            print(m.id, m.name, m.type)
        some = await cja.calculated_metrics.get_many([metric.id])
        print(some[0].precision, len(await cja.calculated_metrics.functions()), "functions")


asyncio.run(main())
"""

DATE_RANGES = """
import asyncio

from cja_async.models import DateRange
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        made = await cja.date_ranges.create(DateRange(name="This month", definition="tm/tm+1m"))
        await cja.date_ranges.update(made.id, DateRange(description="Calendar month to date"))
        async for item in cja.date_ranges.list(expansion=["definition"], limit=100):
            print(item.id, item.name, item.definition)
        await cja.date_ranges.delete(made.id)


asyncio.run(main())
"""

TAGS = """
import asyncio

from cja_async.models import ComponentTags, Tag, TaggedComponent
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        segment = TaggedComponent(component_type="segment", component_id="s300_abc")
        [sales] = await cja.tags.create([Tag(name="sales", components=[segment])])
        print(sales.id, [t.name for t in await cja.tags.of_component("s300_abc", "segment")])
        # Overwrite: the segment ends up with exactly these tags.
        await cja.tags.replace(
            [ComponentTags(component_type="segment", component_id="s300_abc",
                           tags=[Tag(name="marketing"), Tag(name="emea")])]
        )
        print(await cja.tags.component_ids(["emea"], "segment"))
        async for item in cja.tags.search("segment", ["s300_abc"]):
            print(item.component_id, [t.name for t in item.tags or []])


asyncio.run(main())
"""

SHARES = """
import asyncio

from cja_async.models import ComponentShares, Share
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        async for share in cja.shares.list(include_type=["sharedTo"]):  # shared with me
            print(share.component_type, share.component_id, "from", share.share_from_ims_id)
        # Authoritative: every other share of this segment is deleted.
        await cja.shares.replace(
            [ComponentShares(component_type="segment", component_id="s300_abc",
                             shares=[Share(share_to_id=622291, share_to_type="user")])]
        )
        async for item in cja.shares.search("segment", ["s300_abc"]):
            print(item.component_id, [s.share_to_id for s in item.shares or []])


asyncio.run(main())
"""

ANNOTATIONS = """
import asyncio

from cja_async.models import Annotation
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        note = await cja.annotations.create(
            Annotation(name="Spring sale", data_id="dv_123", color="STANDARD3",
                       date_range="2025-03-01T00:00:00/2025-03-07T23:59:59")
        )
        await cja.annotations.update(note.id, Annotation(description="Banner on home page"))
        async for a in cja.annotations.list(
            expansion=["name", "dateRange"],
            filter_by_date_range="2025-01-01T00:00:00Z/2025-12-31T23:59:59Z",
        ):
            print(a.id, a.name, a.date_range)


asyncio.run(main())
"""

AUDIT_LOGS = """
import asyncio

from cja_async.models import AuditLogCriteria, AuditLogField
from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator(rate_limit=None).client(org_id="DEMO@AdobeOrg") as cja:
        # AND filters; pages are fetched with pageSize/pageNumber behind the scenes.
        async for log in cja.audit_logs.list(action=["CREATE", "DELETE"],
                                             component="CALCULATED_METRIC", limit=100):
            print(log.date_created, log.action, log.component.id if log.component else "")
        # OR criteria; pass user_token= when your org requires the x-user-auth header.
        either = AuditLogCriteria(field_operator="OR", fields=[
            AuditLogField(field_type="ACTION", value=["DELETE"], operator="IN"),
            AuditLogField(field_type="DESCRIPTION", value=["project"], operator="CONTAINS"),
        ])
        page = await cja.audit_logs.search(either, limit=10)
        print(page.total_elements, "matching records")


asyncio.run(main())
"""

EXAMPLES = {
    "calculated_metrics": CALCULATED_METRICS,
    "date_ranges": DATE_RANGES,
    "tags": TAGS,
    "shares": SHARES,
    "annotations": ANNOTATIONS,
    "audit_logs": AUDIT_LOGS,
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(EXAMPLES[name], f"<{name} example>", "exec"), {"__name__": "__example__"})
    assert capsys.readouterr().out.strip()
