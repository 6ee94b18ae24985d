"""StatusFunction: `GET /jobs`, `GET /jobs/{job_id}`, `GET /models`, and the drop-in
`GET /status/{job_id}` and `GET /result/{job_id}`."""

from typing import Annotated, Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import SYSTEM_CLOCK, utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.model_lifecycles import DynamoModelLifecycles
from imagejobs.handlers.api_contract import (
    PREFERENCE_APPLIED_HEADER,
    answers,
    errors,
    json_body,
)
from imagejobs.handlers.request_gate import refuse_before_routing
from imagejobs.handlers.requests import JobId, Prefer, tenant_of, wait_budget, wait_preference
from imagejobs.handlers.resolver import Routes, serve_api
from imagejobs.logic.listing import list_jobs
from imagejobs.logic.models import list_models
from imagejobs.logic.status import JobReader, JobReport, describe_job
from imagejobs.logic.waiting import describe_job_when_ended
from imagejobs.models.api import JobListView, JobView, job_view
from imagejobs.models.config import ModelListView
from imagejobs.models.domain import JobStatus
from imagejobs.models.drop_in import DropInStatusView, ResultView, drop_in_status_view, result_view
from imagejobs.observability import logger, tracer
from imagejobs.settings import StatusSettings

settings = StatusSettings.from_environment()
dynamodb = boto3.client("dynamodb")
reader = JobReader(
    jobs=DynamoJobRepository(settings.table_name, dynamodb),
    images=S3ImageStore(settings.bucket_name, s3_client()),
    url_expiry_seconds=settings.image_url_expiry_seconds,
)
lifecycles = DynamoModelLifecycles(settings.table_name, dynamodb)

app = APIGatewayRestResolver(enable_validation=True)
serve_api(app)
jobs_routes = Routes(app, "jobs")
models_routes = Routes(app, "models")
drop_in_routes = Routes(app, "drop-in")


def _report(job_id: str, *, with_queue: bool = False) -> JobReport:
    logger.set_correlation_id(job_id)
    return describe_job(job_id, tenant_of(app), reader, queue_at=utc_now() if with_queue else None)


@models_routes.get(
    "/models", answers(200, "The offered models, the default among them", ModelListView)
)
def get_models() -> ModelListView:
    """The models this deployment offers

    Each with the tasks it does, what each task takes and its limits, its price per image, and
    its lifecycle."""
    return list_models(settings, lifecycles)


@jobs_routes.get("/jobs", answers(200, "A page of the tenant's jobs", JobListView, 422))
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
    """List your jobs, newest first

    Pass `next_cursor` back as `cursor` for the next page."""
    listing = list_jobs(tenant_of(app), reader, status=status, limit=limit, cursor=cursor)
    return JobListView(
        jobs=[job_view(*report, now=utc_now()) for report in listing.reports],
        next_cursor=listing.next_cursor,
    )


@jobs_routes.get(
    "/jobs/<job_id>",
    {
        200: json_body(
            "The job as it stands",
            JobView,
            **{"Preference-Applied": PREFERENCE_APPLIED_HEADER},
        ),
        **errors(404),
    },
)
def get_job(job_id: JobId, prefer: Prefer = None) -> Response[JobView]:
    """A job, with a presigned URL for each image

    With `Prefer: wait=N`, a long poll: answers as soon as the job has ended, or after N seconds
    with the job as it stands."""
    wait = wait_preference(prefer)
    if wait is None:
        view = job_view(*_report(job_id, with_queue=True), now=utc_now())
        return Response(200, content_types.APPLICATION_JSON, view)
    # A long poll: answers as soon as the job has ended, or after `wait` s as it stands.
    logger.set_correlation_id(job_id)
    seconds = wait_budget(wait, app.lambda_context.get_remaining_time_in_millis())
    ended = describe_job_when_ended(
        job_id, tenant_of(app), reader, seconds=seconds, clock=SYSTEM_CLOCK
    )
    view = job_view(*ended, now=utc_now())
    return Response(
        200, content_types.APPLICATION_JSON, view, {"Preference-Applied": f"wait={wait}"}
    )


@drop_in_routes.get("/status/<job_id>", answers(200, "The job's status", DropInStatusView, 404))
def get_status(job_id: JobId) -> DropInStatusView:
    """A job's status (drop-in for the replaced FastAPI service)"""
    found = _report(job_id)
    return drop_in_status_view(found.job, found.image_urls)


@drop_in_routes.get("/result/<job_id>", answers(200, "The job's result", ResultView, 404))
def get_result(job_id: JobId) -> dict[str, str]:
    """A job's result (drop-in for the replaced Celery service)

    Keys without a value are left out, as in the original."""
    found = _report(job_id)
    view = result_view(found.job, found.image_urls)
    return view.model_dump(mode="json", exclude_none=True)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_before_routing(event) or app.resolve(event, context)
