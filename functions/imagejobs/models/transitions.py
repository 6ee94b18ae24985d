"""A job's state transitions, declared once.

Each `Transition` says which states a job may take it from, the state it moves to, and which
fields it writes and how. From one entry the DynamoDB repository (`imagejobs.dal.jobs_table`)
builds its conditional write, and `Transition.apply` computes the job the write leaves, which the
in-memory repository of the logic tests stores. A transition added to `TRANSITIONS` works in
both without more code. A transition that ends a job also gives its tenant's open-job place back,
and one that causes a webhook event records the event's delivery in the same write (the outbox,
see `imagejobs.logic.webhooks.outbox`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from imagejobs.models.domain import Job, JobStatus
from imagejobs.models.webhooks import Delivery, WebhookEvent


class Write(StrEnum):
    """How a transition writes one field of the job."""

    NOW = "now"  # the moment of the change
    NOW_ONCE = "now once"  # the moment of the change, unless the field already has one
    GIVEN = "given"  # a value the caller gives with the change
    INCREMENT = "increment"  # one more
    ADD = "add"  # plus a number the caller may give (none: unchanged)
    FLAG = "flag"  # True


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[JobStatus]
    # None: the status stays what it was.
    target: JobStatus | None
    writes: Mapping[str, Write]
    # True: only a job whose cancel was requested; False: only one whose was not; None: either.
    cancel_requested: bool | None = None
    # The webhook event the change causes, recorded if the job subscribes to it.
    event: WebhookEvent | None = None

    @property
    def ends_job(self) -> bool:
        return self.target is not None and self.target.is_terminal

    @property
    def given(self) -> frozenset[str]:
        """The fields whose values a change must carry."""
        return frozenset(name for name, how in self.writes.items() if how is Write.GIVEN)

    @property
    def expected(self) -> str:
        """The states the job must be in, in words: "queued or running", ..."""
        states = " or ".join(status.value for status in JobStatus if status in self.sources)
        if self.cancel_requested is True:
            return f"{states} with a cancel requested"
        return states

    def allows(self, job: Job) -> bool:
        return job.status in self.sources and self.cancel_requested in (None, job.cancel_requested)

    @property
    def added(self) -> frozenset[str]:
        """The fields a change may add a number to."""
        return frozenset(name for name, how in self.writes.items() if how is Write.ADD)

    def change(self, job: Job, now: datetime, **values: Any) -> JobChange:
        """This transition of `job` (the job as last read: its id and webhook are all that
        matter), at `now`, with the values of its GIVEN fields and of any ADD fields."""
        if not self.given <= set(values) <= self.given | self.added:
            raise TypeError(
                f"{self.name} takes the values of {sorted(self.given)}"
                f" and may add to {sorted(self.added)}"
            )
        subscribed = self.event is not None and job.subscribes_to(self.event)
        delivery = Delivery.new(job.job_id, self.event, now) if self.event and subscribed else None
        return JobChange(
            transition=self,
            job=job,
            job_id=job.job_id,
            tenant=job.tenant,
            now=now,
            values=values,
            delivery=delivery,
        )

    def apply(self, job: Job, change: JobChange) -> Job:
        """The job as the change leaves it; the caller has checked `allows(job)`.

        Applied to the job as stored, it is what the in-memory repository stores; to the job as
        last read (`change.job`), what the DynamoDB repository answers after a transaction, which
        returns no item (so the answer costs no second read)."""
        update: dict[str, Any] = {} if self.target is None else {"status": self.target}
        for name, how in self.writes.items():
            if how is Write.ADD and name not in change.values:
                continue
            update[name] = _written(how, getattr(job, name), change, name)
        delivery = change.delivery
        if delivery is not None and job.delivery(delivery.event) is None:
            # A repeated transition keeps the first outbox entry.
            update["deliveries"] = (*job.deliveries, delivery)
        return job.model_copy(update=update)


def _written(how: Write, current: Any, change: JobChange, name: str) -> Any:
    match how:
        case Write.NOW:
            return change.now
        case Write.NOW_ONCE:
            return current if current is not None else change.now
        case Write.GIVEN:
            return change.values[name]
        case Write.INCREMENT:
            return current + 1
        case Write.ADD:
            return current + change.values[name]
        case Write.FLAG:
            return True


@dataclass(frozen=True)
class JobChange:
    """One transition of one job, with everything its write needs."""

    transition: Transition
    # The job as last read: what the change leaves is `transition.apply(job, change)` for every
    # field the transition writes (its condition holds the status the rest depends on).
    job: Job
    job_id: str
    tenant: str
    now: datetime
    values: Mapping[str, Any] = field(default_factory=dict)
    delivery: Delivery | None = None


_OPEN = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
_RUNNING = frozenset({JobStatus.RUNNING})
_ENDED = {"updated_at": Write.NOW, "finished_at": Write.NOW}
# What an attempt spent: its time in the engine and the Lambda time billed for it.
_SPENT = {
    "model_seconds": Write.ADD,
    "images_rendered": Write.ADD,
    "lambda_gb_seconds": Write.ADD,
}

# An attempt starts (again: a repeat receive restarts a running job); never once a cancel is asked.
START = Transition(
    "start",
    sources=_OPEN,
    target=JobStatus.RUNNING,
    writes={"updated_at": Write.NOW, "started_at": Write.NOW_ONCE, "attempts": Write.INCREMENT},
    cancel_requested=False,
    event=WebhookEvent.STARTED,
)
# The model's request quota is spent: the job goes back to wait, with a message of its own.
REQUEUE_THROTTLED = Transition(
    "requeue_throttled",
    sources=_RUNNING,
    target=JobStatus.QUEUED,
    writes={
        "updated_at": Write.NOW,
        "throttled_waits": Write.INCREMENT,
        "first_throttled_at": Write.NOW_ONCE,
        **_SPENT,
    },
    cancel_requested=False,
)
# A cancel that arrived while rendering wins: the result is dropped.
SUCCEED = Transition(
    "succeed",
    sources=_RUNNING,
    target=JobStatus.SUCCEEDED,
    writes={**_ENDED, "images": Write.GIVEN, **_SPENT},
    cancel_requested=False,
    event=WebhookEvent.COMPLETED,
)
# An open job ends with an error: failed, or (`Cancel-After` passed) canceled: queued, it never
# starts; running, its worker removed what it wrote.
_WITH_ERROR = {**_ENDED, "error": Write.GIVEN, **_SPENT}
FAIL = Transition("fail", _OPEN, JobStatus.FAILED, _WITH_ERROR, event=WebhookEvent.COMPLETED)
EXPIRE = Transition("expire", _OPEN, JobStatus.CANCELED, _WITH_ERROR, event=WebhookEvent.COMPLETED)
# The sweeper re-sent the job's message: the job waits a whole bound before the next re-drive.
NOTE_REDRIVEN = Transition(
    "note_redriven", sources=_OPEN, target=None, writes={"updated_at": Write.NOW}
)
CANCEL_QUEUED = Transition(
    "cancel_queued",
    sources=frozenset({JobStatus.QUEUED}),
    target=JobStatus.CANCELED,
    writes=_ENDED,
    event=WebhookEvent.COMPLETED,
)
# A running job is flagged; its worker drops the result and finishes the cancel.
REQUEST_CANCEL = Transition(
    "request_cancel",
    sources=_RUNNING,
    target=None,
    writes={"cancel_requested": Write.FLAG, "updated_at": Write.NOW},
)
FINISH_CANCEL = Transition(
    "finish_cancel",
    sources=_RUNNING,
    target=JobStatus.CANCELED,
    writes={**_ENDED, **_SPENT},
    cancel_requested=True,
    event=WebhookEvent.COMPLETED,
)

TRANSITIONS: tuple[Transition, ...] = (
    START,
    REQUEUE_THROTTLED,
    SUCCEED,
    FAIL,
    EXPIRE,
    NOTE_REDRIVEN,
    CANCEL_QUEUED,
    REQUEST_CANCEL,
    FINISH_CANCEL,
)
