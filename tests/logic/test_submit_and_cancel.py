"""Accepting and canceling jobs, on the in-memory ports: what is recorded, what is queued,
and what is refused before anything is."""

import secrets
from datetime import timedelta

import pytest

from imagejobs.engines.base import MAX_SEED
from imagejobs.exceptions import (
    EnqueueFailedError,
    InvalidParameterError,
    JobNotFoundError,
    JobStateConflictError,
    TooManyOpenJobsError,
)
from imagejobs.logic.cancel import cancel_job
from imagejobs.logic.submit import SubmitPorts, submit_job
from imagejobs.models.api import JobRequest, Submission
from imagejobs.models.domain import Job, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import CANCEL_QUEUED, START, JobChange
from imagejobs.settings import SubmitSettings
from tests.support import template
from tests.support.events import TENANT
from tests.support.in_memory import (
    InMemoryImageStore,
    InMemoryJobQueue,
    InMemoryJobRepository,
    InMemoryModelLifecycles,
    InMemoryWebhookQueue,
)
from tests.support.jobs import NO_CAP, T0, make_job, move, resolved_parameters

JOB_ID = "6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
SPEC = JobRequest(prompt="a lighthouse", width=640, height=480, num_images=2, image_format="webp")
SD35 = "stability.sd3-5-large-v1:0"
WITH_SD35 = {"Models": f"pillow,{SD35}"}


def settings(**parameters: str) -> SubmitSettings:
    """SubmitFunction's settings as template.yaml gives them, `parameters` overriding its own."""
    names = {
        "JobsTable": "jobs",
        "JobsQueue": "queue",
        "IdempotencyTable": "idempotency",
        "ImagesBucket": "images",
        "WebhookQueue": "webhooks",
    }
    environment = template.function_environment(
        "SubmitFunction", template.Resolver({**names, **parameters})
    )
    return SubmitSettings.model_validate(environment)


def submit(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue, request: JobRequest, **parameters: str
) -> Job:
    submission = Submission(tenant=TENANT, route="jobs", body={}, request=request)
    ports = SubmitPorts(jobs, queue, InMemoryImageStore(), InMemoryModelLifecycles())
    return submit_job(submission, ports, settings(**parameters), T0)


def test_a_job_is_recorded_queued_with_every_default_applied_and_then_queued(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a WebP request that leaves quality and guidance to the deployment
    spec = SPEC.model_copy(update={"seed": 42})

    # When it is submitted
    job = submit(jobs, queue, spec)

    # Then the job is stored as returned: queued, the tenant's, with what will be rendered
    assert jobs.get(job.job_id) == job
    assert job.model_dump(exclude={"job_id"}) == {
        "tenant": TENANT,
        "status": JobStatus.QUEUED,
        "parameters": resolved_parameters(
            prompt="a lighthouse",
            width=640,
            height=480,
            num_images=2,
            image_format="webp",
            quality=90,
        ).model_dump(),
        "engine_id": "pillow",
        "created_at": T0,
        "updated_at": T0,
        "started_at": None,
        "finished_at": None,
        "expires_at": T0 + timedelta(days=7),
        "attempts": 0,
        "images": (),
        "error": None,
        "cancel_requested": False,
        "throttled_waits": 0,
        "first_throttled_at": None,
        "model_seconds": 0.0,
        "images_rendered": 0,
        "lambda_gb_seconds": 0.0,
        "deadline_at": None,
        "ignored_parameters": (),
        "webhook": None,
        "deliveries": (),
    }
    # And exactly one message names it
    assert queue.messages == [JobMessage(job_id=job.job_id)]


def test_a_png_job_has_no_quality(jobs: InMemoryJobRepository, queue: InMemoryJobQueue) -> None:
    # Given a PNG request without a quality
    # When it is submitted
    job = submit(jobs, queue, SPEC.model_copy(update={"image_format": "png"}))

    # Then the job records none, rather than the lossy encoders' default
    assert job.parameters.quality is None


@pytest.mark.parametrize(("draw", "first_seed"), [("lowest", 1), ("highest", MAX_SEED - 3)])
def test_a_chosen_seed_leaves_room_for_every_image_of_the_model(
    jobs: InMemoryJobRepository,
    queue: InMemoryJobQueue,
    monkeypatch: pytest.MonkeyPatch,
    draw: str,
    first_seed: int,
) -> None:
    # Given a request to SD3.5 Large for four images without a seed, and the lowest or the
    # highest draw (its seed 0 asks for a random one, so seeds start at 1)
    monkeypatch.setattr(secrets, "randbelow", lambda bound: 0 if draw == "lowest" else bound - 1)
    request = JobRequest(prompt="a lighthouse", model=SD35, num_images=4, aspect_ratio="16:9")

    # When it is submitted
    job = submit(jobs, queue, request, **WITH_SD35)

    # Then every image's seed is within the model's range, at its edge
    assert job.parameters.seed == first_seed
    assert job.engine_id == f"bedrock:{SD35}"


@pytest.mark.parametrize(
    ("changes", "parameters", "field"),
    [
        ({"width": 1040}, {"MaxImageSize": "1024"}, "width"),
        ({"height": 1040}, {"MaxImageSize": "1024"}, "height"),
        ({"image_format": "png", "quality": 80}, {}, "quality"),
        ({"guidance": 12.0}, {}, "guidance"),
        ({"model": SD35, "width": 650}, WITH_SD35, "width"),
        ({"model": SD35, "width": None, "height": None, "guidance": 5.0}, WITH_SD35, "guidance"),
        ({"model": "stability.stable-image-core-v1:1"}, {}, "model"),
        ({"aspect_ratio": "16:9"}, {}, "aspect_ratio"),
        ({"num_images": 5}, {}, "num_images"),
        ({"seed": 2_147_483_646}, {}, "seed"),
    ],
)
def test_what_the_deployment_cannot_render_is_refused_before_anything_is_stored(
    jobs: InMemoryJobRepository,
    queue: InMemoryJobQueue,
    changes: dict[str, object],
    parameters: dict[str, str],
    field: str,
) -> None:
    # Given a request beyond this deployment's cap or its engine's limits
    spec = SPEC.model_copy(update=changes)

    # When it is submitted
    # Then it is refused naming the field, and no job or message exists
    with pytest.raises(InvalidParameterError) as refused:
        submit(jobs, queue, spec, **parameters)
    assert refused.value.field == field
    assert jobs.jobs == {}
    assert queue.messages == []


def test_a_job_that_cannot_be_queued_is_failed_not_left_queued(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a queue that refuses messages
    queue.unavailable = True

    # When a job is submitted
    # Then the caller hears of it, and the recorded job is failed, so no one waits for it
    with pytest.raises(EnqueueFailedError):
        submit(jobs, queue, SPEC)
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.FAILED
    assert job.error == JobError(type="enqueue_failed", message="could not queue the job")
    assert job.finished_at == T0


def stored(jobs: InMemoryJobRepository, status: JobStatus, tenant: str = TENANT) -> Job:
    job = make_job(JOB_ID, tenant, status)
    jobs.create(job, open_limit=NO_CAP)
    return job


def test_a_queued_job_is_canceled_at_once(jobs: InMemoryJobRepository) -> None:
    # Given a queued job
    stored(jobs, JobStatus.QUEUED)

    # When its tenant cancels it
    now = T0 + timedelta(seconds=5)
    job = cancel_job(JOB_ID, TENANT, jobs=jobs, webhooks=InMemoryWebhookQueue(), now=now)

    # Then it is canceled and finished, with no worker involved
    assert (job.status, job.finished_at, job.cancel_requested) == (JobStatus.CANCELED, now, False)
    assert jobs.get(JOB_ID) == job


def test_a_running_job_is_flagged_for_its_worker(jobs: InMemoryJobRepository) -> None:
    # Given a running job
    stored(jobs, JobStatus.RUNNING)

    # When its tenant cancels it
    job = cancel_job(
        JOB_ID, TENANT, jobs=jobs, webhooks=InMemoryWebhookQueue(), now=T0 + timedelta(seconds=5)
    )

    # Then it stays running with the cancel requested, for the worker to finish
    assert (job.status, job.cancel_requested, job.finished_at) == (JobStatus.RUNNING, True, None)


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED])
def test_a_finished_job_cannot_be_canceled(jobs: InMemoryJobRepository, status: JobStatus) -> None:
    # Given a job that already ended
    job = stored(jobs, status)

    # When its tenant cancels it
    # Then that conflicts, and the job is unchanged
    with pytest.raises(JobStateConflictError):
        cancel_job(
            JOB_ID,
            TENANT,
            jobs=jobs,
            webhooks=InMemoryWebhookQueue(),
            now=T0 + timedelta(seconds=5),
        )
    assert jobs.get(JOB_ID) == job


