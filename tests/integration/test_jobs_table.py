"""The DynamoDB repository's state machine: conditional writes only move jobs forward."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.exceptions import JobStateConflictError
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobStatus
from imagejobs.models.transitions import FAIL, START, SUCCEED
from tests.support.events import TENANT
from tests.support.jobs import NO_CAP, make_job, move
from tests.support.moto_aws import MotoResources

T0 = datetime(2026, 11, 23, 8, 0, 0, 250000, tzinfo=UTC)
JOB_ID = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a"
ERROR = JobError(type="render_failed", message="nope")


@pytest.fixture
def jobs(resources: MotoResources) -> DynamoJobRepository:
    return DynamoJobRepository(resources.table_name, boto3.client("dynamodb"))


def new_job(**changes: object) -> Job:
    expires_at = T0.replace(microsecond=0) + timedelta(days=1)
    return make_job(
        JOB_ID,
        TENANT,
        created_at=T0,
        changes={"expires_at": expires_at, **changes},
        negative_prompt="blue",
        height=80,
        seed=3,
        image_format="jpeg",
    )


def test_a_job_reads_back_exactly_as_stored(jobs: DynamoJobRepository) -> None:
    # Given a new job with every optional field set
    job = new_job(
        images=(GeneratedImage(key="k", width=64, height=80, image_format="jpeg", seed=3),),
        error=ERROR,
        started_at=T0,
        finished_at=T0,
        attempts=2,
    )

    # When it is stored and read back
    jobs.create(job, open_limit=NO_CAP)

    # Then nothing is lost or changed on the way
    assert jobs.get(JOB_ID) == job


def test_style_quality_and_a_fractional_guidance_read_back_exactly(
    jobs: DynamoJobRepository,
) -> None:
    # Given a job with every rendering parameter set, guidance not a whole number
    parameters = new_job().parameters.model_copy(
        update={"style": "luxury", "quality": 55, "guidance": 7.3}
    )
    job = new_job(parameters=parameters)

    # When it is stored and read back
    jobs.create(job, open_limit=NO_CAP)

    # Then the parameters are unchanged (no float drift through DynamoDB's decimals)
    assert jobs.get(JOB_ID) == job


def test_an_item_from_before_styles_reads_with_the_defaults_it_was_rendered_with(
    jobs: DynamoJobRepository, resources: MotoResources
) -> None:
    # Given a JPEG job item written before style, quality and guidance were recorded
    jobs.create(new_job(), open_limit=NO_CAP)
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_item(
        TableName=resources.table_name,
        Key={"job_id": {"S": JOB_ID}},
        UpdateExpression="REMOVE #style, quality, guidance",
        ExpressionAttributeNames={"#style": "style"},
    )

    # When it is read
    job = jobs.get(JOB_ID)

    # Then it shows what it was rendered with: no style, the default JPEG quality
    assert job is not None
    params = job.parameters
    assert (params.style, params.quality, params.guidance) == ("none", 90, None)


def test_the_same_job_cannot_be_created_twice(jobs: DynamoJobRepository) -> None:
    # Given a stored job
    jobs.create(new_job(), open_limit=NO_CAP)

    # When a job with the same id is created
    # Then it is refused rather than overwritten
    with pytest.raises(JobStateConflictError):
        jobs.create(new_job(status=JobStatus.FAILED), open_limit=NO_CAP)
    assert jobs.get(JOB_ID) == new_job()


def test_the_ttl_attribute_holds_epoch_seconds(
    jobs: DynamoJobRepository, resources: MotoResources
) -> None:
    # Given a job
    job = new_job()

    # When it is stored
    jobs.create(job, open_limit=NO_CAP)

    # Then the attribute the table's TTL reads is a number of seconds
    item = resources.stored_job(JOB_ID)
    assert item["expires_at"] == {"N": str(int(job.expires_at.timestamp()))}


@pytest.mark.parametrize(
    "finish",
    [
        lambda jobs, now: move(jobs, JOB_ID, SUCCEED, now, images=()),
        lambda jobs, now: move(jobs, JOB_ID, FAIL, now, error=ERROR),
    ],
    ids=["succeeded", "failed"],
)
def test_a_finished_job_never_changes_again(jobs: DynamoJobRepository, finish: object) -> None:
    # Given a job that ran and finished
    jobs.create(new_job(), open_limit=NO_CAP)
    move(jobs, JOB_ID, START, T0)
    finish(jobs, T0)  # type: ignore[operator]
    finished = jobs.get(JOB_ID)

    # When any transition is tried on it
    # Then each is refused and the job is unchanged
    for transition in (
        lambda: move(jobs, JOB_ID, START, T0),
        lambda: move(jobs, JOB_ID, SUCCEED, T0, images=()),
        lambda: move(jobs, JOB_ID, FAIL, T0, error=ERROR),
    ):
        with pytest.raises(JobStateConflictError):
            transition()
    assert jobs.get(JOB_ID) == finished


def test_a_job_must_be_running_to_succeed(jobs: DynamoJobRepository) -> None:
    # Given a queued job
    jobs.create(new_job(), open_limit=NO_CAP)

    # When it is completed without having started
    # Then that is refused
    with pytest.raises(JobStateConflictError):
        move(jobs, JOB_ID, SUCCEED, T0, images=())


def test_attempts_count_and_started_at_keeps_the_first_start(jobs: DynamoJobRepository) -> None:
    # Given a queued job
    jobs.create(new_job(), open_limit=NO_CAP)

    # When it is started twice (a repeat receive after a crash)
    move(jobs, JOB_ID, START, T0 + timedelta(seconds=1))
    job = move(jobs, JOB_ID, START, T0 + timedelta(seconds=9))

    # Then both attempts count and the first start is kept
    assert job.attempts == 2
    assert job.started_at == T0 + timedelta(seconds=1)
    assert job.updated_at == T0 + timedelta(seconds=9)


def test_transitions_on_an_unknown_job_create_nothing(
    jobs: DynamoJobRepository, resources: MotoResources
) -> None:
    # Given an empty table
    # When a transition names a job that does not exist
    with pytest.raises(JobStateConflictError):
        move(jobs, JOB_ID, FAIL, T0, error=ERROR)

    # Then no half item appears
    assert len(resources.job_items()) == 0
