"""The client's retry decision (``_retry.decide``) as a table: outcome and state in, one
decision out. The loop in ``Client._attempts`` only performs these."""

from __future__ import annotations

from typing import Any

import pytest

from cja_async import ResponseDecodeError
from cja_async._convert import structure
from cja_async._retry import Attempt, Pause, Raise, Renew, Retry, Return, decide
from cja_async.models import DataView
from cja_async.testing import Request, Response, Simulator


def half() -> float:
    return 0.5  # jitter fixed: backoff n waits 0.75 x 0.5 x 2**(n-1)


GET = {"method": "GET", "idempotent": True}
POST = {"method": "POST", "idempotent": False}
DELETE = {"method": "DELETE", "idempotent": True}
FRESH = {"attempt": 0, "max_retries": 5, "renewed": False, "maybe_done": False}

ROWS: list[tuple[str, Attempt, dict[str, Any], object]] = [
    ("a readable success returns", Attempt(200), GET, Return()),
    ("a readable success of a POST returns", Attempt(201), POST, Return()),
    ("a 299 is still a success", Attempt(299), GET, Return()),
    ("a 300 is no success: raised", Attempt(300), GET, Raise()),
    ("a 501 is not passing: raised", Attempt(501), GET, Raise()),
    (
        "a 2xx that is not JSON is read again",
        Attempt(200, readable=False, body_is_json=False),
        GET,
        Retry(0.375),
    ),
    ("a 2xx of the wrong shape is not", Attempt(200, readable=False), GET, Raise()),
    (
        "a 2xx not JSON, POST: not again",
        Attempt(200, readable=False, body_is_json=False),
        POST,
        Raise(),
    ),
    (
        "a 2xx not JSON, retries spent",
        Attempt(200, readable=False, body_is_json=False),
        {**GET, "attempt": 5},
        Raise(),
    ),
    ("network failure, GET: retry", Attempt(None), GET, Retry(0.375)),
    ("network failure, 3rd retry doubles twice", Attempt(None), {**GET, "attempt": 2}, Retry(1.5)),
    ("network failure, POST that reached: raise", Attempt(None), POST, Raise()),
    (
        "network failure, POST that never left: retry",
        Attempt(None, reached_server=False),
        POST,
        Retry(0.375),
    ),
    ("network failure, retries spent", Attempt(None), {**GET, "attempt": 5}, Raise()),
    ("no retries at all", Attempt(None), {**GET, "max_retries": 0}, Raise()),
    ("401 renews once", Attempt(401), GET, Renew()),
    ("401 renews a POST too", Attempt(401), POST, Renew()),
    ("401 after a renewal raises", Attempt(401), {**GET, "renewed": True}, Raise()),
    ("429 pauses the org, then retries", Attempt(429), POST, Pause(0.375, retry=True)),
    ("429 pause honours Retry-After", Attempt(429, retry_after=7.0), GET, Pause(7.0, retry=True)),
    (
        "429 with retries spent still pauses",
        Attempt(429),
        {**GET, "attempt": 5},
        Pause(12.0, retry=False),
    ),
    ("503 GET retries", Attempt(503), GET, Retry(0.375)),
    ("503 GET waits its Retry-After", Attempt(503, retry_after=4.0), GET, Retry(4.0)),
    ("500 GET retries", Attempt(500), GET, Retry(0.375)),
    ("503 POST raises", Attempt(503), POST, Raise()),
    ("503 retries spent", Attempt(503), {**GET, "attempt": 5}, Raise()),
    ("400 raises", Attempt(400), GET, Raise()),
    ("403 raises", Attempt(403), GET, Raise()),
    ("404 raises", Attempt(404), GET, Raise()),
    ("404 of a DELETE raises", Attempt(404), DELETE, Raise()),
    (
        "404 of a DELETE whose answer was lost is its success",
        Attempt(404),
        {**DELETE, "maybe_done": True},
        Return(none=True),
    ),
    ("404 of a GET after a lost answer raises", Attempt(404), {**GET, "maybe_done": True}, Raise()),
]


@pytest.mark.parametrize(
    ("outcome", "state", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_decide(outcome: Attempt, state: dict[str, Any], expected: object) -> None:
    assert decide(outcome, **{**FRESH, **state}, rand=half) == expected


def test_backoff_is_capped() -> None:
    decision = decide(Attempt(503), **{**FRESH, **GET, "attempt": 20, "max_retries": 99}, rand=half)
    assert decision == Retry(22.5)  # 75% of the 30 s cap


# -- reading the answer: the server's shape errors, not our bugs ----------------------------


@pytest.mark.anyio
async def test_a_body_of_another_shape_is_the_servers_fault(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/things/{id}")
    async def thing(_sim: Simulator, _req: Request) -> Response:
        return Response.json([1, 2])

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(ResponseDecodeError, match="expected a JSON object"):
            await cja.request("GET", "/things/1", parse=lambda data: structure(data, DataView))
        with pytest.raises(ResponseDecodeError, match="not of the expected shape"):
            await cja.request("GET", "/things/1", parse=lambda data: data["id"])
        assert sim.stats.requests == 2  # a wrong shape is not asked again


@pytest.mark.anyio
async def test_a_bug_in_a_reader_is_not_blamed_on_the_server(sim: Simulator, org_id: str) -> None:
    @sim.route("GET", "/things/{id}")
    async def thing(_sim: Simulator, _req: Request) -> Response:
        return Response.json({"id": "t1"})

    def buggy(data: Any) -> Any:
        return data.id  # a dict has no attribute ``id``: our mistake, not the answer's

    async with sim.client(org_id=org_id) as cja:
        with pytest.raises(AttributeError):
            await cja.request("GET", "/things/1", parse=buggy)
