"""SweepFunction on moto, replaying events/schedule-sweep.json: it finds stranded jobs through
the real open-jobs index (built from template.yaml), re-sends them, fails the stale ones, and
never reads a finished job."""

import json
from datetime import timedelta

import pytest

from imagejobs.clock import utc_now
from imagejobs.models.domain import JobStatus
from tests.support.events import TENANT
from tests.support.functions import Function, LoadHandler
from tests.support.jobs import store_job
from tests.support.moto_aws import MotoResources

BOUNDS = {
    "SWEEP_QUEUED_AFTER_SECONDS": "600",
    "SWEEP_RUNNING_AFTER_SECONDS": "900",
    "SWEEP_GIVE_UP_AFTER_SECONDS": "3600",
}


@pytest.fixture
def sweeper(load_handler: LoadHandler) -> Function:
    return load_handler("SweepFunction", **BOUNDS)


def job_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def test_stranded_jobs_are_re_sent_and_stale_ones_failed_by_the_scheduled_run(
    sweeper: Function, resources: MotoResources, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given jobs queued and running past their bounds, one past the final deadline, a fresh
    # one, and finished ones
    now = utc_now()
    store_job(resources.jobs, job_id(1), TENANT, created_at=now - timedelta(seconds=601))
    store_job(
        resources.jobs, job_id(2), TENANT, JobStatus.RUNNING, created_at=now - timedelta(minutes=30)
    )
    store_job(resources.jobs, job_id(3), TENANT, created_at=now - timedelta(hours=2))
    store_job(resources.jobs, job_id(4), TENANT, created_at=now)
    for n, status in enumerate((JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED), 5):
        store_job(resources.jobs, job_id(n), TENANT, status, created_at=now - timedelta(days=1))

    # When the schedule's event invokes the sweeper
    report = sweeper.invoke("schedule-sweep")

    # Then the two stranded jobs are queued again, the stale one failed, the rest untouched
    assert report == {
        "redriven": 2,
        "failed": 1,
        "unsent": 0,
        "expired": 0,
        # the built-in renderer has no lifecycle to watch
        "lifecycles_checked": 0,
        "legacy_models": 0,
        "unavailable_models": 0,
    }
    sent = sorted(message["job_id"] for message in resources.queued_messages())
    assert sent == [job_id(1), job_id(2)]
    stale = resources.stored_job(job_id(3))
    assert (stale["status"]["S"], stale["error_type"]["S"]) == ("failed", "stale")
    # And the finished job left the open index: only 1, 2 and 4 are in it
    index = resources.dynamodb.scan(TableName=resources.table_name, IndexName="open-jobs")
    assert sorted(item["job_id"]["S"] for item in index["Items"]) == [job_id(n) for n in (1, 2, 4)]
    # And it emitted both counts, for the alarm
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    [emitted] = [m for m in metrics if "JobsRedriven" in m]
    assert (emitted["JobsRedriven"], emitted["JobsStale"]) == ([2.0], [1.0])
    assert emitted["service"] == "imagejobs"
