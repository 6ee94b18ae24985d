"""Image engines, chosen by kind once per cold start.

Each engine's module is imported only when that engine is chosen, so a worker pays the
import cost (Pillow, an SDK client, ...) of its own engine and of nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from imagejobs.engines.base import ImageEngine
from imagejobs.engines.options import EngineKind, EngineOptions, unknown_engine_kind


def _pillow(options: EngineOptions) -> ImageEngine:
    from imagejobs.engines.pillow.engine import PillowRenderer

    return PillowRenderer()


def _bedrock(options: EngineOptions) -> ImageEngine:
    from imagejobs.engines.bedrock import BedrockEngine

    return BedrockEngine.from_options(options)


# Kind (the template's ImageEngine parameter) -> factory that imports and builds the engine.
_FACTORIES: dict[EngineKind, Callable[[EngineOptions], ImageEngine]] = {
    "pillow": _pillow,
    "bedrock": _bedrock,
}


def get_engine(kind: EngineKind, options: EngineOptions | None = None) -> ImageEngine:
    """The engine of `kind`; a `ValueError` naming the known kinds if there is none."""
    try:
        factory = _FACTORIES[kind]
    except KeyError:
        raise unknown_engine_kind(kind) from None
    return factory(options or EngineOptions())
