"""Property-based fuzz test: generated requests for every route, through the real handlers.

Each request is one of tests/support/fuzz.py's, replayed as an events/ fixture of its route
with its body, headers, base64 flag, path id and query changed. Whatever is sent, the answer
is never a 5xx, every non-2xx is the one error body as JSON, and no error echoes the request.
Derandomized, so a run is the same in CI as here; the figures go to the test output.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.support.events import FIXTURE_JOB_ID, load_event, response_json
from tests.support.functions import LoadHandler
from tests.support.fuzz import ROUTES, FuzzRequest, Tally, check_answer, event_for, requests

# make test's bound; FUZZ_EXAMPLES=5000 for a longer hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def _content_type(response: dict[str, Any]) -> str | None:
    for headers in (response.get("multiValueHeaders") or {}, response.get("headers") or {}):
        for name, value in headers.items():
            if name.lower() == "content-type":
                return value[0] if isinstance(value, list) else str(value)
    return None


def _body(response: dict[str, Any]) -> bytes:
    body = response.get("body") or ""
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()


def test_no_request_to_any_route_gets_a_5xx_another_error_shape_or_an_echo(
    load_handler: LoadHandler, record_property: Callable[[str, object], None]
) -> None:
    # Given the API's functions, and jobs to read and cancel: one of /jobs, one of a drop-in
    handlers = {name: load_handler(name) for name in {route.function for route in ROUTES}}
    submit = handlers["SubmitFunction"]
    known = tuple(
        response_json(submit.invoke(fixture))["job_id"]
        for fixture in ("api-post-jobs", "api-post-generate")
    )
    templates = {route.fixture: load_event(route.fixture) for route in ROUTES}
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=timedelta(seconds=10),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(requests(ROUTES, (*known, FIXTURE_JOB_ID), over_http=False))
    def replay(request: FuzzRequest) -> None:
        # When it is answered by the route's handler
        event = event_for(request, templates[request.route.fixture])
        response = handlers[request.route.function].invoke(event)
        tally.add(request.route, response["statusCode"])

        # Then the answer is a 2xx, or a 4xx with the one error body that echoes nothing
        problem = check_answer(
            request, response["statusCode"], _content_type(response), _body(response)
        )
        assert problem is None, problem

    replay()
    tally.report("handler-level fuzz", record_property)
    assert tally.met_every_route_and_a_success()
    assert {400, 404, 415, 422} <= set(tally.statuses)
