"""A missing optional dependency names both ways to install its extra: from PyPI, and from a
checkout of the repository (where ``cja-async[...]`` finds nothing until it is published)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from cja_async.models import Report
from cja_async.testing.__main__ import main as serve_simulator


def _hides(monkeypatch: pytest.MonkeyPatch, module: str, *, reimport: str = "") -> None:
    """Make ``import module`` fail as if it were not installed; ``reimport`` (one of ours)
    is imported afresh on next use."""
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in (module, reimport) if m):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)


def test_the_redis_backend_says_how_to_install_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hides(monkeypatch, "redis", reimport="cja_async.redis")
    with pytest.raises(ImportError) as caught:
        importlib.import_module("cja_async.redis")
    message = str(caught.value)
    assert "pip install 'cja-async[redis]'" in message and "pip install '.[redis]'" in message


def test_data_frames_say_how_to_install_their_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hides(monkeypatch, "pandas")
    with pytest.raises(ImportError, match=r"pip install '\.\[pandas\]'"):
        Report().to_pandas()


def test_the_simulator_server_says_how_to_install_uvicorn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _hides(monkeypatch, "uvicorn")
    assert serve_simulator([]) == 1
    assert "pip install '.[simulator]'" in capsys.readouterr().err


# Imports only from what a clone without the redis extra has: the whole package, redis blocked.
_WITHOUT_REDIS = """
import sys
sys.modules["redis"] = None  # "import redis" raises ImportError, as when it is not installed
from cja_async import CJAError, LimiterUnavailableError
assert issubclass(LimiterUnavailableError, CJAError)
try:
    import cja_async.redis
except ImportError as exc:
    assert "cja-async[redis]" in str(exc)
else:
    raise AssertionError("cja_async.redis imported without redis-py")
print("ok")
"""


def test_limiter_unavailable_error_is_catchable_without_the_redis_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_REDIS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_redis_module_exports_the_same_error() -> None:
    pytest.importorskip("redis")
    from cja_async import LimiterUnavailableError
    from cja_async.redis import LimiterUnavailableError as FromRedis

    assert FromRedis is LimiterUnavailableError
