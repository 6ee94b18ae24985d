"""`make bench`: every benchmark, one table, the figures as JSON, two charts.

    python -m tests.perf.bench [--jobs 200] [--concurrency 10] [--full] [--rounds 5]

Stages, in order: render cost per format and size, and per style (bench_render), cold start
and warm overhead per function against a boto3 floor (bench_cold), a cProfile of the slowest
cold start, then the developer loop and the load run on LocalStack (bench_e2e). Timings are
medians and percentiles, and each in-process figure comes with its floor from the same run;
nothing here asserts a speed. The JSON goes to out/bench/, the charts to tests/perf/charts/
(the README shows them), and the JSON file's path is the last line printed.
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
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imagejobs_dev.localstack import ensure_running
from tests.perf import bench_cold, bench_devloop, bench_e2e, bench_render, bench_soak, fixtures

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "bench"
CHARTS = Path(__file__).resolve().parent / "charts"


def _stage(name: str) -> None:
    print(f"== {name} ...", file=sys.stderr, flush=True)


def profile_cold_start(logical_id: str, top: int = 12) -> dict[str, Any]:
    """cProfile of one cold start (imports, settings, clients, first event) of a function,
    in a fresh `-I -S` process like bench_cold's; the top entries by cumulative time."""
    module, event, _ = fixtures.FUNCTIONS[logical_id]
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
install(boto3.DEFAULT_SESSION, AwsStub(json.load(open({str(_items(logical_id))!r}))))
import {module} as handler_module
from cold_start import _Context
handler_module.handler(json.load(open({str(fixtures.event_path(event))!r})), _Context())
profile.disable()
profile.dump_stats(sys.argv[1])
"""
    stats_file = OUT / f"profile-{logical_id}.pstats"
    env = fixtures.function_environment(logical_id, tracing=True)
    subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(stats_file)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
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


def _items(logical_id: str) -> Path:
    path = OUT / f"items-{fixtures.items_for(logical_id)}.json"
    if not path.exists():
        fixtures.write_items(OUT)
    return path


def _short_path(filename: str) -> str:
    for marker in ("/lambda-site-", "/functions/", "/lib/python3.13/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lambda-site-" else tail
    return filename


def run(args: argparse.Namespace) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
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
    stages: list[tuple[str, Any]] = [
        ("render", lambda: bench_render.measure(args.render_sizes, args.render_repeat)),
        (
            "render_styles",
            lambda: bench_render.measure_styles(args.style_sizes, args.render_repeat),
        ),
        ("cold_and_warm", lambda: bench_cold.measure(args.rounds, args.warm, args.warm_up_rounds)),
    ]
    for name, stage in stages:
        _stage(name)
        started = time.monotonic()
        figures[name] = stage()
        figures["stage_seconds"][name] = time.monotonic() - started
    slowest = max(figures["cold_and_warm"].items(), key=lambda kv: kv[1]["init_ms"])[0]
    _stage(f"profile of {slowest}'s cold start")
    figures["profile"] = profile_cold_start(slowest)
    if args.skip_e2e:
        figures["developer_loop"] = figures["load"] = None
    else:
        _stage("developer loop (make down, make up, redeploy)")
        started = time.monotonic()
        figures["developer_loop"] = bench_e2e.developer_loop(args.full)
        figures["stage_seconds"]["developer_loop"] = time.monotonic() - started
        _stage(f"end to end: {args.jobs} jobs at concurrency {args.concurrency}")
        started = time.monotonic()
        figures["load"] = bench_e2e.load(args.jobs, args.concurrency)
        figures["stage_seconds"]["load"] = time.monotonic() - started
        if args.soak:
            _stage(f"soak: {args.soak} Lambda invocations")
            started = time.monotonic()
            figures["soak"] = bench_soak.run(ensure_running(ROOT), args.soak)
            figures["stage_seconds"]["soak"] = time.monotonic() - started
        # Last: it leaves the stack hot-reloading (tests/perf/bench_devloop.py).
        _stage("developer loop, shortcuts (make up unchanged, HOT_RELOAD=1, an edit live)")
        started = time.monotonic()
        figures["devloop"] = bench_devloop.measure(args.rounds)
        figures["stage_seconds"]["devloop"] = time.monotonic() - started
        print("\n".join(bench_devloop.lines(figures["devloop"])), file=sys.stderr)
    return figures


def main() -> None:
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
    parser.add_argument("--skip-e2e", action="store_true", help="in-process stages only")
    parser.add_argument(
        "--soak", type=int, default=50_000, help="Lambda invocations of the soak (0: none)"
    )
    parser.add_argument("--charts", type=Path, default=CHARTS, help="where the PNGs go")
    args = parser.parse_args()
    started = time.monotonic()
    figures = run(args)
    figures["total_seconds"] = time.monotonic() - started
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = OUT / f"bench-{stamp}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    from tests.perf import report

    print(report.table(figures))
    for chart in report.charts(figures, args.charts):
        print(f"chart: {chart.relative_to(ROOT) if chart.is_relative_to(ROOT) else chart}")
    print(path)


if __name__ == "__main__":
    main()
