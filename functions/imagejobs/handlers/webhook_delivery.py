"""WebhookDeliveryFunction: sends the webhook events its SQS batch names, one attempt each.

A failed attempt is not a failed record: its retry is a new message queued with the schedule's
delay (logic.webhooks.delivery). A record fails (and comes back, then reaches
WebhookDeadLetterQueue) only when recording or queueing itself failed.
"""

import aws_lambda_powertools.utilities.batch  # noqa: F401 - before pydantic (sqs_batch.py)
import boto3
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from imagejobs.clock import utc_now
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.sqs_queue import SqsWebhookQueue
from imagejobs.dal.webhook_secrets import DynamoSecretStore
from imagejobs.dal.webhook_sender import HttpWebhookSender
from imagejobs.handlers.sqs_batch import sqs_batch_handler
from imagejobs.logic.webhooks.delivery import DeliveryPolicy, DeliveryPorts, deliver
from imagejobs.models.webhooks import WebhookMessage
from imagejobs.observability import logger, tracer
from imagejobs.settings import WebhookDeliverySettings

settings = WebhookDeliverySettings.from_environment()
dynamodb = boto3.client("dynamodb")
ports = DeliveryPorts(
    jobs=DynamoJobRepository(settings.table_name, dynamodb),
    secrets=DynamoSecretStore(settings.secrets_table_name, dynamodb),
    sender=HttpWebhookSender(
        allow_private=settings.allow_private, timeout_seconds=settings.timeout_seconds
    ),
    queue=SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs")),
    images=S3ImageStore(settings.bucket_name, s3_client()),
)
policy = DeliveryPolicy(
    schedule=settings.retry_schedule, url_expiry_seconds=settings.image_url_expiry_seconds
)


@tracer.capture_method
def record_handler(record: SQSRecord) -> str:
    message = WebhookMessage.model_validate_json(record.body)
    logger.set_correlation_id(message.job_id)
    return deliver(message, ports, policy, now=utc_now()).value


handler = sqs_batch_handler(record_handler)
