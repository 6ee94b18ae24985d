"""What a model takes and gives: its body's fields, the rules across fields, and the size of
the picture it answers with. The models themselves are in generation.py and services.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PIL import Image

from imagejobs_dev.bedrock_standin import pages
from imagejobs_dev.bedrock_standin.errors import InvalidBody
from imagejobs_dev.bedrock_standin.schema import Body, Field, choice, integer, text

Rule = Callable[[Body], None]  # raises InvalidBody when the body breaks it


@dataclass(frozen=True)
class Output:
    size: tuple[int, int]
    alpha: bool = False  # a transparent background (remove-background)
    inset: tuple[Image.Image, int, int] | None = None  # the input, pasted at (x, y)


@dataclass(frozen=True)
class ModelSpec:
    page: str
    fields: Mapping[str, Field]
    rules: tuple[Rule, ...]
    output: Callable[[Body], Output]
    mask_fields: tuple[str, ...] = ()  # masks that Bedrock resizes to the image's size


# The aspect ratios of SD3.5 Large, Core, Ultra and Style Guide (each page's `aspect_ratio` enum).
ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
# Their pixel sizes: no AWS page lists them. Stability's reference says the output is about one
# megapixel, 1024x1024 by default (pages.STABILITY_SD3, pages.STABILITY_ULTRA), and the Core and
# Ultra pages bound each side to 640..1,536 px; these are the one-megapixel, 64-multiple sizes
# within those bounds (an assumption, recorded in docs/bedrock-sources.md: clients must read the
# size of the image they get back, never assume it).
RATIO_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "21:9": (1536, 640),
    "9:21": (640, 1536),
    "3:2": (1216, 832),
    "2:3": (832, 1216),
    "5:4": (1088, 896),
    "4:5": (896, 1088),
}
ONE_MEGAPIXEL = 1_048_576
FOUR_MEGAPIXELS = 4_194_304
STYLE_PRESETS = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)
OUTPUT_FORMATS = ("jpeg", "png", "webp")


def prompt(source: str, *, required: bool = True) -> Field:
    """ "Minimum 0 and Maximum 10000 characters" on every Stability page here."""
    return text(source, required=required, high=10_000)


def seed(source: str, high: int) -> Field:
    return integer(source, 0, high)


def output_format(source: str, *formats: str) -> Field:
    return choice(source, *(formats or OUTPUT_FORMATS), default="png")


def refuse(name: str, problem: str, source: str) -> InvalidBody:
    return InvalidBody(name, problem, source)


def one_image_size(body: Body, name: str) -> tuple[int, int]:
    picture = body.images[name]
    return picture.width, picture.height


def check_spec(spec: ModelSpec) -> ModelSpec:
    """Every field and rule cites a page (the stand-in's own test asserts it too)."""
    assert spec.page.startswith("https://"), spec.page
    for name, field in spec.fields.items():
        assert field.source.startswith("https://"), (name, field.source)
    return spec


__all__ = ["ASPECT_RATIOS", "STYLE_PRESETS", "Body", "ModelSpec", "Output", "pages"]
