"""The ``cja-async`` command line, run as a user runs it: a real process against the simulator
served by uvicorn on loopback (real sockets, real time, the simulator's limits at 10x speed).

Each test registers a credential of its own org, so tests share one server but no data or
limits. The terminal tests run the command inside tmux, a real terminal.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from api_calls import MOBILE_VISITS

from cja_async import Client, RateLimit
from cja_async._cli import _diff
from cja_async._cli._files import atomic_text
from cja_async._cli._sdr import COLUMNS, PARTS
from cja_async.models import Segment
from cja_async.testing import Faults, Simulator, serve

SPEED = 10
LIMITS = RateLimit().scaled(SPEED)  # 6 in flight, 60 per 6 s, 12 per 0.6 s
SECRET = "s3cret-value-never-printed"
GROUPS = [
    "dataviews", "connections", "segments", "calculated_metrics", "date_ranges", "projects",
    "annotations", "tags", "shares", "users", "audit_logs",
]  # fmt: skip


class Org:
    """A credential of a fresh org on a served simulator, and how to run the CLI with it."""

    def __init__(self, sim: Simulator, url: str, dataviews: int = 60) -> None:
        self.sim = sim
        self.sim_dataviews = dataviews
        self.url = url
        self.org_id = f"CLI{uuid.uuid4().hex[:12].upper()}@AdobeOrg"
        self.client_id = f"cli-{uuid.uuid4().hex[:8]}"
        sim.add_client(self.client_id, SECRET, self.org_id)

    def env(self, **changes: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CJA_")}
        env.update(
            CJA_ORG_ID=self.org_id,
            CJA_CLIENT_ID=self.client_id,
            CJA_CLIENT_SECRET=SECRET,
            CJA_BASE_URL=self.url,
            CJA_TOKEN_URL=f"{self.url}/ims/token/v3",
            COLUMNS="120",
        )
        env.update(changes)
        return env

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """``python -m cja_async ARGS --speed 10`` to completion (API commands get --speed)."""
        speed = ["--speed", str(SPEED)] if args and args[0] in API_COMMANDS else []
        return subprocess.run(
            [sys.executable, "-m", "cja_async", *args, *speed],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def client(self) -> Client:
        """A library client of the same org and credential on a twin of the served simulator
        (same seed, so the same data), in-process and without limits: comparing with it never
        spends the served org's budget, so the command's own runs meet no 429 it did not earn.
        """
        twin = Simulator(rate_limit=None, dataviews=self.sim_dataviews)
        twin.add_client(self.client_id, SECRET, self.org_id)
        return twin.client(org_id=self.org_id, client_id=self.client_id, client_secret=SECRET)


API_COMMANDS = {"whoami", "export", "sdr", "report"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator(rate_limit=LIMITS, latency=0.005, dataviews=60)
    with serve(sim) as url:
        yield sim, url


@pytest.fixture
def org(served: tuple[Simulator, str]) -> Org:
    return Org(*served)


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cja_async ARGS`` with no credentials: for commands that send no request."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CJA_")}
    return subprocess.run(
        [sys.executable, "-m", "cja_async", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed run: exactly one line, no traceback, no secret."""
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cja-async: ")
    return lines[0]


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a run refused as a usage error (exit 2): no traceback, no secret."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    return result.stderr


async def walk_all(org: Org) -> dict[str, list[dict[str, Any]]]:
    """Every group walked the library's way (the pager, items as to_dict())."""
    from cja_async._cli._export import GROUPS as TABLE

    async with org.client() as cja:
        return {name: [i.to_dict() async for i in TABLE[name].walk(cja)] for name in GROUPS}


# -- version, help, whoami -------------------------------------------------------------


