"""What a stack deployed on LocalStack is: its coordinates (`StackInfo`), read from
CloudFormation's outputs, and where `make up` records them (`.localstack/stack.json`) for the
command-line client and the end-to-end tests."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3

from imagejobs_dev.localstack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
STACK_NAME = "imagejobs"
REGION = "us-east-1"
# LocalStack accepts any credentials; these are its documented defaults, not secrets.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


@dataclass(frozen=True)
class StackInfo:
    """Where the deployed CloudFormation stack's parts are, and how to call its API."""

    api_url: str
    https_api_url: str | None
    ca_bundle: str | None
    endpoint_url: str
    region: str
    stack_name: str
    api_id: str
    stage: str
    bucket: str
    table: str
    queue_url: str
    dlq_url: str
    worker_function: str
    sweep_function: str
    # The first tenant's key (send it as x-api-key), and where to attach more keys.
    api_key: str
    api_key_id: str
    usage_plan_id: str
    # Where the functions reach Bedrock (the stand-in's URL, unless BEDROCK_ENDPOINT_URL named
    # another); None on a LocalStack this tool did not start, whose functions it cannot point.
    bedrock_endpoint_url: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def state_file(root: Path) -> Path:
    return root / ".localstack" / "stack.json"


def read_state(root: Path = ROOT) -> StackInfo | None:
    try:
        return StackInfo(**json.loads(state_file(root).read_text()))
    except (FileNotFoundError, TypeError, json.JSONDecodeError):
        return None


def client(service: str, endpoint_url: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def describe(localstack: LocalStack, stack_name: str = STACK_NAME) -> StackInfo:
    cloudformation = client("cloudformation", localstack.endpoint_url)
    described: Any = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    api_id, stage = outputs["ApiId"], outputs["StageName"]
    # The ApiUrl output names execute-api.amazonaws.com; LocalStack serves the same API
    # under its own gateway.
    api_path = f"/_aws/execute-api/{api_id}/{stage}/"
    return StackInfo(
        api_url=localstack.endpoint_url.rstrip("/") + api_path,
        https_api_url=(
            localstack.https_endpoint_url.rstrip("/") + api_path
            if localstack.https_endpoint_url
            else None
        ),
        ca_bundle=str(localstack.ca_bundle) if localstack.ca_bundle else None,
        endpoint_url=localstack.endpoint_url,
        region=REGION,
        stack_name=stack_name,
        api_id=api_id,
        stage=stage,
        bucket=outputs["ImagesBucketName"],
        table=outputs["JobsTableName"],
        queue_url=outputs["JobsQueueUrl"],
        dlq_url=outputs["JobsDeadLetterQueueUrl"],
        worker_function=outputs["WorkerFunctionName"],
        sweep_function=outputs["SweepFunctionName"],
        api_key=client("apigateway", localstack.endpoint_url).get_api_key(
            apiKey=outputs["DefaultApiKeyId"], includeValue=True
        )["value"],
        api_key_id=outputs["DefaultApiKeyId"],
        usage_plan_id=outputs["UsagePlanId"],
    )
