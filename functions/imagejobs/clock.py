"""The service's notion of "now"."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, to the millisecond: the precision jobs store, so that a job reads back
    exactly as it was returned when it was created."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