def test_version_and_help_on_every_command(org: Org) -> None:
    from cja_async import __version__

    result = org.run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cja-async, version {__version__}"
    for command in ("whoami", "export", "sdr", "diff", "report", "demo"):
        help_run = subprocess.run(
            [sys.executable, "-m", "cja_async", command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert help_run.returncode == 0, command
        assert "Example:" in help_run.stdout, command
        assert "cja-async" in help_run.stdout.split("Example:")[1], command


def test_the_installed_script_is_cja_async() -> None:
    script = Path(sys.executable).parent / "cja-async"
    if not script.exists():
        pytest.skip("the cja-async script is not installed beside this Python")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: cja-async ")


def test_the_commands_that_call_the_api_do_not_load_the_simulator() -> None:
    # Every command starts by importing the command line; only `demo` needs the simulator.
    code = "import sys, cja_async._cli; print('cja_async.testing' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_whoami_names_user_and_org_with_one_request(org: Org) -> None:
    result = org.run("whoami")
    assert result.returncode == 0, result.stderr
    assert f"org   {org.org_id}" in result.stdout
    assert org.client_id in result.stdout  # the simulator's technical account is named by it
    assert result.stderr.strip().startswith("whoami: 1 request, 0 429s,")


def test_whoami_from_a_developer_console_file(org: Org, tmp_path: Path) -> None:
    console = {
        "CLIENT_SECRETS": [SECRET],
        "ORG_ID": org.org_id,
        "CLIENT_ID": org.client_id,
        "SCOPES": ["openid", "AdobeID"],
    }
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(console))
    env = {k: "" for k in ("CJA_ORG_ID", "CJA_CLIENT_ID", "CJA_CLIENT_SECRET", "CJA_TOKEN_URL")}
    result = org.run(
        "whoami",
        "--credentials",
        str(path),
        "--base-url",
        org.url,
        "--token-url",
        f"{org.url}/ims/token/v3",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert org.org_id in result.stdout


def test_cja_org_id_is_read_as_the_library_reads_it(org: Org, tmp_path: Path) -> None:
    # A credential file without ORG_ID takes CJA_ORG_ID, stripped like Client.from_env does
    # (a secrets file's trailing newline); a blank one counts as unset.
    console = {"CLIENT_SECRETS": [SECRET], "CLIENT_ID": org.client_id, "SCOPES": ["openid"]}
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(console))
    result = org.run(
        "whoami", "--credentials", str(path), "--base-url", org.url,
        "--token-url", f"{org.url}/ims/token/v3", CJA_ORG_ID=f" {org.org_id}\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert org.org_id in result.stdout
    result = org.run("whoami", CJA_ORG_ID="  \n")
    assert result.returncode == 1
    assert "CJA_ORG_ID is blank" in one_error_line(result)


def test_a_credential_file_takes_the_urls_from_the_environment(org: Org, tmp_path: Path) -> None:
    # CJA_BASE_URL and CJA_TOKEN_URL (stripped, as the library reads them) apply to a
    # --credentials file too, not only to the CJA_* credentials; the options still win.
    console = {"CLIENT_SECRETS": [SECRET], "ORG_ID": org.org_id, "CLIENT_ID": org.client_id}
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(console))
    env = {k: "" for k in ("CJA_ORG_ID", "CJA_CLIENT_ID", "CJA_CLIENT_SECRET")}
    env.update(CJA_BASE_URL=f" {org.url}\n", CJA_TOKEN_URL=f"{org.url}/ims/token/v3 ")
    result = org.run("whoami", "--credentials", str(path), **env)
    assert result.returncode == 0, result.stderr
    assert org.org_id in result.stdout
    wrong = org.run("whoami", "--credentials", str(path), "--base-url", "http://x.example", **env)
    assert wrong.returncode == 1 and "--base-url URL (or CJA_BASE_URL)" in one_error_line(wrong)


# -- export -----------------------------------------------------------------------------


def test_export_all_jsonl_lines_equal_the_library_walks(org: Org, tmp_path: Path) -> None:
    import asyncio

    out = tmp_path / "backup"
    result = org.run("export", "all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    walks = asyncio.run(walk_all(org))
    for group in GROUPS:
        lines = (out / f"{group}.jsonl").read_text(encoding="utf-8").splitlines()
        exported = [json.loads(line) for line in lines]
        assert len(exported) == len(walks[group]) > 0, group
        assert exported == walks[group], group  # the API's JSON, item for item
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{g}.jsonl" for g in GROUPS)
    # Fewest requests: every group fits one page of 1000, so one request per group.
    summary = result.stderr.strip().splitlines()[-1]
    total = sum(len(items) for items in walks.values())
    assert summary.startswith(f"exported {total} items in {len(GROUPS)} files to {out}: ")
    assert f": {len(GROUPS)} requests, 0 429s, " in summary
    # Not a terminal: plain lines, no escape codes.
    assert "\x1b[" not in result.stderr
    assert f"segments: {len(walks['segments'])} segments" in result.stderr


def test_export_json_and_csv(org: Org, tmp_path: Path) -> None:
    import asyncio

    walks = asyncio.run(walk_all(org))
    for fmt in ("json", "csv"):
        out = tmp_path / fmt
        result = org.run(
            "export", "segments", "calculated-metrics", "--out", str(out), "--format", fmt
        )
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in out.iterdir()) == [
            f"calculated_metrics.{fmt}",
            f"segments.{fmt}",
        ]
        text = (out / f"segments.{fmt}").read_text(encoding="utf-8")
        if fmt == "json":
            assert json.loads(text) == walks["segments"]
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
            assert [r["id"] for r in rows] == [s["id"] for s in walks["segments"]]
            first = walks["segments"][0]
            assert json.loads(rows[0]["definition"]) == first["definition"]
            assert rows[0]["name"] == first["name"]


# -- sdr --------------------------------------------------------------------------------


async def sdr_counts(org: Org, view: str) -> dict[str, int]:
    async with org.client() as cja:
        return {
            "dataview": 1,
            "dimensions": len([d async for d in cja.dataviews.list_dimensions(view, limit=1000)]),
            "metrics": len([m async for m in cja.dataviews.list_metrics(view, limit=1000)]),
            "calculated_metrics": len(
                [m async for m in cja.calculated_metrics.list(data_ids=[view], limit=1000)]
            ),
            "segments": len([s async for s in cja.segments.list(data_ids=[view], limit=1000)]),
        }


async def busiest_view(org: Org) -> str:
    """The data view with the most segments on it."""
    async with org.client() as cja:
        segments = cja.segments.list(expansion=["dataId"], limit=1000)
        owners = [s.data_id or s.rsid async for s in segments]
    return max(set(owners), key=lambda v: (owners.count(v), v or ""))  # type: ignore[return-value]


def test_sdr_xlsx_has_one_sheet_per_part(org: Org, tmp_path: Path) -> None:
    import asyncio

    from openpyxl import load_workbook

    view = asyncio.run(busiest_view(org))
    out = tmp_path / "sdr.xlsx"
    result = org.run("sdr", view, "--out", str(out))
    assert result.returncode == 0, result.stderr
    counts = asyncio.run(sdr_counts(org, view))
    assert counts["segments"] > 0 and counts["dimensions"] > 0
    book = load_workbook(out)
    assert book.sheetnames == list(PARTS.values())
    for part, title in PARTS.items():
        sheet = book[title]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == COLUMNS, title
        assert len(rows) - 1 == counts[part], title
    assert book["Data view"]["A2"].value == view
    # The fewest requests: the data view, then one page each of four lists.
    assert ": 5 requests, 0 429s, " in result.stderr


def test_sdr_json_csv_md_and_unknown_data_view(org: Org, tmp_path: Path) -> None:
    import asyncio

    view = asyncio.run(busiest_view(org))
    counts = asyncio.run(sdr_counts(org, view))
    for suffix in ("json", "csv", "md"):
        result = org.run("sdr", view, "--out", str(tmp_path / f"sdr.{suffix}"))
        assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "sdr.json").read_text())
    assert {part: len(rows) for part, rows in data.items()} == counts
    assert all(set(row) == set(COLUMNS) for rows in data.values() for row in rows)
    assert all(row["type"] for row in data["dimensions"])  # string, int, ...
    table = list(csv.DictReader(io.StringIO((tmp_path / "sdr.csv").read_text())))
    assert len(table) == sum(counts.values())
    assert list(table[0]) == ["part", *COLUMNS]
    markdown = (tmp_path / "sdr.md").read_text()
    for title in PARTS.values():
        assert f"\n## {title} (" in markdown

    missing = org.run("sdr", "dv_does_not_exist", "--out", str(tmp_path / "x.json"))
    assert missing.returncode == 1
    assert "unknown data view 'dv_does_not_exist'" in one_error_line(missing)
    assert not (tmp_path / "x.json").exists()


