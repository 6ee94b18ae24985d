"""Jobs in DynamoDB. Each state change is a transition of `imagejobs.models.transitions`, made
as one conditional write (`dal.job_updates`), so an SQS message received again or a racing
worker can never move a job backwards or out of a terminal state.

The table also holds one counter item per tenant, `tenant#<tenant>`, with the number of the
tenant's open (queued or running) jobs: a job id is always a UUID, so no job can collide with
one, and no route can read one. A job is counted in the same transaction that creates it, and
uncounted in the same transaction that moves it to a terminal state, so a crash between two
writes can neither leak a slot nor free one twice; the conditional transition makes a repeat
of either a conflict that changes nothing.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from imagejobs.dal.job_updates import job_update
from imagejobs.exceptions import JobStateConflictError, TooManyOpenJobsError
from imagejobs.models.domain import Job, JobPage, JobStatus, PagePosition
from imagejobs.models.storage import (
    TENANT_ATTRIBUTE,
    JobItem,
    delivery_attribute,
    format_timestamp,
    item_to_job,
    job_to_item,
    page_position,
    parse_timestamp,
    position_from_key,
    position_key,
)
from imagejobs.models.transitions import JobChange
from imagejobs.models.webhooks import DeliveryAttempt, WebhookEvent
from imagejobs.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

# One tenant's jobs, newest first: keyed by the stored name of the tenant (models.storage).
OWNER_INDEX = "by-owner"
# Sparse: only open jobs carry its key (`open_status`), so the sweeper never reads a finished one.
OPEN_INDEX = "open-jobs"
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
                            "Key": counter_key(job.tenant),
                            "UpdateExpression": "SET tenant = :tenant ADD #open :one",
                            "ConditionExpression": "attribute_not_exists(#open) OR #open < :limit",
                            "ExpressionAttributeNames": {"#open": _COUNTER},
                            "ExpressionAttributeValues": {
                                ":tenant": {"S": job.tenant},
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

    def open_jobs(self, tenant: str) -> int:
        response = self._client.get_item(
            TableName=self._table, Key=counter_key(tenant), ConsistentRead=True
        )
        return int(response.get("Item", {}).get(_COUNTER, {"N": "0"})["N"])

    def get(self, job_id: str) -> Job | None:
        response = self._client.get_item(
            TableName=self._table, Key={"job_id": {"S": job_id}}, ConsistentRead=True
        )
        item = response.get("Item")
        return item_to_job(JobItem.from_dynamodb(item)) if item else None

    def apply(self, change: JobChange) -> Job:
        update = job_update(self._table, change)
        if not change.transition.ends_job:
            return self._update(update, change)
        # Jobs counted among their tenant's open jobs (all but those created before the cap)
        # give their place back in the same transaction that ends them.
        counted = _also_requiring(update, f"attribute_exists({_COUNTED})")
        try:
            self._transact(
                [
                    {"Update": counted},
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": counter_key(change.tenant),
                            "UpdateExpression": "ADD #open :minus_one",
                            "ExpressionAttributeNames": {"#open": _COUNTER},
                            "ExpressionAttributeValues": {":minus_one": {"N": "-1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if not _failed_conditions(error, 2)[0]:
                raise
            # Not in a state the transition takes, or a job that holds no place: only the
            # latter may still end, and without touching the counter.
            return self._update(
                _also_requiring(update, f"attribute_not_exists({_COUNTED})"), change
            )
        # A transaction returns no item: the job is what the write made of the job as last read
        # (its timestamps as the table keeps them).
        stored = dataclasses.replace(change, now=parse_timestamp(format_timestamp(change.now)))
        return change.transition.apply(change.job, stored)

    def list_for_tenant(
        self, tenant: str, *, status: JobStatus | None, limit: int, after: PagePosition | None
    ) -> JobPage:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "#tenant = :tenant",
            "ExpressionAttributeNames": {"#tenant": TENANT_ATTRIBUTE},
            "ExpressionAttributeValues": {":tenant": {"S": tenant}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            query["FilterExpression"] = "#status = :status"
            query["ExpressionAttributeNames"]["#status"] = "status"
            query["ExpressionAttributeValues"][":status"] = {"S": status.value}
        if after is not None:
            query["ExclusiveStartKey"] = position_key(after)
        jobs: list[Job] = []
        last_key: dict[str, Any] = {}
        for _ in range(MAX_PAGES_PER_LIST):
            response = self._client.query(**query)
            for item in response.get("Items", []):
                jobs.append(item_to_job(JobItem.from_dynamodb(item)))
                if len(jobs) == limit:
                    return JobPage(jobs=tuple(jobs), next_position=page_position(jobs[-1]))
            last_key = dict(response.get("LastEvaluatedKey") or {})
            if not last_key:
                return JobPage(jobs=tuple(jobs), next_position=None)
            query["ExclusiveStartKey"] = last_key
        # The read budget ran out inside a sparse filter: resume where reading stopped.
        return JobPage(jobs=tuple(jobs), next_position=position_from_key(last_key))

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

    def list_overdue(self, status: JobStatus, *, now: datetime, limit: int) -> list[Job]:
        # The index holds no deadline in its key: each page (up to 1 MB) is filtered, at most
        # MAX_PAGES_PER_LIST of them a call (what a sweep pays; docs/cost-and-scale.md).
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OPEN_INDEX,
            "KeyConditionExpression": "open_status = :status",
            "FilterExpression": "deadline_at <= :now",
            "ExpressionAttributeValues": {":status": {"S": status.value}, ":now": _time(now)},
            "ScanIndexForward": True,
        }
        jobs: list[Job] = []
        for _ in range(MAX_PAGES_PER_LIST):
            response = self._client.query(**query)
            jobs += [item_to_job(JobItem.from_dynamodb(item)) for item in response["Items"]]
            if len(jobs) >= limit or not response.get("LastEvaluatedKey"):
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return jobs[:limit]

    def queued_ahead(self, job: Job, *, at_most: int) -> int:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OPEN_INDEX,
            "KeyConditionExpression": "open_status = :queued AND updated_at < :at",
            "ExpressionAttributeValues": {
                ":queued": {"S": JobStatus.QUEUED.value},
                ":at": _time(job.updated_at),
            },
            "Select": "COUNT",
        }
        ahead = 0
        for _ in range(MAX_PAGES_PER_LIST):
            response = self._client.query(**query)
            ahead += response["Count"]
            if ahead >= at_most or not response.get("LastEvaluatedKey"):
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return min(ahead, at_most)

    def record_start(self, now: datetime) -> None:
        minute = _minute(now)
        try:
            self._client.update_item(
                TableName=self._table,
                Key=drain_key(minute),
                UpdateExpression="ADD started :one SET expires_at = if_not_exists(expires_at, :t)",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":t": {"N": str(minute * 60 + DRAIN_SAMPLE_KEPT_SECONDS)},
                },
            )
        except ClientError as error:
            logger.warning("drain sample not written", extra={"error": type(error).__name__})

    def starts_between(self, since: datetime, until: datetime) -> int:
        minutes = range(_minute(since), _minute(until) + 1)
        response = self._client.batch_get_item(
            RequestItems={self._table: {"Keys": [drain_key(m) for m in minutes]}}
        )
        items = response.get("Responses", {}).get(self._table, [])
        return sum(int(item.get("started", {"N": "0"})["N"]) for item in items)

    def _transact(self, items: Sequence[TransactWriteItemTypeDef]) -> None:
        """TransactWriteItems, tried again when it lost to a concurrent transaction on the same
        item (a burst of one tenant's submits all update its counter); boto3 does not retry
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

    def _update(self, update: UpdateTypeDef, change: JobChange) -> Job:
        try:
            response = self._client.update_item(**update, ReturnValues="ALL_NEW")
        except ClientError as error:
            raise _conflict_or(error, change.job_id, change.transition.expected) from error
        return item_to_job(JobItem.from_dynamodb(response["Attributes"]))


def _also_requiring(update: UpdateTypeDef, condition: str) -> UpdateTypeDef:
    narrowed = update.copy()
    narrowed["ConditionExpression"] = f"{condition} AND {update['ConditionExpression']}"
    return narrowed


def _time(moment: datetime) -> dict[str, str]:
    return {"S": format_timestamp(moment)}


# The drain rate's samples: one item per minute, `drain#<epoch minute>`, kept an hour (TTL).
DRAIN_SAMPLE_KEPT_SECONDS = 3600


def drain_key(minute: int) -> dict[str, Any]:
    return {"job_id": {"S": f"drain#{minute}"}}


def _minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def counter_key(tenant: str) -> dict[str, Any]:
    """The key of the item that counts the tenant's open jobs."""
    return {"job_id": {"S": f"tenant#{tenant}"}}


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
