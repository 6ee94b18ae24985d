"""The SQS message that asks the worker to render a job.

The job item is the single source of truth for parameters; the message only names the job,
so a message received again or replayed can never render something other than what was accepted.

The SQS record that carries it is Powertools' SQSRecord data class, not the parser's record
models (imagejobs.handlers.sqs_batch says why); the worker parses the body with this model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class JobMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str
