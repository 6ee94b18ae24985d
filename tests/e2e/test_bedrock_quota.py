"""Bursts drain at the model's quota and never fail for it: 120 jobs submitted at once to a
model the Bedrock stand-in throttles to 2 requests a second, on the whole local chain.

A throttled call waits with jittered backoff on a message of its own (logic.worker), so it
uses up none of the job's receives: every job succeeds and none is dead-lettered. The run is
tests/perf/bench_quota.py's, which `make bench` runs larger, at a per-minute quota; its
figures are printed at the end of the session.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from imagejobs_dev.stack_info import StackInfo
from tests.perf import bench_quota, report
from tests.support.local_bedrock import LocalBedrock

JOBS = 120
REQUESTS_PER_SECOND = 2


def test_a_burst_at_two_requests_a_second_drains_with_every_job_succeeded(
    deployed: StackInfo, record_property: Callable[[str, object], None]
) -> None:
    if LocalBedrock.of(deployed) is None:
        pytest.skip("the stack's functions reach no Bedrock stand-in (not our LocalStack)")

    # Given a model admitting 2 requests a second, when 120 one-image jobs for it arrive at once
    figures = bench_quota.burst(JOBS, REQUESTS_PER_SECOND, "second", deployed)
    record_property("quota_burst", json.dumps(figures))
    print("\n".join(bench_quota.lines(figures)))

    # Then the quota was really hit, and the jobs waited it out: every one accepted and
    # succeeded, none failed or lost, nothing dead-lettered
    assert figures["throttled_calls"] > 0
    assert figures["throttled_waits"]["total"] > 0
    assert (figures["accepted"], figures["succeeded"]) == (JOBS, JOBS)
    assert (figures["failed"], figures["lost"], figures["dead_letter_messages"]) == (0, 0, 0)
    # And no faster than the quota lets them: the model was called at most 2 times a second
    assert figures["drain_s"] >= (JOBS / REQUESTS_PER_SECOND) - REQUESTS_PER_SECOND
    assert "A burst at a model's quota: 120 jobs" in report.table({"quota": figures})
