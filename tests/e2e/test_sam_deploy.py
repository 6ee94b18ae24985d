"""The path to AWS, `sam deploy`, on LocalStack: `make up SAM_DEPLOY=1` runs it.

`make up` (and so the session's stack) deploys the template `sam build` wrote straight to
CloudFormation, each function's code mounted from its build folder (imagejobs_dev.hot_reload).
Here the same build goes the way it goes to AWS: zipped, uploaded, a change set executed, under
a second stack name beside the session's, which is deleted after.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev import stack, stack_info
from imagejobs_dev.localstack import LocalStack
from imagejobs_dev.stack_info import StackInfo
from tests.support.http import call, poll

STACK_NAME = "imagejobs-sam-deploy"
# Cold starts from zips on a loaded 2-core machine; a warm job takes well under a second.
JOB_TIMEOUT = 120


@pytest.fixture(scope="module")
def sam_deployed(deployed: StackInfo, localstack: LocalStack) -> Iterator[StackInfo]:
    """The session's build (`deployed` ran `sam build`), deployed again by `sam deploy`."""
    env = stack.aws_environment(localstack.endpoint_url)
    deploy = [*stack.sam_command("deploy"), "--stack-name", STACK_NAME]
    subprocess.run(deploy, cwd=stack.ROOT, env=env, check=True, timeout=900)
    try:
        yield stack_info.describe(localstack, STACK_NAME)
    finally:
        if not localstack.started_here:
            _delete(localstack)


def _delete(localstack: LocalStack) -> None:
    """Deletes the stack from a LocalStack this session did not start (one it started goes,
    stack and all, when the session stops it): CloudFormation's own delete, polled briskly
    (`sam delete` waits 5 s between looks)."""
    cloudformation = stack_info.client("cloudformation", localstack.endpoint_url)
    cloudformation.delete_stack(StackName=STACK_NAME)
    poll(
        lambda: _status(cloudformation),
        lambda status: status in {None, "DELETE_COMPLETE"},
        300,
        f"{STACK_NAME} to be deleted",
    )


def _status(cloudformation: Any) -> str | None:
    try:
        return str(cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"])
    except ClientError:
        return None


def test_sam_deploy_packages_the_build_into_a_stack_whose_chain_runs(
    sam_deployed: StackInfo, deployed: StackInfo
) -> None:
    # Given the stack `sam deploy` made from the build, beside the session's
    assert sam_deployed.stack_name == STACK_NAME
    assert sam_deployed.api_id != deployed.api_id

    # When a job is submitted to its API and read until it ends
    key = {"x-api-key": sam_deployed.api_key}
    body = {"prompt": "a lighthouse on a cliff", "width": 256, "height": 256}
    submitted = call("POST", f"{sam_deployed.api_url}jobs", body, headers=key, timeout=60)
    assert submitted.status == 202, submitted.body
    job_id = submitted.json()["job_id"]
    ended = poll(
        lambda: call("GET", f"{sam_deployed.api_url}jobs/{job_id}", headers=key, timeout=60),
        lambda r: r.status == 200 and r.json()["status"] in TERMINAL_STATUSES,
        JOB_TIMEOUT,
        f"job {job_id} to end on the sam-deployed stack",
    )

    # Then its functions, deployed from their zips, ran the whole chain: submit, the queue,
    # the worker, the bucket
    assert ended.json()["status"] == "succeeded"
    assert ended.json()["images"]
