"""What a deployment selects: the engine kind (template parameter ImageEngine) and the options
an engine may need (the other template parameters, via WorkerSettings).

Settings, the engine factory and the engines import this module, so it stays cheap: no
Pillow, no SDK client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# The kind of engine a deployment runs. A rendering engine's identity is its `engine_id`
# ("pillow", "bedrock:<model id>"), which is what a job records.
EngineKind = Literal["pillow", "bedrock"]
ENGINE_KINDS: tuple[EngineKind, ...] = get_args(EngineKind)


def unknown_engine_kind(kind: str) -> ValueError:
    """The error for a kind no engine has: it names the kinds there are."""
    known = ", ".join(sorted(ENGINE_KINDS))
    return ValueError(f"unknown image engine {kind!r}; known engines: {known}")


BedrockQuality = Literal["standard", "premium"]

# Attempts per Bedrock call, the first included. One quick SDK retry absorbs a momentary
# throttle or 5xx without redelivering the whole job; longer trouble is left to SQS's backoff.
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

    bedrock_model_id: str | None = None
    bedrock_quality: BedrockQuality = "standard"
    # How long one model call may take before it counts as a (transient) model timeout.
    bedrock_read_timeout_seconds: int = 60
