"""In-memory implementations of the ports (imagejobs.ports), for the logic tests.

They keep the contracts of the DynamoDB, SQS and S3 ones in imagejobs.dal, down to the
conditional writes: a transition from the wrong state raises `JobStateConflictError`, as a
failed `ConditionExpression` does. tests/integration/test_port_contracts.py runs the same checks
against the repository and image store here and the real ones on moto, so they cannot drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from imagejobs.dal.jobs_table import MAX_PAGES_PER_LIST
from imagejobs.exceptions import EnqueueFailedError, JobStateConflictError, TooManyOpenJobsError
from imagejobs.models.domain import Job, JobPage, JobStatus, PagePosition
from imagejobs.models.lifecycle import ModelLifecycle
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import JobChange
from imagejobs.models.webhooks import (
    Delivery,
    DeliveryAttempt,
    SendResult,
    TenantSecrets,
    WebhookEvent,
    WebhookMessage,
)


def _stored_time(moment: datetime) -> datetime:
    """The table keeps timestamps to the millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass
class InMemoryJobRepository:
    jobs: dict[str, Job] = field(default_factory=dict)
    # Jobs created open hold a place among their tenant's open jobs until they end; the table's
    # counter item is this count, kept in step by its transactions.
    counted: set[str] = field(default_factory=set)
    # When jobs started: the table's drain samples, one per start.
    starts: list[datetime] = field(default_factory=list)

    def create(self, job: Job, *, open_limit: int) -> None:
        if job.job_id in self.jobs:
            raise JobStateConflictError(job.job_id, "new")
        if not job.status.is_terminal:
            if self.open_jobs(job.tenant) >= open_limit:
                raise TooManyOpenJobsError(open_limit)
            self.counted.add(job.job_id)
        self.jobs[job.job_id] = job.model_copy(
            update={
                "created_at": _stored_time(job.created_at),
                "updated_at": _stored_time(job.updated_at),
                # The TTL attribute holds epoch seconds.
                "expires_at": job.expires_at.replace(microsecond=0),
            }
        )

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def open_jobs(self, tenant: str) -> int:
        return sum(
            1
            for job_id in self.counted
            if self.jobs[job_id].tenant == tenant and not self.jobs[job_id].status.is_terminal
        )

    def apply(self, change: JobChange) -> Job:
        job = self.jobs.get(change.job_id)
        transition = change.transition
        if job is None or not transition.allows(job):
            raise JobStateConflictError(change.job_id, transition.expected)
        # The table keeps the moment of a change to the millisecond, as every timestamp.
        stored = dataclasses.replace(change, now=_stored_time(change.now))
        self.jobs[change.job_id] = changed = transition.apply(job, stored)
        return changed

    def mark_dispatched(self, job_id: str, event: WebhookEvent) -> None:
        self._change_delivery(job_id, event, lambda d: {"dispatched": True})

    def record_attempt(self, job_id: str, event: WebhookEvent, attempt: DeliveryAttempt) -> bool:
        job = self.jobs[job_id]
        current = job.delivery(event)
        if current is None or current.attempts >= attempt.attempts:
            return False
        self._change_delivery(job_id, event, lambda d: dict(attempt))
        return True

    def _change_delivery(
        self, job_id: str, event: WebhookEvent, changes: Callable[[Delivery], dict[str, Any]]
    ) -> None:
        job = self.jobs[job_id]
        deliveries = tuple(
            d.model_copy(update=changes(d)) if d.event is event else d for d in job.deliveries
        )
        if deliveries == job.deliveries and job.delivery(event) is None:
            raise KeyError(event)
        self.jobs[job_id] = job.model_copy(update={"deliveries": deliveries})

    def list_open(self, status: JobStatus, *, updated_before: datetime, limit: int) -> list[Job]:
        # The open-jobs index: only open jobs are in it, oldest update first.
        index = sorted(
            (j for j in self.jobs.values() if j.status is status and not j.status.is_terminal),
            key=lambda job: (job.updated_at, job.job_id),
        )
        return [job for job in index if job.updated_at < updated_before][:limit]

    def queued_ahead(self, job: Job, *, at_most: int) -> int:
        ahead = sum(
            1
            for other in self.jobs.values()
            if other.status is JobStatus.QUEUED and other.updated_at < job.updated_at
        )
        return min(ahead, at_most)

    def record_start(self, now: datetime) -> None:
        self.starts.append(now)

    def starts_between(self, since: datetime, until: datetime) -> int:
        first, last = _minute(since), _minute(until)
        return sum(1 for moment in self.starts if first <= _minute(moment) <= last)

    def list_overdue(self, status: JobStatus, *, now: datetime, limit: int) -> list[Job]:
        index = sorted(
            (j for j in self.jobs.values() if j.status is status and j.overdue(now)),
            key=lambda job: (job.updated_at, job.job_id),
        )
        return index[:limit]

    def list_for_tenant(
        self, tenant: str, *, status: JobStatus | None, limit: int, after: PagePosition | None
    ) -> JobPage:
        # The by-owner index, newest first; reading stops where the table's would, after
        # MAX_PAGES_PER_LIST index pages of `limit` items, filtered or not.
        index = sorted(
            (job for job in self.jobs.values() if job.tenant == tenant),
            key=lambda job: (job.created_at, job.job_id),
            reverse=True,
        )
        if after is not None:
            index = [
                j for j in index if (j.created_at, j.job_id) < (after.created_at, after.job_id)
            ]
        budget = index[: MAX_PAGES_PER_LIST * limit]
        found: list[Job] = []
        for job in budget:
            if status is None or job.status is status:
                found.append(job)
                if len(found) == limit:
                    return JobPage(jobs=tuple(found), next_position=_position(job))
        # A full last page tells the table there may be more, even when there is not.
        last_read_was_full = len(budget) == MAX_PAGES_PER_LIST * limit
        return JobPage(
            jobs=tuple(found), next_position=_position(budget[-1]) if last_read_was_full else None
        )


