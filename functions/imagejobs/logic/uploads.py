"""Uploads: a tenant sends an image straight to S3 with a presigned POST, then names it in a job.

The file never passes through API Gateway (10 MB) or Lambda (6 MB). The POST's policy fixes the
key (`uploads/<tenant>/<upload_id>`, so no tenant can write another's, and an upload_id means
nothing to another tenant), bounds the size (`content-length-range`, MaxUploadBytes) and wants
an image content type; S3 refuses anything else itself. What the file really is, is read from
its bytes when a job names it (logic.inputs). Uploads expire through the bucket's lifecycle
rule (UploadRetentionDays).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from imagejobs.logic.inputs import upload_key
from imagejobs.observability import logger
from imagejobs.ports import UploadSigner

# How long the presigned POST may be used: enough to send a large file on a slow line.
UPLOAD_URL_SECONDS = 15 * 60


@dataclass(frozen=True)
class Upload:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


def create_upload(tenant: str, *, signer: UploadSigner, max_bytes: int, now: datetime) -> Upload:
    upload_id = f"up_{secrets.token_hex(16)}"
    url, fields = signer.presigned_post(
        upload_key(tenant, upload_id), max_bytes=max_bytes, expires_in=UPLOAD_URL_SECONDS
    )
    logger.info("upload offered", extra={"upload_id": upload_id})
    return Upload(
        upload_id=upload_id,
        url=url,
        fields=fields,
        expires_at=(now + timedelta(seconds=UPLOAD_URL_SECONDS)).replace(microsecond=0),
        max_bytes=max_bytes,
    )
