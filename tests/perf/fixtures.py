"""What the in-process benchmarks share: each function's environment and the seeded jobs.

The environment is the one template.yaml gives the deployed function (as in tests/integration), plus
what Lambda itself sets. The jobs table is the stub's (tests.perf.aws_stub), seeded with the
job the event fixtures name: succeeded with one image for the status function, queued and
small (64x64, so that rendering does not hide the start-up cost) for the worker.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support import template

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
FIXTURE_JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
TENANT = "tenant-a-key-id"  # the API key id the api-* fixtures carry

# Logical id -> (handler module, the event of its first invocation, the AWS clients it makes).
FUNCTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "SubmitFunction": ("imagejobs.handlers.submit", "api-post-jobs", ("dynamodb", "sqs")),
    "StatusFunction": ("imagejobs.handlers.status", "api-get-job", ("dynamodb", "s3")),
    "WorkerFunction": ("imagejobs.handlers.worker", "sqs-job", ("dynamodb", "s3")),
}
# What `!Ref` gives for each kind of resource the functions' environment can name.
_REF_OF = {
    "AWS::DynamoDB::Table": "{name}",
    "AWS::SQS::Queue": "https://sqs.us-east-1.amazonaws.com/123456789012/{name}",
    "AWS::S3::Bucket": "{name}",
}


def _resources() -> dict[str, str]:
    """A name for every table, queue and bucket in template.yaml, so that a resource added
    there (as the idempotency table was) reaches the functions' environment here too."""
    return {
        logical_id: _REF_OF[resource["Type"]].format(name=logical_id.lower())
        for logical_id, resource in template.load_template()["Resources"].items()
        if resource["Type"] in _REF_OF
    }


RESOURCES = _resources()


def event_path(name: str) -> Path:
    return EVENTS / f"{name}.json"


def function_environment(logical_id: str, tracing: bool = False) -> dict[str, str]:
    """The function's variables from template.yaml, fake credentials, and Lambda's own.

    With `tracing`, LAMBDA_TASK_ROOT is set as on Lambda, so Powertools' Tracer is on (it
    imports the X-Ray SDK and patches botocore); segments go to a daemon address nobody
    listens on. Without it the Tracer turns itself off, as in the unit tests.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(template.function_environment(logical_id, template.Resolver(RESOURCES)))
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME=logical_id,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512",
        # Keeps log lines off the terminal's encoding path; the benchmarks discard them anyway.
        PYTHONIOENCODING="utf-8",
    )
    if tracing:
        env.update(
            LAMBDA_TASK_ROOT=str(ROOT / "functions"),
            _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:2000",
            AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR",
        )
    else:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def seeded_items() -> dict[str, dict[str, Any]]:
    """DynamoDB-JSON items by job_id, made with the project's own storage mapping."""
    from imagejobs.models.domain import GeneratedImage, Job, JobStatus
    from imagejobs.models.storage import job_to_item
    from tests.support.jobs import resolved_parameters

    now = datetime(2026, 1, 1, tzinfo=UTC)
    parameters = resolved_parameters(width=64, height=64)
    queued = Job(
        job_id=FIXTURE_JOB_ID,
        tenant=TENANT,
        status=JobStatus.QUEUED,
        parameters=parameters,
        engine_id="pillow",
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=7),
    )
    succeeded = queued.model_copy(
        update={
            "status": JobStatus.SUCCEEDED,
            "started_at": now,
            "finished_at": now,
            "attempts": 1,
            "images": (
                GeneratedImage(
                    key=f"images/{FIXTURE_JOB_ID}/0.png",
                    width=64,
                    height=64,
                    image_format="png",
                    seed=42,
                ),
            ),
        }
    )
    return {
        "queued": {FIXTURE_JOB_ID: job_to_item(queued).to_dynamodb()},
        "succeeded": {FIXTURE_JOB_ID: job_to_item(succeeded).to_dynamodb()},
    }


def write_items(folder: Path) -> dict[str, Path]:
    """The seeded tables as files for child processes: {"queued": path, "succeeded": path}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, items in seeded_items().items():
        path = folder / f"items-{name}.json"
        path.write_text(json.dumps(items))
        paths[name] = path
    return paths


def items_for(logical_id: str) -> str:
    """Which seeded table a function starts with."""
    return "queued" if logical_id == "WorkerFunction" else "succeeded"
