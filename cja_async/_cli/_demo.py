"""``cja-async demo``: a bulk export of a simulated org, against the bundled simulator.

Nothing leaves the machine: the simulator runs in-process behind ``httpx.ASGITransport`` and
enforces Adobe's limits strictly (ten times faster than real, so the demo takes seconds).
"""

from __future__ import annotations

import time
from typing import TextIO

import httpx

from .. import Client, OAuthCredentials, RateLimit, ResponseCache, Window
from ..testing import Simulator
from ._progress import plural

DEMO_ORG = "DEMO0000@AdobeOrg"


class Progress:
    """A one-line progress bar (plain lines when the output is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_line = -1.0

    def update(self, done: int, total: int | None, requests: int, elapsed: float) -> None:
        total_text = f"/{total}" if total else ""
        share = done / total if total else 0.0
        bar = ("#" * int(share * 30)).ljust(30)
        line = f"[{bar}] {done}{total_text} data views, {requests} requests, {elapsed:5.1f} s"
        if self._tty:
            self._stream.write("\r" + line)
        elif elapsed - self._last_line >= 2.0 or (total and done >= total):
            self._stream.write(line + "\n")
            self._last_line = elapsed
        self._stream.flush()

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")


async def demo(dataviews: int, limit: int, latency: float, out: TextIO) -> tuple[int, str]:
    """Walk every data view of a simulated org, showing progress on ``out``. Returns an exit
    code and the summary, for the caller to print once the event loop is closed."""
    rate_limit = RateLimit(concurrency=6, windows=(Window(60, 6.0), Window(12, 0.6)))
    # The strict model: each request counted at a random moment of its life, as Adobe may.
    sim = Simulator(rate_limit=rate_limit, latency=latency, dataviews=dataviews, count_at="random")
    sim.add_client(client_id="demo-client", client_secret="demo-secret", org_id=DEMO_ORG)
    credentials = OAuthCredentials(
        client_id="demo-client",
        client_secret="demo-secret",
        token_url="http://127.0.0.1/ims/token/v3",
    )
    out.write(
        f"Exporting {plural(dataviews, 'data view')} ({limit} a page) from a simulated org under "
        "Adobe's limits at 10x speed:\n  6 in flight, 60 requests per 6 s, 12 per 0.6 s, "
        f"{latency * 1000:.0f} ms per response.\n"
    )
    progress = Progress(out)
    items = 0
    owners: set[str] = set()
    started = time.perf_counter()
    async with Client(
        org_id=DEMO_ORG,
        credentials=credentials,
        base_url="http://127.0.0.1",
        rate_limit=rate_limit,
        transport=httpx.ASGITransport(app=sim),
        cache=ResponseCache(ttl=300),
    ) as cja:
        expansion = ["name", "owner", "modifiedDate"]
        async for page in cja.dataviews.list(expansion=expansion, limit=limit).pages():
            items += len(page.items)
            owners.update(dv.owner.name for dv in page.items if dv.owner and dv.owner.name)
            progress.update(items, page.total_elements, cja.stats.requests, _since(started))
        progress.close()
        elapsed = _since(started)
        requests = cja.stats.requests
        # The same export again: the response cache answers it without a single request.
        again = [dv.id async for dv in cja.dataviews.list(expansion=expansion, limit=limit)]
        stats, cache = cja.stats, cja.cache_stats
    least = rate_limit.least_possible_time(requests, latency)
    rejected = sim.stats.rejected_429
    # No latency and requests the windows never hold up: the least time is 0, and no ratio.
    ratio = f" (ratio {elapsed / least:.3f})" if least > 0 else ""
    summary = (
        "\nSummary\n"
        f"  data views      {items} (owned by {plural(len(owners), 'person', 'people')})\n"
        f"  requests        {requests} (+1 token request)\n"
        f"  429s            {rejected}\n"
        f"  retries         {stats.retries}\n"
        f"  wall time       {elapsed:.2f} s\n"
        f"  least possible  {least:.2f} s under the limits{ratio}\n"
        f"  second export   {plural(len(again), 'data view')},"
        f" {plural(stats.requests - requests, 'request')} "
        f"({cache.requests_saved} answered by the response cache)"
    )
    return (0 if items == dataviews == len(again) and rejected == 0 else 1), summary


def _since(started: float) -> float:
    return time.perf_counter() - started
