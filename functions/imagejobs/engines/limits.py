"""What each engine accepts, so that a request it would refuse is a 4xx at submit time.

Submit imports this module, so it stays cheap: no Pillow, no SDK client. The Bedrock engine
runs the same checks again before it calls the model.

Model limits, from the model documentation:
- Amazon Nova Canvas (TEXT_IMAGE): text and negativeText 1-1024 characters; each side
  320-4096 px and divisible by 16, aspect ratio within 1:4..4:1, at most 4,194,304 pixels;
  cfgScale 1.1-10 (default 6.5); seed 0-858,993,459; 1-5 images.
  https://docs.aws.amazon.com/nova/latest/userguide/image-gen-access.html
- Amazon Titan Image Generator v2: text and negativeText 1-512 characters; a fixed list of
  sizes; cfgScale 1.1-10 (default 8.0); seed 0-2,147,483,646; 1-5 images.
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imagejobs.engines.base import LOSSY_FORMATS, MAX_SEED, RenderRequest, Style
from imagejobs.engines.options import EngineKind, unknown_engine_kind

NOVA_CANVAS = "amazon.nova-canvas-v1:0"
TITAN_IMAGE_V2 = "amazon.titan-image-generator-v2:0"
BEDROCK_MODELS = (NOVA_CANVAS, TITAN_IMAGE_V2)

# Hosted models take the style as words appended to the prompt; the built-in renderer reads
# the preset directly. Shared here because the words count towards the model's prompt limit.
STYLE_PROMPTS: dict[Style, str] = {
    "none": "",
    "product_ad": "professional product advertisement photo, studio lighting, clean seamless"
    " backdrop, centered subject",
    "lifestyle": "candid lifestyle photograph, natural warm light, everyday setting, shallow"
    " depth of field",
    "minimalist": "minimalist composition, generous negative space, simple shapes, muted palette",
    "vibrant": "vibrant saturated colours, high contrast, bold dynamic composition",
    "luxury": "luxury editorial look, dark elegant backdrop, gold accents, dramatic rim lighting",
}


def styled_prompt(prompt: str, style: Style) -> str:
    """The prompt as a hosted model receives it: the style preset's words appended."""
    suffix = STYLE_PROMPTS[style]
    return f"{prompt}, {suffix}" if suffix else prompt


@dataclass(frozen=True, slots=True)
class Violation:
    """A request an engine cannot render. `field` is the API's name for the parameter."""

    field: str
    message: str


# (width, height) -> what is wrong with the size, or None if the engine renders it.
SizeRule = Callable[[int, int], Violation | None]


@dataclass(frozen=True, slots=True)
class EngineLimits:
    # The engine's identity, which a job records: "pillow", or "bedrock:<model id>".
    engine_id: str
    max_prompt_chars: int
    max_negative_chars: int
    max_images: int
    max_seed: int
    min_guidance: float
    max_guidance: float
    default_guidance: float
    size_rule: SizeRule
    # True when the style reaches the engine as words appended to the prompt (hosted models).
    style_in_prompt: bool

    def check(self, request: RenderRequest) -> Violation | None:
        """The first thing about `request` this engine cannot do, or None."""
        for check in (
            self._prompt,
            self._size,
            self._count_and_seed,
            self._guidance,
            self._quality,
        ):
            if (violation := check(request)) is not None:
                return violation
        return None

    def _prompt(self, request: RenderRequest) -> Violation | None:
        text = request.prompt
        if self.style_in_prompt:
            text = styled_prompt(request.prompt, request.style)
        if len(text) > self.max_prompt_chars:
            styled = f" with the {request.style!r} style's words" if text != request.prompt else ""
            return Violation(
                "prompt",
                f"{self.engine_id} takes at most {self.max_prompt_chars} characters{styled};"
                f" this prompt has {len(text)}",
            )
        negative = request.negative_prompt or ""
        if len(negative) > self.max_negative_chars:
            return Violation(
                "negative_prompt",
                f"{self.engine_id} takes at most {self.max_negative_chars} characters",
            )
        return None

    def _size(self, request: RenderRequest) -> Violation | None:
        return self.size_rule(request.width, request.height)

    def _count_and_seed(self, request: RenderRequest) -> Violation | None:
        if not 1 <= request.num_images <= self.max_images:
            return Violation("num_images", f"{self.engine_id} renders 1 to {self.max_images}")
        if request.seed < 0 or request.seed + request.num_images - 1 > self.max_seed:
            return Violation(
                "seed",
                f"seed + num_images - 1 must be at most {self.max_seed} on {self.engine_id}",
            )
        return None

    def _guidance(self, request: RenderRequest) -> Violation | None:
        guidance = request.guidance
        if guidance is not None and not self.min_guidance <= guidance <= self.max_guidance:
            return Violation(
                "guidance",
                f"must be between {self.min_guidance} and {self.max_guidance} on {self.engine_id}",
            )
        return None

    @staticmethod
    def _quality(request: RenderRequest) -> Violation | None:
        if request.quality is None:
            return None
        if request.image_format not in LOSSY_FORMATS:
            return Violation("quality", "applies to the lossy formats only: jpeg and webp")
        if not 1 <= request.quality <= 100:
            return Violation("quality", "must be between 1 and 100")
        return None


