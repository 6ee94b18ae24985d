"""Issue 12's targets, each against the figure `make bench` measured for it.

A target reads its figure from the run's figures as a spread over rounds ({"n", "median",
"min", "max"}); the median is what is compared. A figure the run did not measure (a stage
skipped) is reported as not measured, never as met. Nothing here fails a run: the table is
printed, and docs/performance.md renders it from a committed run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.perf.stats import spread

Spread = dict[str, float]


@dataclass(frozen=True)
class Target:
    figure: str
    unit: str
    limit: float
    at_most: bool  # True: the median must be <= limit; False: >= limit
    read: Callable[[dict[str, Any]], Spread | None]
    stretch: float | None = None

    def text(self) -> str:
        sign = "≤" if self.at_most else "≥"
        stretch = f" (stretch {self.stretch:g})" if self.stretch is not None else ""
        return f"{sign} {self.limit:g} {self.unit}{stretch}"


def at_path(*keys: str) -> Callable[[dict[str, Any]], Spread | None]:
    """The figure at `keys`: a spread over rounds as measured, or one measurement as a spread
    of one."""

    def read(figures: dict[str, Any]) -> Spread | None:
        value: Any = figures
        for key in keys:
            if not isinstance(value, dict) or value.get(key) is None:
                return None
            value = value[key]
        return value if isinstance(value, dict) else spread([float(value)])

    return read


def _cold_ratio(function: str) -> Callable[[dict[str, Any]], Spread | None]:
    def read(figures: dict[str, Any]) -> Spread | None:
        entry = (figures.get("cold_and_warm") or {}).get(function)
        if entry is None:
            return None
        return entry.get("ratio_spread") or spread([entry["ratio_to_floor"]])

    return read


def per_round(stage: str, rounds: str, field: str) -> Callable[[dict[str, Any]], Spread | None]:
    """A figure measured once per round, as a list of dicts (bench_devloop's)."""

    def read(figures: dict[str, Any]) -> Spread | None:
        measured = (figures.get(stage) or {}).get(rounds)
        return spread([float(r[field]) for r in measured]) if measured else None

    return read


# In the order. A new target is one more entry.
TARGETS: list[Target] = [
    Target(
        "Idle job, submit → succeeded, 256² PNG",
        "ms",
        300,
        True,
        at_path("idle", "submit_to_succeeded_ms"),
    ),
    Target(
        "Throughput, 200 jobs of 256² PNG at concurrency 10",
        "jobs/s",
        20,
        False,
        at_path("load", "spread", "completed_per_s"),
        stretch=88,
    ),
    Target(
        "Submit → succeeded p50 under that load",
        "ms",
        2000,
        True,
        at_path("load", "spread", "submit_to_succeeded_p50_ms"),
    ),
    Target(
        "Submit p99 under that load", "ms", 250, True, at_path("load", "spread", "submit_p99_ms")
    ),
    Target(
        "`make up` on a stopped stack, unchanged code → first answer (HOT_RELOAD=1)",
        "s",
        10,
        True,
        per_round("devloop", "up_unchanged_stopped_hot_reload", "total_s"),
    ),
    Target(
        "`make up` on a running stack, unchanged code → first answer",
        "s",
        10,
        True,
        per_round("devloop", "up_unchanged_running", "total_s"),
    ),
    Target(
        "A code change in functions/ → live, no redeploy (HOT_RELOAD=1)",
        "s",
        3,
        True,
        per_round("devloop", "edit_live", "edit_live_s"),
    ),
    Target(
        "Memory at rest after start-up, whole local stack (RSS)",
        "MiB",
        450,
        True,
        at_path("memory_after_start", "total_rss_mib"),
    ),
    Target(
        "Memory at rest after the load (RSS)",
        "MiB",
        800,
        True,
        at_path("memory_after_load", "total_rss_mib"),
    ),
    Target(
        "`make test` in a warm tree (`make bench FULL=1`)",
        "s",
        180,
        True,
        at_path("make_test", "seconds"),
    ),
    Target(
        "`make test` from a fresh clone, setup included (`make bench FULL=1`)",
        "s",
        360,
        True,
        at_path("make_test_fresh_clone", "seconds"),
    ),
    Target("Cold start of Submit / floor", "x", 1.3, True, _cold_ratio("SubmitFunction")),
    Target("Cold start of Status / floor", "x", 1.3, True, _cold_ratio("StatusFunction")),
    Target("Cold start of Worker / floor", "x", 1.5, True, _cold_ratio("WorkerFunction")),
]


def evaluate(figures: dict[str, Any], targets: list[Target] | None = None) -> list[dict[str, Any]]:
    """One row per target: its text, the measured spread (or None) and whether it was met."""
    rows = []
    for target in TARGETS if targets is None else targets:
        measured = target.read(figures)
        met = None
        if measured is not None and measured["n"]:
            median = measured["median"]
            met = median <= target.limit if target.at_most else median >= target.limit
        rows.append(
            {
                "figure": target.figure,
                "target": target.text(),
                "unit": target.unit,
                "measured": measured,
                "met": met,
            }
        )
    return rows
