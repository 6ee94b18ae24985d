"""Style presets: the prompt's colours and subject, composed anew; one module per preset.

`none` is the plain scene (`plain.paint`). Every other style keeps what the prompt brings (its
colours, and a subject: a word such as "bottle" or "cat", else one of its motifs, else a
product chosen by the prompt's hash) and changes both the palette and the composition; each
module's docstring describes its look.

The negative prompt works as in `none` (colours, motifs and themes leave the scene these
styles start from), and also reaches what the styles add: a subject word or motif it names is
not chosen as the subject; "gold" (or "yellow") turns luxury's and product_ad's metal to
silver, then to the prompt's lightest colour; "white" gives product_ad a coloured backdrop
instead of a pale one; "orange" takes lifestyle's warm light out (neutral daylight), and
"brown" or "orange" bleaches its oak table; "black" and "blue" move luxury's backdrop to
another dark; vibrant's complement and accents skip excluded hues.

Cost: a fixed number of vector primitives at full size; soft things (glows, shadows, the
out-of-focus backdrop) are drawn small, blurred there and stretched to the part of the picture
they cover; subjects are drawn in a layer of their own box (at twice their size while small,
for smooth edges). Every pass over pixels costs in proportion to their number, never more,
so a style's cost grows linearly with the picture.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from imagejobs.engines.base import RenderRequest, Style
from imagejobs.engines.pillow.brief import Brief, choose_subject
from imagejobs.engines.pillow.scene import Exclusions, Scene
from imagejobs.engines.pillow.styles import lifestyle, luxury, minimalist, product_ad, vibrant

StylePainter = Callable[[Brief, int, int], Image.Image]

STYLE_PAINTERS: dict[Style, StylePainter] = {
    "product_ad": product_ad.paint,
    "lifestyle": lifestyle.paint,
    "minimalist": minimalist.paint,
    "vibrant": vibrant.paint,
    "luxury": luxury.paint,
}


def paint_styled(request: RenderRequest, scene: Scene, seed: int) -> Image.Image:
    """The request's scene in its style, any style but "none" (that is `plain.paint`'s), for
    the image of `seed`."""
    brief = Brief(
        scene=scene,
        subject=choose_subject(request.prompt, scene, request.negative_prompt),
        excluded=Exclusions.parse(request.negative_prompt),
        prompt=request.prompt,
        seed=seed,
    )
    return STYLE_PAINTERS[request.style](brief, request.width, request.height)
