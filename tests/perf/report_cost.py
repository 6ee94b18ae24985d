"""The printout of the cost, estimate and simulation stages (bench_cost, simulation), and the
picture of the dashboard drawn from the estimate stage's jobs (LocalStack renders none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _usd(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"${value:.{digits}f}"


def costs(figures: Any) -> list[str]:
    out = [
        f"Calls and cost on LocalStack, {figures['jobs_per_style']} jobs per client style "
        f"(prices: {figures['prices']['region']}, {figures['prices']['as_of']})"
    ]
    for style, row in figures["styles"].items():
        out.append(
            f"  {style}: {row['api_requests_per_job']:g} API request(s) a job; platform "
            f"{_usd(row['platform_usd_per_1000_images'])} per 1,000 images"
        )
    for path, calls in figures["calls_per_path"].items():
        listed = ", ".join(f"{name} {count:g}" for name, count in calls.items())
        out.append(f"  calls, {path}: {listed}")
    for function, billed in figures["billed_ms"].items():
        memory = figures["memory_mb"].get(function)
        out.append(f"  {function}: billed p50 {billed['p50']:.0f} ms at {memory:g} MB")
    for model, row in figures["per_model"].items():
        platform = ", ".join(
            f"{k} {_usd(v)}" for k, v in row["platform_usd_per_1000_images"].items()
        )
        out.append(
            f"  {model}: model {_usd(row['model_usd_per_1000_images'], 2)}; platform {platform}"
            " per 1,000 images"
        )
    return out


def estimates(figures: Any) -> list[str]:
    error, relative = figures["abs_error_s"], figures["relative_error"]
    if not error:
        return [f"Estimated starts: none of {figures['backlog']} jobs was read while queued"]
    return [
        f"Estimated starts, a backlog of {figures['backlog']} jobs ({figures['image']}), "
        f"{figures['estimated']} read while queued (up to {figures['max_position']} ahead):",
        f"  error p50 {error['p50']:.1f} s, p90 {error['p90']:.1f} s; relative to the wait "
        f"p50 {100 * relative['p50']:.0f} %, p90 {100 * relative['p90']:.0f} %",
    ]


def simulation(figures: Any) -> list[str]:
    out = ["Simulated burst (tests/perf/simulation.py):"]
    for row in figures:
        age = row["queue_age_s"]
        out.append(
            f"  {row['label']}: {row['jobs']} jobs from {row['tenants']} tenant(s): drained in "
            f"{row['drain_s'] / 60:.0f} min; queue age p50 {age.get('p50', 0) / 60:.1f} min, "
            f"max {age.get('p100', 0) / 60:.1f} min; 429s {row['refused_at_cap']}; throttled "
            f"waits {row['throttled_waits']}; failed {row['failed']}"
        )
    return out


def dashboard(figures: Any, path: Path) -> Path | None:
    """The dashboard's panels, drawn from the estimate stage's jobs: queue depth, queue wait,
    jobs ended by state, model time, and the cost per minute they added up to."""
    timeline = figures.get("timeline") or []
    if not timeline:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = min(job["created"] for job in timeline)
    end = max(job["finished"] or job["created"] for job in timeline)
    steps = [start + (end - start) * i / 200 for i in range(201)]
    seconds = [t - start for t in steps]
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
    fig.suptitle(f"Dashboard panels, drawn from {len(timeline)} jobs of a backlog on LocalStack")
    waiting = [sum(j["created"] <= t < (j["started"] or end) for j in timeline) for t in steps]
    axes[0][0].plot(seconds, waiting)
    axes[0][0].set_title("Job queue depth")
    started = sorted((j for j in timeline if j["started"]), key=lambda j: j["started"])
    axes[0][1].plot(
        [j["started"] - start for j in started], [j["started"] - j["created"] for j in started], "."
    )
    axes[0][1].set_title("Queue wait per job (s)")
    for status in ("succeeded", "failed", "canceled"):
        ended = sorted(j["finished"] - start for j in timeline if j["status"] == status)
        if ended:
            axes[0][2].step(ended, range(1, len(ended) + 1), label=status)
    axes[0][2].set_title("Jobs by end state (cumulative)")
    axes[0][2].legend()
    axes[1][0].hist([j["model_seconds"] * 1000 for j in timeline], bins=30)
    axes[1][0].set_title("Model (renderer) latency, ms")
    running = [
        sum((j["started"] or end) <= t < (j["finished"] or end) for j in timeline) for t in steps
    ]
    axes[1][1].plot(seconds, running)
    axes[1][1].set_title("Jobs running (worker concurrency)")
    # The dashboard sums the ended jobs' cost per hour; over a minute's backlog, per 10 s,
    # scaled to the hour that rate would make.
    buckets: dict[int, float] = {}
    for job in timeline:
        bucket = int(((job["finished"] or end) - start) // 10)
        buckets[bucket] = buckets.get(bucket, 0.0) + job["platform_usd"] + job["model_usd"]
    axes[1][2].bar([10 * b + 5 for b in buckets], [v * 360 for v in buckets.values()], width=8)
    axes[1][2].set_title("Cost, USD per hour at that rate")
    for ax in axes.flat:
        ax.grid(alpha=0.3)
    for ax in (axes[0][0], axes[0][1], axes[0][2], axes[1][1], axes[1][2]):
        ax.set_xlabel("s since the first submit")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
