"""SQS event source mappings polled as Lambda polls them: long polls, batches in parallel.

LocalStack 2026.3.0's SQS poller (`event_source_mapping/pollers/sqs_poller.py`, driven by
`esm_worker.py`) runs one batch at a time on one thread: it short-polls (WaitTimeSeconds=0
unless MaximumBatchingWindowInSeconds is set), invokes the function synchronously, then waits
LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC (1 s by default) even after a poll that found
messages, and backs off up to 10 s after empty polls. Locally that made one Worker invocation
run at a time with ~1.1 s between them, and an idle job wait 0.4-10 s for pickup.

Lambda's SQS pollers long-poll and run batches in parallel, up to the mapping's
`ScalingConfig.MaximumConcurrency` (or the function's reserved concurrency). This hook gives a
standard queue's poller the same shape:
- each ReceiveMessage long-polls for IMAGEJOBS_ESM_WAIT_SECONDS (2 s; AWS waits 20 s, a
  shorter wait only makes a deleted and re-created queue found sooner) and returns as soon as
  one message is there; an empty long poll is not "empty" for the backoff, since it already
  waited;
- each batch is handed to a pool and polling goes on while at most N batches are in flight:
  N is the mapping's MaximumConcurrency, else the function's reserved concurrency, else
  IMAGEJOBS_ESM_MAX_CONCURRENCY (a local knob, 2 by default), never more than the first two.

What a batch is stays as configured: BatchSize, MaximumBatchingWindowInSeconds (a window over
20 s keeps LocalStack's own header override), filters, partial batch responses, deletes and
visibility timeouts are LocalStack's unchanged code. FIFO queues keep LocalStack's sequential
poller (their order is per message group). The pause after a busy poll is LocalStack's own
setting, LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC, which `make up` sets to 0.

Disabling or updating a mapping replaces its worker at once (the store says Disabled) while the
old worker's long poll may still be waiting: messages that poll returns are given back
(visibility 0) instead of run, so a disabled mapping runs nothing sent after it said so.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
WAIT_SECONDS_VARIABLE = "IMAGEJOBS_ESM_WAIT_SECONDS"
MAX_CONCURRENCY_VARIABLE = "IMAGEJOBS_ESM_MAX_CONCURRENCY"
DEFAULT_WAIT_SECONDS = 2
DEFAULT_MAX_CONCURRENCY = 2
# How long a poll waits for a free slot before it returns to the worker loop (which checks for
# shutdown and calls again at once).
SLOT_WAIT_SECONDS = 1.0


def _int_setting(variable: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(variable) or default))
    except ValueError:
        LOG.warning("%s must be a whole number; using %s", variable, default)
        return default


def mapping_concurrency(esm_config: dict[str, Any], reserved: int | None) -> int:
    """How many batches of one mapping may be in flight at once."""
    caps = [_int_setting(MAX_CONCURRENCY_VARIABLE, DEFAULT_MAX_CONCURRENCY)]
    if maximum := (esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency"):
        caps = [int(maximum)]  # the mapping's own setting wins over the local default
    if reserved is not None:
        caps.append(max(reserved, 1))
    return min(caps)


def _reserved_concurrency(function_arn: str) -> int | None:
    from localstack.services.lambda_.invocation.models import lambda_stores
    from localstack.utils.aws.arns import parse_arn

    try:
        arn = parse_arn(function_arn)
        name = arn["resource"].split(":")[1]
        function = lambda_stores[arn["account"]][arn["region"]].functions.get(name)
    except (KeyError, IndexError, ValueError):
        return None
    return None if function is None else function.reserved_concurrent_executions


class _Slots:
    """A poller's batches in flight: a bounded semaphore and the pool that runs them."""

    def __init__(self, concurrency: int, name: str) -> None:
        self.concurrency = concurrency
        self.free = threading.BoundedSemaphore(concurrency)
        # Its worker's shutdown event: set once the mapping is stopped (disabled, updated).
        self.stopped = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name)


