"""One receive of a job's message: what the worker works with (`WorkerPorts`), the receive
(`Receive`), what it spent (`Spent`) and what it did (`JobOutcome`); the retry and throttle
delays; where an image is stored."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from imagejobs.clock import BilledTime, Clock
from imagejobs.engines.base import (
    FILE_EXTENSIONS,
    ImageEngine,
)
from imagejobs.ports import ImageStore, JobQueue, JobRepository, WebhookQueue


class JobOutcome(StrEnum):
    """What one receive of a job's message did to the job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    SKIPPED = "skipped"
    # The model's quota was spent: the job waits for a message of its own, and this one is done.
    THROTTLED = "throttled"


@dataclass(frozen=True)
class WorkerPorts:
    """Everything the worker reads, writes and renders with."""

    jobs: JobRepository
    images: ImageStore
    queue: JobQueue
    webhooks: WebhookQueue
    engine: ImageEngine
    clock: Clock


@dataclass(frozen=True)
class Receive:
    """One SQS receive of a job's message, and the invocation's time left for it."""

    job_id: str
    receipt_handle: str
    # 1 on the first receive; on the queue's maxReceiveCount the job is failed, not retried.
    receive_count: int
    max_receive_count: int
    remaining_ms: int
    # The invocation's memory size: what its time is billed at.
    memory_mb: int = 0

    @property
    def is_last(self) -> bool:
        return self.receive_count >= self.max_receive_count


@dataclass
class Spent:
    """What one receive spent on its job, recorded by the write that ends its attempt: the time
    inside the engine, and the Lambda time billed at the invocation's memory size."""

    billed: BilledTime
    model_seconds: float = 0.0
    images_rendered: int = 0

    def values(self) -> dict[str, float]:
        return {
            "model_seconds": self.model_seconds,
            "images_rendered": self.images_rendered,
            "lambda_gb_seconds": self.billed.gb_seconds(),
        }


# Retries after a transient error wait 2, 4, 8, ... seconds, at most 5 minutes: the backoff
# SQS allows is a visibility change on the failed message.
RETRY_BASE_SECONDS = 2


RETRY_MAX_SECONDS = 300


def retry_delay_seconds(receive_count: int) -> int:
    return int(min(RETRY_BASE_SECONDS * 2 ** max(receive_count - 1, 0), RETRY_MAX_SECONDS))


# A throttled job waits 1 s to a minute (more the more it has waited, full jitter so a burst
# spreads over the quota), and is given up only when it has been throttled this long.
THROTTLE_MAX_WAIT_SECONDS = 60


THROTTLE_GIVE_UP_AFTER = timedelta(hours=1)


def throttle_delay_seconds(waits: int) -> int:
    ceiling = min(THROTTLE_MAX_WAIT_SECONDS, 2 ** min(waits, 10))
    return max(1, math.ceil(random.uniform(0, ceiling)))  # noqa: S311 (not cryptographic)


def image_key(job_id: str, index: int, image_format: str) -> str:
    return f"images/{job_id}/{index}.{FILE_EXTENSIONS[image_format]}"
