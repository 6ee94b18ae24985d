"""The contract test: the deployed API honours its own OpenAPI document.

Schemathesis reads the document from the stack's keyless `GET /openapi.json` and, for every
operation in it, generates valid and invalid requests (its examples, coverage and fuzzing
phases) and sends them over real HTTP to the API Gateway on LocalStack with the tenant's key.
Each response is checked by schemathesis' built-in checks: no 5xx; the status code, the body
and the headers are those the document gives the operation; the content type is one the
document names; invalid input is refused with a 4xx, and the key is not ignored.

Bounded by the examples per operation (CONTRACT_MAX_EXAMPLES, a few hundred requests in all),
so that it adds about two minutes to `make test`; it prints how many requests it sent.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode

from imagejobs_dev.stack import StackInfo

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "12"))

# Every response the test received, by status code (whatever check sent the request).
STATUSES: Counter[int] = Counter()


def _count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    STATUSES[response.status_code] += 1


@pytest.fixture(scope="module")
def api_schema(deployed: StackInfo) -> Any:
    # The document as the deployment serves it, fetched without a key
    schema = schemathesis.openapi.from_url(f"{deployed.api_url}openapi.json", timeout=30)
    schema.config.update(
        base_url=deployed.api_url.rstrip("/"),
        headers={"x-api-key": deployed.api_key},
        request_timeout=30,
    )
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        database="none",
    )
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return schema


@pytest.fixture(scope="module")
def session(request: pytest.FixtureRequest) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.hooks["response"].append(_count)
        yield http
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    histogram = ", ".join(f"{code}: {n}" for code, n in sorted(STATUSES.items()))
    line = f"contract test: {sum(STATUSES.values())} requests sent ({histogram})"
    if reporter is not None:
        reporter.write_line(f"\n{line}")
    print(line)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_as_its_document_says(
    case: schemathesis.Case, session: requests.Session
) -> None:
    # Given a request generated from the document, valid or not
    # When it is sent to the deployed API with the tenant's key
    # Then the answer conforms to the document (schemathesis' checks raise if not)
    case.call_and_validate(session=session)
