"""The web page: its files, the headers it is served with, and the limits it is built from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from imagejobs.engines.base import DEFAULT_QUALITY, LOSSY_FORMATS
from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.models.api import JobRequest
from imagejobs.models.config import ConfigView, FloatRange, IntRange, LengthLimit
from imagejobs.settings import WebSettings

# Text only, so API Gateway needs no binaryMediaTypes and no base64 round trip.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: str
    content_type: str
    etag: str


def load_assets(root: Path) -> dict[str, Asset]:
    """Every servable file under `root`, by its path relative to it ("assets/app.js")."""
    assets = {}
    for path in sorted(root.rglob("*")):
        content_type = CONTENT_TYPES.get(path.suffix)
        if content_type is None or not path.is_file():
            continue
        body = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(body.encode()).hexdigest()[:32]
        assets[path.relative_to(root).as_posix()] = Asset(body, content_type, f'"{digest}"')
    return assets


def content_security_policy(image_origin: str, upload_origin: str) -> str:
    """Nothing inline, nothing third-party: scripts, styles and calls from the page's own
    origin; pictures also from the one origin the presigned image URLs use, and from `blob:`
    (the file a person chose, shown before it is sent: a blob: URL exists only for an object
    the page's own script made); calls also to the one origin presigned uploads go to."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' {image_origin} blob:",
            f"connect-src 'self' {upload_origin}",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def page_headers(asset: Asset, policy: str) -> dict[str, str]:
    """`policy`: the page's `content_security_policy`."""
    # Without a build step file names carry no hash: browsers revalidate every time (a
    # cheap 304 by ETag) rather than run a stale module beside a fresh one after a deploy.
    return {
        "Cache-Control": "no-cache",
        "ETag": asset.etag,
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


@cache
def _request_field(name: str) -> dict[str, Any]:
    """A JobRequest field's JSON schema constraints, the `None` alternative left out."""
    field: dict[str, Any] = JobRequest.model_json_schema()["properties"][name]
    merged = {key: value for key, value in field.items() if key != "anyOf"}
    for option in field.get("anyOf", ()):
        if option.get("type") != "null":
            merged.update(option)
    return merged


def _length(field: str, engine_max: int) -> LengthLimit:
    return LengthLimit(max_length=min(_request_field(field)["maxLength"], engine_max))


def deployment_config(settings: WebSettings) -> ConfigView:
    """The API model's bounds, narrowed by the default model and this deployment's
    MaxImageSize. Each model's own are in `GET /models`."""
    model = CATALOGUE[settings.default_model]
    side = _request_field("width")
    seed = _request_field("seed")
    count = _request_field("num_images")
    quality = _request_field("quality")
    formats = _request_field("format")
    styles = _request_field("style")
    guidance = model.guidance
    return ConfigView(
        engine=model.engine_id,
        default_model=model.id,
        prompt=_length("prompt", model.max_prompt_chars),
        negative_prompt=_length("negative_prompt", model.max_prompt_chars),
        side=IntRange(
            min=side["minimum"], max=min(side["maximum"], settings.max_image_size), default=512
        ),
        num_images=IntRange(
            min=count["minimum"],
            max=min(count["maximum"], model.max_images),
            default=count["default"],
        ),
        seed=IntRange(min=seed["minimum"], max=min(seed["maximum"], int(model.seeds.high))),
        formats=formats["enum"],
        default_format=formats["default"],
        lossy_formats=[name for name in formats["enum"] if name in LOSSY_FORMATS],
        quality=IntRange(min=quality["minimum"], max=quality["maximum"], default=DEFAULT_QUALITY),
        styles=styles["enum"],
        default_style=styles["default"],
        guidance=None
        if guidance is None
        else FloatRange(min=guidance.low, max=guidance.high, default=guidance.default or 0),
        job_retention_days=settings.job_retention_days,
        image_url_expiry_seconds=settings.image_url_expiry_seconds,
    )
