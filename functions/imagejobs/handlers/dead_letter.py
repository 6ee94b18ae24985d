"""DeadLetterFunction: settles every message that reaches JobsDeadLetterQueue.

Messages arrive here after MaxReceiveCount receives (a worker killed on its last attempt,
say). Bodies are parsed leniently on purpose: a body that is not a job message is logged and
acknowledged, because retrying it here could never succeed.
"""

import aws_lambda_powertools.utilities.batch  # noqa: F401 - before pydantic (sqs_batch.py)
import boto3
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from imagejobs.clock import utc_now
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.sqs_queue import SqsWebhookQueue
from imagejobs.handlers.sqs_batch import sqs_batch_handler
from imagejobs.logic.dead_letter import settle_dead_letter
from imagejobs.models.messages import JobMessage
from imagejobs.observability import logger, tracer
from imagejobs.settings import DeadLetterSettings

settings = DeadLetterSettings.from_environment()
jobs = DynamoJobRepository(settings.table_name, boto3.client("dynamodb"))
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))


@tracer.capture_method
def record_handler(record: SQSRecord) -> bool:
    try:
        job_id: str | None = JobMessage.model_validate_json(record.body).job_id
    except ValidationError:
        job_id = None
    if job_id:
        logger.set_correlation_id(job_id)
    return settle_dead_letter(
        job_id,
        receive_count=int(record.attributes.approximate_receive_count),
        jobs=jobs,
        webhooks=webhooks,
        now=utc_now(),
    )


handler = sqs_batch_handler(record_handler)
