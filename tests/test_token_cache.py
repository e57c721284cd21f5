"""The OAuth token cache against a small fake identity server (an httpx transport).

What is checked is what the identity server and the API see: how many token requests, how
long apart, with which form, and which token each caller gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

from cja_async import AuthenticationError, OAuthCredentials, TransportError
from cja_async._auth import OAuthTokenCache, token_lifetime

pytestmark = pytest.mark.anyio

CREDENTIALS = OAuthCredentials(
    client_id="the-client",
    client_secret="the-secret-42",
    scopes=("openid", "AdobeID"),
    token_url="https://ims.example/ims/token/v3",
)
Answer = Callable[[httpx.Request], httpx.Response]


def token(value: str = "tok", expires_in: float | None = 3600) -> httpx.Response:
    body: dict[str, object] = {"access_token": value, "token_type": "bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return httpx.Response(200, json=body)


def refused() -> httpx.Response:
    return httpx.Response(
        401, json={"error": "invalid_client", "error_description": "invalid client_secret"}
    )


class IdentityServer:
    """Answers token requests from a script: a response, or an exception to raise."""

    def __init__(self, *script: httpx.Response | type[httpx.TransportError]) -> None:
        self.script = list(script)
        self.forms: list[dict[str, list[str]]] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.forms.append(parse_qs(request.content.decode()))
        await asyncio.sleep(0.01)  # an answer takes time: other callers come meanwhile
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, httpx.Response):
            return step
        raise step("simulated", request=request)


class Harness:
    def __init__(self, server: IdentityServer) -> None:
        self.server = server
        self.now = 0.0
        self.sleeps: list[float] = []
        self.http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
        self.cache = OAuthTokenCache(
            CREDENTIALS, self.http, clock=lambda: self.now, sleep=self.sleep
        )

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


async def harness(*script: httpx.Response | type[httpx.TransportError]) -> Harness:
    return Harness(IdentityServer(*script))


def assert_backoff(sleeps: list[float]) -> None:
    """Retry n waited between half and all of 0.5 * 2**(n-1) seconds."""
    for n, seconds in enumerate(sleeps, start=1):
        assert 0.25 * 2 ** (n - 1) <= seconds <= 0.5 * 2 ** (n - 1)


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError],
)
async def test_a_token_fetch_is_retried_with_backoff_after_network_errors(
    error: type[httpx.TransportError],
) -> None:
    h = await harness(error, error, error, token("fresh"))
    assert await h.cache.token() == "fresh"
    assert h.cache.fetches == 4
    assert len(h.sleeps) == 3  # a pause before each retry, not back to back
    assert_backoff(h.sleeps)


async def test_a_token_fetch_that_keeps_failing_ends_after_max_attempts() -> None:
    h = await harness(httpx.ConnectError)
    with pytest.raises(TransportError) as caught:
        await h.cache.token()
    assert h.cache.fetches == 4
    assert len(h.sleeps) == 3  # no pause after the last attempt
    assert_backoff(h.sleeps)
    error = caught.value
    assert type(error) is TransportError  # refused connections are not timeouts
    assert error.message == (
        "could not get a token: no answer from the identity server at "
        "https://ims.example/ims/token/v3 after 4 attempts (ConnectError)"
    )
    assert (error.method, error.path) == ("POST", "/ims/token/v3")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried_with_backoff(status: int) -> None:
    h = await harness(httpx.Response(status, json={"error": "down"}), token("after"))
    assert await h.cache.token() == "after"
    assert h.cache.fetches == 2
    assert len(h.sleeps) == 1
    assert_backoff(h.sleeps)


async def test_server_errors_that_last_name_the_status_in_the_error() -> None:
    h = await harness(httpx.Response(503, json={"error_description": "maintenance"}))
    with pytest.raises(AuthenticationError, match=r"HTTP 503: maintenance") as caught:
        await h.cache.token()
    assert (caught.value.method, caught.value.path) == ("POST", "/ims/token/v3")
    assert caught.value.status_code == 503
    assert h.cache.fetches == 4
    assert len(h.sleeps) == 3


async def test_a_429_waits_for_retry_after() -> None:
    busy = httpx.Response(429, headers={"Retry-After": "9"}, json={"error": "slow down"})
    h = await harness(busy, token("later"))
    assert await h.cache.token() == "later"
    assert h.sleeps == [9.0]


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_refused_credentials_fail_at_once_without_the_secret(status: int) -> None:
    answer = httpx.Response(
        status, json={"error": "invalid_client", "error_description": "invalid client_secret"}
    )
    h = await harness(answer, token())
    with pytest.raises(AuthenticationError) as caught:
        await h.cache.token()
    assert (h.cache.fetches, h.sleeps) == (1, [])
    error = caught.value
    assert error.status_code == status and error.error_code == "invalid_client"
    assert (error.method, error.path) == ("POST", "/ims/token/v3")
    assert "refused the credentials: invalid client_secret" in str(error)
    assert "the-secret-42" not in str(error) + repr(error) + repr(vars(error))


async def test_the_form_names_the_client_its_secret_and_its_scopes() -> None:
    h = await harness(token())
    await h.cache.token()
    assert h.server.forms == [
        {
            "grant_type": ["client_credentials"],
            "client_id": ["the-client"],
            "client_secret": ["the-secret-42"],
            "scope": ["openid,AdobeID"],
        }
    ]


@pytest.mark.parametrize(
    ("expires_in", "renew_at"),
    [
        (3600, 3300.0),  # a tenth early, at most five minutes: 300 s
        (86400, 86100.0),
        (100, 90.0),  # a tenth: 10 s
        (None, 3300.0),  # no expires_in: taken as an hour
    ],
)
async def test_a_token_is_cached_until_shortly_before_it_expires(
    expires_in: float | None, renew_at: float
) -> None:
    h = await harness(token("one", expires_in), token("two", expires_in))
    assert await h.cache.token() == "one"
    h.now = renew_at - 0.01
    assert await h.cache.token() == "one"
    assert h.cache.fetches == 1
    h.now = renew_at
    assert await h.cache.token() == "two"
    assert h.cache.fetches == 2


async def test_invalidating_the_rejected_token_fetches_a_new_one() -> None:
    h = await harness(token("one"), token("two"))
    assert await h.cache.token() == "one"
    assert h.cache.invalidate("someone-elses") is True
    assert await h.cache.token() == "one"  # another token's rejection changes nothing
    assert h.cache.invalidate("one") is True
    assert await h.cache.token() == "two"
    assert h.cache.fetches == 2


async def test_many_callers_at_once_cause_one_token_request() -> None:
    h = await harness(token("shared"))
    tokens = await asyncio.gather(*(h.cache.token() for _ in range(20)))
    assert set(tokens) == {"shared"}
    assert h.cache.fetches == 1


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (3600, 3600.0),
        ("120", 120.0),
        (0.5, 1.0),  # at least a second
        (10**9, 86400.0),  # at most a day
        (0, 60.0),  # unusable: a minute
        (-5, 60.0),
        ("soon", 60.0),
        (None, 60.0),
        (float("nan"), 60.0),
    ],
)
def test_token_lifetime_bounds(expires_in: object, lifetime: float) -> None:
    assert token_lifetime(expires_in) == lifetime


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(200, content=b"<html>proxy</html>"), "200 without a usable access_token"),
        (httpx.Response(200, json={"token_type": "bearer"}), "200 without a usable access_token"),
        (httpx.Response(200, json=["tok"]), "200 without a usable access_token"),
        (httpx.Response(200, json={"access_token": ""}), "200 without a usable access_token"),
        (httpx.Response(200, json={"access_token": 42}), "200 without a usable access_token"),
    ],
)
async def test_a_200_without_a_usable_token_is_a_clear_error(
    answer: httpx.Response, message: str
) -> None:
    h = await harness(answer)
    with pytest.raises(AuthenticationError) as caught:
        await h.cache.token()
    error = caught.value
    assert error.message == f"the identity server answered {message}"
    assert (error.status_code, error.method, error.path) == (200, "POST", "/ims/token/v3")
    assert h.cache.fetches == 1


@pytest.mark.parametrize(
    ("body", "says", "code"),
    [
        ({"error": "invalid_client", "error_description": "no"}, "no", "invalid_client"),
        ({"error_code": "401013", "message": "not valid"}, "not valid", "401013"),
        ({"error": "invalid_scope"}, "invalid_scope", "invalid_scope"),
        ({"nothing": "useful"}, "Bad Request", None),
    ],
    ids=["oauth", "gateway", "code-only", "reason-phrase"],
)
async def test_a_refusal_says_what_the_identity_server_said(
    body: dict[str, str], says: str, code: str | None
) -> None:
    h = await harness(httpx.Response(400, json=body))
    with pytest.raises(AuthenticationError) as caught:
        await h.cache.token()
    assert says in caught.value.message
    assert caught.value.error_code == code
    assert (caught.value.method, caught.value.path) == ("POST", "/ims/token/v3")
    assert h.cache.fetches == 1  # a refusal is final
