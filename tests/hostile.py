"""Misbehaving servers for the reliability tests.

:class:`RawServer` is an HTTP/1.1 server on loopback written on bare asyncio streams, for
byte-level tricks no well-behaved framework would play (gzip bombs, bodies trickled a byte at
a time): each connection serves one request, and the handler writes whatever bytes it likes.
:class:`IdentityServer` is an ASGI app in front of the simulator that answers the token
endpoint its own way (a nested body, an echo, ``expires_in: 0``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import TracebackType
from typing import Any

import attrs
import httpx

from cja_async import CJAError
from cja_async.testing import TOKEN_PATH, Simulator

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@attrs.frozen
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


RawHandler = Callable[[RawRequest, asyncio.StreamWriter], Awaitable[None]]


def raw_response(
    status: int = 200, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()
) -> bytes:
    """The bytes of a whole response (``content-length`` from ``body`` unless given)."""
    given = list(headers)
    names = {name.lower() for name, _ in given}
    lines = [f"HTTP/1.1 {status} Status", "connection: close"]
    if "content-length" not in names:
        lines.append(f"content-length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in given]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def token_answer(token: str = "raw-server-token-0123456789", expires_in: float = 3600) -> bytes:
    return raw_response(
        200,
        json.dumps({"access_token": token, "expires_in": expires_in}).encode(),
        [("content-type", "application/json")],
    )


class RawServer:
    """``async with RawServer(handler) as server``: ``server.base_url``, ``server.requests``.

    Token requests are answered with a token unless the handler is asked for them too
    (``tokens=False``).
    """

    def __init__(self, handler: RawHandler, *, tokens: bool = True) -> None:
        self.handler = handler
        self.tokens = tokens
        self.requests: list[RawRequest] = []
        self.base_url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def api_requests(self) -> list[RawRequest]:
        return [r for r in self.requests if r.path != TOKEN_PATH]

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            first, *lines = head.decode("latin-1").split("\r\n")
            method, target, _ = first.split(" ", 2)
            headers = {}
            for line in lines:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request = RawRequest(method, target.split("?")[0], headers, body)
            self.requests.append(request)
            if self.tokens and request.path == TOKEN_PATH:
                writer.write(token_answer())
            else:
                await self.handler(request, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)


TokenRewrite = Callable[[int, bytes, bytes], Awaitable[tuple[int, list[tuple[str, str]], bytes]]]


class IdentityServer:
    """The simulator, with the answers of its token endpoint replaced by ``rewrite``.

    ``rewrite(status, body, form)`` gets what the simulator answered and the form sent, and
    returns ``(status, headers, body)`` to send instead. ``calls`` holds the time of each
    token request (the loop's clock).
    """

    def __init__(self, sim: Simulator, rewrite: TokenRewrite) -> None:
        self.sim = sim
        self.rewrite = rewrite
        self.calls: list[float] = []

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != TOKEN_PATH:
            await self.sim(scope, receive, send)
            return
        self.calls.append(asyncio.get_running_loop().time())
        form = b""
        while True:
            message = await receive()
            form += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer: dict[str, Any] = {"body": b""}

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": form, "more_body": False}

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            else:
                answer["body"] += message.get("body", b"")

        await self.sim(scope, replay, capture)
        status, headers, body = await self.rewrite(answer["status"], answer["body"], form)
        raw = [(k.lower().encode(), v.encode()) for k, v in headers]
        if not any(k == b"content-length" for k, _ in raw):
            raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def chain(error: BaseException) -> list[BaseException]:
    """``error`` and every exception it chains (cause and context), each once."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or any(exc is seen for seen in found):
            continue
        found.append(exc)
        todo += [exc.__cause__, exc.__context__]
    return found


def assert_clean(error: BaseException, *secrets: str) -> None:
    """``error`` is a ``CJAError``; neither it nor anything it chains holds a secret, nor an
    httpx exception (whose ``request`` carries the headers and the token form)."""
    assert isinstance(error, CJAError), f"{type(error).__name__} escaped: {error!r}"
    for exc in chain(error):
        assert not isinstance(exc, httpx.HTTPError | httpx.StreamError), f"chains {exc!r}"
        attributes = {k: v for k, v in vars(exc).items() if not k.startswith("__")}
        for value in attributes.values():
            assert not isinstance(value, httpx.Request | httpx.Response), f"holds {value!r}"
        text = f"{exc}\n{exc!r}\n{exc.args!r}\n{attributes!r}"
        for secret in secrets:
            assert secret not in text, f"{secret!r} is in {type(exc).__name__}: {text}"
