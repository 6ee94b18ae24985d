"""A job's cost on moto: the calls its functions make, counted by the hook on their clients
(`imagejobs.dal.aws_calls`), are the ones `models.cost` prices it from; and the arithmetic of
the price table."""

from __future__ import annotations

import json
import logging
import math
import sys
from collections import Counter

import pytest

from imagejobs.models.cost import (
    BY_AWS,
    PRICES,
    Usage,
    job_calls,
    job_cost,
    job_usage,
)
from imagejobs.models.storage import item_bytes
from tests.support.events import event_for_job, load_event, response_json
from tests.support.functions import LoadHandler
from tests.support.moto_aws import MotoResources


def counted(output: str, job_id: str) -> Counter[str]:
    """The calls the `aws calls` lines in the captured output count for the job."""
    calls: Counter[str] = Counter()
    for line in output.splitlines():
        if '"aws calls"' in line:
            calls.update(json.loads(line)["aws_calls"].get(job_id, {}))
    calls.pop("s3.bytes_stored", None)
    return calls


@pytest.mark.parametrize("num_images", [1, 3])
def test_the_calls_counted_for_a_job_are_the_ones_its_cost_is_priced_from(
    load_handler: LoadHandler,
    resources: MotoResources,
    capsys: pytest.CaptureFixture[str],
    num_images: int,
) -> None:
    # Given the submit and worker functions, cold, logging to this test's captured output (a
    # logger made by an earlier test's cold start still writes to that test's)
    submit = load_handler("SubmitFunction")
    worker = load_handler("WorkerFunction")
    for handler in logging.getLogger("imagejobs").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.stream = sys.stdout

    # When a job is submitted and its message processed
    event = load_event("api-post-jobs")
    event["body"] = json.dumps({**json.loads(event["body"]), "num_images": num_images})
    job_id = response_json(submit.invoke(event))["job_id"]
    worker.invoke(event_for_job("sqs-job", job_id))

    # Then what the hook counted for the job, call by call, is what its cost counts
    job = resources.jobs.get(job_id)
    assert job is not None
    expected = {op: n for op, n in job_calls(job).items() if op not in BY_AWS}
    assert counted(capsys.readouterr().out, job_id) == expected


def test_usage_is_priced_line_by_line_from_the_table() -> None:
    # Given a million GB-seconds, a million of each request, and a GB stored for a month
    usage = Usage(
        lambda_gb_second=1e6,
        lambda_request=1e6,
        api_request=1e6,
        dynamodb_write_unit=1e6,
        dynamodb_read_unit=1e6,
        sqs_request=1e6,
        s3_put=1e6,
        s3_get=1e6,
        s3_gb_month=1,
    )

    # When it is priced
    usd = usage.usd(PRICES)

    # Then it is the sum of the table's list prices
    expected = 16.6667 + 0.20 + 3.50 + 0.625 + 0.125 + 0.40 + 5.0 + 0.40 + 0.023
    assert math.isclose(usd, expected, rel_tol=1e-9)


def test_a_finished_job_costs_its_model_images_and_its_platform_share(
    resources: MotoResources,
) -> None:
    # Given a job for two images on Stable Image Core that succeeded, having spent 12 GB-s
    from datetime import timedelta

    from imagejobs.models.domain import GeneratedImage, JobStatus
    from tests.support.jobs import T0, make_job

    images = tuple(
        GeneratedImage(
            key=f"images/j/{n}.png", width=1, height=1, format="png", seed=n, size_bytes=2 * 1024**2
        )
        for n in range(2)
    )
    job = make_job(
        "00000000-0000-4000-8000-000000000001",
        "tenant",
        JobStatus.SUCCEEDED,
        model="stability.stable-image-core-v1:1",
        changes={
            "images": images,
            "images_rendered": 2,
            "attempts": 1,
            "lambda_gb_seconds": 12.0,
            "finished_at": T0 + timedelta(seconds=30),
        },
    )

    # When its cost is computed
    cost = job_cost(job)

    # Then the model is its price per image times two, and the platform the priced usage:
    # 12 GB-s, 2 invocations, 1 API call, 5 writes of the item plus 2 transactions, ...
    assert cost is not None
    assert cost.model == pytest.approx(2 * 0.04)
    write = math.ceil(item_bytes(job) / 1024)
    usage = job_usage(job)
    assert (usage.lambda_gb_second, usage.lambda_request, usage.api_request) == (12.0, 2, 1)
    # (and the start's drain sample, one unit)
    assert usage.dynamodb_write_unit == 2 * 2 * (write + 1) + write + 1
    assert (usage.s3_put, usage.sqs_request) == (2, 3)
    assert cost.platform == pytest.approx(usage.usd(PRICES), abs=1e-9)
    assert cost.total == pytest.approx(cost.model + cost.platform, abs=1e-9)
    # And the 12 GB-s are most of it
    assert cost.platform / 2 < 12.0 * 0.0000166667


def test_an_open_job_has_no_cost_yet() -> None:
    from tests.support.jobs import make_job

    assert job_cost(make_job("00000000-0000-4000-8000-000000000002", "tenant")) is None