# -- diff -------------------------------------------------------------------------------


def test_diff_of_an_export_against_a_copy_with_one_changed_segment(
    org: Org, tmp_path: Path
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    assert org.run("export", "all", "--out", str(old)).returncode == 0
    shutil.copytree(old, new)
    path = new / "segments.jsonl"
    lines = path.read_text().splitlines()
    segment = json.loads(lines[3])
    segment["definition"]["container"]["pred"]["description"] = "changed by the test"
    lines[3] = json.dumps(segment)
    path.write_text("\n".join(lines) + "\n")

    result = org.run("diff", str(old), str(new))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "segments: 0 added, 0 removed, 1 changed",
        f"  ~ {segment['id']}  {segment['name']}: definition.container.pred.description",
    ]
    assert result.stderr.strip() == f"0 added, 0 removed, 1 changed in {len(GROUPS)} groups"

    csv_export = tmp_path / "csv"
    assert (
        org.run("export", "segments", "--out", str(csv_export), "--format", "csv").returncode == 0
    )
    mixed = org.run("diff", str(old), str(csv_export))
    assert mixed.returncode == 1
    assert "compare exports made with the same --format" in one_error_line(mixed)

    same = org.run("diff", str(old), str(old))
    assert same.returncode == 0 and same.stdout == ""
    assert same.stderr.strip() == f"no differences in {len(GROUPS)} groups"


def test_diff_of_two_sdr_files_added_removed_changed(org: Org, tmp_path: Path) -> None:
    import asyncio

    view = asyncio.run(busiest_view(org))
    assert org.run("sdr", view, "--out", str(tmp_path / "a.json")).returncode == 0
    data = json.loads((tmp_path / "a.json").read_text())
    removed = data["segments"].pop()
    data["metrics"][0]["name"] = "Renamed"
    data["dimensions"].append({**data["dimensions"][0], "id": "variables/new"})
    (tmp_path / "b.json").write_text(json.dumps(data))
    result = org.run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json")
    assert result.returncode == 0, result.stderr
    by_group = {d["group"]: d for d in json.loads(result.stdout)}
    assert by_group["segments"]["removed"] == [removed["id"]]
    assert by_group["dimensions"]["added"] == ["variables/new"]
    assert by_group["metrics"]["changed"] == {data["metrics"][0]["id"]: ["name"]}
    # Names of the components listed only (the newer name where both sides have one).
    assert by_group["segments"]["names"] == {removed["id"]: removed["name"]}
    assert by_group["metrics"]["names"] == {data["metrics"][0]["id"]: "Renamed"}


def test_diff_of_a_folder_and_a_file_or_of_a_non_json_file_is_one_clear_line(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "segments.jsonl").write_text('{"id": "s1", "name": "A"}\n')
    sdr = tmp_path / "web.json"
    sdr.write_text(json.dumps({part: [] for part in PARTS}))
    xlsx = tmp_path / "web.xlsx"
    xlsx.write_bytes(b"PK\x03\x04\x81\x00 not text")
    for old, new in ((sdr, folder), (folder, sdr)):
        result = offline("diff", str(old), str(new))
        assert result.returncode == 1
        line = one_error_line(result)
        assert f"cannot compare the export folder {str(folder)!r}" in line
        assert "two export folders or two SDR JSON files" in line
    result = offline("diff", str(sdr), str(xlsx))
    assert result.returncode == 1
    line = one_error_line(result)
    assert "is neither an export folder nor an SDR JSON file" in line
    assert "codec" not in line


def test_diff_of_a_broken_export_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    good, bad = tmp_path / "monday", tmp_path / "friday"
    for folder in (good, bad):
        folder.mkdir()
        (folder / "segments.jsonl").write_text('{"id": "s1", "name": "A"}\n')
    (bad / "segments.jsonl").write_text('{"id": "s1", "name": "A"}\n\n{"id": "s2", "na\n')
    (bad / "tags.json").write_text('[{"id": 1}')
    (good / "tags.json").write_text("[]")
    result = offline("diff", str(good), str(bad))
    assert result.returncode == 1
    line = one_error_line(result)
    # It used to say "cannot read 'friday': Expecting value: line 1 column 1 (char 0)".
    assert f"{str(bad / 'segments.jsonl')!r} line 3 is not JSON (" in line, line
    (bad / "segments.jsonl").write_text('{"id": "s1", "name": "A"}\n')
    line = one_error_line(offline("diff", str(good), str(bad)))
    assert f"{str(bad / 'tags.json')!r} is not JSON (" in line and "line 1 column 11" in line


