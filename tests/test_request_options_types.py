"""The per-call options type-check where users write them: ``mypy --strict`` on a user's
program accepts ``extra_query``, ``extra_headers`` and ``timeout`` on every kind of method
(coroutines, pagers, report walks, freeform tables, methods with options of their own) and
refuses a misspelt option or a value of the wrong type, naming the line.

Run as tests/test_readme_types.py runs the README's examples (``strict_mypy``).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from strict_mypy import strict_mypy

from cja_async import RequestOptions
from cja_async.resources._base import Resource

GOOD = '''\
from __future__ import annotations

import httpx

from cja_async import Client, RequestOptions
from cja_async.models import DataView, ReportRequest, Segment
from typing import Unpack


async def main(cja: Client, view: DataView, segment: Segment) -> None:
    got: DataView = await cja.dataviews.get(view.id, expansion=["name"], timeout=5)
    await cja.dataviews.get(view.id, extra_query={"newFlag": "true", "ids": ["a", "b"]})
    await cja.dataviews.get_dimension(view.id, "variables/page", locale="en_US", timeout=2.5)
    await cja.dataviews.update(got.id, got, extra_headers={"x-trace": "1"}, timeout=None)
    async for item in cja.dataviews.list(limit=10, extra_query={"newFlag": "true"}):
        print(item.id)
    async for dimension in cja.dataviews.list_dimensions(view.id, extra_headers={"x": "y"}):
        print(dimension.id)
    created = await cja.segments.create(segment, validate=True, timeout=httpx.Timeout(9.0))
    await cja.segments.delete(created.id, locale="en_US", extra_query={"a": "b"})
    request = ReportRequest(view.id, dimension="variables/page", metrics=["metrics/visits"])
    report = await cja.reports.run(request, timeout=120.0, extra_headers={"x-trace": "2"})
    print(report.total_elements)
    async for row in cja.reports.rows(request, extra_query={"a": "b"}):
        print(row.value)
    table = cja.reports.freeform_table(
        view.id, dimensions=["variables/page"], metrics=["metrics/visits"], timeout=60
    )
    print(await table.collect())
    await cja.calculated_metrics.functions(extra_headers={"x": "y"}, timeout=1)
    await cja.tags.get(1, timeout=3)
    bound = cja.segments.with_options(extra_query={"newFlag": "true"}, timeout=30)
    await bound.get(created.id, extra_headers={"x-trace": "3"})


async def passing_on(cja: Client, **options: Unpack[RequestOptions]) -> None:
    """A user's wrapper handing its options on."""
    await cja.users.me(**options)
'''

# Each line is wrong for the reason its comment names; mypy must say so on that line.
BAD = """\
from cja_async import Client


async def main(cja: Client) -> None:
    await cja.dataviews.get("dv", timeout="5")  # a str timeout
    await cja.dataviews.get("dv", extra_querry={"a": "b"})  # a misspelt option
    await cja.segments.delete("s", extra_headers={"x": 1})  # a header value not a str
    cja.dataviews.list(extra_query=["a=b"])  # not a mapping
    cja.reports.freeform_table("dv", dimensions=["d"], metrics=["m"], timeout=[1])  # a list
    await cja.dataviews.get_metric("dv", "m", extra_headers="x")  # with options of its own
"""


def test_options_type_check_on_every_kind_of_method_and_wrong_ones_do_not(
    tmp_path: Path,
) -> None:
    _status, output = strict_mypy(tmp_path, {"good.py": GOOD, "bad.py": BAD})
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert not [line for line in errors if line.startswith("good.py")], output
    flagged = {int(m.group(1)) for m in map(re.compile(r"bad\.py:(\d+):").match, errors) if m}
    expected = {number for number, line in enumerate(BAD.splitlines(), start=1) if "  # " in line}
    assert flagged == expected, output
    # The misspelt option is named as such, not hidden behind a generic error.
    assert re.search(r'bad\.py:6: error: Unexpected keyword argument "extra_querry"', output)


def test_every_public_method_declares_the_options_in_its_signature() -> None:
    """What makes mypy and IDEs offer them on every method, the ones above and any added
    later: ``**options`` typed ``Unpack[RequestOptions]`` or a TypedDict that extends it."""
    resources = [
        cls for cls in Resource.__subclasses__() if cls.__module__.startswith("cja_async.")
    ]
    assert len(resources) >= 13
    checked = 0
    for cls in resources:
        namespace = vars(sys.modules[cls.__module__])
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            where = f"{cls.__name__}.{name}"
            (kwargs,) = [
                p for p in inspect.signature(member).parameters.values()
                if p.kind is inspect.Parameter.VAR_KEYWORD
            ] or [None]  # fmt: skip
            assert kwargs is not None, f"{where} takes no **options"
            match = re.fullmatch(r"Unpack\[(\w+)\]", str(kwargs.annotation))
            assert match, f"{where}: **{kwargs.name} is typed {kwargs.annotation}"
            typed = namespace[match.group(1)]
            assert RequestOptions.__optional_keys__ <= typed.__optional_keys__, where
            checked += 1
    assert checked >= 70
