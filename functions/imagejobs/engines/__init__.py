"""Image engines, one per model, built when a job first needs them.

Each engine's module is imported only then, so a worker pays the import cost (Pillow, an SDK
client, ...) of the engines its jobs use and of nothing else.
"""

from __future__ import annotations

from imagejobs.engines.base import ImageEngine, Inputs, JobParameters, RenderedImage
from imagejobs.engines.catalogue import CATALOGUE, ModelSpec
from imagejobs.engines.options import EngineOptions
from imagejobs.exceptions import ModelUnavailableError


def build_engine(spec: ModelSpec, options: EngineOptions) -> ImageEngine:
    if spec.bedrock is None:
        from imagejobs.engines.pillow.engine import PillowRenderer

        return PillowRenderer()
    from imagejobs.engines.bedrock import BedrockEngine

    return BedrockEngine.for_model(spec, options)


class EngineRouter:
    """Renders each job with the engine of its model. Implements `ImageEngine`."""

    engine_id = "router"

    def __init__(self, options: EngineOptions) -> None:
        self._options = options
        self._engines: dict[str, ImageEngine] = {}

    def engine_for(self, model_id: str) -> ImageEngine:
        if model_id not in self._engines:
            spec = CATALOGUE.get(model_id)
            if spec is None:
                # A job queued before its model left the catalogue (a retired model).
                raise ModelUnavailableError(
                    model_id, "this deployment no longer offers it; submit again with another"
                )
            self._engines[model_id] = build_engine(spec, self._options)
        return self._engines[model_id]

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        return self.engine_for(parameters.model).render(parameters, inputs)
