"""Listing a tenant's jobs, newest first, with an opaque cursor.

The cursor is the position after the last job of a page, encoded as base64url JSON. It is not
a secret: every query is bound to the tenant that asks, so a cursor can only move a
tenant within its own jobs. A cursor naming another tenant, or one that does not decode to a
valid position, is refused (`InvalidCursorError`, a 400) instead of being passed to DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC
from typing import NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from imagejobs.exceptions import InvalidCursorError
from imagejobs.logic.status import JobReader, JobReport
from imagejobs.models.domain import JobStatus, PagePosition

_JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class _CursorBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_alias=True, serialize_by_alias=True
    )

    v: int
    # Named `owner` in the cursor's JSON: cursors issued before the rename to tenant still
    # decode, and new ones are the same bytes.
    tenant: str = Field(alias="owner")
    created_at: AwareDatetime
    job_id: str


class JobListing(NamedTuple):
    reports: list[JobReport]
    next_cursor: str | None


def encode_cursor(position: PagePosition) -> str:
    body = _CursorBody(
        v=1, owner=position.tenant, created_at=position.created_at, job_id=position.job_id
    )
    return base64.urlsafe_b64encode(body.model_dump_json().encode()).decode().rstrip("=")


def decode_cursor(cursor: str, tenant: str) -> PagePosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = _CursorBody.model_validate(json.loads(raw))
        # Positions are compared in UTC; a time near the calendar's ends may have none.
        created_at = body.created_at.astimezone(UTC)
    except (binascii.Error, ValueError, ValidationError, OverflowError) as error:
        raise InvalidCursorError("cursor is not one this API issued") from error
    if body.v != 1 or body.tenant != tenant or not _JOB_ID.match(body.job_id):
        raise InvalidCursorError("cursor is not one this API issued to this API key")
    return PagePosition(tenant=tenant, created_at=created_at, job_id=body.job_id)


def list_jobs(
    tenant: str, reader: JobReader, *, status: JobStatus | None, limit: int, cursor: str | None
) -> JobListing:
    after = decode_cursor(cursor, tenant) if cursor else None
    page = reader.jobs.list_for_tenant(tenant, status=status, limit=limit, after=after)
    return JobListing(
        reports=[reader.report(job) for job in page.jobs],
        next_cursor=encode_cursor(page.next_position) if page.next_position else None,
    )
