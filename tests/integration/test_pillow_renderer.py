"""The Pillow engine: exact sizes and formats, reproducible bytes, and pictures that follow
the prompt, the negative prompt, the seed, the style and the guidance."""

import hashlib
import io
import itertools
import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from imagejobs.engines.base import STYLES, ImageFormat, JobParameters, RenderedImage, Style
from imagejobs.engines.pillow.brief import choose_subject
from imagejobs.engines.pillow.engine import MAX_SIDE, PillowRenderer
from imagejobs.engines.pillow.scene import compose
from imagejobs.exceptions import PermanentEngineError

SIDE = 96
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def render(prompt: str = "a lighthouse on a cliff", **overrides: Any) -> list[RenderedImage]:
    fields: dict[str, Any] = {"width": SIDE, "height": SIDE, "seed": 7, **overrides}
    return PillowRenderer().render(JobParameters(prompt=prompt, **fields), {})


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


def digest(request: dict[str, Any]) -> str:
    """The sha256 of the request's first image, rendered here."""
    return hashlib.sha256(render(**request)[0].data).hexdigest()


def digests_in_another_process(requests: list[dict[str, Any]]) -> list[str]:
    """`digest` of each request, in a process whose string hashing is salted differently."""
    script = (
        "import hashlib, json, sys; from imagejobs.engines.base import JobParameters;"
        "from imagejobs.engines.pillow.engine import PillowRenderer;"
        "print(' '.join(hashlib.sha256(PillowRenderer().render(JobParameters(**r), {})[0].data)"
        ".hexdigest() for r in json.loads(sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(requests)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return result.stdout.split()


def test_the_same_request_gives_the_same_bytes_in_another_process() -> None:
    # Given a request
    request = {"prompt": "neon city", "width": 64, "height": 48, "seed": 5}

    # When it is rendered in another process and here
    elsewhere = digests_in_another_process([request])

    # Then they are byte-identical: nothing depends on the process
    assert elsewhere == [digest(request)]


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
    # (JobParameters' type refuses it: only parameters built without validation have one)
    parameters = JobParameters.model_construct(
        prompt="a lighthouse", width=SIDE, height=SIDE, seed=7, image_format="gif"
    )
    with pytest.raises(PermanentEngineError, match="gif"):
        PillowRenderer().render(parameters, {})


def test_the_router_renders_a_built_in_job_with_the_pillow_renderer() -> None:
    # Imported here: other tests reload the imagejobs package between tests.
    from imagejobs.engines import EngineRouter
    from imagejobs.engines.base import JobParameters
    from imagejobs.engines.options import EngineOptions

    # Given a job for the built-in renderer
    parameters = JobParameters(
        prompt="a lighthouse", width=80, height=48, seed=3, image_format="jpeg"
    )

    # When the worker's router renders it
    [image] = EngineRouter(EngineOptions()).render(parameters, {})

    # Then it draws the built-in renderer's picture, byte for byte, at the size and format asked
    assert (
        image.data
        == render("a lighthouse", width=80, height=48, seed=3, image_format="jpeg")[0].data
    )
    assert (decode(image).format, decode(image).size) == ("JPEG", (80, 48))


def test_the_router_fails_a_job_whose_model_left_the_catalogue_as_unavailable() -> None:
    from imagejobs.engines import EngineRouter
    from imagejobs.engines.base import JobParameters
    from imagejobs.engines.options import EngineOptions
    from imagejobs.exceptions import ModelUnavailableError

    # Given a job queued for a model past its end of life, as stored jobs may name
    parameters = JobParameters(prompt="a lighthouse", model="amazon.nova-canvas-v1:0", seed=3)

    # When it is rendered, then it fails for good, naming the model
    with pytest.raises(ModelUnavailableError, match=r"amazon\.nova-canvas-v1:0"):
        EngineRouter(EngineOptions()).render(parameters, {})


def test_image_to_image_blends_the_prompts_picture_over_the_input_by_strength() -> None:
    # Given a flat grey input image
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (128, 128, 128)).save(buffer, format="PNG")
    grey = buffer.getvalue()

    def drawn(strength: float) -> Image.Image:
        parameters = JobParameters(
            prompt="a red sunset", seed=4, task="image-to-image", strength=strength
        )
        [image] = PillowRenderer().render(parameters, {"image": grey})
        return decode(image).convert("RGB")

    # When it is rendered at no strength, some, and full
    kept, blended, replaced = drawn(0.0), drawn(0.5), drawn(1.0)

    # Then the output has the input's size; 0 keeps the input, 1 is the prompt's picture alone
    assert kept.size == blended.size == replaced.size == (96, 64)
    assert kept.getextrema() == ((128, 128), (128, 128), (128, 128))
    assert replaced.tobytes() != kept.tobytes()
    pixel = blended.getpixel((10, 10))
    expected = tuple((128 + c) // 2 for c in replaced.getpixel((10, 10)))  # type: ignore[union-attr]
    assert all(abs(a - b) <= 1 for a, b in zip(pixel, expected, strict=True))  # type: ignore[arg-type]


def test_importing_the_engine_registry_does_not_import_pillow() -> None:
    # Given a fresh interpreter
    script = "import sys, imagejobs.engines; print('PIL' in sys.modules)"

    # When only the registry is imported
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    # Then Pillow is not loaded: an engine's imports are paid only when it is chosen
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- styles and guidance

STYLED: tuple[Style, ...] = tuple(style for style in STYLES if style != "none")


def saturation(image: Image.Image) -> float:
    """Mean HSV saturation, 0 (grey) to 255."""
    return float(ImageStat.Stat(image.convert("HSV")).mean[1])


def luminance(image: Image.Image) -> float:
    return float(ImageStat.Stat(image.convert("L")).mean[0])


def edge_energy(image: Image.Image) -> float:
    """Mean strength of edges; the border is cropped, where Pillow leaves pixels unfiltered."""
    edges = image.convert("L").filter(ImageFilter.FIND_EDGES)
    return float(ImageStat.Stat(edges.crop((1, 1, edges.width - 1, edges.height - 1))).mean[0])


def distinct_colours(image: Image.Image) -> int:
    return len(image.getcolors(image.width * image.height) or [])


def warmth(image: Image.Image) -> float:
    red, _, blue = mean_rgb(image)
    return red - blue


def mirror_difference(image: Image.Image) -> float:
    """How far the picture is from its mirror image, 0 for a symmetric one."""
    return mean_difference(image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT))


