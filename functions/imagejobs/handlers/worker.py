"""WorkerFunction: renders the jobs its SQS batch names, reporting failures per message."""

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

from imagejobs.clock import SYSTEM_CLOCK
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.job_queue import SqsJobQueue
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.webhook_queue import SqsWebhookQueue
from imagejobs.engines import EngineRouter
from imagejobs.engines.options import EngineOptions
from imagejobs.logic.worker import Receive, WorkerPorts, process_receive
from imagejobs.models.messages import JobMessage
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import WorkerSettings

settings = WorkerSettings.from_environment()
ports = WorkerPorts(
    jobs=DynamoJobRepository(settings.table_name, boto3.client("dynamodb")),
    images=S3ImageStore(settings.bucket_name, s3_client()),
    queue=SqsJobQueue(settings.queue_url, boto3.client("sqs")),
    webhooks=SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs")),
    engine=EngineRouter(
        EngineOptions(bedrock_read_timeout_seconds=settings.bedrock_read_timeout_seconds)
    ),
    clock=SYSTEM_CLOCK,
)


# Records are Powertools' SQSRecord data class and the body is parsed by JobMessage itself:
# the parser's record models would cost the cold start ~100 ms for one field.
# When every record fails, report them all as item failures instead of failing the
# invocation: the messages' own visibility (and backoff) then decides when they return.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> str:
    # A body that is not a JobMessage fails its record (ValidationError), so it reaches the
    # dead-letter queue after maxReceiveCount deliveries without blocking the rest.
    job_id = JobMessage.model_validate_json(record.body).job_id
    logger.set_correlation_id(job_id)
    receive = Receive(
        job_id=job_id,
        receipt_handle=record.receipt_handle,
        receive_count=int(record.attributes.approximate_receive_count),
        max_receive_count=settings.max_receive_count,
        remaining_ms=lambda_context.get_remaining_time_in_millis(),
        memory_mb=int(lambda_context.memory_limit_in_mb),
    )
    outcome = process_receive(receive, ports, time_reserve_seconds=settings.time_reserve_seconds)
    return outcome.value


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
