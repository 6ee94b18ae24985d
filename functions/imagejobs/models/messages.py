"""The SQS message that asks the worker to render a job.

The job item is the single source of truth for parameters; the message only names the job,
so a redelivered or replayed message can never render something other than what was accepted.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Json


class JobMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str


class JobMessageRecord(SqsRecordModel):
    body: Json[JobMessage]
