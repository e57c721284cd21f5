"""Derive the compact test data in this folder from Adobe's public spec and Postman collection.

The tests never read files outside the repository: what they need of Adobe's
``openapi.json`` and ``postman-collection.json`` is kept here, derived by this script and
committed. Only machine-readable facts are kept (paths, methods, parameters, schemas, example
bodies); prose (descriptions, summaries, documentation links) is dropped.

Run it from the repository root after Adobe's files change::

    python tests/data/derive.py ../shared/cja      # the folder holding both files

``test_spec_data.py`` re-derives into memory and compares when that folder is beside the
repository (as in CI), so the committed files cannot fall behind the sources.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPEC = "openapi.json"
POSTMAN = "postman-collection.json"
# Derived file name -> the source file it comes from.
OUTPUTS = {"openapi.json": SPEC, "postman-examples.json": POSTMAN}

# Keys that hold prose wherever they stand as an OpenAPI keyword (a string value).
_PROSE = frozenset({"description", "summary", "externalDocs", "termsOfService", "contact"})
# Keys whose values are data (example JSON, enum values, defaults): copied untouched, since
# an example's own "description" member is part of the example, not prose.
_DATA = frozenset({"example", "examples", "default", "enum", "x-example"})
# Keys whose values map user-chosen names to schemas: the names are never keywords.
_NAMED = frozenset({"properties", "schemas", "parameters", "paths", "responses"})


def _strip(node: Any, *, named: bool = False) -> Any:
    """``node`` without prose. ``named``: ``node``'s keys are names, not keywords."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if named:
            out[key] = _strip(value)
        elif key in _DATA:
            out[key] = value
        elif (key in _PROSE and not isinstance(value, dict | list)) or key == "externalDocs":
            continue
        else:
            out[key] = _strip(value, named=key in _NAMED and isinstance(value, dict))
    return out


def derive_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's machine-readable part: version, paths and components, without prose."""
    info = spec.get("info", {})
    return {
        "openapi": spec.get("openapi"),
        "info": {"title": info.get("title"), "version": info.get("version")},
        "paths": _strip(spec["paths"], named=True),
        "components": _strip(spec.get("components", {})),
    }


def _requests(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if "item" in item:
            yield from _requests(item["item"])
        else:
            yield item


def _json_or_text(text: str) -> dict[str, Any]:
    """``{"body": decoded}`` when ``text`` is JSON, else ``{"text": text}``; ``{}`` if empty."""
    if not text.strip():
        return {}
    try:
        return {"body": json.loads(text)}
    except ValueError:
        return {"text": text}


def derive_postman(collection: dict[str, Any]) -> dict[str, Any]:
    """Every request of the collection, flat: method, path segments (``:name`` for path
    parameters, as Postman spells them), query, JSON request body and example responses."""
    requests = []
    for item in _requests(collection["item"]):
        request = item["request"]
        url = request["url"]
        entry: dict[str, Any] = {
            "name": item.get("name"),
            "method": request["method"],
            "path": [str(part) for part in url.get("path", [])],
            "query": [
                [q["key"], q.get("value")] for q in url.get("query", []) if not q.get("disabled")
            ],
        }
        body = request.get("body") or {}
        if body.get("mode") == "raw":
            entry.update(_json_or_text(body.get("raw") or ""))
        entry["responses"] = [
            {
                "name": r.get("name"),
                "code": int(r.get("code", 0)),
                **_json_or_text(r.get("body") or ""),
            }
            for r in item.get("response", [])
        ]
        requests.append(entry)
    return {"requests": requests}


def derive(source: Path) -> dict[str, str]:
    """Derived file name -> its exact text, from the folder holding Adobe's files."""
    spec = json.loads((source / SPEC).read_text("utf-8"))
    collection = json.loads((source / POSTMAN).read_text("utf-8"))
    data = {"openapi.json": derive_spec(spec), "postman-examples.json": derive_postman(collection)}
    return {name: _dumps(value) + "\n" for name, value in data.items()}


def _dumps(value: Any, depth: int = 0) -> str:
    """JSON with one line per operation, schema or request (the first levels indented,
    deeper ones on one line): small files whose diffs still show what changed."""
    if depth >= _LINE_DEPTH or not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad = "\n" + " " * (depth + 1)
    if isinstance(value, list):
        parts = [_dumps(item, depth + 1) for item in value]
        return "[" + pad + ("," + pad).join(parts) + "\n" + " " * depth + "]"
    parts = [f"{json.dumps(k)}: {_dumps(v, depth + 1)}" for k, v in value.items()]
    return "{" + pad + ("," + pad).join(parts) + "\n" + " " * depth + "}"


# paths -> template -> method -> the operation on one line (components -> schemas -> name
# likewise; requests -> one request per line).
_LINE_DEPTH = 3


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the derived files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help=f"folder holding {SPEC} and {POSTMAN}")
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    args = parser.parse_args(argv)
    missing = [name for name in (SPEC, POSTMAN) if not (args.source / name).is_file()]
    if missing:
        parser.error(
            f"{args.source} holds no {' and no '.join(missing)}: give the folder with Adobe's "
            f"{SPEC} and {POSTMAN} (the committed files in tests/data need no refresh otherwise)"
        )
    stale = []
    for name, text in derive(args.source).items():
        target = HERE / name
        if target.exists() and target.read_text("utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            target.write_text(text, "utf-8")
            print(f"wrote {target} ({len(text.encode()):,} bytes)")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run python tests/data/derive.py {args.source}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
