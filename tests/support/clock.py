"""A `Clock` (imagejobs.clock) for tests: time moves only when the code under test reads or
waits on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.support.jobs import T0


@dataclass
class TickingClock:
    """`now()` is a second later on every call, from `start`; `sleep` advances the monotonic
    clock by what it was asked to wait, without waiting, and records each wait."""

    start: datetime = T0
    ticks: int = 0
    elapsed: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> datetime:
        self.ticks += 1
        return self.start + timedelta(seconds=self.ticks)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds
