"""SweepFunction, on an EventBridge schedule: re-drives or fails jobs left open
(logic.sweeper), and watches the offered Bedrock models' lifecycles (logic.lifecycle_watch)."""

from dataclasses import asdict
from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.clock import utc_now
from imagejobs.dal.aws_calls import aws_calls
from imagejobs.dal.foundation_models import BedrockFoundationModels
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.dal.model_lifecycles import DynamoModelLifecycles
from imagejobs.dal.sqs_queue import SqsJobQueue, SqsWebhookQueue
from imagejobs.logic.lifecycle_watch import LifecycleSources, watch_lifecycles
from imagejobs.logic.sweeper import sweep
from imagejobs.observability import logger, metrics, tracer
from imagejobs.settings import SweepSettings

settings = SweepSettings.from_environment()
dynamodb = boto3.client("dynamodb")
jobs = DynamoJobRepository(settings.table_name, dynamodb)
queue = SqsJobQueue(settings.queue_url, boto3.client("sqs"))
webhooks = SqsWebhookQueue(settings.webhook_queue_url, boto3.client("sqs"))
lifecycle_sources = LifecycleSources(
    recorded=DynamoModelLifecycles(settings.table_name, dynamodb),
    # Its client is made on the first check: a deployment without Bedrock models never makes one.
    bedrock=BedrockFoundationModels(),
    region=settings.region,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@aws_calls.logged
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The scheduled event carries nothing either step needs: their bounds are the settings'.
    now = utc_now()
    swept = sweep(jobs=jobs, queue=queue, webhooks=webhooks, settings=settings, now=now)
    watched = watch_lifecycles(
        settings.offered,
        lifecycle_sources,
        check_every=timedelta(seconds=settings.lifecycle_check_seconds),
        now=now,
    )
    return asdict(swept) | asdict(watched)
