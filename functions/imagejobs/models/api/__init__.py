"""Input and output models of the `/jobs` API, and their mapping to and from the domain:
`requests` (what a client sends) and `views` (what it is answered)."""

from imagejobs.models.api.requests import (
    MAX_SHOWN_NAME_CHARS,
    UNKNOWN_FIELD,
    JobOptions,
    JobRequest,
    Prompt,
    Submission,
    WebhookOptions,
    shown_name,
)
from imagejobs.models.api.views import (
    ErrorResponse,
    FieldErrorView,
    JobListView,
    JobView,
    UploadView,
    WebhookBody,
    WebhookSecretView,
    job_view,
)

__all__ = [
    "MAX_SHOWN_NAME_CHARS",
    "UNKNOWN_FIELD",
    "ErrorResponse",
    "FieldErrorView",
    "JobListView",
    "JobOptions",
    "JobRequest",
    "JobView",
    "Prompt",
    "Submission",
    "UploadView",
    "WebhookBody",
    "WebhookOptions",
    "WebhookSecretView",
    "job_view",
    "shown_name",
]
