"""The Pillow engine: exact sizes and formats, reproducible bytes, and pictures that follow
the prompt, the negative prompt and the seed."""

import hashlib
import io
import math
import os
import subprocess
import sys
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from imagejobs.engines.base import ImageFormat, RenderedImage, RenderRequest
from imagejobs.engines.pillow_renderer import MAX_SIDE, PillowRenderer
from imagejobs.exceptions import PermanentEngineError

SIDE = 96
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def render(prompt: str = "a lighthouse on a cliff", **overrides: Any) -> list[RenderedImage]:
    fields: dict[str, Any] = {"width": SIDE, "height": SIDE, "seed": 7, **overrides}
    return PillowRenderer().render(RenderRequest(prompt=prompt, **fields))


def decode(image: RenderedImage) -> Image.Image:
    return Image.open(io.BytesIO(image.data))


def pixels(prompt: str, **overrides: Any) -> Image.Image:
    return decode(render(prompt, **overrides)[0]).convert("RGB")


def mean_rgb(image: Image.Image) -> tuple[float, float, float]:
    red, green, blue = ImageStat.Stat(image).mean
    return red, green, blue


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference, 0 (identical) to 255."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.mark.parametrize("image_format", ["png", "jpeg", "webp"])
def test_renders_the_requested_size_in_the_requested_format(image_format: ImageFormat) -> None:
    # Given a landscape request in one of the supported formats
    # When it is rendered
    (image,) = render("sunset over the sea", width=120, height=72, image_format=image_format)

    # Then the bytes decode as that format, at exactly that size
    decoded = decode(image)
    assert decoded.format == PIL_FORMATS[image_format]
    assert decoded.size == (120, 72)
    assert (image.width, image.height, image.image_format) == (120, 72, image_format)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (3, 200), (MAX_SIDE, 2), (2, MAX_SIDE)])
def test_renders_extreme_but_allowed_sizes_exactly(width: int, height: int) -> None:
    # Given a request at the edges of what the engine accepts
    # When it is rendered
    (image,) = render("city at night with stars", width=width, height=height)

    # Then the picture has exactly that size
    assert decode(image).size == (width, height)


@pytest.mark.parametrize("image_format", ["png", "jpeg", "webp"])
def test_the_same_request_gives_the_same_bytes(image_format: ImageFormat) -> None:
    # Given one request
    request: dict[str, Any] = {
        "prompt": "snowy mountains",
        "seed": 123,
        "image_format": image_format,
    }

    # When it is rendered twice
    first = render(**request)[0].data
    second = render(**request)[0].data

    # Then the bytes are identical
    assert first == second


