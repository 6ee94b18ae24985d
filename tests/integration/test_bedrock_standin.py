"""The Bedrock stand-in (imagejobs_dev.bedrock_standin) for SD3.5 Large, Stable Image Core and
Stable Image Ultra, driven by real boto3 clients: what it accepts, what size it answers, what it
refuses and how, which identifiers it takes, and that it checks every signature.

The limits are written here from the pages (docs/bedrock-sources.md), not imported from the
stand-in, so that these tests check it rather than restate it. The sizes per aspect ratio are no
page's (an assumption, imagejobs_dev.bedrock_standin.spec.RATIO_SIZES): they are imported, and
checked here against the rules they are drawn from. The Image
Services are in test_bedrock_standin_services.py; throttling, faults, lifecycle and the control
endpoint in test_bedrock_standin_control.py.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from imagejobs_dev.bedrock_standin import MODELS, STABILITY_MODELS, BedrockStandIn
from imagejobs_dev.bedrock_standin.spec import RATIO_SIZES
from tests.support.bedrock_standin_world import (
    World,
    assert_refused,
    clients,
    encoded_image,
    refusals,
    standin_in,
)
from tests.support.http import call

SD35 = "us.stability.sd3-5-large-v1:0"
CORE = "us.stability.stable-image-core-v1:1"
ULTRA = "us.stability.stable-image-ultra-v1:1"
# The `aspect_ratio` enum of the SD3.5 Large, Core and Ultra pages.
PAGE_RATIOS = {"16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"}


def test_each_ratio_of_the_pages_has_a_megapixel_size_of_that_shape_within_their_bounds() -> None:
    # Given the stand-in's size for each aspect ratio
    # When each is checked against the rules it is drawn from
    # Then every ratio of the pages has one: about one megapixel (Stability's reference), each
    # side a multiple of 64 within 640..1,536 (the Core and Ultra pages), in the ratio's shape
    assert set(RATIO_SIZES) == PAGE_RATIOS
    for ratio, (width, height) in RATIO_SIZES.items():
        across, down = (int(n) for n in ratio.split(":"))
        assert abs(width / height - across / down) < 0.05 * across / down, ratio
        assert 0.9e6 < width * height < 1.1e6, ratio
        assert width % 64 == height % 64 == 0, ratio
        assert 640 <= width <= 1536, ratio
        assert 640 <= height <= 1536, ratio


@pytest.mark.parametrize("model_id", [SD35, CORE, ULTRA])
@pytest.mark.parametrize("ratio", sorted(PAGE_RATIOS))
def test_a_text_to_image_body_gets_one_image_of_its_ratios_size(
    standin: World, model_id: str, ratio: str
) -> None:
    # Given the documented text-to-image body with an aspect ratio
    body = {"prompt": "a lighthouse at dusk", "aspect_ratio": ratio, "seed": 7}
    # When it is invoked through the model's us. inference profile
    answer = standin.invoke(model_id, body)
    # Then Bedrock's shape comes back: one seed, a null finish reason, one PNG of that size
    assert answer.status == 200, answer
    assert answer.document["seeds"] == [7]
    assert answer.document["finish_reasons"] == [None]
    assert len(answer.document["images"]) == 1
    assert (answer.image.format, answer.image.size) == ("PNG", RATIO_SIZES[ratio])


@pytest.mark.parametrize(
    ("model_id", "output_format", "pillow_format"),
    [
        (SD35, "jpeg", "JPEG"),
        (SD35, "webp", "WEBP"),
        (CORE, "jpeg", "JPEG"),
        (ULTRA, "png", "PNG"),
    ],
)
def test_the_image_comes_in_the_output_format_asked_for(
    standin: World, model_id: str, output_format: str, pillow_format: str
) -> None:
    # Given / When a body that names a documented output format
    answer = standin.invoke(model_id, {"prompt": "a fox", "output_format": output_format})
    # Then the image is in that format, at the default 1:1 size
    assert (answer.image.format, answer.image.size) == (pillow_format, (1024, 1024))


def test_no_seed_or_seed_zero_means_a_random_seed_which_is_reported(standin: World) -> None:
    # Given / When bodies without a seed and with seed 0
    seeds = [standin.invoke(CORE, body).document["seeds"][0] for body in
             ({"prompt": "a boat"}, {"prompt": "a boat", "seed": 0})]  # fmt: skip
    # Then each answer reports the seed it used, a real one
    assert all(isinstance(seed, int) and 0 < seed <= 4_294_967_294 for seed in seeds)


@pytest.mark.parametrize("mode", [{}, {"mode": "image-to-image"}])
def test_sd35_image_to_image_answers_a_megapixel_in_the_input_shape(
    standin: World, mode: dict[str, str]
) -> None:
    # Given an image-to-image body: prompt, image and strength (the page's own example omits
    # `mode`; with mode image-to-image it is the same request)
    body = {"prompt": "as a watercolour", "image": encoded_image(640, 480), "strength": 0.6, **mode}
    # When it is invoked
    answer = standin.invoke(SD35, body)
    # Then the result has the input's 4:3 shape at about one megapixel, in 64-pixel steps
    width, height = answer.image.size
    assert abs(width / height - 4 / 3) < 0.05
    assert 0.9e6 < width * height < 1.2e6
    assert width % 64 == height % 64 == 0


def truncated_jpeg() -> str:
    """A JPEG cut in half."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 10, 10)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()[: len(buffer.getvalue()) // 2]).decode()


REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    ("a key the page does not list", SD35, {"prompt": "x", "cfg_scale": 5}, "[cfg_scale]"),
    ("no prompt", SD35, {"aspect_ratio": "1:1"}, "[prompt]"),
    ("a prompt over 10,000 characters", SD35, {"prompt": "x" * 10_001}, "#/prompt"),
    ("a prompt that is not a string", SD35, {"prompt": 42}, "#/prompt"),
    ("a ratio off the list", SD35, {"prompt": "x", "aspect_ratio": "4:3"}, "#/aspect_ratio"),
    ("a seed over 4294967294", SD35, {"prompt": "x", "seed": 4_294_967_295}, "#/seed"),
    ("a negative seed", SD35, {"prompt": "x", "seed": -1}, "#/seed"),
    ("a seed as a string", SD35, {"prompt": "x", "seed": "7"}, "#/seed"),
    ("an unknown format", SD35, {"prompt": "x", "output_format": "gif"}, "#/output_format"),
    ("an unknown mode", SD35, {"prompt": "x", "mode": "inpaint"}, "#/mode"),
    ("image-to-image without strength", SD35,
     {"prompt": "x", "mode": "image-to-image", "image": encoded_image(64, 64)}, "[strength]"),
    ("image-to-image without an image", SD35,
     {"prompt": "x", "mode": "image-to-image", "strength": 0.5}, "[image]"),
    ("an image without strength", SD35, {"prompt": "x", "image": encoded_image(64, 64)},
     "[strength]"),
    ("an aspect ratio in image-to-image", SD35,
     {"prompt": "x", "image": encoded_image(64, 64), "strength": 0.5, "aspect_ratio": "1:1"},
     "#/aspect_ratio"),
    ("strength in text-to-image", SD35, {"prompt": "x", "strength": 0.5}, "#/strength"),
    ("an image with mode text-to-image", SD35,
     {"prompt": "x", "mode": "text-to-image", "image": encoded_image(64, 64), "strength": 0.5},
     "#/image"),
    ("strength over 1", SD35, {"prompt": "x", "image": encoded_image(64, 64), "strength": 1.5},
     "#/strength"),
    ("an image side under 64 pixels", SD35,
     {"prompt": "x", "image": encoded_image(63, 200), "strength": 0.5}, "#/image"),
    ("a GIF", SD35, {"prompt": "x", "image": encoded_image(64, 64, "GIF"), "strength": 0.5},
     "#/image"),
    ("an image that is not base64", SD35, {"prompt": "x", "image": "not base64!", "strength": 0.5},
     "#/image"),
    ("a truncated JPEG", SD35, {"prompt": "x", "image": truncated_jpeg(), "strength": 0.5},
     "#/image"),
    ("an image for Core (text-to-image only)", CORE,
     {"prompt": "x", "image": encoded_image(64, 64)}, "[image]"),
    ("WebP from Core (JPEG, PNG)", CORE, {"prompt": "x", "output_format": "webp"},
     "#/output_format"),
    ("a Core seed over 4294967295", CORE, {"prompt": "x", "seed": 4_294_967_296}, "#/seed"),
    ("an Ultra mode off its enum", ULTRA, {"prompt": "x", "mode": "image-to-image"}, "#/mode"),
    ("Ultra strength without an image", ULTRA, {"prompt": "x", "strength": 0.5}, "#/strength"),
    ("an aspect ratio with an Ultra image", ULTRA,
     {"prompt": "x", "image": encoded_image(64, 64), "aspect_ratio": "1:1"}, "#/aspect_ratio"),
    ("an Ultra image side over 16,384", ULTRA,
     {"prompt": "x", "image": encoded_image(16_385, 64)}, "#/image"),
    ("an Ultra image side under 64", ULTRA, {"prompt": "x", "image": encoded_image(63, 100)},
     "#/image"),
]  # fmt: skip


