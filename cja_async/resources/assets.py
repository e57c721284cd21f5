"""``cja.assets``: what a user owns, and handing it to another user (admins only)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, Unpack

from .._exceptions import CJAError, ClientClosedError
from ..models.assets import (
    STATUS_ALL_FAILED,
    STATUS_PARTIAL_SUCCESS,
    STATUS_SUCCESS,
    AssetCount,
    TransferFailure,
    TransferResult,
)
from ._base import RequestOptions, Resource, check_id, ids_in_order, path

__all__ = ["MAX_TRANSFER", "Assets", "merge_transfer_results"]

# Adobe refuses more components than this in one transfer request.
MAX_TRANSFER = 100


def _transfer_batches(
    components: Mapping[str, Iterable[str]], size: int
) -> list[list[tuple[str, str]]]:
    """(type, id) pairs, checked and deduplicated, in groups of at most ``size``."""
    if not isinstance(components, Mapping):
        raise TypeError(
            "components must map a component type to ids, e.g. {'project': [...]}, "
            f"got {type(components).__name__}"
        )
    pairs: dict[tuple[str, str], None] = {}
    for component_type, ids in components.items():
        check_id(component_type, "component type")
        items = ids_in_order(ids, f"components[{component_type!r}]")
        for index, item in enumerate(items):
            check_id(item, f"components[{component_type!r}][{index}]")
            pairs.setdefault((component_type, item), None)
    if not pairs:
        raise ValueError("components names no component to transfer")
    ordered = list(pairs)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _body(batch: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``[{componentType, componentIds}]``: one entry per type, ids in the order given."""
    grouped: dict[str, list[str]] = {}
    for component_type, item in batch:
        grouped.setdefault(component_type, []).append(item)
    return [{"componentType": kind, "componentIds": ids} for kind, ids in grouped.items()]


def merge_transfer_results(results: Iterable[TransferResult]) -> TransferResult:
    """One result for a transfer sent in several requests.

    Every part succeeded: ``status_success``; every part failed: ``status_all_failed``;
    anything else: ``status_partial_success``. The errors of all parts are kept.
    """
    parts = list(results)
    statuses = {part.status for part in parts}
    errors = [error for part in parts for error in (part.errors or [])]
    if len(statuses) == 1:
        status = statuses.pop()
    elif not parts:
        status = STATUS_SUCCESS
    else:
        status = STATUS_PARTIAL_SUCCESS
    return TransferResult(status=status, errors=errors)


class Assets(Resource, group="assets"):
    """Asset management: counts of a user's components, and ownership transfer."""

    async def counts(self, ims_user_id: str, **options: Unpack[RequestOptions]) -> list[AssetCount]:
        """How many components of each type (``project``, ``segment``, ...) a user owns."""
        url = path("/componentmetadata/assets/{}/counts", check_id(ims_user_id, "ims_user_id"))
        return await self._call(list[AssetCount], "GET", url, options=options)

    async def transfer(
        self,
        recipient_id: str,
        components: Mapping[str, Iterable[str]],
        **options: Unpack[RequestOptions],
    ) -> TransferResult:
        """Make ``recipient_id`` the owner of components: ``{"project": [ids], ...}``.

        Ownership moves, it is not copied. Any number of ids may be given: they are sent
        at most 100 per request (Adobe's limit) and the answers merged into one result,
        whose ``status`` reflects every part and whose ``errors`` list each component that
        did not move. If the first request fails (unknown recipient, no admin rights) the
        error is raised and nothing moved; a later request that fails after retries is
        reported in ``errors`` for each of its components instead, because other parts
        have already moved and the caller must learn which.
        """
        url = path("/componentmetadata/assets/{}/transfer", check_id(recipient_id, "recipient_id"))
        batches = _transfer_batches(components, MAX_TRANSFER)

        async def send(batch: list[tuple[str, str]]) -> TransferResult:
            return await self._call(TransferResult, "PUT", url, body=_body(batch), options=options)

        first = await send(batches[0])
        rest = await asyncio.gather(*(send(batch) for batch in batches[1:]), return_exceptions=True)
        results = [first]
        for batch, outcome in zip(batches[1:], rest, strict=True):
            if isinstance(outcome, TransferResult):
                results.append(outcome)
            elif isinstance(outcome, CJAError) and not isinstance(outcome, ClientClosedError):
                results.append(_failed(batch, outcome))
            else:
                raise outcome
        return merge_transfer_results(results)


def _failed(batch: list[tuple[str, str]], error: CJAError) -> TransferResult:
    failures = [
        TransferFailure(component_type=kind, component_id=item, error_message=str(error))
        for kind, item in batch
    ]
    return TransferResult(status=STATUS_ALL_FAILED, errors=failures)