# Digests of the pixels today's `none` pictures had before styles existed: a style-less
# request must keep giving existing users the very same pictures.
NONE_PICTURES = [
    (
        "a lighthouse on a cliff",
        7,
        None,
        "bb4f08ad22026c17df99e8c4c6d5789b4484283085a1c2cab7515581cce3ddcd",
    ),
    (
        "red sunset over the ocean, mountains and a neon city with trees, flowers and a cat",
        3,
        None,
        "819f9e1e588f9f76f26e8ef26f93b533c1ed400eda3b548c726b0c3817c59949",
    ),
    (
        "green forest at night",
        11,
        "moon",
        "fef1b1ef3ed3442e0911f7c4b722b543344b87fd9b3440577623f93bb3193a00",
    ),
]


@pytest.mark.parametrize(("prompt", "seed", "negative_prompt", "digest"), NONE_PICTURES)
def test_style_none_paints_the_pictures_it_painted_before_styles(
    prompt: str, seed: int, negative_prompt: str | None, digest: str
) -> None:
    # Given a request with no style, and the same request with style "none"
    request: dict[str, Any] = {
        "width": 96,
        "height": 64,
        "seed": seed,
        "negative_prompt": negative_prompt,
    }

    # When both are rendered
    default = render(prompt, **request)[0]
    explicit = render(prompt, style="none", **request)[0]

    # Then both are byte-identical, and their pixels are those of the engine before styles
    assert explicit.data == default.data
    pixel_digest = hashlib.sha256(decode(default).convert("RGB").tobytes()).hexdigest()
    assert pixel_digest == digest


