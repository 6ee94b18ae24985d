"""The service's notion of time. Logic never reads the time itself, so tests can run it on a
clock of their own. Logic that reads the time more than once, sleeps or measures takes a
`Clock`; logic that needs one instant takes `now: datetime`. The handlers pass `SYSTEM_CLOCK`
or `utc_now()`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class BilledTime:
    """The Lambda time a piece of work has taken since `began` (on `clock.monotonic`), as
    GB-seconds at the invocation's memory size: what AWS bills for it."""

    clock: Clock
    began: float
    memory_mb: int

    @classmethod
    def start(cls, clock: Clock, memory_mb: int) -> BilledTime:
        return cls(clock=clock, began=clock.monotonic(), memory_mb=memory_mb)

    def gb_seconds(self) -> float:
        return max(self.clock.monotonic() - self.began, 0.0) * self.memory_mb / 1024
