"""Fuzzing every public resource method and every model with hypothesis.

No input may make the client hang, send a malformed request or raise anything but the
documented errors: ``ValueError``/``TypeError`` before any request, or a ``CJAError``.
Methods are found by introspection, so resources added later are fuzzed too.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cja_async.models as models_module
from cja_async import AsyncPager, CJAError, Client, RateLimit, Window
from cja_async._convert import structure, unstructure
from cja_async.models import Model
from cja_async.resources._base import Resource
from cja_async.testing import Simulator
from cja_async.testing import run_virtual_time as run

# More examples for a thorough run: CJA_FUZZ_EXAMPLES=200 nox -s tests -- tests/test_fuzz.py
FUZZ_EXAMPLES = int(os.environ.get("CJA_FUZZ_EXAMPLES", "10"))
LIMITS = RateLimit(concurrency=6, windows=(Window(10_000, 1.0),))


def public_methods() -> dict[tuple[str, str], inspect.Signature]:
    """Every public method of every resource of a client, with its signature."""
    client = Client(org_id="fuzz@AdobeOrg", credentials=_creds())
    found = {}
    for name, resource in vars(client).items():
        if isinstance(resource, Resource):
            for method_name, member in inspect.getmembers(resource, callable):
                if not method_name.startswith("_"):
                    found[name, method_name] = inspect.signature(member)
    return dict(sorted(found.items()))


def _creds() -> Any:
    from cja_async import OAuthCredentials

    return OAuthCredentials(client_id="fuzz", client_secret="fuzz")


JSON_SCALARS = st.none() | st.booleans() | st.integers(-5, 5000) | st.text(max_size=12)
ODD_TEXT = st.sampled_from(
    ["", " ", "..", ".", "a/b", "../x", "?q=1", "#f", "%2F", "dv_1", "ASC", "desc", "x" * 300]
) | st.text(max_size=20)
VALUES = (
    JSON_SCALARS
    | ODD_TEXT
    | st.lists(ODD_TEXT, max_size=4)
    | st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3)
    | st.floats(allow_nan=True)
)


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self, sim: Simulator) -> None:
        self.inner = httpx.ASGITransport(app=sim)
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/ims/"):
            self.sent.append(request)
        return await self.inner.handle_async_request(request)


def _well_formed(request: httpx.Request) -> None:
    raw = request.url.raw_path.decode("ascii")
    path = raw.split("?", 1)[0]
    segments = path.split("/")[1:]
    assert all(segment not in {"", ".", ".."} for segment in segments), raw
    assert "#" not in raw
    if request.content:
        import json

        json.loads(request.content)


# One simulator and org for every example: seeding an org's data is the costly part, and
# the fuzzed calls may change that data as they like.
SIM = Simulator(rate_limit=LIMITS, latency=0.01, dataviews=20)
ORG = f"F{uuid.uuid4().hex[:10]}@AdobeOrg"


async def _call(resource: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    recorder = Recorder(SIM)
    async with SIM.client(org_id=ORG, transport=recorder, max_retries=1) as cja:
        func: Callable[..., Any] = getattr(getattr(cja, resource), method)
        with anyio.fail_after(600):  # virtual seconds: a hang fails, it does not block
            try:
                result = func(*args, **kwargs)
                if isinstance(result, AsyncPager) or inspect.isawaitable(result):
                    await result
            except (ValueError, TypeError) as exc:
                assert not recorder.sent, f"{exc!r} raised after a request was sent"
                assert str(exc)
            except CJAError:
                pass
    for request in recorder.sent:
        _well_formed(request)


METHODS = public_methods()


@pytest.mark.parametrize(("resource", "method"), METHODS, ids=[f"{r}.{m}" for r, m in METHODS])
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_fuzzed_arguments_give_only_documented_errors(
    resource: str, method: str, data: st.DataObject
) -> None:
    signature = METHODS[resource, method]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        required = parameter.default is inspect.Parameter.empty
        if not required and not data.draw(st.booleans()):
            continue
        value = data.draw(VALUES, label=parameter.name)
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD and required:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    run(_call(resource, method, args, kwargs))


# -- models ------------------------------------------------------------------------------

MODELS = sorted(
    (
        cls
        for cls in vars(models_module).values()
        if isinstance(cls, type) and issubclass(cls, Model) and cls is not Model
    ),
    key=lambda cls: cls.__name__,
)
JSON = st.recursive(
    JSON_SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _member_names(cls: type[Model]) -> list[str]:
    from cja_async._convert import camel

    return [
        f.metadata.get("json", camel(f.name))
        for f in attrs.fields(cls)
        if not f.name.startswith("_")
    ]


@pytest.mark.parametrize("cls", MODELS, ids=[cls.__name__ for cls in MODELS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_models_round_trip_any_json_or_refuse_it_cleanly(
    cls: type[Model], data: st.DataObject
) -> None:
    keys = st.sampled_from(_member_names(cls)) | st.text(max_size=8)
    payload = data.draw(st.dictionaries(keys, JSON, max_size=8))
    # Three times: a shape seen before gets code of its own, which must agree with the
    # general code on everything (the third call takes it, when the class has room for it).
    outcomes = []
    for _ in range(3):
        try:
            obj = structure(payload, cls)
        except (TypeError, ValueError, Exception) as exc:
            # Refusals are shape errors; the client turns them into ResponseDecodeError.
            assert not isinstance(exc, KeyError | AttributeError | RecursionError), repr(exc)
            outcomes.append(str(exc))
            continue
        assert unstructure(obj) == payload
        outcomes.append((obj, obj.extra, obj._present))
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_fuzzing_covers_every_resource() -> None:
    resources = {resource for resource, _ in METHODS}
    assert {"users", "dataviews"} <= resources


def test_virtual_loop_is_used() -> None:
    async def main() -> float:
        await asyncio.sleep(100)
        return asyncio.get_running_loop().time()

    assert run(main()) >= 1100
