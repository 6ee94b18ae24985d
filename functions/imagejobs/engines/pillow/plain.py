"""The "none" style: the prompt's scene as a landscape of its motifs, far ones softened."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from imagejobs.engines.pillow.canvas import Canvas, gradient
from imagejobs.engines.pillow.colour import shaded
from imagejobs.engines.pillow.motifs import PAINTERS
from imagejobs.engines.pillow.randomness import seeded_rng
from imagejobs.engines.pillow.scene import Scene
from imagejobs.engines.pillow.vocabulary import FAR_MOTIFS, NEAR_MOTIFS


def paint(scene: Scene, width: int, height: int, prompt: str, seed: int) -> Image.Image:
    """The scene at `width` x `height`; the seed (with the prompt) places everything."""
    horizon_rng = seeded_rng(prompt, seed, "horizon")
    horizon = height if scene.ground is None else round(height * horizon_rng.uniform(0.55, 0.72))
    canvas = _background(scene, width, height, horizon)
    for motif in scene.motifs:
        if motif in FAR_MOTIFS:
            PAINTERS[motif](canvas, seeded_rng(prompt, seed, motif))
    # Soften the distance; the blur's cost depends on the pixel count, not on its radius.
    _set_image(canvas, canvas.image.filter(ImageFilter.GaussianBlur(canvas.unit / 400)))
    for motif in scene.motifs:
        if motif in NEAR_MOTIFS:
            PAINTERS[motif](canvas, seeded_rng(prompt, seed, motif))
    _vignette(canvas)
    return canvas.image


def _background(scene: Scene, width: int, height: int, horizon: int) -> Canvas:
    image = Image.new("RGB", (width, height))
    image.paste(gradient(scene.sky, width, max(horizon, 1)), (0, 0))
    if scene.ground is not None and horizon < height:
        lit = [shaded(c, scene.light) for c in (*scene.ground, shaded(scene.ground[-1], 0.7))]
        image.paste(gradient(lit, width, height - horizon), (0, horizon))
    return Canvas(image, ImageDraw.Draw(image, "RGBA"), scene, horizon)


def _set_image(canvas: Canvas, image: Image.Image) -> None:
    canvas.image = image
    canvas.draw = ImageDraw.Draw(image, "RGBA")


def _vignette(canvas: Canvas) -> None:
    """Darken the corners a little, which reads as depth; one full-size pass."""
    mask = Image.radial_gradient("L").resize(canvas.image.size, Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: max(0, v - 128) * 90 // 127)
    canvas.image.paste((0, 0, 0), (0, 0, *canvas.image.size), mask)
