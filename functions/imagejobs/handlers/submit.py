"""SubmitFunction: `POST /jobs`, `POST /uploads`, `POST /jobs/{job_id}/cancel`, and the drop-in
`POST /generate` and `POST /generate-image`."""

from datetime import timedelta
from typing import Any, NamedTuple

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

from imagejobs.clock import SYSTEM_CLOCK, BilledTime, utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.image_store import S3ImageStore
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.model_lifecycles import DynamoModelLifecycles
from imagejobs.dal.sqs_queue import SqsJobQueue, SqsWebhookQueue
from imagejobs.handlers.api_contract import (
    LOCATION_HEADER,
    PREFERENCE_APPLIED_HEADER,
    answers,
    errors,
    json_body,
)
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import (
    CancelAfter,
    IdempotencyKey,
    JobId,
    Prefer,
    cancel_after,
    tenant_of,
    wait_budget,
    wait_preference,
)
from imagejobs.handlers.resolver import Routes, serve_api
from imagejobs.logic.cancel import cancel_job
from imagejobs.logic.status import report
from imagejobs.logic.submit import SubmitPorts, submit_job
from imagejobs.logic.uploads import create_upload
from imagejobs.logic.waiting import wait_for_end
from imagejobs.models.api import JobRequest, JobView, Submission, UploadView, job_view
from imagejobs.models.domain import Job
from imagejobs.models.drop_in import (
    GenerateAccepted,
    GenerateImageAccepted,
    GenerateImageRequest,
    GenerateRequest,
)
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import SubmitSettings

settings = SubmitSettings.from_environment()
# Only an upload, a job with an image to keep, or a `Prefer: wait` that sees its job end (to
# presign) needs S3: the client is made then, not at every cold start.
images = S3ImageStore(settings.bucket_name)
dynamodb = boto3.client("dynamodb")
ports = SubmitPorts(
    jobs=DynamoJobRepository(settings.table_name, dynamodb),
    queue=SqsJobQueue(settings.queue_url, boto3.client("sqs")),
    images=images,
    # A lifecycle changes over months: each environment reads it at most once a minute (less
    # if the sweeper checks more often: settings.lifecycle_cache_seconds).
    lifecycles=DynamoModelLifecycles(
        settings.table_name, dynamodb, cache_seconds=settings.lifecycle_cache_seconds
    ),
)
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))


