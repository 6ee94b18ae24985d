"""The models the stand-in serves, where each is served, and how an InvokeModel identifier
(a model id, a `us.` inference profile id, or the ARN of either) resolves to one.

Where (read 2026-12-06, see docs/bedrock-sources.md, "Regions and profiles"):
- SD3.5 Large, Core and Ultra on demand in us-west-2 (their pages' examples call the bare ids
  with region_name='us-west-2'), and through their `us.` profile from us-east-1, us-east-2 and
  us-west-2;
- the Image Services only through their `us.` profile (every example on pages.IMAGE_SERVICES
  calls `us.stability...` from us-east-1); a bare id is refused for on-demand use with the
  message Bedrock gives any model that needs a profile (errors.on_demand_not_supported).
Titan Image Generator v2 and Nova Canvas are listed so that they are refused as Bedrock refuses
a model past its end of life (pages.LIFECYCLE_LEGACY, pages.TITAN_V2_CARD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from imagejobs_dev.bedrock_standin import generation, pages, services
from imagejobs_dev.bedrock_standin.errors import (
    INVALID_MODEL_ID,
    ServiceError,
    on_demand_not_supported,
)
from imagejobs_dev.bedrock_standin.spec import ModelSpec

US_SOURCES = frozenset({"us-east-1", "us-east-2", "us-west-2"})
Lifecycle = Literal["ACTIVE", "LEGACY", "EOL"]


@dataclass(frozen=True)
class Model:
    model_id: str  # the foundation model's id
    name: str
    spec: ModelSpec | None  # None: a model past its end of life, refused before its body
    in_region: frozenset[str]  # Regions that serve the bare id on demand
    profile_sources: frozenset[str]  # Regions that may call its `us.` inference profile
    provider: str = "Stability AI"
    inputs: tuple[str, ...] = ("TEXT", "IMAGE")
    lifecycle: Lifecycle = "ACTIVE"
    end_of_life: str | None = None  # ISO date, for the default lifecycle


def _generator(model_id: str, name: str, spec: ModelSpec, *, text_only: bool = False) -> Model:
    inputs = ("TEXT",) if text_only else ("TEXT", "IMAGE")
    return Model(model_id, name, spec, frozenset({"us-west-2"}), US_SOURCES, inputs=inputs)


def _service(model_id: str, name: str, spec: ModelSpec) -> Model:
    return Model(model_id, name, spec, frozenset(), US_SOURCES)


_MODELS = (
    _generator("stability.sd3-5-large-v1:0", "Stable Diffusion 3.5 Large", generation.SD35_LARGE),
    _generator(
        "stability.stable-image-core-v1:1",
        "Stable Image Core",
        generation.STABLE_IMAGE_CORE,
        text_only=True,
    ),
    _generator(
        "stability.stable-image-ultra-v1:1", "Stable Image Ultra", generation.STABLE_IMAGE_ULTRA
    ),
    _service("stability.stable-image-inpaint-v1:0", "Stable Image Inpaint", services.INPAINT),
    _service("stability.stable-outpaint-v1:0", "Stable Image Outpaint", services.OUTPAINT),
    _service(
        "stability.stable-image-search-replace-v1:0",
        "Stable Image Search and Replace",
        services.SEARCH_REPLACE,
    ),
    _service(
        "stability.stable-image-search-recolor-v1:0",
        "Stable Image Search and Recolor",
        services.SEARCH_RECOLOR,
    ),
    _service(
        "stability.stable-image-erase-object-v1:0",
        "Stable Image Erase Object",
        services.ERASE_OBJECT,
    ),
    _service(
        "stability.stable-image-remove-background-v1:0",
        "Stable Image Remove Background",
        services.REMOVE_BACKGROUND,
    ),
    _service(
        "stability.stable-image-control-sketch-v1:0",
        "Stable Image Control Sketch",
        services.CONTROL_SKETCH,
    ),
    _service(
        "stability.stable-image-control-structure-v1:0",
        "Stable Image Control Structure",
        services.CONTROL_STRUCTURE,
    ),
    _service(
        "stability.stable-image-style-guide-v1:0", "Stable Image Style Guide", services.STYLE_GUIDE
    ),
    _service(
        "stability.stable-style-transfer-v1:0",
        "Stable Image Style Transfer",
        services.STYLE_TRANSFER,
    ),
    _service(
        "stability.stable-fast-upscale-v1:0", "Stable Image Fast Upscale", services.FAST_UPSCALE
    ),
    _service(
        "stability.stable-conservative-upscale-v1:0",
        "Stable Image Conservative Upscale",
        services.CONSERVATIVE_UPSCALE,
    ),
    _service(
        "stability.stable-creative-upscale-v1:0",
        "Stable Image Creative Upscale",
        services.CREATIVE_UPSCALE,
    ),
    # End of life: Titan Image Generator G1 v2 on 2026-06-30 (its model card), Nova Canvas on
    # 2026-09-30 (model-lifecycle-legacy.html; see docs/bedrock-sources.md).
    Model(
        "amazon.titan-image-generator-v2:0",
        "Titan Image Generator G1 v2",
        None,
        frozenset({"us-east-1", "us-west-2"}),
        frozenset(),
        provider="Amazon",
        lifecycle="EOL",
        end_of_life="2026-06-30",
    ),
    Model(
        "amazon.nova-canvas-v1:0",
        "Nova Canvas",
        None,
        frozenset({"us-east-1"}),
        US_SOURCES,
        provider="Amazon",
        lifecycle="EOL",
        end_of_life="2026-09-30",
    ),
)
MODELS: dict[str, Model] = {model.model_id: model for model in _MODELS}
STABILITY_MODELS = tuple(model_id for model_id, model in MODELS.items() if model.spec)

_FOUNDATION_ARN = re.compile(
    r"arn:aws:bedrock:(?P<region>[a-z0-9-]+)::foundation-model/(?P<model>[^/]+)"
)
_PROFILE_ARN = re.compile(
    r"arn:aws:bedrock:(?P<region>[a-z0-9-]+):\d{12}:inference-profile/(?P<profile>[^/]+)"
)


@dataclass(frozen=True)
class Target:
    """What an InvokeModel identifier names: a model, directly or through its profile."""

    model: Model
    profile: bool


def resolve(identifier: str, region: str) -> Target:
    """The model an InvokeModel call in `region` names, or Bedrock's ValidationException."""
    invalid = ServiceError("ValidationException", INVALID_MODEL_ID, pages.INVOKE_MODEL)
    if match := _FOUNDATION_ARN.fullmatch(identifier):
        if match["region"] != region:
            raise invalid
        identifier = match["model"]
    elif match := _PROFILE_ARN.fullmatch(identifier):
        if match["region"] != region:
            raise invalid
        identifier = match["profile"]
    if identifier.startswith("us."):
        model = MODELS.get(identifier.removeprefix("us."))
        if model is None or region not in model.profile_sources:
            raise invalid
        return Target(model, profile=True)
    model = MODELS.get(identifier)
    if model is None:
        raise invalid
    if region not in model.in_region:
        if region in model.profile_sources:
            raise ServiceError(
                "ValidationException", on_demand_not_supported(identifier), pages.MODEL_CARDS
            )
        raise invalid
    return Target(model, profile=False)


def foundation_model(identifier: str) -> Model | None:
    """The model a GetFoundationModel identifier (an id or its foundation-model ARN) names."""
    if match := _FOUNDATION_ARN.fullmatch(identifier):
        identifier = match["model"]
    return MODELS.get(identifier)