@refusals("model_id, body, field", REFUSALS)
def test_a_body_outside_its_models_page_is_refused_by_field(
    standin: World, model_id: str, body: dict[str, Any], field: str
) -> None:
    # Given a body that breaks one rule of its model's page
    # When it is invoked
    answer = standin.invoke(model_id, body)
    # Then Bedrock's ValidationException (400) names the field, and no image is made
    assert_refused(answer, field)


def test_core_takes_the_largest_seed_its_page_allows(standin: World) -> None:
    # Given / When Core gets seed 4294967295 (its page: "Range: 0 to 4294967295")
    answer = standin.invoke(CORE, {"prompt": "x", "seed": 4_294_967_295})
    # Then it is used
    assert answer.document["seeds"] == [4_294_967_295]


def test_ultra_image_to_image_keeps_the_input_shape_with_the_default_strength(
    standin: World,
) -> None:
    # Given an Ultra body with an image and no strength (the page's default is 0.35)
    body = {"prompt": "in autumn", "image": encoded_image(900, 600, "JPEG")}
    # When it is invoked
    image = standin.invoke(ULTRA, body).image
    # Then a one-megapixel image in the input's 3:2 shape comes back
    assert abs(image.width / image.height - 1.5) < 0.05
    assert 0.9e6 < image.width * image.height < 1.2e6


# --------------------------------------------------------------------------- identifiers


def test_a_bare_id_that_is_served_only_through_a_profile_is_refused_for_on_demand_use(
    standin: World,
) -> None:
    # Given the stand-in in us-east-1, where SD3.5 Large is served only through its profile
    # When the bare model id is invoked
    answer = standin.invoke("stability.sd3-5-large-v1:0", {"prompt": "x"})
    # Then Bedrock's on-demand refusal comes back
    assert answer.code == "ValidationException"
    assert "with on-demand throughput isn’t supported" in answer.message  # noqa: RUF001


def test_in_us_west_2_the_bare_id_and_its_arn_are_served_on_demand() -> None:
    # Given a stand-in in us-west-2, where the pages' examples call the bare ids
    with standin_in("us-west-2") as world:
        arn = "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-core-v1:1"
        # When the bare id, the foundation-model ARN and the profile ARN are invoked
        answers = [
            world.invoke(model_id, {"prompt": "x"})
            for model_id in (
                "stability.stable-image-core-v1:1",
                arn,
                "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.stability"
                ".stable-image-core-v1:1",
            )
        ]
    # Then all three are served
    assert [answer.status for answer in answers] == [200, 200, 200]


@pytest.mark.parametrize(
    "model_id",
    [
        "stability.no-such-model-v1:0",
        "eu.stability.sd3-5-large-v1:0",  # no such profile
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.stability.sd3-5-large-v1:0",
        "stability.stable-diffusion-xl-v1",
    ],
)
def test_an_identifier_bedrock_would_not_recognise_is_invalid(
    standin: World, model_id: str
) -> None:
    # Given / When an identifier that names nothing here (or an ARN of another Region)
    answer = standin.invoke(model_id, {"prompt": "x"})
    # Then Bedrock's answer for an invalid identifier
    assert (answer.status, answer.code) == (400, "ValidationException")
    assert answer.message == "The provided model identifier is invalid."


