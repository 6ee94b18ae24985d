"""Fast upscale: four times the width and height, sharpened with an unsharp mask and resampled
with a Lanczos filter, as Stability's Fast Upscale gives (x4) without a model.

Nothing is invented: the detail is what the input had, its edges made crisper. The input is
sharpened before it is resampled: the same edges come out as crisp as when the result is
sharpened (a quarter-pixel radius there is a pixel here), for a sixteenth of the work, and the
result's 16 megapixels are touched by one pass only. Transparency is resampled with the colours
(Pillow resamples RGBA premultiplied) and not sharpened, so no halo appears at its edges.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageFilter

from imagejobs.engines.base import JobParameters
from imagejobs.engines.pillow.edits.masks import plain

SCALE = 4
# Half a pixel of the input, two of the result; strong, sparing flat areas.
SHARPEN = ImageFilter.UnsharpMask(radius=0.5, percent=80, threshold=2)


def upscale(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    image = plain(images["image"])
    sharpened = image.convert("RGB").filter(SHARPEN)
    if image.mode == "RGBA":
        sharpened.putalpha(image.getchannel("A"))
    return sharpened.resize((image.width * SCALE, image.height * SCALE), Image.Resampling.LANCZOS)
