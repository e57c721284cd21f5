"""The simulator (or any ASGI app) served over a real socket on loopback, for tests.

In-process clients (``sim.client()``) need no socket; programs that speak HTTP themselves (the
command line, another library, a subprocess) need a URL. ``serve`` runs uvicorn in a thread of
this process on a free port of 127.0.0.1 for the length of a ``with`` block.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._extras import install_hint

__all__ = ["serve"]


@contextmanager
def serve(app: Any, *, start_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) until the block ends; yields its base URL.

    >>> with serve(Simulator()) as url:   # "http://127.0.0.1:PORT"
    ...     run_the_program_under_test(base_url=url)

    Needs uvicorn (the ``simulator`` extra). Raises ``RuntimeError`` when the server does not
    start within ``start_timeout`` seconds.
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError(f"serve() needs uvicorn: {install_hint('simulator')}") from None
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("uvicorn did not start serving on 127.0.0.1")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
