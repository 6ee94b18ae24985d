"""The fuzz test's generator over real HTTP: API Gateway on LocalStack, the deployed functions.

A brief, bounded run of tests/support/fuzz.py's requests (the handler-level test runs many
more). Same assertions: never a 5xx, every non-2xx the one error body as JSON, no echo.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, given, settings

from imagejobs_dev.stack_info import StackInfo
from tests.support.fuzz import ROUTES, FuzzRequest, Tally, check_answer, requests
from tests.support.http import call

REQUESTS = 150


def _url(deployed: StackInfo, request: FuzzRequest) -> str:
    path = request.route.path
    if request.route.parameter is not None:
        segment = urllib.parse.quote(request.path_id or "", safe="")
        path = path.replace(f"{{{request.route.parameter}}}", segment)
    query = f"?{urllib.parse.urlencode(request.query)}" if request.query else ""
    return deployed.api_url + path.lstrip("/") + query


def _content_type(headers: dict[str, str]) -> str | None:
    return next((v for name, v in headers.items() if name.lower() == "content-type"), None)


def test_no_request_over_http_gets_a_5xx_another_error_shape_or_an_echo(
    deployed: StackInfo, record_property: Callable[[str, object], None]
) -> None:
    # Given the deployed API, and a job to read and cancel
    accepted = call(
        "POST",
        deployed.api_url + "jobs",
        {"prompt": "a lighthouse", "width": 64, "height": 64},
        headers={"x-api-key": deployed.api_key},
    )
    assert accepted.status == 202
    tally = Tally()

    # Each route gets its share: a brief run drawing routes at random could miss one.
    for route in ROUTES:

        @settings(
            max_examples=REQUESTS // len(ROUTES),
            derandomize=True,
            database=None,
            deadline=timedelta(seconds=60),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(requests((route,), (accepted.json()["job_id"],), over_http=True))
        def send(request: FuzzRequest) -> None:
            # When it is sent over HTTP with the stack's API key
            headers = {**request.headers, "x-api-key": deployed.api_key}
            response = call(
                request.route.method,
                _url(deployed, request),
                request.body,
                content_type=None,
                headers=headers,
            )
            tally.add(request.route, response.status)

            # Then the answer is a 2xx, or a 4xx with the one error body that echoes nothing
            problem = check_answer(
                request, response.status, _content_type(response.headers), response.body
            )
            assert problem is None, problem

        send()
    record_property("HTTP fuzz", tally.summary())
    print("HTTP fuzz:", tally.summary())
    assert set(tally.routes) == set(ROUTES)
    assert any(200 <= status < 300 for status in tally.statuses)
