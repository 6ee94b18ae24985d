"""WorkerFunction: renders the jobs its SQS batch names, reporting failures per message."""

import aws_lambda_powertools.utilities.batch  # noqa: F401 - before pydantic (sqs_batch.py)
import boto3
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import SYSTEM_CLOCK
from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.sqs_queue import SqsJobQueue, SqsWebhookQueue
from imagejobs.engines import EngineRouter
from imagejobs.engines.options import EngineOptions
from imagejobs.handlers.sqs_batch import sqs_batch_handler
from imagejobs.logic.worker import Receive, WorkerPorts, process_receive
from imagejobs.models.messages import JobMessage
from imagejobs.observability import logger, tracer
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


@tracer.capture_method
def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> str:
    # A body that is not a JobMessage fails its record (ValidationError), so it reaches the
    # dead-letter queue after maxReceiveCount receives without blocking the rest.
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


handler = sqs_batch_handler(record_handler)
