"""Medians and percentiles: no benchmark here reports a single timing."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile, interpolated between the two nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float], *pcts: float) -> dict[str, float]:
    """{"n", "p50", and "p<pct>" for each pct}, e.g. summary(latencies, 95, 99)."""
    result: dict[str, float] = {"n": len(values), "p50": percentile(values, 50)}
    for pct in pcts:
        result[f"p{pct:g}"] = percentile(values, pct)
    return result


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> dict[str, float]:
    """{"n", "median", "min", "max"}: a figure over rounds, quoted as its median."""
    if not values:
        return {"n": 0, "median": float("nan"), "min": float("nan"), "max": float("nan")}
    return {"n": len(values), "median": median(values), "min": min(values), "max": max(values)}