def test_the_same_request_gives_the_same_bytes_in_another_process() -> None:
    # Given a render in a process whose string hashing is salted differently from ours
    script = (
        "import hashlib; from imagejobs.engines.base import RenderRequest;"
        "from imagejobs.engines.pillow_renderer import PillowRenderer;"
        "r = RenderRequest(prompt='neon city', width=64, height=48, seed=5);"
        "print(hashlib.sha256(PillowRenderer().render(r)[0].data).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}

    # When it and the same render here are compared
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    local = render("neon city", width=64, height=48, seed=5)[0].data

    # Then they are byte-identical: nothing depends on the process
    assert result.stdout.strip() == hashlib.sha256(local).hexdigest()


def test_a_different_seed_gives_a_different_picture() -> None:
    # Given one prompt
    prompt = "a forest by a lake at sunset"

    # When it is rendered with two seeds
    first = pixels(prompt, seed=1)
    second = pixels(prompt, seed=2)

    # Then the pictures differ clearly, not in a few pixels
    assert mean_difference(first, second) > 5


def test_different_prompts_give_different_palettes() -> None:
    # Given a warm prompt and a cold, dark one
    # When both are rendered with the same seed
    sunset = mean_rgb(pixels("red sunset over the ocean"))
    forest = mean_rgb(pixels("green forest at night"))

    # Then the sunset is red-dominated, the forest green-dominated, and far apart in colour
    assert sunset[0] > sunset[1] + 20
    assert forest[1] > forest[0] + 10
    assert math.dist(sunset, forest) > 60


def test_night_is_darker_than_day() -> None:
    # Given the same scene by day and by night
    # When both are rendered
    day = sum(mean_rgb(pixels("sunny day over the hills")))
    night = sum(mean_rgb(pixels("night over the hills")))

    # Then the night is much darker
    assert night < day * 0.6


def test_prompts_of_unknown_words_still_differ() -> None:
    # Given two prompts of words outside the engine's vocabulary
    # When both are rendered with the same seed
    first = pixels("quantum teapot")
    second = pixels("bureaucratic llama")

    # Then the pictures still differ clearly
    assert mean_difference(first, second) > 20


def test_negative_prompt_removes_the_colours_it_names() -> None:
    # Given a sunset, with and without red and orange excluded
    # When both are rendered with the same seed
    plain = mean_rgb(pixels("sunset"))
    without_warm = mean_rgb(pixels("sunset", negative_prompt="red, orange"))

    # Then the picture without them is clearly less red
    assert without_warm[0] < plain[0] - 10


def test_negative_prompt_removes_the_motifs_it_names() -> None:
    # Given a sunny day, with and without the sun excluded
    with_sun = pixels("sunny day", negative_prompt=None)
    without_sun = pixels("sunny day", negative_prompt="sun")

    # Then the pictures differ, and only where the sun was
    difference = ImageChops.difference(with_sun, without_sun).convert("L")
    assert difference.getbbox() is not None
    changed = sum(difference.histogram()[17:])  # pixels that changed by more than 16
    assert 0 < changed < SIDE * SIDE / 2


def test_negative_prompt_of_words_not_in_the_picture_changes_nothing() -> None:
    # Given a negative prompt naming nothing the picture contains
    # When the prompt is rendered with and without it
    plain = render("sunset over the ocean")[0].data
    negated = render("sunset over the ocean", negative_prompt="teapots, a cat, trees")[0].data

    # Then the bytes are the same: a negative prompt removes, it does not reshuffle
    assert negated == plain


def test_each_image_of_a_request_uses_the_next_seed() -> None:
    # Given a request for three images from seed 40
    # When it is rendered
    images = render("flowers in a meadow", seed=40, num_images=3)

    # Then image n used seed 40 + n, is the picture that seed alone gives, and all differ
    assert [image.seed for image in images] == [40, 41, 42]
    assert images[2].data == render("flowers in a meadow", seed=42)[0].data
    assert len({image.data for image in images}) == 3


@pytest.mark.parametrize(
    ("width", "height"), [(MAX_SIDE + 1, SIDE), (SIDE, MAX_SIDE + 1), (0, SIDE), (SIDE, -1)]
)
def test_sizes_outside_the_limits_fail_permanently(width: int, height: int) -> None:
    # Given a size no retry can make valid
    # When it is rendered
    # Then the engine fails permanently, so the job fails at once
    with pytest.raises(PermanentEngineError, match="outside"):
        render(width=width, height=height)


def test_an_unsupported_format_fails_permanently() -> None:
    # Given a format the engine cannot encode
    # When it is rendered
    # Then the engine fails permanently
    with pytest.raises(PermanentEngineError, match="gif"):
        render(image_format="gif")


def test_get_engine_builds_the_pillow_renderer() -> None:
    # Imported here: other tests reload the imagejobs package between tests.
    from imagejobs.engines import get_engine
    from imagejobs.engines.pillow_renderer import PillowRenderer

    # Given the template's default engine name
    # When the engine is looked up
    engine = get_engine("pillow")

    # Then it is the Pillow renderer
    assert isinstance(engine, PillowRenderer)
    assert engine.name == "pillow"


def test_get_engine_rejects_an_unknown_name_and_lists_the_known_ones() -> None:
    from imagejobs.engines import get_engine

    # Given a name no engine has
    # When it is looked up
    # Then the error names it and the engines that exist
    with pytest.raises(ValueError, match=r"'nope'.*pillow"):
        get_engine("nope")


def test_importing_the_engine_registry_does_not_import_pillow() -> None:
    # Given a fresh interpreter
    script = "import sys, imagejobs.engines; print('PIL' in sys.modules)"

    # When only the registry is imported
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    # Then Pillow is not loaded: an engine's imports are paid only when it is chosen
    assert result.stdout.strip() == "False"
