"""The `JobRepository` and `ImageStore` contracts, checked against both implementations: the
DynamoDB and S3 ones (on moto) and the in-memory ones the logic tests use
(tests/support/in_memory.py). A behaviour a fake gets wrong fails here, next to the same check
passing on the real one."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import MAX_PAGES_PER_LIST
from imagejobs.exceptions import JobStateConflictError, TooManyOpenJobsError
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobStatus, PagePosition
from imagejobs.models.transitions import FAIL, START, TRANSITIONS
from imagejobs.ports import ImageStore, JobRepository
from tests.support.events import TENANT
from tests.support.in_memory import InMemoryImageStore, StoredObject
from tests.support.jobs import NO_CAP, T0, make_job, move
from tests.support.moto_aws import BucketObjects
from tests.support.repositories import KINDS, repository
from tests.support.worker import StoredObjects

JOB_ID = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a"
LATER = T0 + timedelta(minutes=1)
ERROR = JobError(type="render_failed", message="nope")
IMAGES = (GeneratedImage(key="images/k/0.png", width=64, height=64, image_format="png", seed=1),)


@pytest.fixture(params=KINDS)
def jobs(request: pytest.FixtureRequest) -> JobRepository:
    return repository(request)


# Each starting state, as a stored job.
STARTS: dict[str, Job] = {
    "queued": make_job(JOB_ID, TENANT, JobStatus.QUEUED),
    "running": make_job(JOB_ID, TENANT, JobStatus.RUNNING, changes={"attempts": 1}),
    "running, cancel requested": make_job(
        JOB_ID, TENANT, JobStatus.RUNNING, changes={"attempts": 1, "cancel_requested": True}
    ),
    "succeeded": make_job(JOB_ID, TENANT, JobStatus.SUCCEEDED, changes={"images": IMAGES}),
    "failed": make_job(JOB_ID, TENANT, JobStatus.FAILED, changes={"error": ERROR}),
    "canceled": make_job(JOB_ID, TENANT, JobStatus.CANCELED),
}

# The value each given field takes when a test makes a transition that needs one.
GIVEN_VALUES: dict[str, object] = {"images": IMAGES, "error": ERROR}
# What an attempt spent, added by the transitions that record it (binary fractions, exact).
SPENT: dict[str, object] = {"model_seconds": 1.5, "images_rendered": 2, "lambda_gb_seconds": 0.25}
BY_NAME = {transition.name: transition for transition in TRANSITIONS}


def make(jobs: JobRepository, name: str) -> Job:
    """The transition named `name`, of job JOB_ID at LATER."""
    transition = BY_NAME[name]
    values = {field: GIVEN_VALUES[field] for field in transition.given}
    values |= {field: SPENT[field] for field in transition.added}
    return move(jobs, JOB_ID, transition, LATER, **values)


# What each allowed transition changes; every pair not listed is a JobStateConflictError.
ENDED = {"updated_at": LATER, "finished_at": LATER}
ALLOWED: dict[tuple[str, str], dict[str, object]] = {
    ("queued", "start"): {
        "status": JobStatus.RUNNING,
        "updated_at": LATER,
        "started_at": LATER,
        "attempts": 1,
    },
    ("running", "start"): {
        "status": JobStatus.RUNNING,
        "updated_at": LATER,
        "started_at": LATER,
        "attempts": 2,
    },
    ("running", "requeue_throttled"): {
        "status": JobStatus.QUEUED,
        "updated_at": LATER,
        "throttled_waits": 1,
        "first_throttled_at": LATER,
        **SPENT,
    },
    ("running", "succeed"): {"status": JobStatus.SUCCEEDED, "images": IMAGES, **ENDED, **SPENT},
    ("queued", "fail"): {"status": JobStatus.FAILED, "error": ERROR, **ENDED, **SPENT},
    ("running", "fail"): {"status": JobStatus.FAILED, "error": ERROR, **ENDED, **SPENT},
    ("running, cancel requested", "fail"): {
        "status": JobStatus.FAILED,
        "error": ERROR,
        **ENDED,
        **SPENT,
    },
    ("queued", "expire"): {"status": JobStatus.CANCELED, "error": ERROR, **ENDED, **SPENT},
    ("running", "expire"): {"status": JobStatus.CANCELED, "error": ERROR, **ENDED, **SPENT},
    ("running, cancel requested", "expire"): {
        "status": JobStatus.CANCELED,
        "error": ERROR,
        **ENDED,
        **SPENT,
    },
    ("queued", "note_redriven"): {"updated_at": LATER},
    ("running", "note_redriven"): {"updated_at": LATER},
    ("running, cancel requested", "note_redriven"): {"updated_at": LATER},
    ("queued", "cancel_queued"): {"status": JobStatus.CANCELED, **ENDED},
    ("running", "request_cancel"): {"cancel_requested": True, "updated_at": LATER},
    ("running, cancel requested", "request_cancel"): {"updated_at": LATER},
    ("running, cancel requested", "finish_cancel"): {
        "status": JobStatus.CANCELED,
        **ENDED,
        **SPENT,
    },
}


# Every transition tried from every state a job can be stored in.
@pytest.fixture(params=list(STARTS))
def start(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=list(BY_NAME))
def transition(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_each_transition_moves_only_from_the_states_it_allows(
    jobs: JobRepository, start: str, transition: str
) -> None:
    # Given a stored job in one state
    jobs.create(STARTS[start], open_limit=NO_CAP)

    # When a transition is tried on it
    # Then an allowed one returns the job as now stored, with exactly its changes
    if (start, transition) in ALLOWED:
        expected = STARTS[start].model_copy(update=ALLOWED[(start, transition)])
        assert make(jobs, transition) == expected
        assert jobs.get(JOB_ID) == expected
    # And any other raises the conflict and leaves the job as it was
    else:
        with pytest.raises(JobStateConflictError) as raised:
            make(jobs, transition)
        assert raised.value.job_id == JOB_ID
        assert jobs.get(JOB_ID) == STARTS[start]


def test_a_job_holds_a_place_among_its_tenants_open_jobs_until_it_ends(
    jobs: JobRepository, start: str, transition: str
) -> None:
    # Given a stored job in one state: an open one holds a place, an ended one none
    jobs.create(STARTS[start], open_limit=NO_CAP)
    held = 0 if STARTS[start].status.is_terminal else 1
    assert jobs.open_jobs(TENANT) == held

    # When a transition is tried on it, twice (SQS may receive a message more than once)
    for _ in range(2):
        with contextlib.suppress(JobStateConflictError):
            make(jobs, transition)

    # Then the place is given back exactly when the job has ended, and only once
    job = jobs.get(JOB_ID)
    assert job is not None
    assert jobs.open_jobs(TENANT) == (0 if job.status.is_terminal else held)


def test_at_the_limit_a_new_job_is_refused_and_nothing_is_stored(jobs: JobRepository) -> None:
    # Given a tenant with two open jobs
    first, second, third = (listing_id(n) for n in range(3))
    jobs.create(make_job(first, TENANT), open_limit=2)
    jobs.create(make_job(second, TENANT, JobStatus.RUNNING), open_limit=2)

    # When a third is created with a limit of two
    # Then it is refused, not stored, and the count stays at two
    with pytest.raises(TooManyOpenJobsError) as refused:
        jobs.create(make_job(third, TENANT), open_limit=2)
    assert refused.value.limit == 2
    assert jobs.get(third) is None
    assert jobs.open_jobs(TENANT) == 2
    # And another tenant is not held back by it
    jobs.create(make_job(listing_id(9), "someone-else"), open_limit=2)
    # And once one of the two ends, the third fits
    move(jobs, first, FAIL, LATER, error=ERROR)
    jobs.create(make_job(third, TENANT), open_limit=2)
    assert jobs.open_jobs(TENANT) == 2


def test_a_duplicate_job_is_not_counted_twice(jobs: JobRepository) -> None:
    # Given a stored open job
    jobs.create(STARTS["queued"], open_limit=NO_CAP)

    # When it is created again, then it conflicts and still counts once
    with pytest.raises(JobStateConflictError):
        jobs.create(STARTS["queued"], open_limit=NO_CAP)
    assert jobs.open_jobs(TENANT) == 1


@pytest.mark.parametrize("transition", BY_NAME)
def test_a_transition_on_an_unknown_job_conflicts_and_creates_nothing(
    jobs: JobRepository, transition: str
) -> None:
    # Given no job
    # When a transition is tried, then it conflicts and no half job appears
    with pytest.raises(JobStateConflictError):
        make(jobs, transition)
    assert jobs.get(JOB_ID) is None


def test_a_job_reads_back_as_stored_to_the_millisecond(jobs: JobRepository) -> None:
    # Given a job whose times carry microseconds
    moment = datetime(2026, 11, 23, 8, 0, 0, 250_987, tzinfo=UTC)
    job = make_job(JOB_ID, TENANT, created_at=moment, guidance=7.3)

    # When it is stored and read back
    jobs.create(job, open_limit=NO_CAP)

    # Then it is the same job, its times kept to the millisecond and its expiry to the second
    assert jobs.get(JOB_ID) == job.model_copy(
        update={
            "created_at": moment.replace(microsecond=250_000),
            "updated_at": moment.replace(microsecond=250_000),
            "expires_at": job.expires_at.replace(microsecond=0),
        }
    )


def test_a_job_id_is_stored_once(jobs: JobRepository) -> None:
    # Given a stored job
    jobs.create(STARTS["queued"], open_limit=NO_CAP)

    # When another job with its id is created
    # Then that conflicts and the first job stays
    with pytest.raises(JobStateConflictError):
        jobs.create(STARTS["failed"], open_limit=NO_CAP)
    assert jobs.get(JOB_ID) == STARTS["queued"]


def test_a_restart_keeps_the_first_start_time(jobs: JobRepository) -> None:
    # Given a job started once
    jobs.create(STARTS["queued"], open_limit=NO_CAP)
    move(jobs, JOB_ID, START, T0 + timedelta(seconds=1))

    # When it is started again later
    job = move(jobs, JOB_ID, START, T0 + timedelta(seconds=2))

    # Then both attempts count, and started_at is the first one's
    assert job.attempts == 2
    assert job.started_at == T0 + timedelta(seconds=1)
    assert job.updated_at == T0 + timedelta(seconds=2)


def listing_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def store_listing(
    jobs: JobRepository, statuses: list[JobStatus], tenant: str = TENANT
) -> list[str]:
    """Jobs one second apart, the first oldest; returns their ids, newest first."""
    ids = []
    for n, status in enumerate(statuses):
        jobs.create(
            make_job(listing_id(n), tenant, status, created_at=T0 + timedelta(seconds=n)),
            open_limit=NO_CAP,
        )
        ids.append(listing_id(n))
    return ids[::-1]


def page_ids(page_jobs: tuple[Job, ...]) -> list[str]:
    return [job.job_id for job in page_jobs]


def test_a_listing_pages_through_the_tenants_jobs_newest_first(jobs: JobRepository) -> None:
    # Given five jobs of one tenant and one of another
    newest_first = store_listing(jobs, [JobStatus.QUEUED] * 5)
    jobs.create(
        make_job(listing_id(99), "someone-else", created_at=T0 + timedelta(hours=1)),
        open_limit=NO_CAP,
    )

    # When they are listed two at a time
    first = jobs.list_for_tenant(TENANT, status=None, limit=2, after=None)
    second = jobs.list_for_tenant(TENANT, status=None, limit=2, after=first.next_position)
    third = jobs.list_for_tenant(TENANT, status=None, limit=2, after=second.next_position)

    # Then the pages hold the tenant's jobs only, newest first, each ending where the next starts
    assert page_ids(first.jobs) == newest_first[:2]
    assert first.next_position == PagePosition(
        tenant=TENANT, created_at=first.jobs[-1].created_at, job_id=newest_first[1]
    )
    assert page_ids(second.jobs) == newest_first[2:4]
    assert page_ids(third.jobs) == newest_first[4:]
    assert third.next_position is None


def test_a_full_last_page_still_offers_a_next_one_which_is_empty(jobs: JobRepository) -> None:
    # Given exactly two jobs
    newest_first = store_listing(jobs, [JobStatus.QUEUED] * 2)

    # When they are listed two at a time
    first = jobs.list_for_tenant(TENANT, status=None, limit=2, after=None)
    second = jobs.list_for_tenant(TENANT, status=None, limit=2, after=first.next_position)

    # Then the full page cannot know it was the last, and the next one is empty
    assert page_ids(first.jobs) == newest_first
    assert first.next_position is not None
    assert second.jobs == ()
    assert second.next_position is None


def test_a_status_filter_keeps_only_that_status(jobs: JobRepository) -> None:
    # Given jobs of mixed states
    statuses = [JobStatus.SUCCEEDED, JobStatus.QUEUED, JobStatus.SUCCEEDED, JobStatus.FAILED]
    newest_first = store_listing(jobs, statuses)

    # When only the succeeded ones are listed
    page = jobs.list_for_tenant(TENANT, status=JobStatus.SUCCEEDED, limit=10, after=None)

    # Then those are the two, newest first
    assert page_ids(page.jobs) == [newest_first[1], newest_first[3]]
    assert page.next_position is None


def test_a_sparse_filter_stops_at_the_read_budget_and_resumes_there(jobs: JobRepository) -> None:
    # Given one failed job behind more queued ones than a listing reads at once
    statuses = [JobStatus.FAILED] + [JobStatus.QUEUED] * MAX_PAGES_PER_LIST
    newest_first = store_listing(jobs, statuses)

    # When failed jobs are listed one at a time
    first = jobs.list_for_tenant(TENANT, status=JobStatus.FAILED, limit=1, after=None)
    second = jobs.list_for_tenant(
        TENANT, status=JobStatus.FAILED, limit=1, after=first.next_position
    )

    # Then the first call gives up empty where it stopped reading, and the next finds the job
    assert first.jobs == ()
    assert first.next_position is not None
    assert first.next_position.job_id == newest_first[MAX_PAGES_PER_LIST - 1]
    assert page_ids(second.jobs) == [newest_first[-1]]


def open_ids(jobs: JobRepository, status: JobStatus, before: datetime = LATER) -> list[str]:
    later = before + timedelta(seconds=1)
    return [job.job_id for job in jobs.list_open(status, updated_before=later, limit=100)]


@pytest.mark.parametrize("start", STARTS)
def test_a_job_is_in_the_open_index_exactly_while_it_is_open(
    jobs: JobRepository, start: str
) -> None:
    # Given a stored job in one state
    jobs.create(STARTS[start], open_limit=NO_CAP)

    # When the open-jobs index is read for each open state
    found = {status: open_ids(jobs, status) for status in (JobStatus.QUEUED, JobStatus.RUNNING)}

    # Then an open job is found under its own state only, and a finished one not at all
    status = STARTS[start].status
    assert found == {s: [JOB_ID] if s is status else [] for s in found}


@pytest.mark.parametrize("allowed", ALLOWED)
def test_each_transition_keeps_the_open_index_in_step(
    jobs: JobRepository, allowed: tuple[str, str]
) -> None:
    # Given a job moved by an allowed transition
    start, transition = allowed
    jobs.create(STARTS[start], open_limit=NO_CAP)
    moved = make(jobs, transition)

    # When the open-jobs index is read for each open state
    found = {status: open_ids(jobs, status) for status in (JobStatus.QUEUED, JobStatus.RUNNING)}

    # Then it is listed under its new state while open, and gone once terminal, as it is stored
    assert found == {s: [JOB_ID] if s is moved.status else [] for s in found}
    if not moved.status.is_terminal:
        later = LATER + timedelta(seconds=1)
        assert jobs.list_open(moved.status, updated_before=later, limit=1) == [moved]


def test_the_open_index_lists_the_oldest_update_first_before_the_bound_up_to_the_limit(
    jobs: JobRepository,
) -> None:
    # Given queued jobs updated one second apart, newest first by id, and a running one
    for n in range(5):
        jobs.create(
            make_job(listing_id(n), TENANT, created_at=T0 + timedelta(seconds=4 - n)),
            open_limit=NO_CAP,
        )
    jobs.create(
        make_job(listing_id(9), TENANT, JobStatus.RUNNING, created_at=T0), open_limit=NO_CAP
    )

    # When the queued ones updated before T0 + 4 s are read, three at most
    found = jobs.list_open(JobStatus.QUEUED, updated_before=T0 + timedelta(seconds=4), limit=3)

    # Then those are the three updated longest ago, oldest first; the bound itself is excluded
    assert [job.job_id for job in found] == [listing_id(4), listing_id(3), listing_id(2)]
    assert open_ids(jobs, JobStatus.QUEUED, before=T0) == [listing_id(4)]


@pytest.fixture(params=["in-memory", "s3"])
def store(request: pytest.FixtureRequest) -> tuple[ImageStore, StoredObjects]:
    """An image store, and a view of what it holds."""
    if request.param == "in-memory":
        images = InMemoryImageStore()
        return images, images
    resources = request.getfixturevalue("resources")
    return S3ImageStore(resources.bucket_name, s3_client()), BucketObjects(
        resources.s3, resources.bucket_name
    )


def test_an_image_put_twice_holds_the_second(store: tuple[ImageStore, StoredObjects]) -> None:
    # Given a stored image
    images, objects = store
    images.put("images/j/0.png", b"first", "image/png")

    # When the same key is put again, as a retried attempt does
    images.put("images/j/0.png", b"second", "image/png")

    # Then the key holds the second, once
    assert objects.keys() == ["images/j/0.png"]
    assert objects.read("images/j/0.png") == StoredObject(b"second", "image/png")


def test_deleting_ignores_keys_that_do_not_exist(store: tuple[ImageStore, StoredObjects]) -> None:
    # Given two stored images
    images, objects = store
    images.put("images/j/0.webp", b"a", "image/webp")
    images.put("images/j/1.webp", b"b", "image/webp")

    # When one of them and a key never written are deleted
    images.delete(["images/j/0.webp", "images/j/3.webp"])

    # Then only the named one is gone, and the missing key was no error
    assert objects.keys() == ["images/j/1.webp"]
