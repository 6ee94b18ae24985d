"""SubmitFunction: `POST /jobs` and the drop-in `POST /generate` and `POST /generate-image`."""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from imagejobs.clock import utc_now
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.job_queue import SqsJobQueue
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.webhook_queue import SqsWebhookQueue
from imagejobs.handlers.api_contract import (
    LOCATION_HEADER,
    PREFERENCE_APPLIED_HEADER,
    answers,
    errors,
    json_body,
)
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import (
    IdempotencyKey,
    JobId,
    Prefer,
    caller,
    wait_budget,
    wait_preference,
)
from imagejobs.handlers.resolver import Routes, serve_api
from imagejobs.logic.cancel import cancel_job
from imagejobs.logic.status import report
from imagejobs.logic.submit import submit_job
from imagejobs.logic.waiting import wait_for_end
from imagejobs.models.api import JobRequest, JobView, job_view
from imagejobs.models.compat import (
    GenerateAccepted,
    GenerateImageAccepted,
    GenerateImageRequest,
    GenerateRequest,
)
from imagejobs.models.domain import Job, JobSpec
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import SubmitSettings

settings = SubmitSettings.from_environment()
jobs = DynamoJobRepository(settings.table_name, boto3.client("dynamodb"))
queue = SqsJobQueue(settings.queue_url, boto3.client("sqs"))
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))


@cache
def _images() -> S3ImageStore:
    """Only a `Prefer: wait` that sees its job end needs S3 (to presign): the client is made
    then, not on every cold start (an S3 client is one of the costlier things to create)."""
    return S3ImageStore(settings.bucket_name, s3_client())


# Idempotency-Key: the same key and body from the same caller answer with the first job.
# Records live in their own table and expire after the configured window; a submit that
# fails (e.g. the 503 when queueing fails) leaves no record, so the client may retry.
idempotency = IdempotencyConfig(
    event_key_jmespath="[owner, route, key]",
    payload_validation_jmespath="body",
    expires_after_seconds=settings.idempotency_window_seconds,
)
idempotency_store = DynamoDBPersistenceLayer(
    table_name=settings.idempotency_table_name, boto3_client=boto3.client("dynamodb")
)

app = APIGatewayRestResolver(enable_validation=True)
serve_api(app)
jobs_routes = Routes(app, "jobs")
drop_in_routes = Routes(app, "drop-in")


class Submission(BaseModel):
    """What makes two submissions the same: the caller, the route, the key, the body."""

    owner: str
    route: str
    key: str
    body: dict[str, Any]
    spec: JobSpec


@idempotent_function(
    data_keyword_argument="submission",
    persistence_store=idempotency_store,
    config=idempotency,
    output_serializer=PydanticSerializer,
)
def _submit_once(submission: Submission) -> Job:
    return submit_job(
        submission.spec, submission.owner, jobs=jobs, queue=queue, settings=settings, now=utc_now()
    )


def _submit(route: str, request: BaseModel, spec: JobSpec, key: str | None) -> Job:
    owner = caller(app)
    if key is None:
        return submit_job(spec, owner, jobs=jobs, queue=queue, settings=settings, now=utc_now())
    body = request.model_dump(mode="json")
    submission = Submission(owner=owner, route=route, key=key, body=body, spec=spec)
    job: Job = _submit_once(submission=submission)
    return job


# What every submit route may answer besides its success.
_SUBMIT_ERRORS = errors(409, 422, 503)


@jobs_routes.post(
    "/jobs",
    {
        200: json_body(
            "The job ended within `Prefer: wait=N`: as `GET /jobs/{job_id}` shows it",
            JobView,
            **{"Preference-Applied": PREFERENCE_APPLIED_HEADER},
        ),
        202: json_body(
            "Accepted: the job, queued (or as it stands after `Prefer: wait=N`)",
            JobView,
            Location=LOCATION_HEADER,
            **{"Preference-Applied": PREFERENCE_APPLIED_HEADER},
        ),
        **_SUBMIT_ERRORS,
    },
    status_code=202,
)
def create_job(
    request: JobRequest, idempotency_key: IdempotencyKey = None, prefer: Prefer = None
) -> Response[JobView]:
    """Submit a job

    With `Prefer: wait=N` the answer waits up to N seconds: 200 with the finished job (presigned
    URLs included) if it ends in time, else the 202."""
    wait = wait_preference(prefer)  # before submitting: a refused header makes no job
    job = _submit("jobs", request, request.spec(), idempotency_key)
    headers = {}
    if wait is not None:
        # Read afresh even on an idempotent replay, whose stored answer is the queued job.
        seconds = wait_budget(wait, app.lambda_context.get_remaining_time_in_millis())
        job = wait_for_end(job, seconds=seconds, jobs=jobs)
        headers["Preference-Applied"] = f"wait={wait}"
        if job.status.is_terminal:
            view = job_view(*report(job, _images(), settings.image_url_expiry_seconds))
            return Response(200, content_types.APPLICATION_JSON, view, headers)
    # Relative to the request URL, so it stays right behind any stage or base path.
    headers["Location"] = f"jobs/{job.job_id}"
    return Response(202, content_types.APPLICATION_JSON, job_view(job, image_urls={}), headers)


@drop_in_routes.post(
    "/generate", {200: json_body("Accepted: the job's id", GenerateAccepted), **_SUBMIT_ERRORS}
)
def generate(request: GenerateRequest, idempotency_key: IdempotencyKey = None) -> GenerateAccepted:
    """Submit a job (drop-in for the replaced FastAPI service)"""
    job = _submit("generate", request, request.spec(), idempotency_key)
    return GenerateAccepted(job_id=job.job_id)


@drop_in_routes.post(
    "/generate-image",
    {
        200: json_body("Accepted: the job's id", GenerateImageAccepted),
        **_SUBMIT_ERRORS,
    },
)
def generate_image(
    request: GenerateImageRequest, idempotency_key: IdempotencyKey = None
) -> GenerateImageAccepted:
    """Submit a job (drop-in for the replaced Celery service)"""
    job = _submit("generate-image", request, request.spec(), idempotency_key)
    return GenerateImageAccepted(job_id=job.job_id)


@jobs_routes.post(
    "/jobs/<job_id>/cancel",
    answers(
        200,
        "The job, canceled or with cancel_requested",
        JobView,
        404,
        409,
        described={409: "The job has already finished"},
    ),
)
def cancel(job_id: JobId) -> JobView:
    """Cancel a job

    A queued job ends at once; a running one is dropped by its worker."""
    logger.set_correlation_id(job_id)
    canceled = cancel_job(job_id, caller(app), jobs=jobs, webhooks=webhooks, now=utc_now())
    return job_view(canceled, image_urls={})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return refuse_before_routing(event) or app.resolve(event, context)
