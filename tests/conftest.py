from __future__ import annotations

from typing import Any

import pytest

from virtual_time import VirtualTimeLoop


@pytest.fixture
def anyio_backend() -> Any:
    """Async tests run on a virtual-time loop: limits and backoff play out instantly."""
    return ("asyncio", {"loop_factory": VirtualTimeLoop})