@pytest.mark.parametrize("prompt", ["a lighthouse on a cliff", "a ginger cat", "city at night"])
def test_every_pair_of_styles_paints_clearly_different_pictures(prompt: str) -> None:
    # Given one prompt and seed
    # When it is rendered in every style
    pictures = {style: pixels(prompt, style=style) for style in STYLES}

    # Then any two styles differ by far more than a tint
    for first, second in itertools.combinations(STYLES, 2):
        difference = mean_difference(pictures[first], pictures[second])
        assert difference > 15, f"{first} and {second} differ by only {difference:.1f}"


@pytest.mark.parametrize("style", STYLES)
def test_the_prompt_still_matters_in_every_style(style: Style) -> None:
    # Given two unlike prompts
    # When both are rendered in the same style with the same seed
    first = pixels("a red perfume bottle", style=style)
    second = pixels("snowy mountains under a blue sky", style=style)

    # Then the pictures differ clearly
    assert mean_difference(first, second) > 8


def visibly_changed(a: Image.Image, b: Image.Image) -> int:
    """How many pixels differ by more than 32 of 255 in a channel: more than rounding or
    compression could, so something was drawn elsewhere or in another shape."""
    changed = ImageChops.difference(a, b).convert("L").point(lambda level: 255 * (level > 32))
    return changed.histogram()[255]


@pytest.mark.parametrize("style", STYLES)
def test_every_seed_gives_a_different_picture_in_every_style(style: Style) -> None:
    # Given one prompt in one style
    # When it is rendered with five seeds
    pictures = [pixels("a lighthouse on a cliff", style=style, seed=seed) for seed in range(1, 6)]

    # Then every two of the pictures differ visibly, in a patch of pixels and not a few:
    # even minimalist's one small subject, moved, changes over 0.5% of the picture
    for first, second in itertools.combinations(pictures, 2):
        assert visibly_changed(first, second) > SIDE * SIDE * 0.005


@pytest.mark.parametrize("style", STYLED)
@pytest.mark.parametrize(
    ("image_format", "quality"),
    [("png", None), ("jpeg", None), ("jpeg", 40), ("webp", None), ("webp", 40)],
)
def test_a_styled_request_gives_the_same_bytes_every_time(
    style: Style, image_format: ImageFormat, quality: int | None
) -> None:
    # Given one styled request
    request: dict[str, Any] = {
        "seed": 99,
        "style": style,
        "image_format": image_format,
        "quality": quality,
    }

    # When it is rendered twice
    first = render("a cup of coffee by the window", **request)[0].data
    second = render("a cup of coffee by the window", **request)[0].data

    # Then the bytes are identical
    assert first == second


def test_styled_requests_give_the_same_bytes_in_another_process() -> None:
    # Given a request in every style
    requests = [
        {"prompt": "a gift box", "width": 64, "height": 48, "seed": 5, "style": style}
        for style in STYLES
    ]

    # When they are rendered in another process and here
    elsewhere = digests_in_another_process(requests)

    # Then they are byte-identical, style by style
    assert elsewhere == [digest(request) for request in requests]


@pytest.mark.parametrize("style", STYLED)
@pytest.mark.parametrize(("width", "height"), [(1, 1), (3, 200), (MAX_SIDE, 2), (160, 90)])
def test_styles_render_extreme_sizes_exactly(style: Style, width: int, height: int) -> None:
    # Given a styled request at the edges of what the engine accepts, or not square
    # When it is rendered
    (image,) = render("a red perfume bottle", width=width, height=height, style=style)

    # Then the picture has exactly that size
    assert decode(image).size == (width, height)


