"""Edits of images the built-in renderer can do honestly, with image algorithms and no model.

Placeholder: each task is filled in by its own module.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image

from imagejobs.engines.base import JobParameters
from imagejobs.exceptions import PermanentEngineError


def edit(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    raise PermanentEngineError(f"the built-in renderer does not {parameters.task} yet")
