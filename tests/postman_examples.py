"""The example responses of Adobe's Postman collection (``shared/cja/postman-collection.json``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _collection_path() -> Path:
    env = os.environ.get("CJA_SHARED_DIR")
    base = Path(env) if env else Path(__file__).resolve().parents[2] / "shared"
    return base / "cja" / "postman-collection.json"


def _requests(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if "item" in item:
            yield from _requests(item["item"])
        else:
            yield item


def _path_of(url: Any) -> str:
    if isinstance(url, str):
        return url.split("?")[0]
    return "/" + "/".join(str(part) for part in url.get("path", []))


def examples(method: str, path: str) -> list[tuple[str, Any]]:
    """(name, decoded body) of every 2xx JSON example answer of ``method path``.

    ``path`` is spelt as the collection spells it (``/segments/:id``). Skips the test when
    the collection is not beside the repository.
    """
    source = _collection_path()
    if not source.exists():
        pytest.skip(f"{source} is not available")
    collection = json.loads(source.read_text(encoding="utf-8"))
    found = []
    for item in _requests(collection["item"]):
        request = item["request"]
        if request["method"] != method or _path_of(request["url"]) != path:
            continue
        for response in item.get("response", []):
            if 200 <= int(response.get("code", 0)) < 300 and (response.get("body") or "").strip():
                found.append(
                    (f"{method} {path}: {response.get('name')}", json.loads(response["body"]))
                )
    return found
