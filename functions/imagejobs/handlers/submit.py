"""SubmitFunction: `POST /jobs` and the drop-in `POST /generate` and `POST /generate-image`."""

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import utc_now
from imagejobs.dal.job_queue import SqsJobQueue
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.handlers.http_errors import register_error_handlers
from imagejobs.handlers.requests import JobId, caller, oversized_body_response
from imagejobs.logic.cancel import cancel_job
from imagejobs.logic.submit import submit_job
from imagejobs.models.api import JobRequest, JobView, job_view, spec_from_request
from imagejobs.models.compat import (
    GenerateAccepted,
    GenerateImageAccepted,
    GenerateImageRequest,
    GenerateRequest,
    spec_from_generate,
    spec_from_generate_image,
)
from imagejobs.models.domain import Job, JobSpec
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import SubmitSettings

settings = SubmitSettings.from_environment()
jobs = DynamoJobRepository(settings.table_name, boto3.client("dynamodb"))
queue = SqsJobQueue(settings.queue_url, boto3.client("sqs"))

app = APIGatewayRestResolver(enable_validation=True)
register_error_handlers(app)


def _submit(spec: JobSpec) -> Job:
    return submit_job(spec, caller(app), jobs=jobs, queue=queue, settings=settings, now=utc_now())


@app.post("/jobs")
@tracer.capture_method
def create_job(request: JobRequest) -> Response[JobView]:
    job = _submit(spec_from_request(request))
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
    return GenerateAccepted(job_id=_submit(spec_from_generate(request)).job_id)


@app.post("/generate-image")
@tracer.capture_method
def generate_image(request: GenerateImageRequest) -> GenerateImageAccepted:
    return GenerateImageAccepted(job_id=_submit(spec_from_generate_image(request)).job_id)


@app.post("/jobs/<job_id>/cancel")
@tracer.capture_method
def cancel(job_id: JobId) -> JobView:
    logger.set_correlation_id(job_id)
    return job_view(cancel_job(job_id, caller(app), jobs=jobs, now=utc_now()), image_urls={})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return oversized_body_response(event) or app.resolve(event, context)
