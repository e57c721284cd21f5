"""Serve the simulator over HTTP: ``python -m cja_async.testing [--port 8000] [--speed 10]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cja_async._config import RateLimit, Window

from ._simulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID, Simulator


def _scaled(speed: float) -> RateLimit:
    """Adobe's documented limits with every window ``speed`` times shorter."""
    default = RateLimit()
    windows = tuple(Window(w.requests, w.seconds / speed) for w in default.windows)
    return RateLimit(concurrency=default.concurrency, windows=windows)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cja_async.testing",
        description="Serve the in-process CJA simulator (API and token endpoint) over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--speed", type=float, default=1.0, help="divide every rate-limit window by this factor"
    )
    parser.add_argument("--no-limits", action="store_true", help="enforce no rate limits")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per API response")
    parser.add_argument("--page-shape", choices=("analytics", "spring"), default="analytics")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataviews", type=int, default=300, help="data views per org")
    parser.add_argument(
        "--page-cap", type=int, default=None, help="refuse page sizes over this (400)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, print the credentials to use and serve until interrupted."""
    args = _parser().parse_args(argv)
    if args.speed <= 0:
        print("--speed must be positive", file=sys.stderr)
        return 2
    try:
        import uvicorn
    except ImportError:
        print(
            "Serving the simulator needs uvicorn: pip install 'cja-async[simulator]'",
            file=sys.stderr,
        )
        return 1
    sim = Simulator(
        rate_limit=None if args.no_limits else _scaled(args.speed),
        latency=args.latency,
        page_shape=args.page_shape,
        seed=args.seed,
        dataviews=args.dataviews,
        page_cap=args.page_cap,
    )
    base = f"http://{args.host}:{args.port}"
    print(
        f"CJA simulator at {base}\n"
        f"  token_url     {base}/ims/token/v3\n"
        f"  client_id     {DEFAULT_CLIENT_ID}\n"
        f"  client_secret {DEFAULT_CLIENT_SECRET}\n"
        f"  org_id        {DEFAULT_ORG_ID}\n"
        f"  rate limit    {sim.rate_limit}",
        flush=True,
    )
    uvicorn.run(sim, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
