"""The stand-in's thirteen Stability AI Image Services, driven by a real bedrock-runtime client:
each documented body is accepted through its `us.` profile and answered with an image of the
documented size (outpaint adds its margins, fast upscale is x4, remove-background has alpha),
and each documented limit is a refusal that names its field.

Sizes and limits are written here from stable-image-services.html (docs/bedrock-sources.md).
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

from tests.support.bedrock_standin_world import (
    World,
    assert_refused,
    encoded_image,
    refusals,
    standin_in,
)

SERVICES = {
    "inpaint": "stability.stable-image-inpaint-v1:0",
    "outpaint": "stability.stable-outpaint-v1:0",
    "search-replace": "stability.stable-image-search-replace-v1:0",
    "search-recolor": "stability.stable-image-search-recolor-v1:0",
    "erase": "stability.stable-image-erase-object-v1:0",
    "remove-background": "stability.stable-image-remove-background-v1:0",
    "control-sketch": "stability.stable-image-control-sketch-v1:0",
    "control-structure": "stability.stable-image-control-structure-v1:0",
    "style-guide": "stability.stable-image-style-guide-v1:0",
    "style-transfer": "stability.stable-style-transfer-v1:0",
    "fast-upscale": "stability.stable-fast-upscale-v1:0",
    "conservative-upscale": "stability.stable-conservative-upscale-v1:0",
    "creative-upscale": "stability.stable-creative-upscale-v1:0",
}
PHOTO = encoded_image(640, 480)
MASK = encoded_image(640, 480, mode="L", colour=255)
SMALL = encoded_image(300, 200)


def profile(task: str) -> str:
    return f"us.{SERVICES[task]}"


# task, a documented body, and the size of what it returns
VALID: list[tuple[str, dict[str, Any], tuple[int, int]]] = [
    ("inpaint", {"prompt": "a red hat", "image": PHOTO, "mask": MASK}, (640, 480)),
    ("inpaint", {"prompt": "a red hat", "image": encoded_image(640, 480, mode="RGBA")},
     (640, 480)),  # the mask from the image's alpha
    ("outpaint", {"image": PHOTO, "left": 100, "right": 60, "up": 20}, (800, 500)),
    ("search-replace", {"prompt": "a glass", "image": PHOTO, "search_prompt": "mug"}, (640, 480)),
    ("search-recolor", {"prompt": "pink", "image": PHOTO, "select_prompt": "jacket"}, (640, 480)),
    ("erase", {"image": PHOTO, "mask": MASK, "grow_mask": 20}, (640, 480)),
    ("remove-background", {"image": PHOTO}, (640, 480)),
    ("control-sketch", {"prompt": "a house", "image": PHOTO, "control_strength": 0.4}, (640, 480)),
    ("control-structure", {"prompt": "a tunnel", "image": PHOTO}, (640, 480)),
    ("style-guide", {"prompt": "a city", "image": PHOTO}, (1024, 1024)),
    ("style-guide", {"prompt": "a city", "image": PHOTO, "aspect_ratio": "21:9"}, (1536, 640)),
    ("fast-upscale", {"image": SMALL}, (1200, 800)),
    ("fast-upscale", {"image": encoded_image(32, 32), "output_format": "jpeg"}, (128, 128)),
]  # fmt: skip


@pytest.mark.parametrize(("task", "body", "size"), VALID, ids=[case[0] for case in VALID])
def test_a_documented_body_gets_an_image_of_the_documented_size(
    standin: World, task: str, body: dict[str, Any], size: tuple[int, int]
) -> None:
    # Given a body as the service's section of the page documents it
    # When it is invoked through the service's us. inference profile
    answer = standin.invoke(profile(task), body)
    # Then one image of the documented size comes back, with a null finish reason
    assert answer.status == 200, answer
    assert answer.document["finish_reasons"] == [None]
    assert answer.image.size == size


@pytest.mark.parametrize("task", ["conservative-upscale", "creative-upscale"])
def test_the_conservative_and_creative_upscales_answer_four_megapixels_in_the_input_shape(
    standin: World, task: str
) -> None:
    # Given / When a 300x200 image is upscaled
    image = standin.invoke(profile(task), {"prompt": "sharp", "image": SMALL}).image
    # Then the result is about 4 MP with the input's 3:2 shape
    assert abs(image.width / image.height - 1.5) < 0.01
    assert abs(image.width * image.height - 4_194_304) / 4_194_304 < 0.01


def test_style_transfer_answers_a_megapixel_in_the_init_images_shape(standin: World) -> None:
    # Given an init image of 800x600 and a square style image
    body = {"init_image": encoded_image(800, 600), "style_image": encoded_image(512, 512)}
    # When they are sent to style transfer
    image = standin.invoke(profile("style-transfer"), body).image
    # Then about one megapixel comes back in the init image's 4:3 shape
    assert abs(image.width / image.height - 4 / 3) < 0.05
    assert 0.9e6 < image.width * image.height < 1.2e6


def test_outpaint_keeps_the_input_where_the_margins_put_it(standin: World) -> None:
    # Given a plain 640x480 image and margins of 100 left and 20 up
    body = {"image": PHOTO, "left": 100, "up": 20}
    # When it is outpainted
    image = standin.invoke(profile("outpaint"), body).image.convert("RGB")
    # Then the input sits at (100, 20) in the larger canvas
    assert image.size == (740, 500)
    assert image.getpixel((100, 20)) == image.getpixel((739, 499)) == (40, 90, 160)


@pytest.mark.parametrize(("output_format", "mode"), [("png", "RGBA"), ("webp", "RGBA")])
def test_remove_background_answers_real_alpha(
    standin: World, output_format: str, mode: str
) -> None:
    # Given / When a photo's background is removed into a format that carries alpha
    body = {"image": PHOTO, "output_format": output_format}
    image = standin.invoke(profile("remove-background"), body).image
    # Then the image has an alpha channel with both transparent and opaque pixels
    assert image.mode == mode
    assert image.getchannel("A").getextrema() == (0, 255)


@pytest.mark.parametrize("task", list(SERVICES))
def test_a_bare_service_id_is_refused_for_on_demand_use(standin: World, task: str) -> None:
    # Given / When a service is invoked by its model id instead of its us. profile
    answer = standin.invoke(SERVICES[task], {"image": PHOTO})
    # Then Bedrock's on-demand refusal names the profile requirement
    assert answer.code == "ValidationException"
    assert "inference profile" in answer.message


def test_a_us_profile_is_refused_outside_the_us_regions() -> None:
    # Given a stand-in in eu-west-1, which the us. profiles do not take calls from
    with standin_in("eu-west-1") as europe:
        # When a service is invoked through its us. profile
        answer = europe.invoke(profile("remove-background"), {"image": PHOTO})
    # Then the identifier is invalid there
    assert (answer.code, answer.message) == (
        "ValidationException",
        "The provided model identifier is invalid.",
    )


def png_bomb(width: int, height: int) -> str:
    """A PNG whose header claims width x height (pixels never sent): a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return base64.b64encode(png + chunk(b"IEND", b"")).decode()


REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    ("a side under 64 pixels", "inpaint",
     {"prompt": "x", "image": encoded_image(63, 200), "mask": MASK}, "#/image"),
    ("an aspect ratio beyond 2.5:1", "outpaint",
     {"image": encoded_image(260, 100), "left": 10}, "#/image"),
    ("more than 9,437,184 pixels", "remove-background",
     {"image": encoded_image(3073, 3072)}, "#/image"),
    ("a 30,000 x 30,000 PNG bomb", "remove-background", {"image": png_bomb(30_000, 30_000)},
     "#/image"),
    ("a GIF", "control-sketch", {"prompt": "x", "image": encoded_image(64, 64, "GIF")}, "#/image"),
    ("an image without alpha and no mask", "erase", {"image": PHOTO}, "#/mask"),
    ("no outpaint direction", "outpaint", {"image": PHOTO, "prompt": "sea"}, "left, right"),
    ("an outpaint margin over 2000", "outpaint", {"image": PHOTO, "left": 2001}, "#/left"),
    ("outpaint creativity under 0.1", "outpaint", {"image": PHOTO, "up": 8, "creativity": 0.05},
     "#/creativity"),
    ("grow_mask over 20", "inpaint", {"prompt": "x", "image": PHOTO, "mask": MASK,
                                      "grow_mask": 21}, "#/grow_mask"),
    ("a style preset off the list", "inpaint",
     {"prompt": "x", "image": PHOTO, "mask": MASK, "style_preset": "watercolor"},
     "#/style_preset"),
    ("no select_prompt", "search-recolor", {"prompt": "pink", "image": PHOTO},
     "[select_prompt]"),
    ("no search_prompt", "search-replace", {"prompt": "a glass", "image": PHOTO},
     "[search_prompt]"),
    ("a prompt where none is documented", "remove-background", {"image": PHOTO, "prompt": "x"},
     "[prompt]"),
    ("control_strength over 1", "control-structure",
     {"prompt": "x", "image": PHOTO, "control_strength": 1.1}, "#/control_strength"),
    ("fidelity under 0", "style-guide", {"prompt": "x", "image": PHOTO, "fidelity": -0.1},
     "#/fidelity"),
    ("no style image", "style-transfer", {"init_image": PHOTO}, "[style_image]"),
    ("change_strength under 0.1", "style-transfer",
     {"init_image": PHOTO, "style_image": PHOTO, "change_strength": 0.05}, "#/change_strength"),
    ("a fast upscale side over 1,536", "fast-upscale", {"image": encoded_image(1537, 100)},
     "#/image"),
    ("a fast upscale side under 32", "fast-upscale", {"image": encoded_image(31, 100)},
     "#/image"),
    ("a fast upscale over 1,048,576 pixels", "fast-upscale",
     {"image": encoded_image(1100, 1000)}, "#/image"),
    ("a creative upscale over 1,048,576 pixels", "creative-upscale",
     {"prompt": "x", "image": encoded_image(1025, 1024)}, "#/image"),
    ("a creative upscale creativity over 0.5", "creative-upscale",
     {"prompt": "x", "image": SMALL, "creativity": 0.6}, "#/creativity"),
    ("a conservative upscale over 9,437,184 pixels", "conservative-upscale",
     {"prompt": "x", "image": encoded_image(3073, 3072)}, "#/image"),
    ("no prompt for an upscale that needs one", "conservative-upscale", {"image": SMALL},
     "[prompt]"),
]  # fmt: skip


@refusals("task, body, field", REFUSALS)
def test_each_documented_limit_is_a_refusal_that_names_its_field(
    standin: World, task: str, body: dict[str, Any], field: str
) -> None:
    # Given a body that breaks one rule of the service's section
    # When it is invoked through the profile
    answer = standin.invoke(profile(task), body)
    # Then Bedrock's ValidationException (400) names the field
    assert_refused(answer, field)


def test_a_mask_of_another_size_is_resized_unless_the_stand_in_is_told_to_refuse_it(
    standin: World,
) -> None:
    # Given an inpaint body whose mask is smaller than its image
    body = {"prompt": "x", "image": PHOTO, "mask": encoded_image(320, 240, mode="L", colour=255)}
    # When it is sent as Bedrock would take it ("automatically resized"), then with the
    # stand-in told to refuse resized masks
    accepted = standin.invoke(profile("inpaint"), body)
    standin.configure({"refuse_resized_masks": True})
    refused = standin.invoke(profile("inpaint"), body)
    # Then the first is served at the image's size, the second refused by name
    assert accepted.image.size == (640, 480)
    assert (refused.code, "#/mask" in refused.message) == ("ValidationException", True)