def _any_size(low: int, high: int) -> SizeRule:
    def rule(width: int, height: int) -> Violation | None:
        for field, value in (("width", width), ("height", height)):
            if not low <= value <= high:
                return Violation(field, f"must be between {low} and {high} pixels")
        return None

    return rule


def _nova_size(width: int, height: int) -> Violation | None:
    for field, value in (("width", width), ("height", height)):
        if not 320 <= value <= 4096 or value % 16:
            return Violation(
                field, f"{NOVA_CANVAS} needs 320 to 4096 pixels, a multiple of 16; got {value}"
            )
    if max(width, height) > 4 * min(width, height):
        return Violation("width", f"{NOVA_CANVAS} needs an aspect ratio within 1:4 and 4:1")
    if width * height > 4_194_304:
        return Violation(
            "width",
            f"{NOVA_CANVAS} renders at most 4,194,304 pixels (2048x2048); got {width}x{height}",
        )
    return None


TITAN_SIZES = frozenset(
    {
        (1024, 1024), (768, 768), (512, 512),
        (768, 1152), (384, 576), (1152, 768), (576, 384),
        (768, 1280), (384, 640), (1280, 768), (640, 384),
        (896, 1152), (448, 576), (1152, 896), (576, 448),
        (768, 1408), (384, 704), (1408, 768), (704, 384),
        (640, 1408), (320, 704), (1408, 640), (704, 320),
        (1152, 640), (1173, 640),
    }
)  # fmt: skip


def _titan_size(width: int, height: int) -> Violation | None:
    if (width, height) in TITAN_SIZES:
        return None
    sizes = ", ".join(f"{w}x{h}" for w, h in sorted(TITAN_SIZES))
    return Violation(
        "width", f"{TITAN_IMAGE_V2} does not render {width}x{height}; its sizes are {sizes}"
    )


PILLOW = EngineLimits(
    engine_id="pillow",
    max_prompt_chars=2000,
    max_negative_chars=2000,
    max_images=4,
    max_seed=MAX_SEED,
    min_guidance=1.1,
    max_guidance=10.0,
    default_guidance=6.5,
    size_rule=_any_size(64, 4096),
    style_in_prompt=False,
)


def _bedrock_model(
    model_id: str, *, text_chars: int, max_seed: int, default_guidance: float, size_rule: SizeRule
) -> EngineLimits:
    """What both models take alike (see the docstring): prompt and negative prompt of up to
    `text_chars` each, 1-5 images, cfgScale 1.1-10, the style as words in the prompt."""
    return EngineLimits(
        engine_id=f"bedrock:{model_id}",
        max_prompt_chars=text_chars,
        max_negative_chars=text_chars,
        max_images=5,
        max_seed=max_seed,
        min_guidance=1.1,
        max_guidance=10.0,
        default_guidance=default_guidance,
        size_rule=size_rule,
        style_in_prompt=True,
    )


_BEDROCK: dict[str, EngineLimits] = {
    NOVA_CANVAS: _bedrock_model(
        NOVA_CANVAS,
        text_chars=1024,
        max_seed=858_993_459,
        default_guidance=6.5,
        size_rule=_nova_size,
    ),
    TITAN_IMAGE_V2: _bedrock_model(
        TITAN_IMAGE_V2,
        text_chars=512,
        max_seed=2_147_483_646,
        default_guidance=8.0,
        size_rule=_titan_size,
    ),
}


def limits_for(kind: EngineKind, bedrock_model_id: str | None = None) -> EngineLimits:
    """The limits of the engine a deployment selects (template parameters ImageEngine and
    BedrockModelId); a `ValueError` for a combination no engine implements."""
    if kind == "pillow":
        return PILLOW
    if kind == "bedrock":
        if bedrock_model_id in _BEDROCK:
            return _BEDROCK[bedrock_model_id]
        raise ValueError(
            f"unsupported Bedrock model {bedrock_model_id!r};"
            f" supported: {', '.join(BEDROCK_MODELS)}"
        )
    raise unknown_engine_kind(kind)