# Idempotency-Key: the same key and body from the same tenant answer with the first job.
# Records live in their own table and expire after the configured window; a submit that
# fails (e.g. the 503 when queueing fails) leaves no record, so the client may retry.
idempotency = IdempotencyConfig(
    event_key_jmespath="[tenant, route, key]",
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


@idempotent_function(
    data_keyword_argument="submission",
    persistence_store=idempotency_store,
    config=idempotency,
    output_serializer=PydanticSerializer,
)
def _submit_once(submission: Submission) -> Job:
    return submit_job(submission, ports, settings, utc_now(), _billed())


def _billed() -> BilledTime | None:
    """The invocation's Lambda time so far: the job records it as what its submit spent."""
    billed: BilledTime | None = app.context.get("billed")
    return billed


class SubmitHeaders(NamedTuple):
    """The headers every submit route takes, as they came."""

    idempotency_key: str | None
    cancel_after: str | None


def _submit(
    route: str,
    body: BaseModel,
    request: JobRequest,
    headers: SubmitHeaders,
    ignored: tuple[str, ...] = (),
) -> Job:
    submission = Submission(
        tenant=tenant_of(app),
        route=route,
        key=headers.idempotency_key,
        body=body.model_dump(mode="json"),
        request=request,
        ignored_parameters=ignored,
        cancel_after_seconds=_seconds(cancel_after(headers.cancel_after)),
    )
    if headers.idempotency_key is None:
        return submit_job(submission, ports, settings, utc_now(), _billed())
    job: Job = _submit_once(submission=submission)
    return job


def _seconds(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds())


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
        **errors(
            404,
            described={
                404: "An image the request names (an upload, or an image of a job) that this"
                " API key does not have: it expired, was never sent, or is another key's;"
                " `detail` names the field"
            },
        ),
    },
    status_code=202,
)
def create_job(
    request: JobRequest,
    idempotency_key: IdempotencyKey = None,
    prefer: Prefer = None,
    deadline: CancelAfter = None,
) -> Response[JobView]:
    """Submit a job

    With `Prefer: wait=N` the answer waits up to N seconds: 200 with the finished job (presigned
    URLs included) if it ends in time, else the 202."""
    wait = wait_preference(prefer)  # before submitting: a refused header makes no job
    job = _submit("jobs", request, request, SubmitHeaders(idempotency_key, deadline))
    headers = {}
    if wait is not None:
        # Read afresh even on an idempotent replay, whose stored answer is the queued job.
        seconds = wait_budget(wait, app.lambda_context.get_remaining_time_in_millis())
        job = wait_for_end(job, seconds=seconds, jobs=ports.jobs, clock=SYSTEM_CLOCK)
        headers["Preference-Applied"] = f"wait={wait}"
        if job.status.is_terminal:
            view = job_view(*report(job, images, settings.image_url_expiry_seconds), now=utc_now())
            return Response(200, content_types.APPLICATION_JSON, view, headers)
    # Relative to the request URL, so it stays right behind any stage or base path. The job as
    # accepted (its metrics to that moment), so that a replay answers the same.
    headers["Location"] = f"jobs/{job.job_id}"
    view = job_view(job, {}, now=job.updated_at)
    return Response(202, content_types.APPLICATION_JSON, view, headers)


@drop_in_routes.post(
    "/generate", {200: json_body("Accepted: the job's id", GenerateAccepted), **_SUBMIT_ERRORS}
)
def generate(
    request: GenerateRequest, idempotency_key: IdempotencyKey = None, deadline: CancelAfter = None
) -> GenerateAccepted:
    """Submit a job (drop-in for the replaced FastAPI service)"""
    job = _submit(
        "generate",
        request,
        request.job_request(),
        SubmitHeaders(idempotency_key, deadline),
        request.ignored(),
    )
    return GenerateAccepted(job_id=job.job_id)


@drop_in_routes.post(
    "/generate-image",
    {
        200: json_body("Accepted: the job's id", GenerateImageAccepted),
        **_SUBMIT_ERRORS,
    },
)
def generate_image(
    request: GenerateImageRequest,
    idempotency_key: IdempotencyKey = None,
    deadline: CancelAfter = None,
) -> GenerateImageAccepted:
    """Submit a job (drop-in for the replaced Celery service)"""
    job = _submit(
        "generate-image",
        request,
        request.job_request(),
        SubmitHeaders(idempotency_key, deadline),
        request.ignored(),
    )
    return GenerateImageAccepted(job_id=job.job_id)


@jobs_routes.post(
    "/uploads",
    answers(201, "Where and how to POST the file", UploadView),
    status_code=201,
)
def post_upload() -> Response[UploadView]:
    """Upload an image for a job

    Answers a presigned S3 POST: send the file there, then name it in a job as
    `{"upload_id": ...}`."""
    upload = create_upload(
        tenant_of(app), signer=images, max_bytes=settings.max_upload_bytes, now=utc_now()
    )
    view = UploadView.model_validate(upload, from_attributes=True)
    return Response(201, content_types.APPLICATION_JSON, view)


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
    canceled = cancel_job(job_id, tenant_of(app), jobs=ports.jobs, webhooks=webhooks, now=utc_now())
    return job_view(canceled, {}, now=canceled.updated_at)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app.context["billed"] = BilledTime.start(SYSTEM_CLOCK, int(context.memory_limit_in_mb))
    idempotency.register_lambda_context(context)
    return refuse_before_routing(event) or app.resolve(event, context)
