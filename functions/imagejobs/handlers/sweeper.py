"""SweepFunction: on an EventBridge schedule, re-drives or fails jobs left open (logic.sweeper)."""

from dataclasses import asdict
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.job_queue import SqsJobQueue
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.webhook_queue import SqsWebhookQueue
from imagejobs.logic.sweeper import sweep
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import SweepSettings

settings = SweepSettings.from_environment()
jobs = DynamoJobRepository(settings.table_name, boto3.client("dynamodb"))
queue = SqsJobQueue(settings.queue_url, boto3.client("sqs"))
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The scheduled event carries nothing the sweep needs: its bounds are the settings'.
    return asdict(
        sweep(jobs=jobs, queue=queue, webhooks=webhooks, settings=settings, now=utc_now())
    )