@pytest.mark.parametrize("image_format", ["jpeg", "webp"])
@pytest.mark.parametrize("style", ["product_ad", "vibrant"])
def test_quality_changes_the_size_of_styled_lossy_images(
    style: Style, image_format: ImageFormat
) -> None:
    # Given one styled picture in a lossy format
    # When it is encoded at a low and at a high quality
    low = render("neon city", style=style, image_format=image_format, quality=20)[0].data
    high = render("neon city", style=style, image_format=image_format, quality=95)[0].data

    # Then the low-quality file is clearly smaller
    assert len(low) < len(high) * 0.8


@pytest.mark.parametrize(
    "prompt", ["a lighthouse on a cliff", "red sunset over the ocean", "city at night"]
)
def test_vibrant_is_more_saturated_than_none_and_minimalist(prompt: str) -> None:
    # Given one prompt
    # When it is rendered plain, minimalist and vibrant
    plain = saturation(pixels(prompt, style="none"))
    minimalist = saturation(pixels(prompt, style="minimalist"))
    vibrant = saturation(pixels(prompt, style="vibrant"))

    # Then vibrant's colours are by far the most saturated
    assert vibrant > plain + 15
    assert vibrant > minimalist * 2


@pytest.mark.parametrize(
    "prompt", ["sunny day over the hills", "snowy mountains", "a lighthouse on a cliff"]
)
def test_luxury_is_darker_than_none(prompt: str) -> None:
    # Given a bright prompt
    # When it is rendered plain and in luxury
    plain = luminance(pixels(prompt, style="none"))
    luxury = luminance(pixels(prompt, style="luxury"))

    # Then luxury's dark backdrop makes it much darker
    assert luxury < plain * 0.5


@pytest.mark.parametrize("prompt", ["city at night", "sunny day", "a white cat in the snow"])
def test_luxury_is_dark_whatever_the_prompt(prompt: str) -> None:
    # Given a prompt, dark or bright
    # When it is rendered in luxury
    # Then the picture stays dark: a near-black backdrop behind a lit subject
    assert luminance(pixels(prompt, style="luxury")) < 80


@pytest.mark.parametrize(
    "prompt", ["a lighthouse on a cliff", "red sunset over the ocean", "a ginger cat"]
)
def test_minimalist_has_few_colours_and_the_least_edge(prompt: str) -> None:
    # Given one prompt
    # When it is rendered in every style
    pictures = {style: pixels(prompt, style=style) for style in STYLES}

    # Then minimalist is a few flat colours (and the blends at their edges)
    minimalist = pictures.pop("minimalist")
    assert distinct_colours(minimalist) <= 40
    assert distinct_colours(pictures["none"]) > 10 * distinct_colours(minimalist)
    # And it has less edge than any other style, none included
    assert edge_energy(minimalist) < min(edge_energy(p) for p in pictures.values())


def edge_centre(image: Image.Image) -> float:
    """Where the picture's edges balance horizontally, as a fraction of its width."""
    edges = image.convert("L").filter(ImageFilter.FIND_EDGES)
    edges = edges.crop((1, 1, edges.width - 1, edges.height - 1))
    columns = list(edges.resize((edges.width, 1), Image.Resampling.BOX).tobytes())
    return sum(x * weight for x, weight in enumerate(columns)) / sum(columns) / edges.width


@pytest.mark.parametrize("prompt", ["a red perfume bottle", "a ginger cat", "quantum teapot"])
def test_product_ad_centres_its_subject_near_symmetrically(prompt: str) -> None:
    # Given one prompt
    # When it is rendered as a product ad and as a lifestyle picture
    product_ad = pixels(prompt, style="product_ad", width=128, height=128)
    lifestyle = pixels(prompt, style="lifestyle", width=128, height=128)

    # Then the product ad's edges (subject, podium, props) balance about the middle
    assert abs(edge_centre(product_ad) - 0.5) < 0.04
    # And it is far closer to its mirror image than the lifestyle picture
    assert mirror_difference(product_ad) < mirror_difference(lifestyle) / 2


