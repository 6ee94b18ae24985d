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

    def send(self, message: JobMessage) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._queue_url, MessageBody=message.model_dump_json()
            )
        except (BotoCoreError, ClientError) as error:
            raise EnqueueFailedError(f"could not queue job {message.job_id}") from error
