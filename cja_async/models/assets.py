"""Asset management: ``/componentmetadata/assets``."""

from __future__ import annotations

from ._base import Model, model

__all__ = ["AssetCount", "TransferFailure", "TransferResult"]

STATUS_SUCCESS = "status_success"
STATUS_PARTIAL_SUCCESS = "status_partial_success"
STATUS_ALL_FAILED = "status_all_failed"


@model
class AssetCount(Model):
    """How many components of one type a user owns."""

    component_type: str | None = None
    count: int | None = None


@model
class TransferFailure(Model):
    """One component that did not change owner, and why."""

    component_type: str | None = None
    component_id: str | None = None
    error_message: str | None = None


@model
class TransferResult(Model):
    """The outcome of ``assets.transfer``: ``status`` is ``status_success``,
    ``status_partial_success`` or ``status_all_failed``; ``errors`` lists what did not move."""

    status: str | None = None
    errors: list[TransferFailure] | None = None

    @property
    def ok(self) -> bool:
        """Whether every component moved."""
        return self.status == STATUS_SUCCESS and not self.errors

    def not_moved(self) -> dict[str, list[str]]:
        """The components that did not move, in ``transfer``'s own input shape, so that
        ``await cja.assets.transfer(recipient, result.not_moved())`` retries only those."""
        left: dict[str, list[str]] = {}
        for failure in self.errors or []:
            if failure.component_type and failure.component_id:
                left.setdefault(failure.component_type, []).append(failure.component_id)
        return left