@pytest.mark.parametrize("prompt", ["snowy mountains", "city at night", "a lighthouse on a cliff"])
def test_lifestyle_is_warmer_than_none(prompt: str) -> None:
    # Given a cool prompt
    # When it is rendered plain and in lifestyle
    plain = warmth(pixels(prompt, style="none"))
    lifestyle = warmth(pixels(prompt, style="lifestyle"))

    # Then lifestyle's warm light shifts it clearly towards red
    assert lifestyle > plain + 25


def hue_share(image: Image.Image, low: int, high: int) -> float:
    """The share of pixels of a visible colour (neither grey nor near black) whose hue, 0-255
    round the circle, is within low..high."""
    hue, saturation, value = image.convert("HSV").split()
    mask = hue.point(lambda h: 255 if low <= h <= high else 0)
    mask = ImageChops.multiply(mask, saturation.point(lambda s: 255 if s > 50 else 0))
    mask = ImageChops.multiply(mask, value.point(lambda v: 255 if v > 60 else 0))
    return mask.histogram()[255] / (image.width * image.height)


def red_share(image: Image.Image) -> float:
    """Reds and oranges: hues from about 353 degrees round to 28."""
    return hue_share(image, 0, 20) + hue_share(image, 250, 255)


@pytest.mark.parametrize("style", STYLED)
def test_negative_prompt_removes_the_colours_it_names_in_every_style(style: Style) -> None:
    # Given a red sunset in one style, with and without red and orange excluded
    # When both are rendered with the same seed
    plain = red_share(pixels("a red sunset", style=style))
    without_warm = red_share(pixels("a red sunset", style=style, negative_prompt="red, orange"))

    # Then reds and oranges were a clear part of the picture, and are almost all gone
    assert plain > 0.1
    assert without_warm < plain / 4


def test_negative_gold_turns_luxury_gold_to_silver() -> None:
    # Given a blue bottle in luxury, with and without gold excluded
    # When both are rendered
    golden = pixels("a blue perfume bottle", style="luxury", width=128, height=128)
    silver = pixels(
        "a blue perfume bottle", style="luxury", width=128, height=128, negative_prompt="gold"
    )

    # Then the frame, ornaments and trim are no longer gold (hues of about 28-64 degrees)
    assert hue_share(golden, 20, 45) > 0.02
    assert hue_share(silver, 20, 45) < hue_share(golden, 20, 45) / 20


@pytest.mark.parametrize(
    ("prompt", "negative_prompt", "named", "excluded"),
    [
        ("a cat on a gift box", None, "cat", None),
        ("a cat on a gift box", "cat", "box", "cat"),
        ("a forest of trees", "tree", None, "plant"),
        ("sunset over the sea", "drop, water, clouds", None, "drop"),
    ],
)
def test_the_subject_follows_the_prompt_and_the_negative_prompt(
    prompt: str, negative_prompt: str | None, named: str | None, excluded: str | None
) -> None:
    # Given a prompt that names (or suggests) a subject, and a negative prompt
    # When the styles choose their subject
    subject = choose_subject(prompt, compose(prompt, negative_prompt), negative_prompt)

    # Then it is the first one the prompt names that the negative prompt does not exclude
    if named is not None:
        assert subject == named
    assert subject != excluded


@pytest.mark.parametrize("style", STYLES)
def test_guidance_6_5_and_none_leave_the_picture_as_it_is(style: Style) -> None:
    # Given one request without guidance and with the engine's default guidance
    # When both are rendered
    without = render("red sunset over the ocean", style=style)[0].data
    default = render("red sunset over the ocean", style=style, guidance=6.5)[0].data

    # Then the bytes are identical
    assert default == without


@pytest.mark.parametrize("style", ["none", "product_ad", "luxury"])
def test_guidance_mutes_below_the_default_and_saturates_above(style: Style) -> None:
    # Given one request at low, default and high guidance
    # When each is rendered
    low, default, high = (
        saturation(pixels("red sunset over the ocean", style=style, guidance=guidance))
        for guidance in (1.1, 6.5, 10.0)
    )

    # Then saturation grows with guidance, clearly at each step
    assert low < default * 0.6
    assert high > default * 1.15
