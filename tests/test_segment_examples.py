"""The README-ready examples for segments and asset transfer, run exactly as written.

``asyncio.run`` is pointed at a virtual-time loop so Adobe's real rate limits (which the
examples' simulator enforces) cost no wall time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from cja_async.testing import VirtualTimeLoop

SEGMENT_EXAMPLE = """\
import asyncio

from cja_async.models import Segment
from cja_async.testing import Simulator

DEFINITION = {
    "func": "segment-def",
    "version": [1, 0, 0],
    "container": {
        "func": "segment",
        "context": "visits",
        "pred": {
            "func": "range",
            "description": "Revenue of 500 or more",
            "val": {"func": "attr", "name": "metrics/revenue"},
            "low": 500,
        },
    },
}


async def main() -> None:
    async with Simulator().client() as cja:  # or Client(org_id=..., credentials=...)
        view = (await cja.dataviews.list(limit=1)).items[0]
        check = await cja.segments.validate(DEFINITION, rsid=view.id)
        if not check.valid:
            raise SystemExit(f"bad definition: {check.errors}")
        segment = await cja.segments.create(
            Segment(name="High value visits", rsid=view.id, definition=DEFINITION)
        )
        print("created", segment.id)
        # A partial update: only the description is sent, everything else stays.
        segment = await cja.segments.update(segment.id, description="Visits with $500+ revenue")
        print("updated", segment.name, "-", segment.description)
        await cja.segments.delete(segment.id)
        # Deleted segments leave every list but can still be fetched by id.
        print("deleted, still fetchable:", (await cja.segments.get(segment.id)).name)


asyncio.run(main())
"""

TRANSFER_EXAMPLE = """\
import asyncio

from cja_async.testing import Simulator


async def main() -> None:
    async with Simulator().client() as cja:  # an admin's Client(org_id=..., credentials=...)
        users = [user async for user in cja.users.list(limit=100)]
        leaver, successor = users[0].id, users[1].id
        projects = [p.id async for p in cja.projects.list(owner_id=leaver, limit=1000)]
        segments = [s.id async for s in cja.segments.list(owner_id=leaver, limit=1000)]
        # Any number of ids: sent 100 per request, the answers merged into one result.
        result = await cja.assets.transfer(successor, {"project": projects, "segment": segments})
        print(result.status, f"{len(projects)} projects, {len(segments)} segments,",
              len(result.errors or []), "failed")
        for count in await cja.assets.counts(leaver):
            print(count.component_type, count.count)


asyncio.run(main())
"""


def _virtual_run(main: Coroutine[Any, Any, Any]) -> Any:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)


@pytest.fixture(autouse=True)
def virtual_asyncio_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "run", _virtual_run)


def run(code: str) -> None:
    exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})


def test_segment_example(capsys: pytest.CaptureFixture[str]) -> None:
    run(SEGMENT_EXAMPLE)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created s")
    assert out[1] == "updated High value visits - Visits with $500+ revenue"
    assert out[2] == "deleted, still fetchable: High value visits"


def test_transfer_example(capsys: pytest.CaptureFixture[str]) -> None:
    run(TRANSFER_EXAMPLE)
    out = capsys.readouterr().out.splitlines()
    status, *counts = out
    assert status.startswith("status_success") and status.endswith(" 0 failed")
    assert "project 0" in counts and "segment 0" in counts
