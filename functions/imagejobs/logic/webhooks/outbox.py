"""The outbox: a state change that causes a webhook event records the event's delivery on the
job in the same conditional write (see `JobRepository`); `dispatch` then puts every delivery
not yet dispatched on the webhook queue and marks it dispatched.

Whoever made the change dispatches right after it, and every later pass over the job (a
redelivered job message, the dead-letter settler, a repeated cancel) dispatches again what is
still undispatched. So an event survives a crash between the write and the send: the job's
message was not acknowledged and comes back. A crash after the send but before the mark sends
the event twice, with the same `webhook-id`.
"""

from __future__ import annotations

from imagejobs.models.domain import Job
from imagejobs.models.webhooks import WebhookMessage
from imagejobs.observability import logger
from imagejobs.ports import JobRepository, WebhookQueue


def dispatch(job: Job, *, jobs: JobRepository, webhooks: WebhookQueue) -> int:
    """Queues the job's undispatched deliveries; raises `EnqueueFailedError` if one cannot be."""
    sent = 0
    for delivery in job.deliveries:
        if delivery.dispatched:
            continue
        webhooks.send(WebhookMessage(job_id=job.job_id, event=delivery.event))
        jobs.mark_dispatched(job.job_id, delivery.event)
        logger.info(
            "webhook event dispatched", extra={"job_id": job.job_id, "event": delivery.event}
        )
        sent += 1
    return sent