def test_an_empty_data_view_id_is_a_usage_error_before_any_request(org: Org) -> None:
    before = org.sim.stats.token_requests
    for args in (
        ("sdr", " ", "--out", "never.json"),
        ("report", "", "-d", "variables/page", "-m", "metrics/visits", "--from", "2024-01-01",
         "--to", "2024-02-01", "--out", "never.csv"),
    ):  # fmt: skip
        result = org.run(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "Invalid value for 'DATA_VIEW_ID': empty; give a data view id" in result.stderr
    assert org.sim.stats.token_requests == before


def test_demo_refuses_bad_options_with_a_usage_line() -> None:
    for option, value in (("--limit", "0"), ("--limit", "1001"), ("--latency", "-1"),
                          ("--dataviews", "0")):  # fmt: skip
        result = offline("demo", option, value)
        assert result.returncode == 2, (option, value, result.stderr)
        assert "Traceback" not in result.stderr
        assert f"Invalid value for '{option}'" in result.stderr


def test_demo_without_latency_ends_with_its_summary() -> None:
    # --latency 0 is allowed, and made the least possible time 0: a ZeroDivisionError.
    result = offline("demo", "--dataviews", "30", "--latency", "0")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "  least possible  0.00 s under the limits\n" in result.stdout
    assert result.stdout.rstrip().endswith("(3 answered by the response cache)")


def test_demo_of_one_data_view_speaks_in_the_singular() -> None:
    result = offline("demo", "--dataviews", "1", "--latency", "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Exporting 1 data view (")
    assert "  data views      1 (owned by 1 person)\n" in result.stdout
    assert "  second export   1 data view, 0 requests " in result.stdout


def test_an_empty_step_ends_its_bar_at_0_of_0_not_0_of_1() -> None:
    from cja_async._cli._progress import Progress

    stream = io.StringIO()
    with Progress(stream, terminal=True) as progress:
        progress.track("segments").finish()  # a part with no items (sdr: no segments)
        metrics = progress.track("metrics")
        metrics.update(3, 3)
        metrics.finish()
    drawn = stream.getvalue()
    final = drawn[drawn.rindex("segments") :]  # the last drawing of the bars
    assert "0/0" in final and "0/1" not in final and "3/3" in final


def test_changed_members_descend_into_objects_only() -> None:
    old = {"a": {"b": 1, "c": [1]}, "d": 1}
    new = {"a": {"b": 2, "c": [1, 2]}, "e": None}
    assert list(_diff.changed_members(old, new)) == ["a.b", "a.c", "d", "e"]


# -- report -----------------------------------------------------------------------------


def test_report_top_items_to_csv_jsonl_parquet(org: Org, tmp_path: Path) -> None:
    import asyncio

    view = asyncio.run(busiest_view(org))
    common = ["report", view, "-d", "variables/page", "-m", "metrics/visits", "-m",
              "metrics/revenue", "--from", "2024-01-01", "--to", "2024-04-01"]  # fmt: skip
    top = org.run(*common, "--top", "5", "--out", str(tmp_path / "top.csv"))
    assert top.returncode == 0, top.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "top.csv").read_text())))
    assert list(rows[0]) == ["variables/page", "variables/page.itemId", "metrics/visits",
                             "metrics/revenue"]  # fmt: skip
    assert len(rows) == 5
    visits = [float(r["metrics/visits"]) for r in rows]
    assert visits == sorted(visits, reverse=True)
    assert ": 1 request, 0 429s, " in top.stderr

    every = org.run(*common, "--out", str(tmp_path / "all.jsonl"))
    assert every.returncode == 0, every.stderr
    records = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert len(records) >= 5 and records[:5] == [
        {**r, "metrics/visits": float(r["metrics/visits"]),
         "metrics/revenue": float(r["metrics/revenue"])} for r in rows
    ]  # fmt: skip
    polars = pytest.importorskip("polars")
    assert org.run(*common, "--out", str(tmp_path / "all.parquet")).returncode == 0
    frame = polars.read_parquet(tmp_path / "all.parquet")
    assert frame.height == len(records)

    async def a_segment() -> str:
        # Mobile-phone visits: a strict part of the data (a seeded segment, drawn at random,
        # may hold every visit, and then the sums below could not differ).
        # Made on the served simulator itself (the twin of org.client() would not know it).
        served = org.sim.client(org_id=org.org_id, client_id=org.client_id, client_secret=SECRET)
        async with served as cja:
            segment = Segment(name="Mobile", rsid=view, definition=MOBILE_VISITS)
            return (await cja.segments.create(segment)).id

    segment = asyncio.run(a_segment())
    segmented = org.run(*common, "--segment", segment, "--out", str(tmp_path / "seg.jsonl"))
    assert segmented.returncode == 0, segmented.stderr
    within = [json.loads(line) for line in (tmp_path / "seg.jsonl").read_text().splitlines()]
    everything = {r["variables/page.itemId"]: r["metrics/visits"] for r in records}
    assert all(r["metrics/visits"] <= everything[r["variables/page.itemId"]] for r in within)
    assert sum(r["metrics/visits"] for r in within) < sum(everything.values())

    too_deep = org.run(*common, "--top", "10,5", "--out", str(tmp_path / "t.csv"))
    assert too_deep.returncode == 2  # a usage error (exit 1 before: see CHANGELOG.md)
    assert "Invalid value for '--top': 2 levels for 1 --dimension" in usage_error(too_deep)
    for bad in ("ten", "0", "-1", "10,x"):
        result = org.run(*common, "--top", bad, "--out", str(tmp_path / "t.csv"))
        assert result.returncode == 2, (bad, result.stderr)
        assert "Invalid value for '--top': takes positive numbers" in usage_error(result)


