"""DeadLetterFunction: settles every message that reaches JobsDeadLetterQueue.

Messages arrive here after MaxReceiveCount deliveries (a worker killed on its last attempt,
say). Bodies are parsed leniently on purpose: a body that is not a job message is logged and
acknowledged, because retrying it here could never succeed.
"""

from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from imagejobs.clock import utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.webhook_queue import SqsWebhookQueue
from imagejobs.logic.dead_letter import settle_dead_letter
from imagejobs.models.messages import JobMessage
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import DeadLetterSettings

settings = DeadLetterSettings.from_environment()
jobs = DynamoJobRepository(settings.table_name, boto3.client("dynamodb"))
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))

# When every record fails, report them all as item failures instead of failing the
# invocation: the messages' own visibility (and backoff) then decides when they return.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


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
        clock=utc_now,
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
