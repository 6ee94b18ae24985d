"""Jobs in DynamoDB. State changes are conditional writes, so a redelivered SQS message or a
racing worker can never move a job backwards or out of a terminal state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from imagejobs.exceptions import JobStateConflictError
from imagejobs.models.domain import (
    GeneratedImage,
    Job,
    JobError,
    JobPage,
    JobStatus,
    PagePosition,
)
from imagejobs.models.storage import (
    JobItem,
    delivery_attribute,
    delivery_to_dynamodb,
    format_timestamp,
    image_to_dynamodb,
    item_to_job,
    job_to_item,
    parse_timestamp,
)
from imagejobs.models.webhooks import Delivery, DeliveryAttempt, WebhookEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_ACTIVE = {":queued": {"S": JobStatus.QUEUED.value}, ":running": {"S": JobStatus.RUNNING.value}}
OWNER_INDEX = "by-owner"
# Sparse: only open jobs carry its key (`open_status`), so the sweeper never reads a finished one.
OPEN_INDEX = "open-jobs"
# Every transition to a terminal state takes the job out of the open-jobs index.
_CLOSE = " REMOVE open_status"
# A status filter may skip many items; a list call reads at most this many index pages.
MAX_PAGES_PER_LIST = 10


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

    def start_attempt(
        self, job_id: str, now: datetime, engine_id: str, delivery: Delivery | None = None
    ) -> Job:
        """`engine_id` replaces the one chosen at submit: a redeploy in between may have changed
        it."""
        return self._update(
            job_id,
            expected="queued or running",
            update="SET #status = :running, open_status = :running, updated_at = :now,"
            " engine = :engine, started_at = if_not_exists(started_at, :now) ADD attempts :one",
            # A canceled job is never (re)started.
            condition="#status IN (:queued, :running) AND attribute_not_exists(cancel_requested)",
            values={
                **_ACTIVE,
                ":now": _time(now),
                ":one": {"N": "1"},
                ":engine": {"S": engine_id},
            },
            delivery=delivery,
        )

    def complete(
        self,
        job_id: str,
        images: Sequence[GeneratedImage],
        now: datetime,
        delivery: Delivery | None = None,
    ) -> Job:
        return self._update(
            job_id,
            expected="running",
            update="SET #status = :succeeded, updated_at = :now, finished_at = :now,"
            " images = :images" + _CLOSE,
            # A cancel that arrived while rendering wins: the result is dropped.
            condition="#status = :running AND attribute_not_exists(cancel_requested)",
            values={
                ":running": _ACTIVE[":running"],
                ":succeeded": {"S": JobStatus.SUCCEEDED.value},
                ":now": _time(now),
                ":images": {"L": [image_to_dynamodb(image) for image in images]},
            },
            delivery=delivery,
        )

    def fail(
        self, job_id: str, error: JobError, now: datetime, delivery: Delivery | None = None
    ) -> Job:
        return self._update(
            job_id,
            expected="queued or running",
            update="SET #status = :failed, updated_at = :now, finished_at = :now,"
            " error_type = :type, error_message = :message" + _CLOSE,
            condition="#status IN (:queued, :running)",
            values={
                **_ACTIVE,
                ":failed": {"S": JobStatus.FAILED.value},
                ":now": _time(now),
                ":type": {"S": error.type},
                ":message": {"S": error.message},
            },
            delivery=delivery,
        )

    def note_redriven(self, job_id: str, now: datetime) -> Job:
        return self._update(
            job_id,
            expected="queued or running",
            update="SET updated_at = :now",
            condition="#status IN (:queued, :running)",
            values={**_ACTIVE, ":now": _time(now)},
        )

    def cancel_queued(self, job_id: str, now: datetime, delivery: Delivery | None = None) -> Job:
        return self._update(
            job_id,
            expected="queued",
            update="SET #status = :canceled, updated_at = :now, finished_at = :now" + _CLOSE,
            condition="#status = :queued",
            values={
                ":queued": _ACTIVE[":queued"],
                ":canceled": {"S": JobStatus.CANCELED.value},
                ":now": _time(now),
            },
            delivery=delivery,
        )

    def request_cancel(self, job_id: str, now: datetime) -> Job:
        return self._update(
            job_id,
            expected="running",
            update="SET cancel_requested = :true, updated_at = :now",
            condition="#status = :running",
            values={":running": _ACTIVE[":running"], ":true": {"BOOL": True}, ":now": _time(now)},
        )

    def finish_canceled(self, job_id: str, now: datetime, delivery: Delivery | None = None) -> Job:
        return self._update(
            job_id,
            expected="running with a cancel requested",
            update="SET #status = :canceled, updated_at = :now, finished_at = :now" + _CLOSE,
            condition="#status = :running AND cancel_requested = :true",
            values={
                ":running": _ACTIVE[":running"],
                ":canceled": {"S": JobStatus.CANCELED.value},
                ":true": {"BOOL": True},
                ":now": _time(now),
            },
            delivery=delivery,
        )

    def list_owned(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PagePosition | None
    ) -> JobPage:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": {"S": owner}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            query["FilterExpression"] = "#status = :status"
            query["ExpressionAttributeNames"]["#status"] = "status"
            query["ExpressionAttributeValues"][":status"] = {"S": status.value}
        if after is not None:
            query["ExclusiveStartKey"] = _position_key(after)
        jobs: list[Job] = []
        last_key: dict[str, Any] = {}
        for _ in range(MAX_PAGES_PER_LIST):
            response = self._client.query(**query)
            for item in response.get("Items", []):
                jobs.append(item_to_job(JobItem.from_dynamodb(item)))
                if len(jobs) == limit:
                    return JobPage(jobs=tuple(jobs), next_position=_position(jobs[-1]))
            last_key = dict(response.get("LastEvaluatedKey") or {})
            if not last_key:
                return JobPage(jobs=tuple(jobs), next_position=None)
            query["ExclusiveStartKey"] = last_key
        # The read budget ran out inside a sparse filter: resume where reading stopped.
        return JobPage(jobs=tuple(jobs), next_position=_position_from_key(last_key))

    def list_open(self, status: JobStatus, *, updated_before: datetime, limit: int) -> list[Job]:
        response = self._client.query(
            TableName=self._table,
            IndexName=OPEN_INDEX,
            KeyConditionExpression="open_status = :status AND updated_at < :before",
            ExpressionAttributeValues={
                ":status": {"S": status.value},
                ":before": _time(updated_before),
            },
            ScanIndexForward=True,
            Limit=limit,
        )
        return [item_to_job(JobItem.from_dynamodb(item)) for item in response.get("Items", [])]

    def mark_dispatched(self, job_id: str, event: WebhookEvent) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"job_id": {"S": job_id}},
            UpdateExpression="SET #delivery.dispatched = :true",
            ConditionExpression="attribute_exists(#delivery)",
            ExpressionAttributeNames={"#delivery": delivery_attribute(event)},
            ExpressionAttributeValues={":true": {"BOOL": True}},
        )

    def record_attempt(self, job_id: str, event: WebhookEvent, attempt: DeliveryAttempt) -> bool:
        sets = ["#delivery.attempts = :attempts", "#delivery.#state = :state"]
        removes = []
        values: dict[str, Any] = {
            ":attempts": {"N": str(attempt.attempts)},
            ":state": {"S": attempt.state.value},
        }
        for name, value in (
            ("last_status_code", {"N": str(attempt.last_status_code)}),
            ("last_error", {"S": attempt.last_error}),
        ):
            if getattr(attempt, name) is None:
                removes.append(f"#delivery.{name}")
            else:
                sets.append(f"#delivery.{name} = :{name}")
                values[f":{name}"] = value
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"job_id": {"S": job_id}},
                UpdateExpression=update,
                # A duplicate message of an attempt already recorded changes nothing.
                ConditionExpression="#delivery.attempts < :attempts",
                ExpressionAttributeNames={
                    "#delivery": delivery_attribute(event),
                    "#state": "state",
                },
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _update(
        self,
        job_id: str,
        *,
        expected: str,
        update: str,
        condition: str,
        values: dict[str, Any],
        delivery: Delivery | None = None,
    ) -> Job:
        names = {"#status": "status"}
        if delivery is not None:
            # The outbox entry, in the same write as the transition; a repeated transition
            # (a redelivered message) keeps the first one.
            names["#delivery"] = delivery_attribute(delivery.event)
            values = {**values, ":delivery": {"M": delivery_to_dynamodb(delivery)["M"]}}
            update = _add_to_set_clause(update, "#delivery = if_not_exists(#delivery, :delivery)")
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"job_id": {"S": job_id}},
                UpdateExpression=update,
                # attribute_exists stops an update from creating a half item for an unknown id.
                ConditionExpression=f"attribute_exists(job_id) AND {condition}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            raise _conflict_or(error, job_id, expected) from error
        return item_to_job(JobItem.from_dynamodb(response["Attributes"]))


def _add_to_set_clause(update: str, assignment: str) -> str:
    """`update` (which starts with its SET clause) with one more assignment in that clause."""
    ends = [update.find(keyword) for keyword in (" ADD ", " REMOVE ") if keyword in update]
    end = min(ends, default=len(update))
    return f"{update[:end]}, {assignment}{update[end:]}"


def _position(job: Job) -> PagePosition:
    return PagePosition(owner=job.owner, created_at=job.created_at, job_id=job.job_id)


def _position_key(position: PagePosition) -> dict[str, Any]:
    return {
        "owner": {"S": position.owner},
        "created_at": _time(position.created_at),
        "job_id": {"S": position.job_id},
    }


def _position_from_key(key: dict[str, Any]) -> PagePosition:
    return PagePosition(
        owner=key["owner"]["S"],
        created_at=parse_timestamp(key["created_at"]["S"]),
        job_id=key["job_id"]["S"],
    )


def _time(moment: datetime) -> dict[str, str]:
    return {"S": format_timestamp(moment)}


def _conflict_or(error: ClientError, job_id: str, expected: str) -> Exception:
    if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        return JobStateConflictError(job_id, expected)
    return error
