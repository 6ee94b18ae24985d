"""The work queue in SQS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from imagejobs.exceptions import EnqueueFailedError
from imagejobs.models.messages import JobMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsJobQueue:
    def __init__(self, queue_url: str, client: SQSClient) -> None:
        self._queue_url = queue_url
        self._client = client

    def send(self, message: JobMessage, delay_seconds: int = 0) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=message.model_dump_json(),
                DelaySeconds=delay_seconds,
            )
        except (BotoCoreError, ClientError) as error:
            raise EnqueueFailedError(f"could not queue job {message.job_id}") from error

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Makes a received message visible again after `seconds` (0: at once)."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
