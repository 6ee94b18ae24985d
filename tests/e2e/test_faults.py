"""The fault-injection campaign (tests/faults/campaign.py) as part of `make test`.

Runs 40 jobs by default (FAULT_JOBS overrides); `python -m tests.faults.campaign --jobs 300`
runs a larger one against the stack `make up` deployed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest

from imagejobs_dev.stack_info import StackInfo
from tests.faults.campaign import run


def test_every_accepted_job_ends_once_under_injected_faults(
    deployed: StackInfo, record_property: Callable[[str, object], None]
) -> None:
    # Given the deployed stack on our host-mode LocalStack (the chaos worker counts attempts
    # in host files, which a LocalStack in a container cannot see)
    if deployed.ca_bundle is None:
        pytest.skip("needs the host-mode LocalStack that `make up` starts")
    jobs = int(os.environ.get("FAULT_JOBS", "40"))

    # When jobs run through transient and permanent engine faults, a killed worker (mid-render,
    # or right after the job is recorded succeeded), duplicate receives, repeat receives of
    # finished jobs and poison messages, each with a webhook to a receiver failing at random
    report = run(deployed, jobs, timeout=max(300, jobs * 3))
    # Shown in the test run's summary (tests/e2e/conftest.py).
    record_property("fault_campaign", json.dumps(report.as_dict()))

    # Then every job is terminal in its expected state, with exactly its images
    assert report.jobs == jobs
    assert report.lost == []
    assert report.duplicates == []
    assert report.wrong_state == []
    assert report.changed_by_repeat_receive == []
    assert sum(report.terminal.values()) == jobs
    assert report.faults["crash"] > 0
    assert report.injected_messages["poison"] > 0
    # And every webhook event that should have happened arrived at least once, signed
    assert report.webhook_lost == []
    assert report.webhook_events_received == report.webhook_events_expected > jobs
    assert report.webhook_bad_signatures == 0
    assert report.faults["crash-after-complete"] > 0
