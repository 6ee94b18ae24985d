"""The sweeper on the in-memory ports: which open jobs it re-drives, which it fails as stale,
what it leaves alone, and that a second run changes nothing it should not."""

from datetime import datetime, timedelta

import pytest

from imagejobs.logic.sweeper import SweepReport, sweep
from imagejobs.models.domain import JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.settings import SweepSettings
from tests.support import template
from tests.support.events import TENANT
from tests.support.in_memory import InMemoryJobQueue, InMemoryJobRepository, InMemoryWebhookQueue
from tests.support.jobs import T0, store_job

QUEUED_AFTER = 600
RUNNING_AFTER = 900
GIVE_UP_AFTER = 3600


def settings(**parameters: str) -> SweepSettings:
    """SweepFunction's settings as template.yaml gives them, `parameters` overriding its own."""
    bounds = {
        "SweepQueuedAfterSeconds": str(QUEUED_AFTER),
        "SweepRunningAfterSeconds": str(RUNNING_AFTER),
        "SweepGiveUpAfterSeconds": str(GIVE_UP_AFTER),
    }
    environment = template.function_environment(
        "SweepFunction",
        template.Resolver(
            {
                "JobsTable": "jobs",
                "JobsQueue": "queue",
                "WebhookQueue": "webhooks",
                **bounds,
                **parameters,
            }
        ),
    )
    # Lambda sets AWS_REGION in every function's environment.
    return SweepSettings.model_validate({**environment, "AWS_REGION": "us-east-1"})


def job_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def sent(queue: InMemoryJobQueue) -> list[str]:
    return sorted(message.job_id for message in queue.messages)


def run_sweep(
    jobs: InMemoryJobRepository,
    queue: InMemoryJobQueue,
    now: datetime,
    budget: SweepSettings | None = None,
) -> SweepReport:
    """One run of the sweeper, with the deployment's settings unless a test gives its own."""
    return sweep(
        jobs=jobs,
        queue=queue,
        webhooks=InMemoryWebhookQueue(),
        settings=budget or settings(),
        now=now,
    )


