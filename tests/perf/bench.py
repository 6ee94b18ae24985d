"""`make bench`: every benchmark, one table, the figures as JSON, three charts.

    python -m tests.perf.bench [--jobs 200] [--concurrency 10] [--full] [--rounds 5]

Stages, in order (STAGES): render cost per format and size, per style and per edit
(bench_render), cold start and warm overhead per function against a boto3 floor (bench_cold), a
cProfile of the slowest cold start, then on LocalStack the developer loop (bench_e2e), the
stack's memory at rest just after it started, idle jobs one at a time, a 1 MP upload to a
finished fast upscale and the worker's peak memory for it (bench_images), rounds of the load run,
the memory after it (bench_chain), a burst at a model's request quota (bench_quota), the soak
(bench_soak), `make test` here and `make test` and `make demo` in a fresh clone (FULL=1), and
the developer loop's shortcuts (bench_devloop). Last, each figure against its target
(targets); `--only` runs the stages it names. Timings are medians and percentiles, and each
in-process figure comes with its floor from the same run; nothing here asserts a speed. The JSON
goes to out/bench/, the charts to tests/perf/charts/ (docs/performance.md shows them), and the
JSON file's path is the last line printed. docs/performance.md's figures come from a run
committed under docs/bench/ (tests/perf/performance_page.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imagejobs_dev.localstack import ensure_running
from tests.perf import (
    bench_chain,
    bench_cold,
    bench_cost,
    bench_devloop,
    bench_e2e,
    bench_images,
    bench_quota,
    bench_render,
    bench_soak,
    fixtures,
    simulation,
    targets,
)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "bench"
CHARTS = Path(__file__).resolve().parent / "charts"


def _stage(name: str) -> None:
    print(f"== {name} ...", file=sys.stderr, flush=True)


def profile_cold_start(logical_id: str, out: Path, top: int = 12) -> dict[str, Any]:
    """cProfile of one cold start (imports, settings, clients, first event) of a function,
    in a fresh `-I -S` process like bench_cold's; the top entries by cumulative time. The
    profile is kept in `out`."""
    module, event, _ = fixtures.FUNCTIONS[logical_id]
    with tempfile.TemporaryDirectory(prefix="imagejobs-bench-") as tmp:
        items = fixtures.write_items(Path(tmp))[fixtures.items_for(logical_id)]
        stats_file = out / f"profile-{logical_id}.pstats"
        env = fixtures.function_environment(logical_id, tracing=True)
        _profile(module, event, items, stats_file, env)
    stats = pstats.Stats(str(stats_file), stream=io.StringIO())
    rows = []
    for (filename, line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
        _, _, _, cumulative, _ = entry
        where = _short_path(filename)
        if where.startswith(("<frozen", "{", "~")) or function.startswith("<built-in"):
            continue
        rows.append((cumulative * 1000, f"{where}:{line}({function})"))
    rows.sort(reverse=True)
    total = stats.total_tt * 1000  # type: ignore[attr-defined]
    return {
        "function": logical_id,
        "total_ms": total,
        "stats_file": str(stats_file),
        "top_cumulative_ms": [{"ms": round(ms, 1), "where": w} for ms, w in rows[:top]],
    }


def _profile(module: str, event: str, items: Path, stats_file: Path, env: dict[str, str]) -> None:
    """Runs the cold start under cProfile in a fresh process, writing its stats to `stats_file`."""
    site = bench_cold.lambda_site()
    paths = [str(ROOT / "functions"), str(site), str(bench_cold.HERE)]
    code = f"""
