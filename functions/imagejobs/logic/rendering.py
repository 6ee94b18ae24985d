"""The one mapping from a job's resolved parameters to what an engine renders.

Submit checks this request against the engine's limits and the worker renders it, so what was
accepted is exactly what is drawn.
"""

from __future__ import annotations

from imagejobs.engines.base import RenderRequest
from imagejobs.models.domain import JobParameters


def render_request(params: JobParameters) -> RenderRequest:
    return RenderRequest(
        prompt=params.prompt,
        negative_prompt=params.negative_prompt,
        width=params.width,
        height=params.height,
        seed=params.seed,
        num_images=params.num_images,
        image_format=params.image_format,
        style=params.style,
        quality=params.quality,
        guidance=params.guidance,
    )