def test_report_breakdowns_equal_the_librarys_freeform_table(org: Org, tmp_path: Path) -> None:
    import asyncio

    view = asyncio.run(busiest_view(org))
    dimensions = ["variables/marketingchannel", "variables/devicetype"]
    metrics = ["metrics/visits", "metrics/revenue"]

    async def library_rows() -> list[dict[str, object]]:
        async with org.client() as cja:
            table = cja.reports.freeform_table(
                view, dimensions=dimensions, metrics=metrics,
                date_range=("2024-01-01", "2024-04-01"), top=[3, 2],
            )  # fmt: skip
            rows = await table.collect()
        return [{"channel": r.item_ids[0], "device": r.item_ids[1], **r.data} for r in rows]

    out = tmp_path / "table.jsonl"
    result = org.run(
        "report", view, "-d", dimensions[0], "-d", dimensions[1], "-m", metrics[0],
        "-m", metrics[1], "--from", "2024-01-01", "--to", "2024-04-01", "--top", "3,2",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = [json.loads(line) for line in out.read_text().splitlines()]
    expected = asyncio.run(library_rows())
    assert 3 < len(written) <= 6
    assert [
        {"channel": r[f"{dimensions[0]}.itemId"], "device": r[f"{dimensions[1]}.itemId"],
         **{m: r[m] for m in metrics}} for r in written
    ] == expected  # fmt: skip

    # Past Adobe's 18 months: refused with the limit named, unless split by period. The
    # simulator's events are all in 2024, so the months with rows are its twelve, in order.
    long = ["report", view, "-d", dimensions[0], "-m", metrics[0], "--from", "2023-12-01",
            "--to", "2025-07-01", "--top", "2"]  # fmt: skip
    refused = org.run(*long, "--out", str(tmp_path / "long.csv"))
    assert refused.returncode == 1
    assert "18 months" in one_error_line(refused)
    split = org.run(*long, "--split", "month", "--out", str(tmp_path / "long.csv"))
    assert split.returncode == 0, split.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "long.csv").read_text())))
    assert list(rows[0])[:2] == ["period", "period.itemId"]
    periods = list(dict.fromkeys(r["period.itemId"] for r in rows))
    assert len(periods) == 12 and periods == sorted(periods)
    assert len(rows) == 24


def test_report_one_top_for_every_level_and_ids_given_twice(org: Org, tmp_path: Path) -> None:
    import asyncio

    view = asyncio.run(busiest_view(org))
    common = ["report", view, "-d", "variables/marketingchannel", "-d", "variables/devicetype",
              "-m", "metrics/visits", "--from", "2024-01-01", "--to", "2024-04-01"]  # fmt: skip
    one = org.run(*common, "--top", "2", "--out", str(tmp_path / "one.csv"))
    both = org.run(*common, "--top", "2,2", "--out", str(tmp_path / "both.csv"))
    assert one.returncode == 0 and both.returncode == 0, one.stderr + both.stderr
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "both.csv").read_text()
    assert len((tmp_path / "one.csv").read_text().splitlines()) == 1 + 4

    before = org.sim.stats.token_requests
    for option, twice in (("-d", "variables/devicetype"), ("-m", "metrics/visits")):
        result = org.run(*common, option, twice, "--out", str(tmp_path / "twice.csv"))
        assert result.returncode == 2
        assert f"{twice} is given twice" in usage_error(result)
    assert org.sim.stats.token_requests == before  # refused before any request
    assert not (tmp_path / "twice.csv").exists()


def test_report_over_18_months_names_the_split_option_before_any_request(
    org: Org, tmp_path: Path
) -> None:
    common = ["report", "dv_x", "-d", "variables/marketingchannel", "-m", "metrics/visits",
              "--from", "2023-01-01", "--to", "2025-01-01", "--top", "2"]  # fmt: skip
    before = org.sim.stats.requests
    long = org.run(*common, "--out", str(tmp_path / "long.csv"))
    assert long.returncode == 1
    assert "more than 18 months" in one_error_line(long) and "--split month" in long.stderr
    assert org.sim.stats.requests == before  # refused before any request
    assert not (tmp_path / "long.csv").exists()


def test_bad_days_are_usage_errors_naming_the_option_before_any_request(
    org: Org, tmp_path: Path
) -> None:
    before = org.sim.stats.token_requests
    for start, end, expected in (
        ("2024-13-01", "2024-04-01", "Invalid value for '--from': '2024-13-01' is not a day"),
        ("2024-01-01", "yesterday", "Invalid value for '--to': 'yesterday' is not a day"),
        ("2024-04-01", "2024-01-01", "--to 2024-01-01 is not after --from 2024-04-01"),
        ("2024-01-31", "2024-01-31", "(one day: --from 2024-01-31 --to 2024-02-01)"),
    ):
        out = str(tmp_path / "r.csv")
        result = org.run("report", "dv_x", "-d", "variables/page", "-m", "metrics/visits",
                         "--from", start, "--to", end, "--out", out)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert expected in result.stderr
        assert "date_range" not in result.stderr  # the library's argument, not the option
    assert org.sim.stats.token_requests == before


