"""The service's notion of time, injected one way: a `Clock`.

Logic takes a `Clock` and never reads the time itself, so tests can run it on a clock of their
own; the handlers pass `SYSTEM_CLOCK`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Now in UTC, to the millisecond: the precision jobs store."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring waits."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        # To the millisecond, so that a job reads back exactly as it was returned on creation.
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()


def utc_now() -> datetime:
    return SYSTEM_CLOCK.now()
