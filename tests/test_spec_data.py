"""The committed spec data (``data/*.json``) is what ``data/derive.py`` makes of Adobe's files.

The suite reads only those committed files, so it passes on a clone with nothing beside it.
Where Adobe's files are at hand (``$CJA_SPEC_DIR``, or ``shared/cja`` beside the repository
as in CI) this re-derives them and fails when the committed files are stale.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from data import derive
from spec_check import DATA_DIR, load_postman, load_spec


def _sources() -> Path | None:
    configured = os.environ.get("CJA_SPEC_DIR")
    # The one place the suite looks outside the repository, and only to compare.
    folder = Path(configured) if configured else DATA_DIR.parents[2] / "shared" / "cja"
    if all((folder / name).is_file() for name in (derive.SPEC, derive.POSTMAN)):
        return folder
    return None


def test_committed_spec_data_is_current() -> None:
    source = _sources()
    if source is None:
        pytest.skip(
            "Adobe's openapi.json and postman-collection.json are not beside the repository"
            " (set CJA_SPEC_DIR to check the derived tests/data files against them)"
        )
    for name, text in derive.derive(source).items():
        assert (DATA_DIR / name).read_text("utf-8") == text, (
            f"tests/data/{name} is stale: run python tests/data/derive.py {source}"
        )


def test_derived_data_keeps_the_facts_and_drops_the_prose() -> None:
    spec = load_spec()
    get_segments = spec["paths"]["/segments"]["get"]
    assert {p.get("name") or p.get("$ref") for p in get_segments["parameters"]}
    assert "summary" not in get_segments and "description" not in get_segments
    # A property named "description" is a member, not prose: it stays.
    text = json.dumps(spec)
    assert '"description": {' in text
    me = next(r for r in load_postman() if r["path"] == ["configuration", "users", "me"])
    assert me["method"] == "GET" and me["responses"][0]["code"] == 200
    assert isinstance(me["responses"][0]["body"], dict)


def test_derive_strips_prose_but_not_data() -> None:
    spec = {
        "openapi": "3.0.1",
        "info": {"title": "T", "version": "1", "description": "long prose"},
        "paths": {
            "/x": {
                "get": {
                    "summary": "prose",
                    "description": "prose",
                    "externalDocs": {"url": "https://example.com"},
                    "parameters": [{"name": "a", "in": "query", "description": "prose"}],
                    "responses": {"200": {"description": "OK", "content": {}}},
                }
            }
        },
        "components": {
            "schemas": {
                "S": {
                    "type": "object",
                    "description": "prose",
                    "properties": {"description": {"type": "string", "description": "p"}},
                    "example": {"description": "an example's member, kept"},
                }
            }
        },
    }
    out = derive.derive_spec(spec)
    assert out["info"] == {"title": "T", "version": "1"}
    assert out["paths"]["/x"]["get"] == {
        "parameters": [{"name": "a", "in": "query"}],
        "responses": {"200": {"content": {}}},
    }
    assert out["components"]["schemas"]["S"] == {
        "type": "object",
        "properties": {"description": {"type": "string"}},
        "example": {"description": "an example's member, kept"},
    }


def test_derive_from_a_folder_without_adobes_files_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        derive.main([str(tmp_path / "nowhere"), "--check"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"holds no {derive.SPEC} and no {derive.POSTMAN}" in err
    assert "Traceback" not in err
