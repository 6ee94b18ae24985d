"""Each engine's documented limits, checked before anything is queued or sent to a model."""

import re

import pytest

from imagejobs.engines.base import RenderRequest
from imagejobs.engines.limits import (
    NOVA_CANVAS,
    PILLOW,
    TITAN_IMAGE_V2,
    EngineLimits,
    Violation,
    limits_for,
    styled_prompt,
)

NOVA = limits_for("bedrock", NOVA_CANVAS)
TITAN = limits_for("bedrock", TITAN_IMAGE_V2)


def request(**fields: object) -> RenderRequest:
    values: dict[str, object] = {"prompt": "a cat", "width": 1024, "height": 1024, "seed": 0}
    return RenderRequest(**(values | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("width", "height"),
    [(320, 320), (2048, 2048), (4096, 1024), (1024, 4096), (1280, 720), (320, 1280)],
)
def test_nova_canvas_renders_sizes_within_its_rules(width: int, height: int) -> None:
    # Given sizes at the edges of Nova Canvas's rules
    # When they are checked
    # Then none is refused
    assert NOVA.check(request(width=width, height=height)) is None


@pytest.mark.parametrize(
    ("width", "height", "field", "words"),
    [
        (304, 512, "width", "320 to 4096"),  # too small
        (1000, 512, "width", "multiple of 16"),
        (512, 1000, "height", "multiple of 16"),
        (2064, 512, "width", "1:4 and 4:1"),  # just over 4:1
        (4096, 1040, "width", "4,194,304"),  # 4:1 is fine, the pixel count is not
    ],
)
def test_nova_canvas_refuses_sizes_outside_its_rules_naming_the_field(
    width: int, height: int, field: str, words: str
) -> None:
    # Given a size Nova Canvas does not render
    # When it is checked
    violation = NOVA.check(request(width=width, height=height))

    # Then the violation names the field and the rule
    assert violation is not None
    assert violation.field == field
    assert words in violation.message


def test_titan_renders_only_its_listed_sizes() -> None:
    # Given a listed size, its transpose and an unlisted one of the same area
    # When they are checked
    # Then only the listed ones pass, and the refusal lists what it renders
    assert TITAN.check(request(width=1173, height=640)) is None
    assert TITAN.check(request(width=768, height=1408)) is None
    violation = TITAN.check(request(width=896, height=896))
    assert violation is not None
    assert violation.field == "width"
    assert "1024x1024" in violation.message


def test_the_style_words_count_towards_a_models_prompt_limit_but_not_the_built_in_ones() -> None:
    # Given a prompt that fits Nova Canvas alone but not with the luxury style's words
    prompt = "p" * (1024 - 10)
    assert NOVA.check(request(prompt=prompt)) is None

    # When it is checked with the style
    violation = NOVA.check(request(prompt=prompt, style="luxury"))

    # Then the prompt is refused, saying why
    assert violation == Violation(
        "prompt",
        f"bedrock:{NOVA_CANVAS} takes at most 1024 characters with the 'luxury' style's words;"
        f" this prompt has {len(styled_prompt(prompt, 'luxury'))}",
    )
    # And the built-in renderer, which reads the style itself, takes it
    assert PILLOW.check(request(prompt="p" * 2000, style="luxury")) is None


@pytest.mark.parametrize(
    ("limits", "fields", "field"),
    [
        (NOVA, {"seed": 858_993_459}, None),
        (NOVA, {"seed": 858_993_459, "num_images": 2}, "seed"),
        (TITAN, {"seed": 2_147_483_646}, None),
        (TITAN, {"negative_prompt": "n" * 513}, "negative_prompt"),
        (NOVA, {"guidance": 1.1}, None),
        (NOVA, {"guidance": 1.0}, "guidance"),
        (PILLOW, {"guidance": 10.01}, "guidance"),
        (PILLOW, {"image_format": "png", "quality": 80}, "quality"),
        (PILLOW, {"image_format": "webp", "quality": 0}, "quality"),
        (PILLOW, {"image_format": "jpeg", "quality": 1}, None),
        (PILLOW, {"width": 63}, "width"),
    ],
)
def test_seed_guidance_quality_and_negative_prompt_limits(
    limits: EngineLimits, fields: dict[str, object], field: str | None
) -> None:
    # Given a request at or just past one limit
    # When it is checked
    violation = limits.check(request(**fields))

    # Then exactly the requests past a limit are refused, naming that field
    assert (violation.field if violation else None) == field


def test_an_unsupported_model_or_engine_is_refused_by_name() -> None:
    # Given a model id no engine implements
    # When its limits are asked for
    # Then the error names the supported models
    with pytest.raises(ValueError, match=re.escape(NOVA_CANVAS)):
        limits_for("bedrock", "stability.sd3-large-v1:0")
    with pytest.raises(ValueError, match="known engines"):
        limits_for("dall-e")