def test_parquet_without_polars_is_refused_before_any_request(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cja_async._cli import main

    for name, value in org.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars raises ImportError
    before = org.sim.stats.token_requests
    args = ["report", "dv_x", "-d", "variables/page", "-m", "metrics/visits", "--from",
            "2024-01-01", "--to", "2024-02-01", "--out", str(tmp_path / "r.parquet")]  # fmt: skip
    code = main(args)
    assert code == 1
    err = capsys.readouterr().err
    assert "--format parquet needs polars: pip install 'cja-async[polars]'" in err
    assert org.sim.stats.token_requests == before  # not even a token was asked for


# -- bad input --------------------------------------------------------------------------


def test_wrong_secret_is_one_line_and_exit_1(org: Org) -> None:
    result = org.run("whoami", CJA_CLIENT_SECRET="wrong-" + SECRET)
    assert result.returncode == 1
    line = one_error_line(result)
    assert "401" in line and "check the client id and secret" in line
    assert "wrong-" not in line


def test_an_unreachable_identity_server_names_the_token_url_not_the_base_url() -> None:
    import httpx

    from cja_async import OAuthCredentials, TransportError
    from cja_async._cli import describe
    from cja_async.testing import run_virtual_time

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def whoami() -> TransportError:
        credentials = OAuthCredentials(client_id="cli", client_secret=SECRET)
        transport = httpx.MockTransport(refuse)
        async with Client(org_id="X@AdobeOrg", credentials=credentials, transport=transport) as cja:
            with pytest.raises(TransportError) as info:
                await cja.users.me()
        return info.value

    line = describe(run_virtual_time(whoami()))  # the token retries' backoff in virtual time
    assert "could not get a token" in line and SECRET not in line
    assert line.endswith("check the network and the token URL (--token-url or CJA_TOKEN_URL)")


def test_a_bad_setting_names_the_option_or_variable_that_sets_it(org: Org, tmp_path: Path) -> None:
    # The library's errors name its arguments (token_url=...), which no CLI user typed.
    for changes, expected in (
        ({"CJA_TOKEN_URL": ""}, "; on the command line: --token-url URL (or CJA_TOKEN_URL)"),
        ({"CJA_BASE_URL": "http://example.com"}, "--base-url URL (or CJA_BASE_URL)"),
        ({"CJA_ORG_ID": "SIMORG"}, "CJA_ORG_ID (or the credential file's ORG_ID)"),
    ):
        result = org.run("whoami", **changes)
        assert result.returncode == 1
        assert one_error_line(result).endswith(expected), result.stderr
    listed = tmp_path / "list.json"
    listed.write_text("[1]")
    line = one_error_line(org.run("whoami", "--credentials", str(listed)))
    assert line.count(str(listed)) == 1, line  # was "list.json: 'list.json' does not hold..."


def test_unwritable_out_fails_before_any_request(org: Org, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    before = org.sim.stats.token_requests
    for args in (
        ("export", "segments", "--out", str(blocker / "backup")),
        ("sdr", "dv_x", "--out", str(blocker / "sdr.xlsx")),
        ("report", "dv_x", "-d", "variables/page", "-m", "metrics/visits", "--from",
         "2024-01-01", "--to", "2024-02-01", "--out", str(blocker / "r.csv")),
    ):  # fmt: skip
        result = org.run(*args)
        assert result.returncode == 1, args
        assert "cannot write to" in one_error_line(result)
    assert org.sim.stats.token_requests == before  # not even a token was asked for


def test_an_out_through_a_file_says_the_file_is_not_a_folder(org: Org, tmp_path: Path) -> None:
    blocker = tmp_path / "cred.json"
    blocker.write_text("{}")
    for args in (
        ("sdr", "dv_x", "--out", str(blocker / "sdr.xlsx")),
        ("export", "tags", "--out", str(blocker / "deeper" / "backup")),
    ):
        line = one_error_line(org.run(*args))
        assert line.endswith(f"{str(blocker)!r} is a file, not a folder"), line


def test_an_empty_out_is_a_usage_error_not_the_current_folder(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where an empty --out used to put the files
    before = org.sim.stats.token_requests
    for args in (
        ("export", "tags", "--out", ""),
        ("sdr", "dv_x", "--out", " "),
        ("report", "dv_x", "-d", "variables/page", "-m", "metrics/visits", "--from",
         "2024-01-01", "--to", "2024-02-01", "--out", ""),
    ):  # fmt: skip
        result = org.run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert "Invalid value for '--out' / '-o': empty; give a " in result.stderr, args
    assert list(tmp_path.iterdir()) == []
    assert org.sim.stats.token_requests == before


def test_missing_credentials_and_unknown_format(org: Org, tmp_path: Path) -> None:
    result = org.run("whoami", CJA_ORG_ID="", CJA_CLIENT_ID="", CJA_CLIENT_SECRET="")
    assert result.returncode == 1
    assert "no credentials: pass --credentials FILE" in one_error_line(result)
    result = org.run("whoami", CJA_ORG_ID="")  # the one missing is named
    assert result.returncode == 1
    line = one_error_line(result)
    assert "CJA_ORG_ID is not set" in line and "or pass --credentials FILE" in line
    result = org.run("whoami", CJA_CLIENT_SECRET="")
    assert result.returncode == 1
    line = one_error_line(result)
    assert "CJA_CLIENT_SECRET is not set" in line and "or pass --credentials FILE" in line
    result = org.run("whoami", "--credentials", str(tmp_path / "missing.json"))
    assert result.returncode == 1
    assert "cannot read" in one_error_line(result)
    (tmp_path / "broken.json").write_text("{not json")
    result = org.run("whoami", "--credentials", str(tmp_path / "broken.json"))
    assert result.returncode == 1
    assert "broken.json: not a JSON file" in one_error_line(result)
    result = org.run("sdr", "dv_x", "--out", str(tmp_path / "sdr.txt"))
    assert result.returncode == 2  # a usage error
    assert "does not write txt files" in usage_error(result) and "--format" in result.stderr


def test_a_format_the_command_does_not_write_is_named_as_such() -> None:
    from cja_async._cli._files import format_for

    formats = ("csv", "jsonl", "parquet")
    # A report to r.xlsx was "cannot tell the format of 'r.xlsx'": it can, it just is not one.
    with pytest.raises(click.UsageError) as info:
        format_for(Path("r.xlsx"), None, formats)
    assert info.value.exit_code == 2
    assert info.value.message == (
        "this command does not write xlsx files ('r.xlsx'): give --format (csv|jsonl|parquet) "
        "or a file name ending in one of them"
    )
    with pytest.raises(click.UsageError, match=r"^cannot tell the format of 'report': give"):
        format_for(Path("report"), None, formats)
    assert format_for(Path("R.CSV"), None, formats) == "csv"
    assert format_for(Path("r.txt"), "jsonl", formats) == "jsonl"


def test_a_refused_request_mid_export_is_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    sim = Simulator(rate_limit=LIMITS, faults=Faults(error_rate=1.0, error_statuses=[403]))
    with serve(sim) as url:
        result = Org(sim, url).run("export", "all", "--out", str(tmp_path / "backup"))
    assert result.returncode == 1
    line = one_error_line(result)
    assert "HTTP 403" in line and "the credential lacks access" in line
    assert "CJA_ORG_ID" in line  # the usual cause: another org's id
    assert list((tmp_path / "backup").iterdir()) == []


def test_atomic_text_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    with pytest.raises(RuntimeError), atomic_text(target) as stream:
        stream.write("half")
        raise RuntimeError("stop")
    assert target.read_text() == "previous\n"
    assert list(tmp_path.iterdir()) == [target]


# -- one budget for separate runs: --redis ------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free loopback port (skipped without one, as the Redis
    limiter's own tests are)."""
    pytest.importorskip("redis", reason="redis-py is not installed: pip install '.[redis]'")
    from cja_async.redis._server import RedisServer, redis_server_binary

    binary = redis_server_binary()
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with RedisServer(binary) as server:
        yield server.url


def test_a_run_with_redis_waits_for_the_budget_other_processes_spent(
    org: Org, redis_url: str
) -> None:
    # Another program of the org (here, this test) spends the whole 60-per-6 s window through
    # the same Redis; a run that shares it waits for the window instead of meeting 429s (a run
    # with a limiter of its own would be refused: the server's window is full).
    import asyncio

    from cja_async import OAuthCredentials
    from cja_async.redis import RedisLimiterBackend

    async def spend() -> int:
        credentials = OAuthCredentials(
            client_id=org.client_id, client_secret=SECRET, token_url=f"{org.url}/ims/token/v3"
        )
        async with (
            RedisLimiterBackend(redis_url) as backend,
            Client(org_id=org.org_id, credentials=credentials, base_url=org.url,
                   rate_limit=LIMITS, limiter_backend=backend) as cja,
        ):  # fmt: skip
            await asyncio.gather(*(cja.users.me() for _ in range(60)))
            return cja.stats.rate_limited

    assert asyncio.run(spend()) == 0
    result = org.run("whoami", "--redis", redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().startswith("whoami: 1 request, 0 429s,")
    stats = org.sim.org_stats(org.org_id)
    assert (stats.requests, stats.rejected_429) == (61, 0)


def test_runs_sharing_redis_at_another_speed_are_told_to_match(org: Org, redis_url: str) -> None:
    assert org.run("whoami", "--redis", redis_url).returncode == 0  # the budget at --speed 10
    result = subprocess.run(
        [sys.executable, "-m", "cja_async", "whoami", "--redis", redis_url, "--speed", "5"],
        env=org.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    line = one_error_line(result)  # was a ValueError traceback
    assert "Every process of one org must use the same rate_limit" in line
    assert line.endswith("give every run that shares --redis the same --speed")


def test_redis_problems_are_one_line(
    org: Org, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cja_async._cli import main

    result = org.run("whoami", "--redis", "localhost:6379")  # no scheme: redis-py would raise
    assert result.returncode == 2
    assert (
        "Invalid value for '--redis': the URL must be a redis://, rediss:// or unix:// URL"
        in result.stderr
    )
    unreachable = org.run("whoami", CJA_REDIS_URL="redis://cli:pw-never-shown@127.0.0.1:1/0")
    assert unreachable.returncode == 1
    assert "pw-never-shown" not in unreachable.stderr + unreachable.stdout
    assert one_error_line(unreachable).endswith(
        "check that the Redis of --redis (or CJA_REDIS_URL) is reachable"
    )
    for name, value in org.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "cja_async.redis", None)  # as without redis-py
    assert main(["whoami", "--redis", "redis://localhost:6379/0"]) == 1
    assert "--redis needs redis-py: pip install 'cja-async[redis]'" in capsys.readouterr().err


# -- Ctrl-C -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow() -> Iterator[tuple[Simulator, str]]:
    """A simulator that takes 2 s per answer: a command is surely mid-walk for a while."""
    sim = Simulator(rate_limit=LIMITS, latency=2.0, dataviews=60)
    with serve(sim) as url:
        yield sim, url


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_ctrl_c_mid_export_exits_130_with_one_line_and_no_partial_file(
    slow: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, url = slow
    org = Org(sim, url)
    out = tmp_path / "backup"
    before = sim.stats.requests
    proc = subprocess.Popen(
        [sys.executable, "-m", "cja_async", "export", "all", "--out", str(out), "--speed", "10"],
        env=org.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: sim.stats.requests > before)  # mid-walk: requests in flight
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "cja-async: interrupted (Ctrl-C); files written so far are complete, none is left "
        "half-written"
    ]
    assert list(out.iterdir()) == []  # no group finished, and no temporary file is left


def test_ctrl_c_on_the_demo_is_one_line_and_exit_130(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cja_async", "demo", "--latency", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("Exporting 2000 data views")
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("cja-async: interrupted (Ctrl-C)")


@pytest.mark.parametrize("command", [["whoami"], ["export", "tags", "--out", "OUT"]])
def test_ctrl_c_after_the_summary_changes_nothing(
    org: Org, tmp_path: Path, command: list[str]
) -> None:
    # The summary line says the job is done: a Ctrl-C pressed as it appears (while the client
    # closes and Python exits) must neither turn that into a failure nor kill the process
    # silently by SIGINT (it used to exit -2 and print nothing).
    args = [str(tmp_path / "out") if part == "OUT" else part for part in command]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cja_async", *args, "--speed", str(SPEED)],
        env=org.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        lines = []
        while not (lines and " 429s, " in lines[-1]):
            line = proc.stderr.readline()
            assert line, f"ended before the summary: {lines}"
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        _stdout, rest = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, (lines, rest)
    assert rest == ""  # nothing after the summary: no "interrupted", no traceback
    assert lines[-1].startswith(f"{command[0]}: " if command[0] == "whoami" else "exported 12 ")


def test_ctrl_c_after_the_demo_summary_changes_nothing() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cja_async", "demo", "--dataviews", "30", "--latency", "0.001"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        while "second export" not in (line := proc.stdout.readline()):
            assert line, "ended before the summary"
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, stderr) == (0, "")


def test_main_called_in_process_gives_the_callers_ctrl_c_back(
    org: Org, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As the program, a finished command ignores Ctrl-C until the process exits; a caller
    # that runs main(argv) in its own process keeps its Ctrl-C.
    from cja_async._cli import main

    for name, value in org.env().items():
        monkeypatch.setenv(name, value)
    before = signal.getsignal(signal.SIGINT)
    assert main(["whoami", "--speed", str(SPEED)]) == 0
    assert "whoami: 1 request" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_before_the_loop_runs_the_job_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C while asyncio.run makes its loop: the job never ran, and used to be left for the
    # garbage collector to warn "coroutine ... was never awaited" under the one-line message.
    import asyncio
    import inspect

    from cja_async._cli import Interrupted, run

    def interrupted() -> asyncio.AbstractEventLoop:
        raise KeyboardInterrupt

    monkeypatch.setattr(asyncio.events, "new_event_loop", interrupted)

    async def job() -> str:
        return "never"

    coroutine = job()
    with pytest.raises(Interrupted):
        run(coroutine)
    assert inspect.getcoroutinestate(coroutine) == inspect.CORO_CLOSED


# -- a real terminal (tmux) ------------------------------------------------------------

needs_tmux = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"
)


class Tmux:
    """A real terminal: one command in a detached tmux session on a tmux server of its own
    (a private socket, so tests never race over a shared server shutting down)."""

    def __init__(self, command: list[str], env: dict[str, str], tmp_path: Path) -> None:
        self.socket = f"cja-{uuid.uuid4().hex[:8]}"
        script = tmp_path / "run.sh"
        exports = "".join(f"export {k}={shlex_quote(v)}\n" for k, v in env.items())
        quoted = " ".join(shlex_quote(part) for part in command)
        script.write_text(f"{exports}{quoted}\necho EXIT=$?\nsleep 600\n")
        self.tmux("new-session", "-d", "-x", "120", "-y", "30", f"bash {script}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def ctrl_c(self) -> None:
        self.tmux("send-keys", "C-c")

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.tmux("kill-server")


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


@needs_tmux
def test_terminal_progress_bar_then_ctrl_c(slow: tuple[Simulator, str], tmp_path: Path) -> None:
    sim, url = slow
    org = Org(sim, url)
    out = tmp_path / "backup"
    command = [sys.executable, "-m", "cja_async", "export", "all", "--out", str(out),
               "--speed", "10"]  # fmt: skip
    tmux = Tmux(command, org.env(), tmp_path)
    try:
        # The bars are drawn while the first pages are on their way (2 s each).
        wait_for(lambda: "audit_logs" in tmux.screen() and "━" in tmux.screen())
        screen = tmux.screen()
        assert "0/?" in screen and "audit_logs" in screen
        tmux.ctrl_c()
        wait_for(lambda: "EXIT=" in tmux.screen())
        screen = tmux.screen()
    finally:
        tmux.close()
    assert "EXIT=130" in screen
    assert "Traceback" not in screen
    assert "cja-async: interrupted (Ctrl-C)" in screen
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


@needs_tmux
def test_terminal_progress_bar_runs_to_the_summary(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    command = [sys.executable, "-m", "cja_async", "export", "segments", "dataviews", "--out",
               str(out), "--speed", "10"]  # fmt: skip
    tmux = Tmux(command, org.env(), tmp_path)
    try:
        wait_for(lambda: "EXIT=" in tmux.screen())
        screen = tmux.screen()
    finally:
        tmux.close()
    assert "EXIT=0" in screen
    segments = len((out / "segments.jsonl").read_text().splitlines())
    assert f"{segments}/{segments}" in screen  # the bar ends full, with the count
    assert "━" in screen
    unwrapped = screen.replace("\n", "")  # the summary may wrap at the terminal's width
    assert "exported " in unwrapped and " 0 429s" in unwrapped, screen


# -- library pieces the command line uses -------------------------------------------------


def test_rate_limit_scaled_shortens_every_window() -> None:
    scaled = RateLimit().scaled(10)
    assert scaled.concurrency == 6
    assert [(w.requests, w.seconds) for w in scaled.windows] == [(60, 6.0), (12, 0.6)]
    for bad in (0, -1.0, True):
        with pytest.raises(ValueError, match="speed"):
            RateLimit().scaled(bad)


def test_pager_last_page_follows_an_item_walk() -> None:
    import asyncio

    from cja_async import AsyncPager, Page

    async def fetch(number: int) -> Page[int]:
        items = list(range(number * 3, number * 3 + 3))
        return Page(items=items, number=number, total_elements=9, total_pages=3,
                    is_last=number == 2)  # fmt: skip

    async def walk() -> list[tuple[int, int | None]]:
        pager = AsyncPager(fetch)
        assert pager.last_page is None
        seen = []
        async for item in pager:
            assert pager.last_page is not None
            seen.append((item, pager.last_page.number))
        return seen

    assert asyncio.run(walk()) == [(i, i // 3) for i in range(9)]
