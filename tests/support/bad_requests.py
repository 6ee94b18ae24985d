"""The bad-input matrix: events/ fixtures, the status each must get, and the field it names.

Unit tests replay these into the handlers; end-to-end tests send the same requests over HTTP.
"""

BAD_SUBMISSIONS: list[tuple[str, int, str | None]] = [
    ("api-post-jobs-malformed-json", 400, "body"),
    ("api-post-jobs-not-an-object", 422, "body"),
    ("api-post-jobs-no-body", 422, "body"),
    ("api-post-jobs-missing-prompt", 422, "prompt"),
    ("api-post-jobs-blank-prompt", 422, "prompt"),
    ("api-post-jobs-prompt-too-long", 422, "prompt"),
    ("api-post-jobs-wrong-type", 422, "width"),
    ("api-post-jobs-too-small", 422, "height"),
    ("api-post-jobs-too-large", 422, "width"),
    ("api-post-jobs-over-deployment-limit", 422, "width"),
    ("api-post-jobs-too-many-images", 422, "num_images"),
    ("api-post-jobs-bad-format", 422, "format"),
    ("api-post-jobs-unknown-field", 422, "steps"),
    ("api-post-jobs-bad-style", 422, "style"),
    ("api-post-jobs-quality-on-png", 422, "quality"),
    ("api-post-jobs-guidance-out-of-range", 422, "guidance"),
    ("api-post-jobs-guidance-and-cfg-scale", 422, "cfg_scale"),
    ("api-post-generate-bad-parameters", 422, "parameters.width"),
    # Text: no control characters in any text field, and a prompt with something visible
    ("api-post-jobs-control-characters", 422, "prompt"),
    ("api-post-jobs-invisible-prompt", 422, "prompt"),
    ("api-post-generate-control-characters", 422, "parameters.negative_prompt"),
    ("api-post-generate-image-lone-surrogate", 422, "prompt"),
    # Numbers: /jobs takes JSON numbers only; the drop-ins coerce only what is unambiguous
    ("api-post-jobs-number-as-text", 422, "width"),
    ("api-post-generate-fractional-width", 422, "parameters.width"),
    ("api-post-generate-overflowing-number", 422, "parameters.width"),
    ("api-post-generate-huge-number-as-text", 422, "parameters.seed"),
]

# What the drop-ins take as the lax models of the services they replace did: each fixture,
# the parameters it resolves to, and the names the job lists as ignored.
LAX_DROP_IN_SUBMISSIONS: list[tuple[str, dict[str, int], list[str]]] = [
    ("api-post-generate-lax", {"width": 320, "height": 240}, ["steps", "sampler", "model"]),
    ("api-post-generate-image-lax", {"width": 64, "height": 64}, ["steps"]),
]

BAD_READS: list[tuple[str, int, str | None]] = [
    ("api-get-job-unknown", 404, None),
    ("api-get-job-malformed-id", 400, "job_id"),
    ("api-get-jobs-bad-limit", 422, "limit"),
    ("api-get-jobs-bad-status", 422, "status"),
    ("api-get-jobs-bad-cursor", 400, "cursor"),
]

# Bodies refused before routing (functions/imagejobs/handlers/request_gate.py), by their
# error code; none names a field, since none could be read.
UNREADABLE_BODIES: list[tuple[str, int, str]] = [
    ("api-post-jobs-invalid-utf8", 400, "invalid_body"),
    ("api-post-jobs-utf16", 400, "invalid_body"),
    ("api-post-jobs-deeply-nested", 400, "invalid_body"),
    ("api-post-jobs-nested-arrays", 400, "invalid_body"),
    ("api-post-generate-nested-objects", 400, "invalid_body"),
    ("api-post-generate-image-nested-arrays", 400, "invalid_body"),
    ("api-post-jobs-huge-integer", 400, "invalid_body"),
    ("api-post-generate-huge-integer", 400, "invalid_body"),
    ("api-post-jobs-gzip-encoded", 415, "unsupported_media_type"),
    ("api-post-jobs-multipart-no-boundary", 415, "unsupported_media_type"),
    ("api-post-jobs-text-plain", 415, "unsupported_media_type"),
    ("api-post-jobs-body-too-large", 413, "request_too_large"),
]

# Valid requests that an over-strict gate once refused; each is accepted.
ODD_BUT_VALID_SUBMISSIONS: list[str] = [
    "api-post-jobs-escaped-emoji",
    "api-post-jobs-upper-case-media-type",
]
