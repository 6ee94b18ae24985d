"""`minimalist`: one flat muted field from the prompt's sky (dark for a dark sky), the scene's
ground as a second flat band, one small flat subject in a muted prompt colour off-centre; no
texture, light or vignette."""

from __future__ import annotations

from PIL import Image, ImageDraw

from imagejobs.engines.pillow.brief import Brief
from imagejobs.engines.pillow.canvas import Spot
from imagejobs.engines.pillow.colour import from_hsv, hsv, muted, vivid
from imagejobs.engines.pillow.compositing import Look, place
from imagejobs.engines.pillow.subjects import Finish


def paint(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("minimalist")
    unit = min(width, height)
    hue, saturation, value = hsv(rng.choice(brief.scene.sky))
    dark = value < 0.35  # a dark prompt (night, space) gets a dark field and a pale mark
    field = from_hsv(hue, min(saturation, 0.35 if dark else 0.18), 0.2 if dark else 0.92)
    # The colour the prompt names, else one of its vivid ones.
    lead = brief.scene.highlight or rng.choice(vivid(brief.scene.accents)[:3])
    ink = muted(lead, 0.3, 0.86) if dark else muted(lead, 0.38, 0.42)
    image = Image.new("RGB", (width, height), field)
    x = width * rng.choice((0.3, 0.7)) + unit * rng.uniform(-0.04, 0.04)
    size = unit * rng.uniform(0.14, 0.19)
    base = height * rng.uniform(0.55, 0.78)
    if brief.scene.ground is not None:  # the scene's ground, as one more flat muted band
        hue, saturation, _ = hsv(brief.scene.ground[0])
        ground = from_hsv(hue, min(saturation, 0.2), 0.27 if dark else 0.8)
        ImageDraw.Draw(image).rectangle((0, round(base), width, height), fill=ground)
    place(image, brief.subject_drawing(Finish.flat(ink)), Spot(x, base, size), Look(light=None))
    return image
