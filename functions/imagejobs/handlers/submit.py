"""SubmitFunction: `POST /jobs` and the drop-in `POST /generate` and `POST /generate-image`."""

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
from imagejobs.dal.job_queue import SqsJobQueue
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.webhook_queue import SqsWebhookQueue
from imagejobs.handlers.http_errors import register_error_handlers
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import JobId, caller, idempotency_key
from imagejobs.logic.cancel import cancel_job
from imagejobs.logic.submit import submit_job
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
register_error_handlers(app)


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


def _submit(route: str, request: BaseModel, spec: JobSpec) -> Job:
    owner = caller(app)
    key = idempotency_key(app)
    if key is None:
        return submit_job(spec, owner, jobs=jobs, queue=queue, settings=settings, now=utc_now())
    body = request.model_dump(mode="json")
    submission = Submission(owner=owner, route=route, key=key, body=body, spec=spec)
    job: Job = _submit_once(submission=submission)
    return job


@app.post("/jobs")
@tracer.capture_method
def create_job(request: JobRequest) -> Response[JobView]:
    job = _submit("jobs", request, request.spec())
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=job_view(job, image_urls={}),
        # Relative to the request URL, so it stays right behind any stage or base path.
        headers={"Location": f"jobs/{job.job_id}"},
    )


@app.post("/generate")
@tracer.capture_method
def generate(request: GenerateRequest) -> GenerateAccepted:
    return GenerateAccepted(job_id=_submit("generate", request, request.spec()).job_id)


@app.post("/generate-image")
@tracer.capture_method
def generate_image(request: GenerateImageRequest) -> GenerateImageAccepted:
    job = _submit("generate-image", request, request.spec())
    return GenerateImageAccepted(job_id=job.job_id)


@app.post("/jobs/<job_id>/cancel")
@tracer.capture_method
def cancel(job_id: JobId) -> JobView:
    logger.set_correlation_id(job_id)
    canceled = cancel_job(job_id, caller(app), jobs=jobs, webhooks=webhooks, now=utc_now())
    return job_view(canceled, image_urls={})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return refuse_before_routing(event) or app.resolve(event, context)
