"""The Lambda handler of a function that SQS triggers: one record at a time, failures per record.

Records are Powertools' SQSRecord data class and each function parses the body with its own
message model: the parser's record models would add to every cold start for one field. They
load anyway if Powertools' batch module is first imported after pydantic (its types check
`"pydantic" in sys.modules`), so each SQS handler imports it among its third-party modules,
before any of ours (tests/integration/test_cold_imports.py checks).
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagejobs.dal.aws_calls import aws_calls
from imagejobs.observability import logger, metrics, tracer

BatchHandler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def sqs_batch_handler(record_handler: Callable[..., Any]) -> BatchHandler:
    """The handler that runs `record_handler` on each record of a batch (with `lambda_context`
    too, if it takes one) and reports the records that raised (ReportBatchItemFailures)."""
    # When every record fails, report them all as item failures instead of failing the
    # invocation: the messages' own visibility (and backoff) then decides when they return.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    @aws_calls.logged
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