def test_only_jobs_open_past_their_bound_are_sent_again(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given, at NOW, jobs of every state, some older than their state's bound
    now = T0 + timedelta(seconds=RUNNING_AFTER + 1)
    store_job(jobs, job_id(1), TENANT)  # queued since T0: past 600 s
    store_job(jobs, job_id(2), TENANT, created_at=now - timedelta(seconds=QUEUED_AFTER - 1))
    store_job(jobs, job_id(3), TENANT, JobStatus.RUNNING)  # running since T0: past 900 s
    store_job(
        jobs,
        job_id(4),
        TENANT,
        JobStatus.RUNNING,
        created_at=T0,
        changes={"updated_at": now - timedelta(seconds=RUNNING_AFTER - 1)},
    )
    for n, status in enumerate((JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED), 5):
        store_job(jobs, job_id(n), TENANT, status)
    before = dict(jobs.jobs)

    # When the sweeper runs
    report = run_sweep(jobs, queue, now)

    # Then the stranded queued and running jobs get a message again and are noted as re-driven
    assert report == SweepReport(redriven=2, failed=0, unsent=0)
    assert sent(queue) == [job_id(1), job_id(3)]
    noted = {n: before[job_id(n)].model_copy(update={"updated_at": now}) for n in (1, 3)}
    assert jobs.jobs == before | {job_id(n): job for n, job in noted.items()}


def test_a_re_driven_job_waits_a_whole_bound_before_the_next_re_drive(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a job re-driven at NOW
    now = T0 + timedelta(seconds=QUEUED_AFTER + 1)
    store_job(jobs, job_id(1), TENANT)
    run_sweep(jobs, queue, now)

    # When the sweeper runs again just before and just after one more bound
    almost = run_sweep(jobs, queue, now + timedelta(seconds=599))
    after = run_sweep(jobs, queue, now + timedelta(seconds=601))

    # Then it is sent again only once the bound has passed since the last re-drive
    assert (almost, after) == (SweepReport(), SweepReport(redriven=1))
    assert sent(queue) == [job_id(1), job_id(1)]


def test_a_job_open_past_the_final_deadline_is_failed_as_stale_and_not_sent(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a queued and a running job, both submitted more than GIVE_UP_AFTER ago
    now = T0 + timedelta(seconds=GIVE_UP_AFTER + 1)
    store_job(jobs, job_id(1), TENANT)
    store_job(jobs, job_id(2), TENANT, JobStatus.RUNNING, changes={"attempts": 1})

    # When the sweeper runs
    report = run_sweep(jobs, queue, now)

    # Then both are failed with the reason Stale, and neither is re-driven
    assert report == SweepReport(redriven=0, failed=2, unsent=0)
    assert queue.messages == []
    for n in (1, 2):
        job = jobs.get(job_id(n))
        assert job is not None
        assert job.status is JobStatus.FAILED
        assert job.error is not None
        assert job.error.type == "stale"
        assert str(GIVE_UP_AFTER) in job.error.message
        assert job.finished_at == now


def test_a_second_run_fails_nothing_twice_and_only_re_sends(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given one job past the final deadline and one past its re-drive bound only
    now = T0 + timedelta(seconds=GIVE_UP_AFTER + 1)
    store_job(jobs, job_id(1), TENANT)
    store_job(jobs, job_id(2), TENANT, created_at=now - timedelta(seconds=QUEUED_AFTER + 1))

    # When the sweeper runs twice, the second time a bound later
    first = run_sweep(jobs, queue, now)
    failed_once = jobs.get(job_id(1))
    later = now + timedelta(seconds=QUEUED_AFTER + 1)
    second = run_sweep(jobs, queue, later)

    # Then the stale job was failed once and left alone after; the other is sent again
    assert (first, second) == (SweepReport(redriven=1, failed=1), SweepReport(redriven=1))
    assert jobs.get(job_id(1)) == failed_once
    assert sent(queue) == [job_id(2), job_id(2)]


def test_a_run_acts_on_at_most_its_budget_oldest_first(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given more stranded jobs than one run may handle, queued ones and running ones
    now = T0 + timedelta(hours=2, seconds=-1)
    for n in range(6):
        store_job(jobs, job_id(n), TENANT, created_at=T0 + timedelta(seconds=n))
    for n in range(6, 9):
        store_job(jobs, job_id(n), TENANT, JobStatus.RUNNING, created_at=T0)
    budget = settings(SweepGiveUpAfterSeconds="7200").model_copy(update={"max_jobs_per_run": 4})

    # When the sweeper runs with a budget of 4
    report = run_sweep(jobs, queue, now, budget)

    # Then it handles the 4 oldest queued jobs, and the next run the ones behind them
    assert report == SweepReport(redriven=4)
    assert sent(queue) == [job_id(n) for n in range(4)]
    run_sweep(jobs, queue, now, budget)
    assert sent(queue) == sorted([job_id(n) for n in range(4)] + [job_id(n) for n in range(4, 8)])


def test_a_re_drive_the_queue_refuses_is_counted_and_left_for_the_next_run(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given a stranded job while the queue is still down
    now = T0 + timedelta(seconds=QUEUED_AFTER + 1)
    store_job(jobs, job_id(1), TENANT)
    queue.unavailable = True

    # When the sweeper runs, and again once the queue is back
    down = run_sweep(jobs, queue, now)
    queue.unavailable = False
    back = run_sweep(jobs, queue, now)

    # Then the first run could not send it and left it queued; the second sent it
    assert down == SweepReport(unsent=1)
    assert back == SweepReport(redriven=1)
    assert queue.messages == [JobMessage(job_id=job_id(1))]
    job = jobs.get(job_id(1))
    assert job is not None
    assert job.status is JobStatus.QUEUED


@pytest.mark.parametrize("give_up", [str(QUEUED_AFTER), str(RUNNING_AFTER)])
def test_the_final_deadline_must_come_after_both_re_drive_bounds(give_up: str) -> None:
    with pytest.raises(ValueError, match="SWEEP_GIVE_UP_AFTER_SECONDS"):
        settings(SweepGiveUpAfterSeconds=give_up)