import cProfile, json, pstats, sys
sys.path[:0] = {paths!r}
profile = cProfile.Profile()
profile.enable()
import boto3
from aws_stub import AwsStub, install
boto3.setup_default_session()
install(boto3.DEFAULT_SESSION, AwsStub(json.load(open({str(items)!r}))))
import {module} as handler_module
from cold_start import _Context
handler_module.handler(json.load(open({str(fixtures.event_path(event))!r})), _Context())
profile.disable()
profile.dump_stats(sys.argv[1])
"""
    subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(stats_file)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _short_path(filename: str) -> str:
    for marker in ("/lambda-site-", "/functions/", "/lib/python3.13/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lambda-site-" else tail
    return filename


@dataclass(frozen=True)
class Stage:
    """One benchmark stage: its key in the figures (and the report's section), what the
    progress line says, whether it needs the deployed stack on LocalStack, and how it runs."""

    key: str
    label: Callable[[argparse.Namespace], str]
    run: Callable[[argparse.Namespace, dict[str, Any]], Any]
    needs_stack: bool = False
    enabled: Callable[[argparse.Namespace], bool] = lambda args: True


def _slowest_cold_start(figures: dict[str, Any]) -> str:
    return str(max(figures["cold_and_warm"].items(), key=lambda kv: kv[1]["init_ms"])[0])


def _fresh_clone(target: str) -> Stage:
    """`make <target>` in a fresh clone, setup included (FULL=1)."""
    return Stage(
        f"make_{target}_fresh_clone",
        lambda a: f"make {target} in a fresh clone, setup included",
        lambda a, f: bench_e2e.make_in_a_fresh_clone(target),
        needs_stack=True,
        enabled=lambda a: bool(a.full),
    )


# In order. A new stage is one more entry here, a section in report.py and a smoke test.
STAGES: list[Stage] = [
    Stage(
        "render",
        lambda a: "render",
        lambda a, f: bench_render.measure(a.render_sizes, a.render_repeat),
    ),
    Stage(
        "render_styles",
        lambda a: "render_styles",
        lambda a, f: bench_render.measure_styles(a.style_sizes, a.render_repeat),
    ),
    Stage(
        "render_edits",
        lambda a: "render_edits",
        lambda a, f: bench_render.measure_edits(a.edit_sizes, a.render_repeat),
    ),
    Stage(
        "cold_and_warm",
        lambda a: "cold_and_warm",
        lambda a, f: bench_cold.measure(a.rounds, a.warm, a.warm_up_rounds),
    ),
    Stage(
        "profile",
        lambda a: "profile of the slowest cold start",
        lambda a, f: profile_cold_start(_slowest_cold_start(f), a.out),
    ),
    Stage(
        "developer_loop",
        lambda a: "developer loop (make down, make up, redeploy)",
        lambda a, f: bench_e2e.developer_loop(at_rest=bench_chain.stack_memory),
        needs_stack=True,
    ),
    Stage(
        "memory_after_start",
        lambda a: "memory of the local stack at rest after start-up",
        lambda a, f: _memory_after_start(f),
        needs_stack=True,
    ),
    Stage(
        "idle",
        lambda a: f"idle job, {a.idle_rounds} rounds",
        lambda a, f: bench_chain.idle(a.idle_rounds),
        needs_stack=True,
    ),
    Stage(
        "upload_upscale",
        lambda a: (
            f"images in: a {a.upscale_side}x{a.upscale_side} upload to a finished fast upscale,"
            f" {a.upscale_rounds} rounds"
        ),
        lambda a, f: bench_images.run(a.upscale_rounds, a.upscale_side),
        needs_stack=True,
    ),
    Stage(
        "load",
        lambda a: (
            f"end to end: {a.jobs} jobs at concurrency {a.concurrency}, {a.load_rounds} rounds"
        ),
        lambda a, f: bench_chain.load_rounds(a.load_rounds, a.jobs, a.concurrency),
        needs_stack=True,
    ),
    Stage(
        "memory_after_load",
        lambda a: "memory of the local stack at rest after the load",
        lambda a, f: bench_chain.stack_memory(),
        needs_stack=True,
    ),
    Stage(
        "quota",
        lambda a: (
            f"a burst of {a.quota_jobs} jobs at {a.quota_requests} requests per {a.quota_per}"
        ),
        lambda a, f: bench_quota.burst(a.quota_jobs, a.quota_requests, a.quota_per),
        needs_stack=True,
        enabled=lambda a: bool(a.quota_jobs),
    ),
    Stage(
        "soak",
        lambda a: f"soak: {a.soak} Lambda invocations",
        lambda a, f: bench_soak.run(ensure_running(ROOT), a.soak),
        needs_stack=True,
        enabled=lambda a: bool(a.soak),
    ),
    Stage(
        "costs",
        lambda a: f"calls and cost per job, {a.cost_jobs} jobs per client style",
        lambda a, f: bench_cost.calls_and_cost(a.cost_jobs),
        needs_stack=True,
    ),
    Stage(
        "estimates",
        lambda a: f"estimated starts of a backlog of {a.backlog} jobs",
        lambda a, f: bench_cost.estimates(a.backlog),
        needs_stack=True,
        enabled=lambda a: bool(a.backlog),
    ),
    Stage(
        "simulation",
        lambda a: f"simulated burst of {a.sim_jobs} jobs",
        lambda a, f: simulation.scenarios(a.sim_jobs),
    ),
    # On the stack the load ran on, deployed as `make test` deploys it: its end-to-end tests
    # reuse it, as in a developer's warm tree.
    Stage(
        "make_test",
        lambda a: "make test in this tree",
        lambda a, f: bench_e2e.make_test(),
        needs_stack=True,
        enabled=lambda a: bool(a.full),
    ),
    *(_fresh_clone(target) for target in ("test", "demo")),
    # Last: it leaves the stack hot-reloading (tests/perf/bench_devloop.py).
    Stage(
        "devloop",
        lambda a: "developer loop, shortcuts (make up unchanged, HOT_RELOAD=1, an edit live)",
        lambda a, f: _devloop(a.rounds),
        needs_stack=True,
    ),
]


def _memory_after_start(figures: dict[str, Any]) -> Any:
    """The stack at rest after `make up` from stopped and its first call: as the developer
    loop measured it before its redeploy, or now if it could not (another LocalStack's)."""
    measured = (figures.get("developer_loop") or {}).get("memory_after_up")
    return measured if measured is not None else bench_chain.stack_memory()


def _devloop(rounds: int) -> dict[str, Any]:
    figures = bench_devloop.measure(rounds)
    print("\n".join(bench_devloop.lines(figures)), file=sys.stderr)
    return figures


def run(args: argparse.Namespace, stages: list[Stage] | None = None) -> dict[str, Any]:
    args.out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "arguments": vars(args),
        "stage_seconds": {},
    }
    only = set(getattr(args, "only", None) or ())
    for stage in STAGES if stages is None else stages:
        skipped = (stage.needs_stack and args.skip_e2e) or (only and stage.key not in only)
        if skipped or not stage.enabled(args):
            figures[stage.key] = None
            continue
        _stage(stage.label(args))
        started = time.monotonic()
        figures[stage.key] = stage.run(args, figures)
        figures["stage_seconds"][stage.key] = time.monotonic() - started
    figures["targets"] = targets.evaluate(figures)
    return figures


def parser() -> argparse.ArgumentParser:
    """The benchmark's options (`make bench` passes N, C, SOAK and FULL to them)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs end to end (default 200)")
    parser.add_argument("--concurrency", type=int, default=10, help="submitting threads")
    parser.add_argument("--full", action="store_true", help="also time `make test` (long)")
    parser.add_argument("--rounds", type=int, default=5, help="cold starts per function")
    parser.add_argument("--warm", type=int, default=1000, help="warm requests per function")
    parser.add_argument(
        "--warm-up-rounds", type=int, default=1, help="uncounted cold starts first (default 1)"
    )
    parser.add_argument("--render-repeat", type=int, default=3, help="renders per row")
    parser.add_argument(
        "--render-sizes", type=int, nargs="+", default=list(bench_render.SIZES), help="sides"
    )
    parser.add_argument(
        "--style-sizes", type=int, nargs="+", default=list(bench_render.STYLE_SIZES), help="sides"
    )
    parser.add_argument(
        "--edit-sizes", type=int, nargs="+", default=list(bench_render.EDIT_SIZES), help="sides"
    )
    parser.add_argument("--idle-rounds", type=int, default=7, help="idle jobs, one at a time")
    parser.add_argument("--load-rounds", type=int, default=3, help="rounds of the load run")
    parser.add_argument(
        "--upscale-side",
        type=int,
        default=bench_images.SIDE,
        help="side of the photo uploaded and upscaled x4 (default 1024: 1 MP to 16 MP)",
    )
    parser.add_argument("--upscale-rounds", type=int, default=3, help="rounds of the upscale")
    parser.add_argument("--skip-e2e", action="store_true", help="in-process stages only")
    parser.add_argument(
        "--only", nargs="+", choices=[stage.key for stage in STAGES], help="only these stages"
    )
    parser.add_argument(
        "--quota-jobs", type=int, default=300, help="jobs of the quota burst (0: none)"
    )
    parser.add_argument(
        "--quota-requests", type=int, default=60, help="requests the model admits per window"
    )
    parser.add_argument("--quota-per", choices=sorted(bench_quota.WINDOW_SECONDS), default="minute")
    parser.add_argument(
        "--soak", type=int, default=50_000, help="Lambda invocations of the soak (0: none)"
    )
    parser.add_argument("--cost-jobs", type=int, default=10, help="jobs per client style")
    parser.add_argument("--backlog", type=int, default=200, help="jobs of the estimate stage")
    parser.add_argument("--sim-jobs", type=int, default=10_000, help="jobs of the simulation")
    parser.add_argument("--charts", type=Path, default=CHARTS, help="where the PNGs go")
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where the JSON and the profile go (out/bench)"
    )
    return parser


def main() -> None:
    args = parser().parse_args()
    started = time.monotonic()
    figures = run(args)
    figures["total_seconds"] = time.monotonic() - started
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    from tests.perf import report

    print(report.table(figures))
    # A partial run (--only) leaves the charts, which the docs show, as the last whole one drew.
    for chart in [] if args.only else report.charts(figures, args.charts):
        print(f"chart: {chart.relative_to(ROOT) if chart.is_relative_to(ROOT) else chart}")
    print(path)
    for key in ("make_test", "make_test_fresh_clone", "make_demo_fresh_clone"):
        if (figures.get(key) or {}).get("passed") is False:
            print(figures[key]["output"], file=sys.stderr)  # short: bench_e2e.failure_report
            sys.exit(f"{key} failed (its output's end is above; the figures are written)")


if __name__ == "__main__":
    main()
