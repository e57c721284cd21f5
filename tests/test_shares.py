"""``cja.shares`` against the simulator, and Adobe's example answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from postman_examples import examples

from cja_async import Client, NotFoundError, StaticToken
from cja_async._convert import structure, unstructure
from cja_async.models import ComponentShares, Share
from cja_async.testing import Simulator, technical_account_id

pytestmark = pytest.mark.anyio


def share_to(user: str) -> Share:
    return Share(share_to_ims_id=user, share_to_type="user", access_level="view")


async def test_mine_and_shared_to_me(cja: Client) -> None:
    me = technical_account_id(f"client-{cja.org_id}")
    mine = [s async for s in cja.shares.list()]
    assert mine and all(s.share_from_ims_id == me for s in mine)
    to_me = [s async for s in cja.shares.list(include_type=["sharedTo"])]
    assert to_me and all(s.share_to_ims_id == me for s in to_me)
    ids = await cja.shares.shared_with_me(str(to_me[0].component_type))
    assert to_me[0].component_id in ids
    # An admin can list another user's shares.
    other = str(mine[0].share_to_ims_id)
    theirs = [s async for s in cja.shares.list(user_id=other, include_type=["sharedTo"])]
    assert mine[0].share_id in {s.share_id for s in theirs}


async def test_replace_overwrites_get_delete(cja: Client) -> None:
    users = [u async for u in cja.users.list(limit=5)][:2]
    first = await cja.shares.replace(
        [
            ComponentShares(
                component_type="segment", component_id="s_x", shares=[share_to(str(users[0].id))]
            )
        ]
    )
    assert first[0].status == {"success": True}
    again = await cja.shares.replace(
        [
            ComponentShares(
                component_type="segment", component_id="s_x", shares=[share_to(str(users[1].id))]
            )
        ]
    )
    found = await cja.shares.search("segment", ["s_x"], expansion=["sharesFullName"])
    shares = found.items[0].shares or []
    assert [s.share_to_ims_id for s in shares] == [users[1].id]  # the first share is gone
    assert shares[0].share_to_display_name == users[1].full_name
    share_id = (again[0].shares or [])[0].share_id
    assert share_id is not None
    assert (await cja.shares.get(share_id)).component_id == "s_x"
    await cja.shares.delete(share_id)
    with pytest.raises(NotFoundError):
        await cja.shares.get(share_id)


async def test_bad_arguments_cost_no_request(cja: Client, sim: Simulator, org_id: str) -> None:
    mixed = [
        ComponentShares(component_type="segment", component_id="a", shares=[]),
        ComponentShares(component_type="project", component_id="b", shares=[]),
    ]
    with pytest.raises(ValueError, match="component_type"):
        await cja.shares.replace(mixed)
    with pytest.raises(TypeError, match="share_id"):
        await cja.shares.get(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="share_id"):
        await cja.shares.delete(-1)
    with pytest.raises(ValueError, match="user_id"):
        cja.shares.list(user_id="")
    assert sim.org_stats(org_id).requests == 0


async def test_replace_answer_as_one_object_is_a_list(org_id: str) -> None:
    # The spec answers one object where the guide (and the simulator) answer an array.
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"componentType": "segment", "componentId": "s"})

    async with Client(
        org_id=org_id,
        credentials=StaticToken(access_token="t", client_id="c"),
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(server),
    ) as cja:
        result = await cja.shares.replace(
            [ComponentShares(component_type="segment", component_id="s", shares=[])]
        )
    assert [r.component_id for r in result] == ["s"]


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("GET", "/componentmetadata/shares", list[Share]),
        ("PUT", "/componentmetadata/shares", ComponentShares),
        ("GET", "/componentmetadata/shares/:id", Share),
        ("GET", "/componentmetadata/shares/sharedto/me", list[str]),
        ("POST", "/componentmetadata/shares/component/search", ComponentShares),
    ],
)
def test_postman_examples_round_trip(method: str, path: str, model: Any) -> None:
    found = examples(method, path)
    assert found
    for name, body in found:
        assert unstructure(structure(body, model)) == body, name
