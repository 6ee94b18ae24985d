"""StatusFunction: `GET /jobs`, `GET /jobs/{job_id}`, `GET /models`, and the drop-in
`GET /status/{job_id}` and `GET /result/{job_id}`."""

from typing import Annotated, Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.model_lifecycles import DynamoModelLifecycles
from imagejobs.handlers.api_contract import (
    PREFERENCE_APPLIED_HEADER,
    answers,
    describe_api,
    errors,
    json_body,
)
from imagejobs.handlers.http_errors import register_error_handlers
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import JobId, Prefer, caller, wait_budget, wait_preference
from imagejobs.logic.listing import list_jobs
from imagejobs.logic.models import list_models
from imagejobs.logic.status import JobReport, describe_job
from imagejobs.logic.waiting import describe_job_when_ended
from imagejobs.models.api import JobListView, JobView, job_view
from imagejobs.models.compat import LegacyStatusView, ResultView, legacy_status_view, result_view
from imagejobs.models.config import ModelListView
from imagejobs.models.domain import JobStatus
from imagejobs.observability import logger, tracer
from imagejobs.settings import StatusSettings

settings = StatusSettings.from_environment()
dynamodb = boto3.client("dynamodb")
jobs = DynamoJobRepository(settings.table_name, dynamodb)
lifecycles = DynamoModelLifecycles(settings.table_name, dynamodb)
images = S3ImageStore(settings.bucket_name, s3_client())

app = APIGatewayRestResolver(enable_validation=True)
register_error_handlers(app)
describe_api(app)


def _report(job_id: str, *, with_queue: bool = False) -> JobReport:
    logger.set_correlation_id(job_id)
    return describe_job(
        job_id,
        caller(app),
        jobs=jobs,
        images=images,
        url_expiry_seconds=settings.image_url_expiry_seconds,
        queue_at=utc_now() if with_queue else None,
    )


@app.get(
    "/models",
    summary="The models this deployment offers",
    description="Each with its tasks, the parameters it takes and their limits, its price per"
    " image, and its lifecycle.",
    tags=["models"],
    responses=answers(200, "The offered models, the default among them", ModelListView),
)
@tracer.capture_method
def get_models() -> ModelListView:
    return list_models(settings, lifecycles)


@app.get(
    "/jobs",
    summary="List your jobs, newest first",
    description="Pass `next_cursor` back as `cursor` for the next page.",
    tags=["jobs"],
    responses=answers(200, "A page of the caller's jobs", JobListView, 422),
)
@tracer.capture_method
def get_jobs(
    status: Annotated[JobStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=1024, description="Opaque: a next_cursor this API gave; any other is a 400"
        ),
    ] = None,
) -> JobListView:
    listing = list_jobs(
        caller(app),
        status=status,
        limit=limit,
        cursor=cursor,
        jobs=jobs,
        images=images,
        url_expiry_seconds=settings.image_url_expiry_seconds,
    )
    return JobListView(
        jobs=[job_view(*report, now=utc_now()) for report in listing.reports],
        next_cursor=listing.next_cursor,
    )


@app.get(
    "/jobs/<job_id>",
    summary="A job, with a presigned URL for each image",
    description=(
        "With `Prefer: wait=N`, a long poll: answers as soon as the job has ended, or after N"
        " seconds with the job as it stands."
    ),
    tags=["jobs"],
    responses={
        200: json_body(
            "The job as it stands",
            JobView,
            **{"Preference-Applied": PREFERENCE_APPLIED_HEADER},
        ),
        **errors(404),
    },
)
@tracer.capture_method
def get_job(job_id: JobId, prefer: Prefer = None) -> Response[JobView]:
    wait = wait_preference(prefer)
    if wait is None:
        view = job_view(*_report(job_id, with_queue=True), now=utc_now())
        return Response(200, content_types.APPLICATION_JSON, view)
    # A long poll: answers as soon as the job has ended, or after `wait` s as it stands.
    logger.set_correlation_id(job_id)
    ended = describe_job_when_ended(
        job_id,
        caller(app),
        seconds=wait_budget(wait, app.lambda_context.get_remaining_time_in_millis()),
        jobs=jobs,
        images=images,
        url_expiry_seconds=settings.image_url_expiry_seconds,
    )
    view = job_view(*ended, now=utc_now())
    return Response(
        200, content_types.APPLICATION_JSON, view, {"Preference-Applied": f"wait={wait}"}
    )


@app.get(
    "/status/<job_id>",
    summary="A job's status (drop-in for the replaced FastAPI service)",
    tags=["drop-in"],
    responses=answers(200, "The job's status", LegacyStatusView, 404),
)
@tracer.capture_method
def get_status(job_id: JobId) -> LegacyStatusView:
    return legacy_status_view(*_report(job_id)[:2])


@app.get(
    "/result/<job_id>",
    summary="A job's result (drop-in for the replaced Celery service)",
    description="Keys without a value are left out, as in the original.",
    tags=["drop-in"],
    responses=answers(200, "The job's result", ResultView, 404),
)
@tracer.capture_method
def get_result(job_id: JobId) -> dict[str, str]:
    # Keys without a value are left out: the original answered {"status": "processing"}.
    return result_view(*_report(job_id)[:2]).model_dump(mode="json", exclude_none=True)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_before_routing(event) or app.resolve(event, context)
