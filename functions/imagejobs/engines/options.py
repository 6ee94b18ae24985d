"""How the worker calls hosted models: timeouts and retries, which settings check the
worker's time reserve against. Cheap to import: no SDK client."""

from __future__ import annotations

from dataclasses import dataclass

# Attempts per Bedrock call, the first included. One quick SDK retry absorbs a momentary 5xx
# without receiving the whole job again; a throttle is the worker's to wait out (logic.worker).
BEDROCK_TOTAL_MAX_ATTEMPTS = 2
BEDROCK_CONNECT_TIMEOUT_SECONDS = 5


def bedrock_worst_case_seconds(read_timeout_seconds: int) -> int:
    """The longest a Bedrock render can take (its calls run concurrently): every attempt
    connecting and reading to the timeout, plus the SDK's backoff (at most 1 s)."""
    attempt = BEDROCK_CONNECT_TIMEOUT_SECONDS + read_timeout_seconds
    return BEDROCK_TOTAL_MAX_ATTEMPTS * attempt + 1


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Deployment settings an engine may need (template parameters, via WorkerSettings)."""

    # How long one model call may take before it counts as a (transient) model timeout.
    bedrock_read_timeout_seconds: int = 60
