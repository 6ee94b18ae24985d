"""Jobs in DynamoDB. State changes are conditional writes, so a redelivered SQS message or a
racing worker can never move a job backwards or out of a terminal state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from imagejobs.exceptions import JobStateConflictError
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobStatus
from imagejobs.models.storage import (
    JobItem,
    format_timestamp,
    image_to_item,
    item_to_job,
    job_to_item,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_ACTIVE = {":queued": {"S": JobStatus.QUEUED.value}, ":running": {"S": JobStatus.RUNNING.value}}


class DynamoJobRepository:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def create(self, job: Job) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=job_to_item(job).to_dynamodb(),
                ConditionExpression="attribute_not_exists(job_id)",
            )
        except ClientError as error:
            raise _conflict_or(error, job.job_id, "new") from error

    def get(self, job_id: str) -> Job | None:
        response = self._client.get_item(
            TableName=self._table, Key={"job_id": {"S": job_id}}, ConsistentRead=True
        )
        item = response.get("Item")
        return item_to_job(JobItem.from_dynamodb(item)) if item else None

    def start_attempt(self, job_id: str, now: datetime) -> Job:
        return self._update(
            job_id,
            expected="queued or running",
            update="SET #status = :running, updated_at = :now,"
            " started_at = if_not_exists(started_at, :now) ADD attempts :one",
            condition="#status IN (:queued, :running)",
            values={**_ACTIVE, ":now": _time(now), ":one": {"N": "1"}},
        )

    def complete(self, job_id: str, images: Sequence[GeneratedImage], now: datetime) -> Job:
        stored = [image_to_item(image) for image in images]
        return self._update(
            job_id,
            expected="running",
            update="SET #status = :succeeded, updated_at = :now, finished_at = :now,"
            " images = :images",
            condition="#status = :running",
            values={
                ":running": _ACTIVE[":running"],
                ":succeeded": {"S": JobStatus.SUCCEEDED.value},
                ":now": _time(now),
                ":images": {"L": [item.to_dynamodb() for item in stored]},
            },
        )

    def fail(self, job_id: str, error: JobError, now: datetime) -> Job:
        return self._update(
            job_id,
            expected="queued or running",
            update="SET #status = :failed, updated_at = :now, finished_at = :now,"
            " error_type = :type, error_message = :message",
            condition="#status IN (:queued, :running)",
            values={
                **_ACTIVE,
                ":failed": {"S": JobStatus.FAILED.value},
                ":now": _time(now),
                ":type": {"S": error.type},
                ":message": {"S": error.message},
            },
        )

    def _update(
        self, job_id: str, *, expected: str, update: str, condition: str, values: dict[str, Any]
    ) -> Job:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"job_id": {"S": job_id}},
                UpdateExpression=update,
                # attribute_exists stops an update from creating a half item for an unknown id.
                ConditionExpression=f"attribute_exists(job_id) AND {condition}",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            raise _conflict_or(error, job_id, expected) from error
        return item_to_job(JobItem.from_dynamodb(response["Attributes"]))


def _time(moment: datetime) -> dict[str, str]:
    return {"S": format_timestamp(moment)}


def _conflict_or(error: ClientError, job_id: str, expected: str) -> Exception:
    if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        return JobStateConflictError(job_id, expected)
    return error
