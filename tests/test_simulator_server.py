"""``python -m cja_async.testing``: help texts, a log line per request, a stats endpoint and
an exit summary, so a user can check that a program met no 429."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from cja_async import Client, OAuthCredentials, RateLimit, RateLimitError, Window
from cja_async.models import User
from cja_async.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG_ID,
    TOKEN_PATH,
    Simulator,
)
from cja_async.testing.__main__ import STATS_PATH, LoggedSimulator, main, summary


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for option in ("--port", "--speed", "--no-limits", "--latency", "--seed", "--quiet"):
        line = next(line for line in out.splitlines() if line.strip().startswith(option))
        assert len(line.split(maxsplit=2)) >= 2, f"{option} has no help text"
    assert STATS_PATH in out and "429" in out


@pytest.mark.anyio
async def test_each_request_is_logged_and_the_stats_endpoint_counts_them() -> None:
    sim = Simulator(rate_limit=None)
    lines: list[str] = []
    served = LoggedSimulator(sim, lines.append, clock=lambda: 0.0)
    transport = httpx.ASGITransport(app=served)
    async with sim.client(transport=transport) as cja:
        await cja.users.me()
        await cja.dataviews.list(limit=5)
    assert lines == [
        f"POST {TOKEN_PATH} 200 0ms",
        "GET /configuration/users/me 200 0ms",
        "GET /data/dataviews 200 0ms",
    ]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        stats = (await http.get(STATS_PATH)).json()
    assert stats["requests"] == 2 and stats["rejected_429"] == 0 and stats["token_requests"] == 1
    assert len(lines) == 3  # the stats endpoint itself is not an API request
    assert summary(sim).startswith("2 API requests, 0 answered 429, 1 token requests")


@pytest.mark.anyio
async def test_the_summary_counts_429s() -> None:
    strict = RateLimit(concurrency=6, windows=(Window(1, 3600.0),))
    sim = Simulator(rate_limit=strict)
    lines: list[str] = []
    transport = httpx.ASGITransport(app=LoggedSimulator(sim, lines.append))
    loose = RateLimit(concurrency=6, windows=(Window(100, 1.0),))  # a client that overspends
    async with sim.client(transport=transport, rate_limit=loose, max_retries=0) as cja:
        await cja.users.me()
        with pytest.raises(RateLimitError):
            await cja.users.me()
    assert lines[-1].startswith("GET /configuration/users/me 429 ")
    assert "2 API requests, 1 answered 429" in summary(sim)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_served_from_the_command_line_it_logs_and_sums_up_on_ctrl_c() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cja_async.testing", "--port", str(port), "--speed", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(7)]  # the banner's lines
        assert banner[0].startswith(f"CJA simulator at http://127.0.0.1:{port}")
        assert STATS_PATH in banner[-1]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                stats = httpx.get(base + STATS_PATH, timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        assert stats["requests"] == 0
        token = httpx.post(
            base + TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
            },
            timeout=5,
        ).json()["access_token"]
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": "sim-client",
            "x-gw-ims-org-id": "SIMORG@AdobeOrg",
        }
        assert httpx.get(base + "/configuration/users/me", headers=headers, timeout=5).is_success
        assert json.loads(httpx.get(base + STATS_PATH, timeout=5).text)["requests"] == 1
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=20)
    assert server.returncode == 0
    assert "GET /configuration/users/me 200 " in out
    assert f"POST {TOKEN_PATH} 200 " in out and token not in out
    assert "simulator stopped: 1 API requests, 0 answered 429, 1 token requests" in out


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cja_async.testing", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_a_port_in_use_is_one_line_and_exit_1_without_a_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve("--port", str(port))
        out, err = server.communicate(timeout=30)
    assert server.returncode == 1
    assert out == ""  # no banner for a server that never listened
    assert err.strip().splitlines() == [err.strip()]
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--port", "80000"), ("--latency", "-1"), ("--dataviews", "-1"), ("--speed", "0")],
)
def test_bad_options_are_usage_errors_not_tracebacks(option: str, value: str) -> None:
    server = _serve(option, value, "--port", "0")
    out, err = server.communicate(timeout=30)
    assert server.returncode == 2
    assert f"argument {option}: '{value}' is not" in err
    assert "Traceback" not in err and out == ""


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_port_0_serves_on_a_free_port_and_the_banner_names_it() -> None:
    server = _serve("--port", "0", "--quiet")
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        base = first.removeprefix("CJA simulator at ").strip()
        port = int(base.rsplit(":", 1)[1])
        assert port != 0
        deadline = time.monotonic() + 10
        while True:
            try:
                assert httpx.get(base + STATS_PATH, timeout=2).json()["requests"] == 0
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "simulator stopped: 0 API requests" in out


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_served_on_every_interface_the_banner_gives_urls_a_client_here_can_use() -> None:
    server = _serve("--host", "0.0.0.0", "--port", "0", "--quiet", "--no-limits")
    try:
        assert server.stdout is not None
        base = server.stdout.readline().removeprefix("CJA simulator at ").strip()
        assert base.startswith("http://127.0.0.1:")
        banner = [base, *(server.stdout.readline() for _ in range(7))]
        assert "listening on  all interfaces (0.0.0.0 port" in banner[-1]
        token_url = banner[1].split()[-1]
        assert token_url == base + TOKEN_PATH
        _wait_until_it_answers(base)

        async def whoami() -> User:
            credentials = OAuthCredentials(
                client_id=DEFAULT_CLIENT_ID,
                client_secret=DEFAULT_CLIENT_SECRET,
                token_url=token_url,
            )
            async with Client(org_id=DEFAULT_ORG_ID, credentials=credentials, base_url=base) as cja:
                return await cja.users.me()

        assert isinstance(asyncio.run(whoami()), User)  # the client takes these URLs
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert "simulator stopped: 1 API requests" in out


def _wait_until_it_answers(base: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(base + STATS_PATH, timeout=2)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)


@pytest.mark.parametrize(
    ("host", "shown", "everywhere"),
    [
        ("0.0.0.0", "127.0.0.1", True),
        ("::", "[::1]", True),
        ("", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.1", False),
        ("::1", "[::1]", False),
        ("localhost", "localhost", False),
    ],
)
def test_the_banner_host_is_one_a_client_on_this_machine_can_reach(
    host: str, shown: str, everywhere: bool
) -> None:
    from cja_async.testing.__main__ import _client_host

    assert _client_host(host) == (shown, everywhere)
