"""Edits of images the built-in renderer does honestly, with image algorithms and no model.

Each task's module says how it works. Every edit is deterministic (the seed only places what
the prompt's picture draws), and every pass over the pixels is one of Pillow's C loops, so the
cost grows with the pixel count (remove-background finds its parts in Python, on a copy at
most 384 pixels a side). Pillow only: numpy would add an import to every cold start of the
worker, and nothing here needs it. Modules, each importing only those listed before it:

- `masks`: which pixels an edit changes; the passes over pixels the edits share.
- `fill`: erase and inpaint (the masked region filled from its surroundings, or with the
  prompt's picture).
- `outpaint`: the canvas extended and its margins filled.
- `background`: remove-background, the subject cut out with real alpha.
- `upscale`: fast upscale, x4 resampled and sharpened.
- `recolor`: search-and-recolor, a colour's regions given another colour.
- `control`: control-sketch and control-structure, the prompt's picture along the input's lines.

Tasks that need a model (finding "the mug" from words, a style from an image) are not the
built-in renderer's (`catalogue.built_in`): submit refuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PIL import Image

from imagejobs.engines.base import JobParameters, Task
from imagejobs.engines.pillow.edits.background import remove_background
from imagejobs.engines.pillow.edits.control import control
from imagejobs.engines.pillow.edits.fill import erase, inpaint
from imagejobs.engines.pillow.edits.outpaint import outpaint
from imagejobs.engines.pillow.edits.recolor import recolor
from imagejobs.engines.pillow.edits.upscale import upscale
from imagejobs.exceptions import PermanentEngineError

# An edit: the job's parameters, its input images opened (by parameter name), and the seed of
# the image to make.
Edit = Callable[[JobParameters, Mapping[str, Image.Image], int], Image.Image]

EDITS: dict[Task, Edit] = {
    "inpaint": inpaint,
    "erase": erase,
    "outpaint": outpaint,
    "remove-background": remove_background,
    "upscale": upscale,
    "search-and-recolor": recolor,
    "control-sketch": control,
    "control-structure": control,
}


def edit(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    """The edited image for `seed`; a `PermanentEngineError` for what cannot be done."""
    done = EDITS.get(parameters.task)
    if done is None:  # submit refuses these; a job stored before a task left may still come
        raise PermanentEngineError(f"the built-in renderer does not {parameters.task}")
    if "image" not in images:
        raise PermanentEngineError(f"{parameters.task} needs an image")
    return done(parameters, images, seed)
