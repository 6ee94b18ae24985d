"""List cursors: what this API issued decodes back; anything else is a 400, never a 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from imagejobs.exceptions import InvalidCursorError
from imagejobs.logic.listing import decode_cursor, encode_cursor
from imagejobs.models.domain import PagePosition

TENANT = "tenant-a-key-id"
JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"


def forged(created_at: str, **changes: object) -> str:
    body = {"v": 1, "owner": TENANT, "created_at": created_at, "job_id": JOB_ID, **changes}
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def test_a_cursor_this_api_issued_decodes_to_its_position_in_utc() -> None:
    # Given a position recorded with another offset
    moment = datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    position = PagePosition(tenant=TENANT, created_at=moment, job_id=JOB_ID)

    # When its cursor is decoded
    decoded = decode_cursor(encode_cursor(position), TENANT)

    # Then it is the same instant, in UTC
    assert decoded.created_at == moment
    assert decoded.created_at.tzinfo == UTC
    assert (decoded.tenant, decoded.job_id) == (TENANT, JOB_ID)


# What this API issued for T0's job before the tenant was renamed from owner (a client may
# still hold one): base64url of {"v":1,"owner":TENANT,"created_at":"2026-11-23T08:00:00Z",...}.
ISSUED_BEFORE_THE_RENAME = (
    "eyJ2IjoxLCJvd25lciI6InRlbmFudC1hLWtleS1pZCIsImNyZWF0ZWRfYXQiOiIyMDI2LTExLTIzVDA4OjAwOjAwWiIs"
    "ImpvYl9pZCI6IjNmMWM5YTVlLTdiMmQtNGU4Zi05YTYxLTJjNWQ4ZTBiN2YxNCJ9"
)


def test_a_cursor_issued_before_the_rename_still_decodes_and_is_what_is_issued_now() -> None:
    # Given a position, and the cursor the API issued for it before the rename
    position = PagePosition(
        tenant=TENANT, created_at=datetime(2026, 11, 23, 8, tzinfo=UTC), job_id=JOB_ID
    )

    # When the old cursor is decoded, and the position encoded now
    decoded = decode_cursor(ISSUED_BEFORE_THE_RENAME, TENANT)
    issued = encode_cursor(position)

    # Then the old cursor is that position, and the new one the same bytes
    assert decoded == position
    assert issued == ISSUED_BEFORE_THE_RENAME


@pytest.mark.parametrize(
    "created_at",
    [
        "9999-12-31T23:59:59-14:00",  # past the calendar's end once in UTC
        "0001-01-01T00:00:00+14:00",  # before its start once in UTC
        "10000-01-01T00:00:00Z",
        "2026-11-23T08:00:00",  # no offset: not one this API wrote
        "not a time",
    ],
)
def test_a_forged_time_is_an_invalid_cursor(created_at: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(forged(created_at), TENANT)


@pytest.mark.parametrize(
    "changes",
    [{"v": 2}, {"v": 10**40}, {"owner": "tenant-b-key-id"}, {"job_id": "../etc"}, {"extra": 1}],
)
def test_a_cursor_with_other_fields_is_invalid(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(forged("2026-11-23T08:00:00Z", **changes), TENANT)