def _poll_events(poller: Any, slots: _Slots, wait_seconds: int) -> None:
    """One long poll; its batch runs in the pool while the next poll goes on."""
    from localstack.aws.api.sqs import MessageSystemAttributeName
    from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import (
        DEFAULT_MAX_RECEIVE_COUNT,
        DEFAULT_MAX_WAIT_TIME_SECONDS,
    )

    if not slots.free.acquire(timeout=SLOT_WAIT_SECONDS):
        return  # every slot busy: back to the worker loop, which calls again at once
    handed_off = False
    try:
        window = poller.maximum_batching_window
        response = poller.source_client.receive_message(
            QueueUrl=poller.queue_url,
            MaxNumberOfMessages=min(poller.batch_size, DEFAULT_MAX_RECEIVE_COUNT),
            # Long polling returns as soon as a message is there; a batching window keeps its
            # meaning (LocalStack waits for the batch only above 20 s, through its header).
            WaitTimeSeconds=min(max(window, wait_seconds), DEFAULT_MAX_WAIT_TIME_SECONDS),
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=[MessageSystemAttributeName.All],
            sqs_override_max_message_count=poller.batch_size,
            sqs_override_wait_time_seconds=window,
        )
        messages = response.get("Messages", [])
        if messages and slots.stopped.is_set():
            # The mapping was disabled, updated or deleted during this long poll (the store
            # already says so): its replacement, if any, polls again, so give them back now.
            _give_back(poller, messages)
        elif messages:
            slots.pool.submit(_handle_then_free, poller, slots, messages)
            handed_off = True
    finally:
        if not handed_off:
            slots.free.release()


def _give_back(poller: Any, messages: list[dict[str, Any]]) -> None:
    entries = [
        {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
        for n, m in enumerate(messages)
    ]
    poller.source_client.change_message_visibility_batch(QueueUrl=poller.queue_url, Entries=entries)


def _handle_then_free(poller: Any, slots: _Slots, messages: list[dict[str, Any]]) -> None:
    try:
        poller.handle_messages(messages)
    except Exception as error:  # as LocalStack's poll_events logs a failed batch
        debug = LOG.isEnabledFor(logging.DEBUG)
        LOG.warning("Polling or batch processing failed: %s", error, exc_info=debug)
    finally:
        slots.free.release()


@hooks.on_infra_start()
def poll_sqs_mappings_like_lambda() -> None:
    from localstack.services.lambda_.event_source_mapping import esm_worker_factory
    from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller

    wait_seconds = _int_setting(WAIT_SECONDS_VARIABLE, DEFAULT_WAIT_SECONDS)
    original_poll = SqsPoller.poll_events
    original_close = SqsPoller.close
    original_factory = esm_worker_factory.EsmWorkerFactory.get_esm_worker

    def poll_events(self: Any) -> None:
        slots: _Slots | None = getattr(self, "_imagejobs_slots", None)
        if slots is None or self.is_fifo_queue:
            return original_poll(self)
        return _poll_events(self, slots, wait_seconds)

    def close(self: Any) -> None:
        slots: _Slots | None = getattr(self, "_imagejobs_slots", None)
        if slots is not None:
            slots.pool.shutdown(wait=False)  # batches in flight finish on their own
        original_close(self)

    def get_esm_worker(self: Any) -> Any:
        worker = original_factory(self)
        if isinstance(worker.poller, SqsPoller):
            reserved = _reserved_concurrency(self.esm_config.get("FunctionArn", ""))
            concurrency = mapping_concurrency(self.esm_config, reserved)
            slots = _Slots(concurrency, f"esm-batch-{self.esm_config.get('UUID', '')[:8]}")
            slots.stopped = worker._shutdown_event
            worker.poller._imagejobs_slots = slots
        return worker

    SqsPoller.poll_events = poll_events  # type: ignore[method-assign]
    SqsPoller.close = close  # type: ignore[method-assign]
    esm_worker_factory.EsmWorkerFactory.get_esm_worker = get_esm_worker  # type: ignore[method-assign]