def _minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _position(job: Job) -> PagePosition:
    return PagePosition(tenant=job.tenant, created_at=job.created_at, job_id=job.job_id)


@dataclass
class InMemoryJobQueue:
    """Keeps what was sent and every visibility change; `unavailable` makes `send` fail."""

    messages: list[JobMessage] = field(default_factory=list)
    delays: list[tuple[str, int]] = field(default_factory=list)
    # The delay each message was sent with, in the order of `messages`.
    send_delays: list[int] = field(default_factory=list)
    unavailable: bool = False

    def send(self, message: JobMessage, delay_seconds: int = 0) -> None:
        if self.unavailable:
            raise EnqueueFailedError(f"could not queue job {message.job_id}")
        self.messages.append(message)
        self.send_delays.append(delay_seconds)

    def delay(self, receipt_handle: str, seconds: int) -> None:
        self.delays.append((receipt_handle, seconds))


class StoredObject(NamedTuple):
    data: bytes
    content_type: str


@dataclass
class InMemoryImageStore:
    objects: dict[str, StoredObject] = field(default_factory=dict)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = StoredObject(data, content_type)

    def get(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found.data if found is not None else None

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    def url_for(self, key: str, expires_in: int) -> str:
        return f"memory://images/{key}?expires_in={expires_in}"

    # What a test reads back, as tests.support.moto_aws.BucketObjects reads the moto bucket.
    def keys(self) -> list[str]:
        return sorted(self.objects)

    def read(self, key: str) -> StoredObject:
        return self.objects[key]


@dataclass
class InMemoryWebhookQueue:
    """Keeps what was sent, with its delay; `unavailable` makes `send` fail."""

    sent: list[tuple[WebhookMessage, int]] = field(default_factory=list)
    unavailable: bool = False

    def send(self, message: WebhookMessage, delay_seconds: int = 0) -> None:
        if self.unavailable:
            raise EnqueueFailedError(f"could not queue the webhook of job {message.job_id}")
        self.sent.append((message, delay_seconds))

    def take(self) -> list[tuple[WebhookMessage, int]]:
        taken, self.sent = self.sent, []
        return taken


@dataclass
class InMemorySecretStore:
    items: dict[str, TenantSecrets] = field(default_factory=dict)

    def get(self, tenant: str) -> TenantSecrets | None:
        return self.items.get(tenant)

    def put_new(self, secrets: TenantSecrets) -> bool:
        if secrets.tenant in self.items:
            return False
        self.items[secrets.tenant] = secrets
        return True

    def replace(self, secrets: TenantSecrets, expected_current: str) -> bool:
        found = self.items.get(secrets.tenant)
        if found is None or found.current != expected_current:
            return False
        self.items[secrets.tenant] = secrets
        return True


@dataclass
class ScriptedSender:
    """Answers each POST with the next scripted result (the last one repeats); keeps requests."""

    results: list[SendResult] = field(default_factory=lambda: [SendResult(status_code=200)])
    requests: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: Any) -> SendResult:
        self.requests.append((url, body, dict(headers)))
        index = min(len(self.requests) - 1, len(self.results) - 1)
        return self.results[index]


@dataclass
class InMemoryModelLifecycles:
    """The lifecycles a test recorded; none by default (every model as its catalogue says)."""

    items: dict[str, ModelLifecycle] = field(default_factory=dict)

    def get(self, model_ids: Sequence[str]) -> dict[str, ModelLifecycle]:
        return {model_id: self.items[model_id] for model_id in model_ids if model_id in self.items}

    def put(self, lifecycle: ModelLifecycle) -> None:
        self.items[lifecycle.model_id] = lifecycle
