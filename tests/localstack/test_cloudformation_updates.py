"""The `cloudformation` hook inside a running LocalStack: a stack whose template joins a list
parameter (and uses a Number) is updated and deleted as CloudFormation does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from imagejobs_dev.localstack import Layout, running_pid
from tests.localstack.test_host_mode import ROOT
from tests.support.http import poll

pytestmark = pytest.mark.localstack

TEMPLATE = {
    "Parameters": {
        "Models": {"Type": "CommaDelimitedList", "Default": "pillow"},
        "Cap": {"Type": "Number", "Default": 10},
    },
    "Resources": {
        "Offered": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Type": "String",
                "Value": {"Fn::Join": [",", {"Ref": "Models"}]},
                "Description": {"Fn::Sub": "cap ${Cap}"},
            },
        }
    },
    "Outputs": {"Offered": {"Value": {"Fn::GetAtt": ["Offered", "Value"]}}},
}


def settled(cloudformation: Any, name: str) -> str:
    def status() -> str:
        return str(cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])

    return poll(status, lambda s: not s.endswith("_IN_PROGRESS"), 60, f"{name} to settle")


def test_a_stack_joining_a_list_parameter_is_updated_and_deleted(
    aws: Callable[..., Any],
) -> None:
    if running_pid(Layout(ROOT)) is None:
        pytest.skip("a LocalStack this tool did not start does not run our plugin")
    # Given a stack deployed with two models
    cloudformation = aws("cloudformation")
    name = f"list-parameter-{uuid.uuid4().hex[:8]}"
    body = json.dumps(TEMPLATE)
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=body,
        Parameters=[{"ParameterKey": "Models", "ParameterValue": "pillow,stability.x"}],
    )
    assert settled(cloudformation, name) == "CREATE_COMPLETE"

    # When it is updated with a third model and another number
    cloudformation.update_stack(
        StackName=name,
        TemplateBody=body,
        Parameters=[
            {"ParameterKey": "Models", "ParameterValue": "pillow,stability.x,stability.y"},
            {"ParameterKey": "Cap", "ParameterValue": "5"},
        ],
    )

    # Then the update completes with the joined list, and the stack can be deleted
    assert settled(cloudformation, name) == "UPDATE_COMPLETE"
    [output] = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]
    assert output["OutputValue"] == "pillow,stability.x,stability.y"
    cloudformation.delete_stack(StackName=name)
    poll(
        lambda: [
            s["StackName"]
            for s in cloudformation.list_stacks()["StackSummaries"]
            if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"
        ],
        lambda left: not left,
        60,
        f"{name} to be deleted",
    )
