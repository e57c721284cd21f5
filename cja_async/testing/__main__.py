"""Serve the simulator over HTTP: ``python -m cja_async.testing [--port 8000] [--speed 10]``.

Every request is logged as one line (method, path, status, milliseconds), ``GET
/simulator/stats`` answers the counters as JSON, and stopping the server (Ctrl-C) prints a
summary, so a user pointing a program at it can check that it met no 429.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from cja_async._config import RateLimit
from cja_async._extras import install_hint

from ._http import Receive, Scope, Send
from ._simulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID, Simulator

__all__ = ["STATS_PATH", "LoggedSimulator", "main", "summary"]

# Not an Adobe path: the served simulator answers it itself, without credentials.
STATS_PATH = "/simulator/stats"


def stats_of(sim: Simulator) -> dict[str, int]:
    """The counters a user checks: API requests, 429s, token requests, most in flight."""
    stats = sim.stats
    return {
        "requests": stats.requests,
        "rejected_429": stats.rejected_429,
        "token_requests": stats.token_requests,
        "auth_failures": stats.auth_failures,
        "max_in_flight": stats.max_in_flight,
    }


def summary(sim: Simulator) -> str:
    """One line for the end of a run: ``1200 API requests, 0 answered 429, ...``."""
    s = stats_of(sim)
    return (
        f"{s['requests']} API requests, {s['rejected_429']} answered 429,"
        f" {s['token_requests']} token requests, {s['auth_failures']} refused credentials,"
        f" at most {s['max_in_flight']} in flight"
    )


class LoggedSimulator:
    """The simulator as served: a log line per request and the stats endpoint.

    Kept out of :class:`Simulator` itself, which tests drive in-process by the thousand.
    """

    def __init__(
        self,
        sim: Simulator,
        log: Callable[[str], None] | None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.sim, self.log, self.clock = sim, log, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI 3: answer the stats endpoint, log and pass on everything else."""
        if scope["type"] != "http":
            await self.sim(scope, receive, send)
            return
        if scope["path"] == STATS_PATH and scope["method"] == "GET":
            body = json.dumps(stats_of(self.sim)).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if self.log is None:
            await self.sim(scope, receive, send)
            return
        status = 0
        started = self.clock()

        async def send_logged(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.sim(scope, receive, send_logged)
        finally:
            took = (self.clock() - started) * 1000
            # The path only: queries may hold user ids or emails, never worth a log line.
            self.log(f"{scope['method']} {scope['path']} {status or '-'} {took:.0f}ms")


def _number(kind: Callable[[str], float], low: float, high: float | None, what: str) -> Any:
    """An argparse type: ``kind`` within [low, high], or a usage error naming the range."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cja_async.testing",
        description=(
            "Serve the CJA simulator (the API and its token endpoint) over HTTP. Each request"
            f" is logged as one line; GET {STATS_PATH} answers the counters (requests, 429s)"
            " as JSON, and Ctrl-C prints them before exiting."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port",
        type=_number(int, 0, 65535, "a port (0 to 65535; 0 picks a free one)"),
        default=8000,
        help="port to listen on (%(default)s)",
    )
    parser.add_argument(
        "--speed",
        type=_number(float, 1e-9, None, "a positive number"),
        default=1.0,
        help="divide every rate-limit window by this factor: 10 runs Adobe's limits ten"
        " times faster (%(default)s)",
    )
    parser.add_argument(
        "--no-limits", action="store_true", help="enforce no rate limits (never answer 429)"
    )
    parser.add_argument(
        "--latency",
        type=_number(float, 0.0, None, "a number of seconds, 0 or more"),
        default=0.0,
        help="seconds every API response takes (%(default)s)",
    )
    parser.add_argument(
        "--page-shape",
        choices=("analytics", "spring"),
        default="analytics",
        help="page body of the list endpoints whose shape varies in the wild (%(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the generated data (%(default)s)"
    )
    parser.add_argument(
        "--dataviews",
        type=_number(int, 0, None, "a count, 0 or more"),
        default=300,
        help="data views in each org (%(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="no log line per request")
    parser.add_argument(
        "--page-cap",
        type=int,
        default=None,
        help="refuse page sizes (limit, pageSize) over this with a 400, as a server whose"
        " largest page is smaller does",
    )
    return parser


def _printer(stream: TextIO) -> Callable[[str], None]:
    def log(line: str) -> None:
        print(line, file=stream, flush=True)

    return log


def _client_host(host: str) -> tuple[str, bool]:
    """The host a client on this machine reaches ``host`` at, as a URL writes it, and
    whether ``host`` means every interface (``0.0.0.0``, ``::``, empty): a client cannot
    send to those, and cja-async accepts http:// only for loopback hosts."""
    try:
        address = ipaddress.ip_address(host.strip("[]")) if host else None
    except ValueError:  # a name, such as localhost
        return host, False
    if address is None or address.is_unspecified:
        return ("[::1]" if address is not None and address.version == 6 else "127.0.0.1"), True
    return (f"[{address}]" if address.version == 6 else str(address)), False


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, print the credentials to use and serve until interrupted."""
    args = _parser().parse_args(argv)
    try:
        import uvicorn
    except ImportError:
        print(f"Serving the simulator needs uvicorn: {install_hint('simulator')}", file=sys.stderr)
        return 1
    try:
        # Bound here, before the banner: a port in use is one line, not a banner then a crash.
        family = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.create_server((args.host, args.port), family=family)
    except OSError as exc:
        print(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
            "check --host, or pick another --port (0 picks a free one)",
            file=sys.stderr,
        )
        return 1
    sim = Simulator(
        rate_limit=None if args.no_limits else RateLimit().scaled(args.speed),
        latency=args.latency,
        page_shape=args.page_shape,
        seed=args.seed,
        dataviews=args.dataviews,
        page_cap=args.page_cap,
        record_calls=False,  # a server runs for long: its memory must not grow with traffic
    )
    port = listener.getsockname()[1]
    host, everywhere = _client_host(args.host)
    base = f"http://{host}:{port}"
    print(
        f"CJA simulator at {base}\n"
        f"  token_url     {base}/ims/token/v3\n"
        f"  client_id     {DEFAULT_CLIENT_ID}\n"
        f"  client_secret {DEFAULT_CLIENT_SECRET}\n"
        f"  org_id        {DEFAULT_ORG_ID}\n"
        f"  rate limit    {sim.rate_limit}\n"
        f"  stats         {base}{STATS_PATH}"
        + (
            f"\n  listening on  all interfaces ({args.host or '*'} port {port}); the URLs above"
            " are this machine's (cja-async sends http:// to loopback hosts only)"
            if everywhere
            else ""
        ),
        flush=True,
    )
    app = LoggedSimulator(sim, None if args.quiet else _printer(sys.stdout))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on
        pass
    finally:
        listener.close()
        print(f"simulator stopped: {summary(sim)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
