"""Amazon Bedrock image models (Nova Canvas, Titan Image Generator v2) through InvokeModel.

Work in progress: the engine is being written on its own branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imagejobs.engines.base import RenderedImage, RenderRequest

if TYPE_CHECKING:
    from imagejobs.engines import EngineOptions


class BedrockEngine:
    name = "bedrock"

    @classmethod
    def from_options(cls, options: EngineOptions) -> BedrockEngine:
        raise NotImplementedError("the Bedrock engine is not written yet")

    def render(self, request: RenderRequest) -> list[RenderedImage]:
        raise NotImplementedError("the Bedrock engine is not written yet")
