"""Jobs in DynamoDB. State changes are conditional writes, so a redelivered SQS message or a
racing worker can never move a job backwards or out of a terminal state.

The table also holds one counter item per owner, `tenant#<owner>`, with the number of the
owner's open (queued or running) jobs: a job id is always a UUID, so no job can collide with
one, and no route can read one. A job is counted in the same transaction that creates it, and
uncounted in the same transaction that moves it to a terminal state, so a crash between two
writes can neither leak a slot nor free one twice; the conditional transition makes a repeat
of either a conflict that changes nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from imagejobs.exceptions import JobStateConflictError, TooManyOpenJobsError
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
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

_ACTIVE = {":queued": {"S": JobStatus.QUEUED.value}, ":running": {"S": JobStatus.RUNNING.value}}
OWNER_INDEX = "by-owner"
# Sparse: only open jobs carry its key (`open_status`), so the sweeper never reads a finished one.
OPEN_INDEX = "open-jobs"
# Every transition to a terminal state takes the job out of the open-jobs index.
_CLOSE = " REMOVE open_status"
# A status filter may skip many items; a list call reads at most this many index pages.
MAX_PAGES_PER_LIST = 10
# Jobs created before the cap existed carry no `counted_open` and never touch a counter.
_COUNTED = "counted_open"
_COUNTER = "open_jobs"
TRANSACTION_ATTEMPTS = 5


class DynamoJobRepository:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def create(self, job: Job, *, open_limit: int) -> None:
        if job.status.is_terminal:
            # Only open jobs hold a place (and a job is only ever created open but in tests).
            return self._put(job)
        item = job_to_item(job).to_dynamodb() | {_COUNTED: {"BOOL": True}}
        try:
            self._transact(
                [
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": counter_key(job.owner),
                            "UpdateExpression": "SET tenant = :owner ADD #open :one",
                            "ConditionExpression": "attribute_not_exists(#open) OR #open < :limit",
                            "ExpressionAttributeNames": {"#open": _COUNTER},
                            "ExpressionAttributeValues": {
                                ":owner": {"S": job.owner},
                                ":one": {"N": "1"},
                                ":limit": {"N": str(open_limit)},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(job_id)",
                        }
                    },
                ]
            )
        except ClientError as error:
            over_cap, duplicate = _failed_conditions(error, 2)
            if over_cap:
                raise TooManyOpenJobsError(open_limit) from error
            if duplicate:
                raise JobStateConflictError(job.job_id, "new") from error
            raise

    def _put(self, job: Job) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=job_to_item(job).to_dynamodb(),
                ConditionExpression="attribute_not_exists(job_id)",
            )
        except ClientError as error:
            raise _conflict_or(error, job.job_id, "new") from error

    def open_jobs(self, owner: str) -> int:
        response = self._client.get_item(
            TableName=self._table, Key=counter_key(owner), ConsistentRead=True
        )
        return int(response.get("Item", {}).get(_COUNTER, {"N": "0"})["N"])

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
        return self._close(
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
        return self._close(
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
        return self._close(
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
        return self._close(
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

    def _close(
        self,
        job_id: str,
        *,
        expected: str,
        update: str,
        condition: str,
        values: dict[str, Any],
        delivery: Delivery | None = None,
    ) -> Job:
        """A transition to a terminal state, which gives the owner's slot back if it held one."""
        # Who owns the job, and whether it holds a slot, never change after create: safe to
        # read ahead of the transaction.
        held = self._client.get_item(
            TableName=self._table,
            Key={"job_id": {"S": job_id}},
            ProjectionExpression="#owner, " + _COUNTED,
            ExpressionAttributeNames={"#owner": "owner"},
            ConsistentRead=True,
        ).get("Item")
        if not held or _COUNTED not in held:
            return self._update(
                job_id,
                expected=expected,
                update=update,
                condition=condition,
                values=values,
                delivery=delivery,
            )
        try:
            self._transact(
                [
                    {"Update": self._job_update(job_id, update, condition, values, delivery)},
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": counter_key(held["owner"]["S"]),
                            "UpdateExpression": "ADD #open :minus_one",
                            "ExpressionAttributeNames": {"#open": _COUNTER},
                            "ExpressionAttributeValues": {":minus_one": {"N": "-1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if _failed_conditions(error, 2)[0]:
                raise JobStateConflictError(job_id, expected) from error
            raise
        closed = self.get(job_id)
        assert closed is not None  # a terminal job is never deleted but by its TTL
        return closed

    def _transact(self, items: Sequence[TransactWriteItemTypeDef]) -> None:
        """TransactWriteItems, tried again when it lost to a concurrent transaction on the same
        item (a burst of one owner's submits all update its counter); boto3 does not retry
        those, and they are not the caller's fault."""
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
                return
            except ClientError as error:
                if not _lost_to_another_transaction(error) or attempt + 1 == TRANSACTION_ATTEMPTS:
                    raise
            # Full jitter, so the transactions that collided do not collide again.
            time.sleep(random.uniform(0, 0.025 * 2**attempt))  # noqa: S311 (not cryptographic)

    def _job_update(
        self,
        job_id: str,
        update: str,
        condition: str,
        values: dict[str, Any],
        delivery: Delivery | None = None,
    ) -> UpdateTypeDef:
        names = {"#status": "status"}
        if delivery is not None:
            # The outbox entry, in the same write as the transition; a repeated transition
            # (a redelivered message) keeps the first one.
            names["#delivery"] = delivery_attribute(delivery.event)
            values = {**values, ":delivery": {"M": delivery_to_dynamodb(delivery)["M"]}}
            update = _add_to_set_clause(update, "#delivery = if_not_exists(#delivery, :delivery)")
        return {
            "TableName": self._table,
            "Key": {"job_id": {"S": job_id}},
            "UpdateExpression": update,
            # attribute_exists stops an update from creating a half item for an unknown id.
            "ConditionExpression": f"attribute_exists(job_id) AND {condition}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

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
        try:
            response = self._client.update_item(
                **self._job_update(job_id, update, condition, values, delivery),
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


def counter_key(owner: str) -> dict[str, Any]:
    """The key of the item that counts the owner's open jobs."""
    return {"job_id": {"S": f"tenant#{owner}"}}


def _failed_conditions(error: ClientError, count: int) -> list[bool]:
    """Which of a canceled transaction's `count` items failed their condition; all False when
    the error is anything else (a conflict with another transaction, a throttle, ...)."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return [False] * count
    reasons = error.response.get("CancellationReasons") or []
    failed = [reason.get("Code") == "ConditionalCheckFailed" for reason in reasons]
    return (failed + [False] * count)[:count]


def _lost_to_another_transaction(error: ClientError) -> bool:
    reasons = error.response.get("CancellationReasons") or []
    codes = {reason.get("Code") for reason in reasons}
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


def _conflict_or(error: ClientError, job_id: str, expected: str) -> Exception:
    if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        return JobStateConflictError(job_id, expected)
    return error
