"""The webhook delivery queue in SQS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from imagejobs.exceptions import EnqueueFailedError
from imagejobs.models.webhooks import WebhookMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# SQS's largest DelaySeconds; longer waits are chained (WebhookMessage.not_before).
MAX_DELAY_SECONDS = 900


class SqsWebhookQueue:
    def __init__(self, queue_url: str, client: SQSClient) -> None:
        self._queue_url = queue_url
        self._client = client

    def send(self, message: WebhookMessage, delay_seconds: int = 0) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=message.model_dump_json(exclude_none=True),
                DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
            )
        except (BotoCoreError, ClientError) as error:
            raise EnqueueFailedError(
                f"could not queue the webhook of job {message.job_id}"
            ) from error
