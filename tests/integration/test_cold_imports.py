"""What each function imports at cold start: none of the heavy modules its events never use.

Deterministic, unlike the cold-start timings `make bench` prints (tests/perf/bench_cold.py):
each handler module is imported in a fresh interpreter with the environment template.yaml
gives its function, tracing on as deployed, and the loaded modules are listed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.perf import fixtures
from tests.support import template

FUNCTIONS = [
    logical_id
    for logical_id, resource in template.load_template()["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
]
# Costly to import and needed by no event of ours (measured with `python -X importtime`):
NEVER_AT_COLD_START = {
    # Powertools' OpenAPI models: only generating a document needs them.
    "aws_lambda_powertools.event_handler.openapi.models",
    # The parser's package imports every event model; the SQS consumers take the SQSRecord
    # data class instead.
    "aws_lambda_powertools.utilities.parser",
}
# Powertools' enable_swagger (GET /docs) imports the OpenAPI models as it registers the route.
NEEDED_BY = {"WebFunction": {"aws_lambda_powertools.event_handler.openapi.models"}}


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_cold_start_imports_nothing_heavy_that_its_events_do_not_need(logical_id: str) -> None:
    # Given the function's handler module and its deployed environment
    module = template.handler_module(logical_id)
    script = (
        f"import sys, json; sys.path.insert(0, {str(fixtures.ROOT / 'functions')!r}); "
        f"import {module}; print(json.dumps(sorted(sys.modules)))"
    )

    # When it is imported, as Lambda's runtime does at init
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=fixtures.function_environment(logical_id, tracing=True),
        capture_output=True,
        text=True,
        check=False,
    )

    # Then it loaded, without any of the modules it never needs
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert loaded & (NEVER_AT_COLD_START - NEEDED_BY.get(logical_id, set())) == set()
