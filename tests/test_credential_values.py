"""Credential values read from the environment or a credential file are stripped of
surrounding whitespace, not refused: ids, secrets and URLs never hold any, and a trailing
newline is what ``echo "$SECRET" > file`` or a paste from the Developer Console brings.
Values passed directly (``Client(org_id=...)``, ``OAuthCredentials(...)``) are the caller's
exact values and are checked as given."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cja_async import Client, OAuthCredentials
from cja_async.testing import Simulator

pytestmark = pytest.mark.anyio

ORG = "ENVSTRIP@AdobeOrg"
PADDED = {
    "CJA_ORG_ID": f"  {ORG}\n",
    "CJA_CLIENT_ID": "env-client\n",
    "CJA_CLIENT_SECRET": "\tenv-secret \r\n",
    "CJA_TOKEN_URL": " http://127.0.0.1/ims/token/v3\n",
    "CJA_BASE_URL": "http://127.0.0.1 \n",
    "CJA_SCOPES": " openid, AdobeID \n",
}


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(rate_limit=None)
    sim.add_client("env-client", "env-secret", ORG)
    return sim


async def test_client_from_env_strips_every_value_and_works(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulator checks the secret and the org header as Adobe does: the calls only
    succeed with the values stripped."""
    for name, value in PADDED.items():
        monkeypatch.setenv(name, value)
    async with Client.from_env(transport=httpx.ASGITransport(app=sim)) as cja:
        assert cja.org_id == ORG
        assert str(cja.base_url).rstrip("/") == "http://127.0.0.1"
        me = await cja.users.me()
        assert me.id
    credentials = OAuthCredentials.from_env()
    assert (credentials.client_id, credentials.client_secret) == ("env-client", "env-secret")
    assert credentials.token_url == "http://127.0.0.1/ims/token/v3"
    assert credentials.scopes == ("openid", "AdobeID")


@pytest.mark.parametrize("name", ["CJA_ORG_ID", "CJA_CLIENT_ID", "CJA_CLIENT_SECRET"])
def test_a_blank_required_variable_is_named_as_blank(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in PADDED.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv(name, " \n")
    with pytest.raises(ValueError, match=f"^environment variable {name} is blank$"):
        Client.from_env()
    monkeypatch.delenv(name)
    with pytest.raises(ValueError, match=f"^environment variable {name} is not set$"):
        Client.from_env()


def test_blank_optional_variables_mean_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PADDED.items():
        monkeypatch.setenv(name, value)
    for name in ("CJA_TOKEN_URL", "CJA_BASE_URL", "CJA_SCOPES"):
        monkeypatch.setenv(name, "  ")
    credentials = OAuthCredentials.from_env()
    default = OAuthCredentials("x", "y")
    assert (credentials.token_url, credentials.scopes) == (default.token_url, default.scopes)
    client = Client.from_env()
    assert client.base_url == Client(org_id=ORG, credentials=credentials).base_url


async def test_a_console_json_with_padded_values_works(sim: Simulator, tmp_path: Path) -> None:
    source = tmp_path / "credentials.json"
    console = {
        "ORG_ID": f"{ORG}\n",
        "CLIENT_ID": " env-client",
        "CLIENT_SECRETS": ["env-secret\n"],
        "SCOPES": ["openid", "AdobeID"],
    }
    source.write_text(json.dumps(console), encoding="utf-8")
    credentials = OAuthCredentials.from_console_json(source)
    assert (credentials.client_id, credentials.client_secret) == ("env-client", "env-secret")
    # Adobe's default URLs, answered in-process by the simulator: nothing leaves the test.
    async with Client.from_console_json(source, transport=httpx.ASGITransport(app=sim)) as cja:
        assert cja.org_id == ORG
        assert (await cja.users.me()).id


def test_a_value_passed_directly_is_checked_as_given() -> None:
    credentials = OAuthCredentials("id", "secret")
    with pytest.raises(ValueError, match="org_id must be an IMS org id"):
        Client(org_id=f" {ORG}", credentials=credentials)
