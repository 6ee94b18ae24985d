"""Image engines, chosen by name once per cold start.

Each engine's module is imported only when that engine is chosen, so a worker pays the
import cost (Pillow, an SDK client, ...) of its own engine and of nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from imagejobs.engines.base import ImageEngine

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


def _pillow(options: EngineOptions) -> ImageEngine:
    from imagejobs.engines.pillow.engine import PillowRenderer

    return PillowRenderer()


def _bedrock(options: EngineOptions) -> ImageEngine:
    from imagejobs.engines.bedrock import BedrockEngine

    return BedrockEngine.from_options(options)


# Name (the template's ImageEngine parameter) -> factory that imports and builds the engine.
_FACTORIES: dict[str, Callable[[EngineOptions], ImageEngine]] = {
    "pillow": _pillow,
    "bedrock": _bedrock,
}


def get_engine(name: str, options: EngineOptions | None = None) -> ImageEngine:
    """The engine called `name`; a `ValueError` naming the known engines if there is none."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES))
        raise ValueError(f"unknown image engine {name!r}; known engines: {known}") from None
    return factory(options or EngineOptions())
