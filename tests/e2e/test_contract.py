"""The contract test: the deployed API honours its own OpenAPI document.

Schemathesis reads the committed document (which the stack serves, keyless, as
`GET /openapi.json`) and, for every operation in it, generates valid and invalid requests (its
examples, coverage and fuzzing phases) and sends them over real HTTP to the API Gateway on
LocalStack with the tenant's key. Each response is checked by schemathesis' built-in checks: no
5xx; the status code, the body and the headers are those the document gives the operation; the
content type is one the document names; invalid input is refused with a 4xx, and the key is
not ignored.

Bounded by the examples per operation (CONTRACT_MAX_EXAMPLES, a few hundred requests in all),
so that it adds about two minutes to `make test`; it prints how many requests it sent."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from imagejobs.handlers.request_gate import MAX_BODY_BYTES
from imagejobs_dev.stack_info import StackInfo
from tests.support.figures import report_at_the_end

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "12"))

# Every response the test received, by status code (whatever check sent the request).
STATUSES: Counter[int] = Counter()


def _count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    STATUSES[response.status_code] += 1


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

# The committed document (the one the stack serves: test_the_stack_serves_the_committed_document).
# Loaded at collection, so each operation is a test of its own.
schema = schemathesis.openapi.from_path(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    database="none",
)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
schema.config.update(request_timeout=30)


def test_the_stack_serves_the_committed_document(deployed: StackInfo) -> None:
    # Given the stack deployed from this tree
    # When its document is fetched without a key
    response = requests.get(f"{deployed.api_url}openapi.json", timeout=30)

    # Then it is the committed one, the one the operations below are generated from
    assert response.status_code == 200
    assert response.json() == json.loads(DOCUMENT.read_text())


@pytest.fixture(scope="module")
def session(request: pytest.FixtureRequest) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.hooks["response"].append(_count)
        yield http
    histogram = ", ".join(f"{code}: {n}" for code, n in sorted(STATUSES.items()))
    report_at_the_end(
        request.config, f"contract test: {sum(STATUSES.values())} requests sent ({histogram})"
    )


SUBMIT_ROUTES = {"/jobs", "/generate", "/generate-image"}


def _not_applicable(case: schemathesis.Case) -> list[Any]:
    """The checks that cannot hold for this case by the API's design, each for its reason."""
    excluded: list[Any] = [
        # API Gateway (REST) answers a method a resource lacks with its 403 "Missing
        # Authentication Token", not 405: there is no integration to answer it otherwise.
        checks.unsupported_method,
    ]
    if "drop-in" in (case.operation.tags or []):
        # The drop-ins are lax by contract, as the services they replace: "512" is a width
        # of 512 there. The document gives the canonical types, so "invalid" data passes.
        excluded.append(checks.negative_data_rejection)
    if case.method == "POST" and case.operation.path in SUBMIT_ROUTES:
        # A schema-valid submit may still be a 422 naming its field: the deployment narrows
        # the document's limits (GET /config: MaxImageSize, the engine's guidance and sizes),
        # and an Idempotency-Key reused with another body is refused. Its body is checked.
        excluded.append(checks.positive_data_acceptance)
    if isinstance(case.body, dict) and len(json.dumps(case.body)) > MAX_BODY_BYTES:
        # A body past the gate's limit is a 413 before it is read, valid or not; schemathesis
        # counts only 400-422 and 5xx as a rejection (an inline image's data URL can be that long).
        excluded.append(checks.negative_data_rejection)
    declared = {parameter.name for parameter in case.operation.query}
    if set(case.query or {}) - declared:
        # An unknown query parameter is ignored, as by FastAPI and most HTTP APIs (caches and
        # proxies add their own); schemathesis counts one as invalid data to be refused.
        excluded.append(checks.negative_data_rejection)
    if (case.query or {}).get("cursor") is not None:
        # A cursor is opaque: one this API did not issue is a 400 however well-formed.
        excluded.append(checks.positive_data_acceptance)
    return excluded


@schema.parametrize()
def test_every_operation_answers_as_its_document_says(
    case: schemathesis.Case, session: requests.Session, deployed: StackInfo
) -> None:
    # Given a request generated from the document, valid or not
    # When it is sent to the deployed API with the tenant's key
    # Then the answer conforms to the document (schemathesis' checks raise if not)
    case.call_and_validate(
        base_url=deployed.api_url.rstrip("/"),
        session=session,
        headers={"x-api-key": deployed.api_key},
        excluded_checks=_not_applicable(case),
    )