@pytest.mark.parametrize(
    "model_id", ["amazon.titan-image-generator-v2:0", "amazon.nova-canvas-v1:0"]
)
def test_the_retired_models_are_refused_as_past_their_end_of_life(
    standin: World, model_id: str
) -> None:
    # Given / When a model that reached its end of life in 2026 is invoked
    answer = standin.invoke(model_id, {"taskType": "TEXT_IMAGE"})
    # Then Bedrock's end-of-life refusal comes back
    assert (answer.status, answer.code) == (404, "ResourceNotFoundException")
    assert "reached the end of its life" in answer.message


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"contentType": "text/plain"}, "Content-Type"), ({"accept": "image/png"}, "Accept")],
)
def test_only_json_goes_in_and_out(standin: World, headers: dict[str, str], expected: str) -> None:
    # Given / When a valid body sent as another type, or asking for another type back
    answer = standin.invoke(CORE, {"prompt": "x"}, **headers)
    # Then it is refused
    assert answer.code == "ValidationException"
    assert expected in answer.message


def test_a_body_that_is_not_json_is_malformed(standin: World) -> None:
    # Given / When a body that is not JSON
    answer = standin.invoke(CORE, b"prompt=x")
    # Then Bedrock's malformed-input refusal
    assert (answer.status, answer.code) == (400, "ValidationException")


# --------------------------------------------------------------------------- signatures


def test_a_request_signed_with_the_wrong_secret_is_refused(standin: World) -> None:
    # Given a client that signs with a secret the stand-in does not know for its key
    runtime, _ = clients(standin.standin.url, secret_key="not-the-secret")
    # When it invokes a model
    answer = World(standin.standin, runtime, None).invoke(CORE, {"prompt": "x"})
    # Then AWS's answer to a bad signature
    assert (answer.status, answer.code) == (403, "InvalidSignatureException")


def test_an_unknown_access_key_is_refused_unless_any_key_is_allowed(standin: World) -> None:
    # Given a client whose access key the stand-in does not know
    runtime, _ = clients(standin.standin.url, access_key="AKIAUNKNOWN000000000")
    # When it invokes a model on the test stand-in, and on one that admits any key
    refused = World(standin.standin, runtime, None).invoke(CORE, {"prompt": "x"})
    with BedrockStandIn(region="us-east-1", any_key=True) as lenient:
        other, _ = clients(lenient.url, access_key="AKIAUNKNOWN000000000")
        admitted = World(lenient, other, None).invoke(CORE, {"prompt": "x"})
    # Then the first refuses the key, the second serves it
    assert (refused.status, refused.code) == (403, "UnrecognizedClientException")
    assert admitted.status == 200


def test_a_body_changed_after_signing_is_refused(standin: World) -> None:
    # Given a client whose body is altered after it was signed
    def tamper(request: Any, **_: Any) -> None:
        request.body = json.dumps({"prompt": "something else"}).encode()
        request.headers["Content-Length"] = str(len(request.body))

    runtime, _ = clients(standin.standin.url)
    runtime.meta.events.register("before-send.bedrock-runtime.InvokeModel", tamper)
    # When it invokes a model
    answer = World(standin.standin, runtime, None).invoke(CORE, {"prompt": "x"})
    # Then the signature no longer matches
    assert (answer.status, answer.code) == (403, "InvalidSignatureException")


def test_an_unsigned_request_is_refused(standin: World) -> None:
    # Given / When a request without any signature
    response = call("POST", f"{standin.standin.url}/model/{CORE}/invoke", {"prompt": "x"})
    # Then AWS's answer to a missing token
    assert response.status == 403
    assert response.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")


def test_every_field_of_every_model_names_its_page() -> None:
    # Given / When the models the stand-in serves
    # Then each body field and each model cites the https page it follows
    assert len(STABILITY_MODELS) == 16
    for model_id in STABILITY_MODELS:
        spec = MODELS[model_id].spec
        assert spec is not None
        assert spec.page.startswith("https://docs.aws.amazon.com/bedrock/")
        assert all(field.source.startswith("https://") for field in spec.fields.values())
