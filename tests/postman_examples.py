"""The example responses of Adobe's Postman collection (``data/postman-examples.json``)."""

from __future__ import annotations

from typing import Any

from spec_check import load_postman


def examples(method: str, path: str) -> list[tuple[str, Any]]:
    """(name, decoded body) of every 2xx JSON example answer of ``method path``.

    ``path`` is spelt as the collection spells it (``/segments/:id``).
    """
    found = []
    for request in load_postman():
        if request["method"] != method or "/" + "/".join(request["path"]) != path:
            continue
        for response in request["responses"]:
            if 200 <= response["code"] < 300 and "body" in response:
                found.append((f"{method} {path}: {response['name']}", response["body"]))
    return found
