"""What the cheaper common path of a request must keep: URLs joined as httpx joins them, the
whole-response deadline told apart from other cancellations, bodies in any JSON encoding,
``Content-Encoding``/``Content-Length`` read as httpx reads them.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cja_async import (
    Client,
    RequestTimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    StaticToken,
)
from cja_async._receive import receive

pytestmark = pytest.mark.anyio

ORG = "HOTPATH0000000000000000@AdobeOrg"


def client(handler: Any, base_url: str = "https://cja.adobe.io", **kwargs: Any) -> Client:
    return Client(
        org_id=ORG,
        credentials=StaticToken("token", client_id="hot-path"),
        base_url=base_url,
        transport=httpx.MockTransport(handler),
        max_retries=0,
        **kwargs,
    )


def answer(body: bytes = b"{}", **kwargs: Any) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, **kwargs)

    return handler


@pytest.mark.parametrize(
    "base_url",
    [
        "https://cja.adobe.io",
        "https://cja.adobe.io/",
        "https://h.example/sub",
        "http://[::1]:8080/a%20b/",
        "https://proxy.example/cja/XX/",  # only the trailing slash goes, never a letter
    ],
)
async def test_request_urls_are_joined_to_base_url_as_httpx_joins_them(base_url: str) -> None:
    paths = [
        "/data/dataviews/dv_1",
        "/a b/%C3%BC?x=1&y=%20",
        "/a%2Fb;p",
        "/x?",
        "/",
        "/a/../b",
        "//elsewhere.example/x",  # httpx's own reading: the host part is dropped
        "/a?b#frag",
        "relative",
    ]
    sent: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return httpx.Response(200, json={})

    async with client(handler, base_url) as cja, httpx.AsyncClient(base_url=base_url) as plain:
        for path in paths:
            await cja.request("GET", path, params={"limit": "1"})
            expected = plain.build_request("GET", path, params={"limit": "1"}).url
            assert (sent[-1], sent[-1].raw_path) == (expected, expected.raw_path), path


async def test_a_base_url_with_a_query_is_left_to_httpx() -> None:
    sent: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return httpx.Response(200, json={})

    base_url = "https://cja.adobe.io/?tenant=1"
    async with client(handler, base_url) as cja, httpx.AsyncClient(base_url=base_url) as plain:
        await cja.request("GET", "/data/dataviews")
    assert sent == [plain.build_request("GET", "/data/dataviews").url]


def never_answers(request: httpx.Request) -> httpx.Response:
    """``/slow`` sends its headers and then nothing; any other path answers ``{"ok": true}``."""

    async def body() -> AsyncIterator[bytes]:
        await asyncio.sleep(10_000)  # virtual seconds
        yield b"{}"

    if request.url.path != "/slow":
        return httpx.Response(200, json={"ok": True})
    return httpx.Response(200, content=body())


async def test_the_deadline_ends_the_request_and_leaves_the_task_uncancelled() -> None:
    loop = asyncio.get_running_loop()
    async with client(never_answers, timeout=30.0) as cja:
        t0 = loop.time()
        with pytest.raises(RequestTimeoutError, match="within 30 s"):
            await cja.request("GET", "/slow")
        assert 30 <= loop.time() - t0 < 31
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # its own cancel taken back
        await asyncio.sleep(1)  # and nothing left pending to cancel it later
        assert await cja.request("GET", "/fine") == {"ok": True}


async def test_a_cancellation_during_the_deadline_is_not_turned_into_a_timeout() -> None:
    async with client(never_answers, timeout=30.0) as cja:
        task = asyncio.create_task(cja.request("GET", "/slow"))
        await asyncio.sleep(5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The deadline's timer went with the request: nothing cancels anything at 30 s.
        survivor = asyncio.create_task(asyncio.sleep(60, result="done"))
        assert await survivor == "done"


async def test_a_cancellation_already_asked_for_wins_over_the_deadline() -> None:
    async with client(never_answers, timeout=30.0) as cja:

        async def cancelled_twice() -> Any:
            current = asyncio.current_task()
            assert current is not None
            # Someone else cancels this task at the very moment the deadline passes.
            asyncio.get_running_loop().call_later(30, current.cancel)
            return await cja.request("GET", "/slow")

        task = asyncio.create_task(cancelled_twice())
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize(
    "body",
    [
        '{"a": "\u00fc"}'.encode("utf-16"),
        '{"a": "\u00fc"}'.encode("utf-32-le"),
        b'\xef\xbb\xbf{"a": "\xc3\xbc"}',  # a UTF-8 byte order mark
    ],
)
async def test_json_in_every_encoding_json_loads_reads_is_still_read(body: bytes) -> None:
    async with client(answer(body)) as cja:
        assert await cja.request("GET", "/x") == {"a": "\u00fc"}


async def test_a_body_that_is_not_json_in_any_encoding_is_a_decode_error() -> None:
    async with client(answer(b"\xff\xfe{not json")) as cja:
        with pytest.raises(ResponseDecodeError, match="not JSON"):
            await cja.request("GET", "/x")


def streamed(chunks: list[bytes], headers: list[tuple[str, str]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return httpx.Response(200, headers=headers, content=body())

    return handler


async def test_repeated_content_encodings_are_read_together_as_httpx_joins_them() -> None:
    twice = gzip.compress(gzip.compress(b"{}"))
    headers = [("Content-Encoding", "gzip"), ("content-encoding", "GZIP")]
    async with client(streamed([twice], headers)) as cja:
        with pytest.raises(ResponseDecodeError, match="'gzip, gzip' is not supported"):
            await cja.request("GET", "/x")


async def test_content_encoding_and_length_are_read_whatever_their_case() -> None:
    body = json.dumps({"a": list(range(50))}).encode()
    headers = [("CONTENT-ENCODING", " Gzip "), ("Content-Length", "999")]
    async with client(streamed([gzip.compress(body)], headers)) as cja:
        assert await cja.request("GET", "/x") == {"a": list(range(50))}
    pulled: list[int] = []

    def too_long(request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            pulled.append(1)
            yield b"{}"

        return httpx.Response(200, headers=[("CONTENT-LENGTH", "5000")], content=body())

    async with client(too_long, max_response_bytes=4096) as cja:
        with pytest.raises(ResponseTooLargeError):
            await cja.request("GET", "/x")
    assert pulled == []  # refused from its declared length, before a byte was read


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_body_of_exactly_the_cap_is_read(encoding: str) -> None:
    body = b'"' + b"a" * 4094 + b'"'  # 4096 bytes once inflated
    packed = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)

    # Streamed, so the client inflates it itself (httpx.MockTransport inflates a whole body).
    handler = streamed([packed], [("content-encoding", encoding)])
    async with client(handler, max_response_bytes=4096) as cja:
        assert await cja.request("GET", "/x") == "a" * 4094
    async with client(handler, max_response_bytes=4095) as cja:
        with pytest.raises(ResponseTooLargeError):
            await cja.request("GET", "/x")


def test_receive_with_a_deadline_outside_a_task_says_so() -> None:
    """The deadline cancels the running task; run where there is none (a loop callback), it
    refuses plainly instead of failing later."""
    loop = asyncio.new_event_loop()
    said: list[str] = []

    async def noop() -> None:
        return None

    def drive() -> None:
        request = httpx.Request("GET", "https://cja.adobe.io/x")
        unused: Any = None  # refused before the client is used
        step = receive(unused, request, max_bytes=100, deadline=1.0)
        try:
            step.send(None)
        except RuntimeError as exc:
            said.append(str(exc))
        finally:
            step.close()

    try:
        loop.call_soon(drive)
        loop.run_until_complete(noop())
    finally:
        loop.close()
    assert said == ["receive() must run inside an asyncio task"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_body_that_is_not_what_its_encoding_says_is_named_so(encoding: str) -> None:
    async with client(
        streamed([b"\xff\xff not compressed"], [("content-encoding", encoding)])
    ) as cja:
        with pytest.raises(ResponseDecodeError) as caught:
            await cja.request("GET", "/x")
    assert str(caught.value).startswith(
        f"the response body could not be decoded: it is not valid {encoding}"
    )
