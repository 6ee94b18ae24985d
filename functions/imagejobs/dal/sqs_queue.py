"""The service's two SQS queues: the work queue (job messages) and the webhook queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from imagejobs.exceptions import EnqueueFailedError
from imagejobs.models.messages import JobMessage
from imagejobs.models.webhooks import WebhookMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# SQS's largest DelaySeconds; longer waits are chained (WebhookMessage.not_before).
MAX_DELAY_SECONDS = 900


class _Message(Protocol):
    job_id: str

    def model_dump_json(self, *, exclude_none: bool = ...) -> str: ...


class _SqsQueue[MessageT: _Message]:
    """Sends a message, delayed up to SQS's limit; a failed send is an EnqueueFailedError."""

    # What a message is, in the error: "could not queue <what> <job id>".
    what: ClassVar[str]

    def __init__(self, queue_url: str, client: SQSClient) -> None:
        self._queue_url = queue_url
        self._client = client

    def send(self, message: MessageT, delay_seconds: int = 0) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=message.model_dump_json(exclude_none=True),
                DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
            )
        except (BotoCoreError, ClientError) as error:
            raise EnqueueFailedError(f"could not queue {self.what} {message.job_id}") from error


class SqsJobQueue(_SqsQueue[JobMessage]):
    what: ClassVar[str] = "job"

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Makes a received message visible again after `seconds` (0: at once)."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )


class SqsWebhookQueue(_SqsQueue[WebhookMessage]):
    what: ClassVar[str] = "the webhook of job"
