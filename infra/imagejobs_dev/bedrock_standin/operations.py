"""The two Bedrock operations the stand-in serves, from a signed request to Bedrock's answer:
bedrock-runtime's InvokeModel and the control plane's GetFoundationModel.

InvokeModel checks, in this order: the model identifier (catalogue.resolve), the model's
lifecycle, its throttle, the content type, the body (the model's fields, then its rules across
fields), then answers: after the configured delay, with the configured error or finish reason,
or with the picture. Each refusal names the page behind it (errors.ServiceError.source).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from imagejobs_dev.bedrock_standin import pages
from imagejobs_dev.bedrock_standin.catalogue import Model, foundation_model, resolve
from imagejobs_dev.bedrock_standin.errors import (
    END_OF_LIFE,
    LEGACY_INACTIVE,
    InvalidBody,
    ServiceError,
    service_error,
)
from imagejobs_dev.bedrock_standin.images import picture
from imagejobs_dev.bedrock_standin.schema import Body, validate
from imagejobs_dev.bedrock_standin.spec import ModelSpec
from imagejobs_dev.bedrock_standin.state import Entry, Settings, State

SEED_RANGE = 4_294_967_294
QUOTAS = "https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-runtime.html"
JSON_TYPES = ("application/json", "*/*")


@dataclass
class Reply:
    status: int
    document: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(error: ServiceError) -> Reply:
    headers = {
        # As AWS sends it; botocore keeps what comes before the colon.
        "x-amzn-ErrorType": f"{error.code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    }
    if error.source:
        headers["x-imagejobs-standin-source"] = error.source
    return Reply(error.status, error.document(), headers)


def _elided(body: Any, image_fields: set[str]) -> Any:
    """The body as the request log keeps it: image fields and other long strings elided."""
    if not isinstance(body, dict):
        return body if not isinstance(body, str) or len(body) < 256 else f"<{len(body)} chars>"
    return {
        key: f"<elided: {len(value)} base64 characters>"
        if isinstance(value, str) and (key in image_fields or len(value) > 1_000)
        else value
        for key, value in body.items()
    }


def _seed(body: Body, raw: bytes) -> int:
    """The seed given, or (for 0 or none: "use a random seed") one derived from the body, so
    that the same request gets the same picture in tests."""
    given = body.values.get("seed", 0)
    if isinstance(given, int) and given:
        return given
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big") % SEED_RANGE + 1


@dataclass
class Operations:
    state: State
    released: threading.Event = field(default_factory=threading.Event)  # set when stopping

    def invoke(self, identifier: str, headers: dict[str, str], raw: bytes) -> Reply:
        entry = Entry(at=time.time(), operation="InvokeModel", model_id=identifier, model=None)
        try:
            reply = self._invoke(identifier, headers, raw, entry)
        except ServiceError as error:
            entry.error_code, entry.source = error.code, error.source or None
            reply = error_reply(error)
        entry.status = reply.status
        self.state.record(entry)
        return reply

    def _invoke(self, identifier: str, headers: dict[str, str], raw: bytes, entry: Entry) -> Reply:
        target = resolve(identifier, self.state.region)
        model = target.model
        entry.model = model.model_id
        settings = self.state.settings[model.model_id]
        _check_lifecycle(model, settings)
        if not self.state.admit(model.model_id):
            raise ServiceError(
                "ThrottlingException", "Too many requests, please wait before trying again.", QUOTAS
            )
        if headers.get("content-type", "application/json") != "application/json":
            raise ServiceError(
                "ValidationException",
                "The provided Content-Type is not supported.",
                pages.INVOKE_MODEL,
            )
        if headers.get("accept", "application/json") not in JSON_TYPES:
            raise ServiceError(
                "ValidationException",
                "The provided Accept type is not supported.",
                pages.INVOKE_MODEL,
            )
        assert model.spec is not None  # only end-of-life models have none, refused above
        spec = model.spec
        try:
            document = json.loads(raw)
        except ValueError:
            raise ServiceError(
                "ValidationException",
                "Malformed input request, please reformat your input and try again.",
                spec.page,
            ) from None
        image_fields = {n for n, f in spec.fields.items() if f.kind == "image"}
        entry.body = _elided(document, image_fields)
        body = validate(spec.fields, document, spec.page)
        for rule in spec.rules:
            rule(body)
        if self.state.refuse_resized_masks:
            _check_masks(spec, body)
        if settings.delay:
            self.released.wait(settings.delay)
        finish_reason, error = self.state.take_fault(model.model_id)
        if error is not None:
            raise service_error(error)
        if finish_reason is not None:
            # "A response with a finish reason that is not null, will look like the following:
            # {"finish_reasons":["Filter reason: prompt"]}" (pages.SD35_LARGE and the others)
            entry.finish_reason = finish_reason
            return Reply(200, {"finish_reasons": [finish_reason]})
        return Reply(200, _generate(spec, body, raw))

    def get_foundation_model(self, identifier: str) -> Reply:
        entry = Entry(
            at=time.time(), operation="GetFoundationModel", model_id=identifier, model=None
        )
        model = foundation_model(identifier)
        settings = None if model is None else self.state.settings[model.model_id]
        if model is None or settings is None or settings.lifecycle == "EOL":
            # The lifecycle has no EOL status (FoundationModelLifecycleStatus: ACTIVE, LEGACY):
            # a model past its end of life is no longer there to describe.
            error = ServiceError("ResourceNotFoundException", "Model not found.", pages.LIFECYCLE)
            entry.error_code, entry.source = error.code, error.source
            reply = error_reply(error)
        else:
            entry.model = model.model_id
            reply = Reply(200, {"modelDetails": self._details(model, settings)})
        entry.status = reply.status
        self.state.record(entry)
        return reply

    def _details(self, model: Model, settings: Settings) -> dict[str, Any]:
        """FoundationModelDetails as the bedrock service model (2023-04-20) shapes it."""
        region = self.state.region
        lifecycle: dict[str, Any] = {"status": settings.lifecycle}
        for key, value in (
            ("legacyTime", settings.legacy_since),
            ("endOfLifeTime", settings.end_of_life),
            ("publicExtendedAccessTime", settings.public_extended_access),
        ):
            if value is not None and settings.lifecycle == "LEGACY":
                lifecycle[key] = f"{value}T00:00:00Z"
        return {
            "modelArn": f"arn:aws:bedrock:{region}::foundation-model/{model.model_id}",
            "modelId": model.model_id,
            "modelName": model.name,
            "providerName": model.provider,
            "inputModalities": list(model.inputs),
            "outputModalities": ["IMAGE"],
            "responseStreamingSupported": False,
            "customizationsSupported": [],
            # Bedrock lists INFERENCE_PROFILE for a model it serves only through a profile.
            "inferenceTypesSupported": ["ON_DEMAND"]
            if region in model.in_region
            else ["INFERENCE_PROFILE"],
            "modelLifecycle": lifecycle,
        }


def _check_lifecycle(model: Model, settings: Settings) -> None:
    if settings.lifecycle == "EOL":
        # "After the EOL date ... requests made to this version will fail" (pages.LIFECYCLE);
        # the answer is the one users report word for word (errors.END_OF_LIFE).
        raise ServiceError("ResourceNotFoundException", END_OF_LIFE, pages.LIFECYCLE)
    if settings.lifecycle == "LEGACY" and settings.inactive:
        # "New customers can't use Legacy models ... existing customers may lose access due to
        # inactivity" (pages.LIFECYCLE_LEGACY).
        raise ServiceError("ResourceNotFoundException", LEGACY_INACTIVE, pages.LIFECYCLE_LEGACY)


def _check_masks(spec: ModelSpec, body: Body) -> None:
    """Only when told (refuse_resized_masks): Bedrock itself resizes a mask of another size."""
    for name in spec.mask_fields:
        if name in body.images:
            mask, image = body.images[name], body.images["image"]
            if (mask.width, mask.height) != (image.width, image.height):
                raise InvalidBody(
                    name,
                    f"is {mask.width}x{mask.height}, the image {image.width}x{image.height}"
                    " (refuse_resized_masks: the page says it would be resized)",
                    spec.page,
                )


def _generate(spec: ModelSpec, body: Body, raw: bytes) -> dict[str, Any]:
    seed = _seed(body, raw)
    output = spec.output(body)
    encoded = picture(
        output.size,
        seed,
        body.values.get("output_format", "png"),
        alpha=output.alpha,
        inset=output.inset,
    )
    return {
        "seeds": [seed],
        "finish_reasons": [None],
        "images": [base64.b64encode(encoded).decode()],
    }
