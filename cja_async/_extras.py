"""How to install an optional extra, said the same way by every message that needs one."""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """``pip install 'cja-async[extra]'``, and the form that works from a checkout of the
    repository (before or without a release on PyPI)."""
    return (
        f"pip install 'cja-async[{extra}]' (from a checkout of the repository:"
        f" pip install '.[{extra}]')"
    )
