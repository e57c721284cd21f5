"""A throwaway ``redis-server`` on a free loopback port, for tests and benchmarks.

No persistence (no RDB, no AOF), its files in a temporary directory, stopped on exit.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .._closing import Running

__all__ = ["RedisServer", "redis_server_binary"]


def redis_server_binary() -> str | None:
    """The path of ``redis-server`` (Debian: ``apt-get install redis-server``), if any."""
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()),
        None,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer(Running):
    """``with RedisServer() as server: server.url`` -- a private redis-server on 127.0.0.1."""

    def __init__(self, binary: str | None = None) -> None:
        found = binary or redis_server_binary()
        if found is None:
            raise FileNotFoundError("redis-server not found (apt-get install redis-server)")
        self.binary = found
        self.port = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        """Start on a free port (retrying if another process takes it first)."""
        self._dir = tempfile.TemporaryDirectory(prefix="cja-redis-")
        for _ in range(5):
            self.port = _free_port()
            options = {
                "port": str(self.port),
                "bind": "127.0.0.1",
                "dir": self._dir.name,
                "save": "",  # no snapshots, no append-only file: nothing outlives the test
                "appendonly": "no",
                "daemonize": "no",
                "loglevel": "warning",
                "logfile": str(Path(self._dir.name) / "redis.log"),
            }
            args = [self.binary]
            for name, value in options.items():
                args += [f"--{name}", value]
            self._process = subprocess.Popen(
                args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if self._wait_ready(timeout):
                return
            self._kill()
        raise RuntimeError(f"redis-server did not start; see {self._dir.name}/redis.log")

    def _wait_ready(self, timeout: float) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False  # the port was taken meanwhile, or another failure
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        self._kill()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
