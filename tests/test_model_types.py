"""Model attributes typed as the answers are: what a user's ``mypy --strict`` sees.

``MetricValidation`` extends ``CalculatedMetric`` (the spec answers a validation with the
whole metric's shape) but a validation is about a definition, not a stored metric: its
answers carry no id, so ``id`` is ``str | None`` there, while a fetched metric's stays ``str``.
"""

from __future__ import annotations

import re
from pathlib import Path

from strict_mypy import strict_mypy

from cja_async._convert import structure, unstructure
from cja_async.models import MetricValidation

USER_CODE = """\
from cja_async.models import CalculatedMetric, MetricValidation


def ids(metric: CalculatedMetric, result: MetricValidation) -> None:
    reveal_type(metric.id)
    reveal_type(result.id)


def wrong(result: MetricValidation) -> str:
    return result.id
"""


def test_a_validation_id_is_optional_and_a_metric_id_is_not(tmp_path: Path) -> None:
    _status, output = strict_mypy(tmp_path, {"user.py": USER_CODE})
    # mypy before 2.0 spells the builtins' module out.
    assert re.search(r'user\.py:5: note: Revealed type is "(builtins\.)?str"', output), output
    assert re.search(r'user\.py:6: note: .* is "(builtins\.)?str \| None"', output), output
    assert "user.py:10: error: Incompatible return value type" in output, output


def test_a_validation_answer_without_id_reads_as_none_and_round_trips() -> None:
    answer = {"valid": True, "validator_version": "1.0.0", "functions": ["divide"]}
    result = structure(answer, MetricValidation)
    assert result.id is None and result.is_valid is True
    assert unstructure(result) == answer