def test_another_tenants_job_cannot_be_canceled(jobs: InMemoryJobRepository) -> None:
    # Given someone else's queued job
    job = stored(jobs, JobStatus.QUEUED, tenant="tenant-b-key-id")

    # When this tenant cancels it, or a job nobody has
    # Then both read as "not found", and the job is unchanged
    with pytest.raises(JobNotFoundError):
        cancel_job(JOB_ID, TENANT, jobs=jobs, webhooks=InMemoryWebhookQueue(), now=T0)
    with pytest.raises(JobNotFoundError):
        cancel_job(
            "00000000-0000-4000-8000-000000000000",
            TENANT,
            jobs=jobs,
            webhooks=InMemoryWebhookQueue(),
            now=T0,
        )
    assert jobs.get(JOB_ID) == job


class StartsOnCancel(InMemoryJobRepository):
    """A worker starts the job between the cancel's read and its first write."""

    def apply(self, change: JobChange) -> Job:
        if change.transition is CANCEL_QUEUED:
            move(self, change.job_id, START, T0 + timedelta(seconds=1))
        return super().apply(change)


def test_a_job_that_starts_during_the_cancel_is_flagged_instead() -> None:
    # Given a queued job that a worker starts while its tenant cancels it
    jobs = StartsOnCancel()
    stored(jobs, JobStatus.QUEUED)

    # When the tenant cancels it
    job = cancel_job(
        JOB_ID, TENANT, jobs=jobs, webhooks=InMemoryWebhookQueue(), now=T0 + timedelta(seconds=3)
    )

    # Then the cancel becomes a request the worker will honour
    assert (job.status, job.cancel_requested) == (JobStatus.RUNNING, True)


def test_past_the_cap_of_open_jobs_nothing_is_recorded_or_queued(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a deployment that allows two open jobs per tenant, and a tenant with two
    for _ in range(2):
        submit(jobs, queue, SPEC, MaxOpenJobsPerTenant="2")

    # When the tenant submits a third
    # Then it is refused, naming the cap, before anything is recorded or queued
    with pytest.raises(TooManyOpenJobsError) as refused:
        submit(jobs, queue, SPEC, MaxOpenJobsPerTenant="2")
    assert refused.value.limit == 2
    assert len(jobs.jobs) == 2
    assert len(queue.messages) == 2
