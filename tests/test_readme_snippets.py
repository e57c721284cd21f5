"""The README's "real client" snippets run unchanged against the simulator.

They build their client with ``Client.from_env()``, as users do; here the environment points
it at the simulator served by uvicorn on loopback, so the code runs exactly as written,
from credentials to output. ``SNIPPETS`` holds them; any README block that uses
``Client.from_env()`` is run the same way.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cja_async.testing import Simulator, serve

LIST_DATA_VIEWS = """\
import asyncio

from cja_async import Client


async def main() -> None:
    # CJA_ORG_ID, CJA_CLIENT_ID and CJA_CLIENT_SECRET come from the environment.
    async with Client.from_env() as cja:
        async for view in cja.dataviews.list(expansion=["name", "owner"], limit=100):
            owner = view.owner.name if view.owner else "(no owner)"
            print(f"{view.id}  {view.name}  owned by {owner}")


asyncio.run(main())
"""

CREATE_DATA_VIEW = """\
import asyncio

from cja_async import Client
from cja_async.models import DataView


async def main() -> None:
    async with Client.from_env() as cja:
        # A data view sits on a connection: take the first one.
        connection = (await cja.connections.list(limit=1)).items[0]
        created = await cja.dataviews.create(
            DataView(
                name="Web - all channels",
                description="Created with cja-async",
                parent_data_group_id=connection.id,
            )
        )
        print("created", created.id, created.name)


asyncio.run(main())
"""

CONNECTION_WITH_DATASETS = """\
import asyncio

from cja_async import Client


async def main() -> None:
    async with Client.from_env() as cja:
        views = await cja.dataviews.list(expansion=["name", "parentDataGroupId"], limit=1)
        view = views.items[0]
        if view.parent_data_group_id is None:  # only there when the expansion asks for it
            raise SystemExit(f"{view.id} has no connection id")
        connection = await cja.connections.get(
            view.parent_data_group_id, expansion=["name", "dataSets", "schemaInfo"]
        )
        print(f"{view.name} uses connection {connection.name}:")
        for data_set in connection.data_sets or []:
            schema = data_set.schema_info.schema_name if data_set.schema_info else "?"
            print(f"  {data_set.data_set_id}  {data_set.type:8}  {data_set.name}  ({schema})")


asyncio.run(main())
"""

SNIPPETS = {
    "list-data-views": LIST_DATA_VIEWS,
    "create-data-view": CREATE_DATA_VIEW,
    "connection-with-datasets": CONNECTION_WITH_DATASETS,
}

README = Path(__file__).resolve().parent.parent / "README.md"
README_BLOCKS = [
    block
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    if "Client.from_env()" in block and "asyncio.run(" in block
]


@pytest.fixture
def served_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A simulator on a loopback port, and CJA_* variables pointing a client at it."""
    sim = Simulator(rate_limit=None, dataviews=150)
    with serve(sim) as base_url:
        org_id = f"R{uuid.uuid4().hex[:16].upper()}@AdobeOrg"  # its own limiter in this process
        sim.add_client("readme-client", "readme-secret", org_id)
        for name, value in {
            "CJA_ORG_ID": org_id,
            "CJA_CLIENT_ID": "readme-client",
            "CJA_CLIENT_SECRET": "readme-secret",
            "CJA_TOKEN_URL": f"{base_url}/ims/token/v3",
            "CJA_BASE_URL": base_url,
        }.items():
            monkeypatch.setenv(name, value)
        yield sim


def run(code: str) -> None:
    exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})


def test_list_data_views_with_name_and_owner(
    served_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    run(LIST_DATA_VIEWS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 150
    assert all(" owned by " in line and "(no owner)" not in line for line in lines)


def test_create_a_data_view(served_env: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    run(CREATE_DATA_VIEW)
    out = capsys.readouterr().out
    assert out.startswith("created dv_") and "Web - all channels" in out


def test_get_a_connection_with_its_datasets(
    served_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    run(CONNECTION_WITH_DATASETS)
    lines = capsys.readouterr().out.splitlines()
    assert " uses connection " in lines[0] and len(lines) >= 2
    assert all("Schema)" in line for line in lines[1:])


@pytest.mark.parametrize(
    "code", README_BLOCKS, ids=[f"readme-{i}" for i in range(len(README_BLOCKS))]
)
def test_readme_blocks_using_from_env_run(
    code: str, served_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    run(code)
    assert capsys.readouterr().out.strip()
