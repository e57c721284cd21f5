"""Receiving one response whole: within a deadline, under a size cap, inflated by us.

httpx's timeouts apply to each read, so a server that trickles a byte at a time is never cut
off; and httpx inflates a compressed body whole, so a megabyte of gzip can become gigabytes.
Here the whole exchange (connect, send, headers, every byte of the body) runs under one
deadline, and the body is read raw and inflated in pieces of at most a megabyte, counted as
they come against the cap, so memory stays bounded whatever the server sends.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Iterator
from typing import Any

import httpx

from . import _exceptions as errors

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DeadlineExceeded",
    "decode_json",
    "receive",
]

# Generous: a report page can be tens of megabytes of JSON. Decoded bytes, not wire bytes.
DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024
# What we can inflate in bounded steps. Sent on every request, so a server never picks
# brotli or zstd (which httpx would ask for when those packages happen to be installed).
ACCEPT_ENCODING = "gzip, deflate"

# Inflated in pieces this big at most: zlib builds each piece in blocks and then copies them
# into one bytes object, so a piece briefly costs twice its size.
_STEP = 1024 * 1024
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class DeadlineExceeded(httpx.TimeoutException):
    """The whole response did not arrive within the deadline (a timeout like any other)."""


async def receive(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    max_bytes: int,
    deadline: float | None,
) -> tuple[httpx.Response, bytes]:
    """Send ``request``; its response (headers) and decoded body, all within ``deadline`` s.

    Raises ``httpx.TransportError`` for network failures (``DeadlineExceeded`` when the
    deadline passes), ``ResponseTooLargeError`` when the decoded body would pass
    ``max_bytes`` and ``ResponseDecodeError`` when its ``Content-Encoding`` cannot be undone.
    """
    timer = handle = None
    if deadline is not None:
        # asyncio.timeout() does the same (cancel the task when the time is up, tell that
        # cancellation from anyone else's by the task's cancel count) for three times the
        # CPU: this runs on every request.
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("receive() must run inside an asyncio task")
        loop = asyncio.get_running_loop()
        timer = _Timer(task)
        handle = loop.call_at(loop.time() + deadline, timer)
    try:
        response = await http.send(request, stream=True)
        try:
            return response, await _read(response, max_bytes)
        finally:
            if not response.is_closed:  # (a body read to its end is closed already)
                await response.aclose()
    except asyncio.CancelledError:
        if not (timer is not None and timer.fired and timer.task.uncancel() <= timer.cancelling):
            raise  # someone else's cancellation (too)
    finally:
        if handle is not None:
            handle.cancel()
    # Raised outside the except block, so no exception chain holds anything of the request.
    raise DeadlineExceeded(f"no complete response within {deadline:g} s")


class _Timer:
    """Cancels ``task`` when called (the deadline passed) and remembers that it did."""

    __slots__ = ("cancelling", "fired", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.cancelling = task.cancelling()  # cancellations asked for before: not ours
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        self.task.cancel()


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    request = response.request
    if response.is_stream_consumed:  # a transport that built it whole (httpx.MockTransport)
        if len(response.content) > max_bytes:
            raise _too_large(request, max_bytes)
        return response.content
    coding, declared = _framing(response.headers)
    inflater = None if coding in ("", "identity") else _Inflater(coding, request)
    if inflater is None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(request, max_bytes)  # refused before a byte of it is read
    chunks: list[bytes] = []
    size = wire = 0
    async for raw in response.aiter_raw():
        wire += len(raw)
        if wire > max_bytes:  # counts compressed bytes too: a stream that inflates to nothing
            raise _too_large(request, max_bytes)
        for chunk in (raw,) if inflater is None else inflater.inflate(raw):
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(request, max_bytes)
            chunks.append(chunk)
    if inflater is not None and wire:  # (an empty body is empty whatever its encoding)
        rest = inflater.flush()
        if size + len(rest) > max_bytes:
            raise _too_large(request, max_bytes)
        chunks.append(rest)
    return b"".join(chunks)


def _framing(headers: httpx.Headers) -> tuple[str, str]:
    """``Content-Encoding`` (lower case, repeats joined as httpx joins them) and
    ``Content-Length`` (as sent, first one) in one pass: ``headers.get`` twice costs four
    times as much, on every response."""
    codings: list[bytes] = []
    length = b""
    for key, value in headers.raw:
        name = key.lower()
        if name == b"content-encoding":
            codings.append(value)
        elif name == b"content-length" and not length:
            length = value
    coding = b", ".join(codings).decode("latin-1").strip().lower() if codings else ""
    return coding, length.decode("latin-1")


class _Inflater:
    """Undoes one ``Content-Encoding`` in pieces of at most ``_STEP`` bytes."""

    def __init__(self, coding: str, request: httpx.Request) -> None:
        wbits = _WBITS.get(coding)
        if wbits is None:
            raise _undecodable(request, f"its Content-Encoding {coding[:40]!r} is not supported")
        self._coding = coding
        self._request = request
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def inflate(self, data: bytes) -> Iterator[bytes]:
        """``data`` inflated, lazily: the caller stops pulling once it has too much, so no
        more than one piece past the cap is ever made (zlib holds the rest of the input)."""
        while True:
            try:
                piece = self._zlib.decompress(data, _STEP)
            except zlib.error:
                piece = self._retry_raw_deflate(data)
            self._started = True
            if piece:
                yield piece
            data = self._zlib.unconsumed_tail
            # A full piece may leave output pending inside zlib even with no input left.
            if not data and len(piece) < _STEP:
                return

    def _retry_raw_deflate(self, data: bytes) -> bytes:
        # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
        if self._coding != "deflate" or self._started:
            raise _undecodable(self._request, f"it is not valid {self._coding}") from None
        self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            return self._zlib.decompress(data, _STEP)
        except zlib.error:
            raise _undecodable(self._request, "it is not valid deflate") from None

    def flush(self) -> bytes:
        """The last of the output; ``ResponseDecodeError`` if the stream never ended (a body
        cut short inside its compression could otherwise pass for a shorter answer)."""
        rest = self._zlib.flush()
        if not self._zlib.eof:
            raise _undecodable(self._request, f"its {self._coding} stream is cut short")
        return rest


def _too_large(request: httpx.Request, limit: int) -> errors.ResponseTooLargeError:
    return errors.ResponseTooLargeError(
        "the response body is larger than max_response_bytes allows; it was not read further "
        "and is not retried (raise Client(max_response_bytes=...) if such answers are expected)",
        limit=limit,
        method=request.method,
        path=request.url.path,
    )


def _undecodable(request: httpx.Request, why: str) -> errors.ResponseDecodeError:
    return errors.ResponseDecodeError(
        f"the response body could not be decoded: {why}",
        method=request.method,
        path=request.url.path,
    )


def decode_json(content: bytes) -> Any:
    """``content`` as JSON; ``ValueError`` (holding none of it) if it is not JSON.

    Nesting too deep for the parser (``[[[[...``) counts as not JSON instead of escaping as
    ``RecursionError``; the error is raised outside the handler so it chains nothing that
    quotes the body.
    """
    try:
        # UTF-8, as every answer is: ``json.loads(bytes)`` first sniffs the encoding in
        # Python, a third of the cost of decoding a small answer.
        return json.loads(content.decode())
    except (ValueError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        pass
    try:
        return json.loads(content)  # what else JSON may be sent in: UTF-16/32, a BOM
    except (ValueError, RecursionError):
        pass
    raise ValueError("not JSON (or nested too deeply)")
