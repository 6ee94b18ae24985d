"""The readable table and the four charts of a `make bench` run (tests.perf.bench's figures).

    python -m tests.perf.report out/bench/bench-<time>.json     # print a run's table again
    python -m tests.perf.report --docs docs/bench/<date>.json   # render docs/performance.md from it

The second form is tests/perf/performance_page.py's: the page's figures come from a run
committed under docs/bench/, never from a pasted printout.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.perf import bench_quota, bench_render, report_cost
from tests.perf.performance_page import LOAD_FIGURES, warm_cells


def _rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        first = row[0].ljust(widths[0])
        lines.append(
            "  ".join([first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _f(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _cold(cold: Any) -> list[str]:
    """Cold starts, their import breakdown, warm requests."""
    out: list[str] = []
    rounds = next(iter(cold.values()))["rounds"]
    out.append(f"Cold start: fresh process to first handled event (median of {rounds} rounds)")
    out += _rows(
        ["function", "init ms", "floor ms", "ratio", "import ms", "1st event ms", "process ms"],
        [
            [
                name,
                _f(c["init_ms"]),
                _f(c["floor_ms"]),
                _f(c["ratio_to_floor"], 2),
                _f(c["import_ms"]),
                _f(c["first_event_ms"], 1),
                _f(c["process_wall_ms"]),
            ]
            for name, c in cold.items()
        ],
    )
    out.append("")
    out.append("Import time, self ms per package (python -X importtime)")
    for name, c in cold.items():
        packages = c["importtime"]["packages_self_ms"]
        out.append(
            f"  {name}: " + ", ".join(f"{p} {ms:.0f}" for p, ms in list(packages.items())[:6])
        )
    out.append("")
    out.append("Warm request, in-process (µs; floor: the same AWS calls made directly)")
    warm = [(n, c["warm"]) for n, c in cold.items() if "warm" in c]
    out += _rows(
        ["function", "p50", "p99", "floor p50", "floor p99", "overhead p50", "ratio p50"],
        [[name, *warm_cells(w, _f)] for name, w in warm],
    )
    return out


def _render(render: Any) -> list[str]:
    """Render time and memory per format and size."""
    title = f"Render (median of {render[0]['repeat']} per row; peak memory in a fresh process)"
    return [title, *bench_render.table(render).splitlines()]


def _styles(styles: Any) -> list[str]:
    """Render time per style."""
    title = f"Render per style, png (median of {styles[0]['repeat']} per size)"
    return [title, *bench_render.styles_table(styles).splitlines()]


def _edits(edits: Any) -> list[str]:
    """Render time per edit of the built-in renderer."""
    title = (
        f"Edits of the built-in renderer, png (median of {edits[0]['repeat']} per size;"
        " ms per MP of the input)"
    )
    return [title, *bench_render.edits_table(edits).splitlines()]


def _profile(profile: Any) -> list[str]:
    """The slowest cold start under cProfile."""
    title = (
        f"Profile: {profile['function']} cold start, {profile['total_ms']:.0f} ms under "
        "cProfile; top by cumulative time"
    )
    return [title, *(f"  {r['ms']:>7.1f} ms  {r['where']}" for r in profile["top_cumulative_ms"])]


def _developer_loop(loop: Any) -> list[str]:
    """make up from stopped, and after a change."""
    out: list[str] = []
    out.append("Developer loop")
    for label, key in (
        ("make up on a stopped stack", "up_from_stopped"),
        ("redeploy after a one-line change", "redeploy_after_change"),
    ):
        stage = loop[key]
        if "skipped" in stage:
            out.append(f"  {label}: skipped ({stage['skipped']})")
        else:
            out.append(
                f"  {label}: {stage['total_s']:.1f} s to the first successful call "
                f"(make up {stage['make_up_s']:.1f} s + {stage['first_call_s']:.1f} s)"
            )
    return out


def _make(target: str, where: str) -> Callable[[Any], list[str]]:
    def section(run: Any) -> list[str]:
        outcome = "" if run.get("passed", True) else " (FAILED)"
        return [f"make {target} {where}: {run['seconds']:.0f} s{outcome}"]

    return section


def _spread(value: dict[str, float] | None, digits: int = 0, unit: str = "") -> str:
    """A figure over rounds: its median, and its range when there were several rounds."""
    if not value or not value.get("n"):
        return "n/a"
    text = f"{_f(value['median'], digits)}{unit}"
    if value["n"] > 1:
        text += f" ({_f(value['min'], digits)}-{_f(value['max'], digits)})"
    return text


def _load(load: Any) -> list[str]:
    """Jobs end to end on LocalStack, over rounds (bench_chain.load_rounds)."""
    out: list[str] = []
    rounds = load["rounds"]
    out.append(
        f"End to end on LocalStack: {load['jobs']} jobs ({load['image']}) at concurrency "
        f"{load['concurrency']}, {len(rounds)} round(s): median (min-max) over rounds"
    )
    out += _rows(
        ["figure", "median (range)"],
        [[name, _spread(load["spread"][key], d)] for key, (name, d) in LOAD_FIGURES.items()],
    )
    for n, r in enumerate(rounds, 1):
        cpu = r.get("cpu_ms_per_job") or {}
        cpu_text = (
            f"; CPU per job: LocalStack {cpu['localstack_s']:.0f} ms, "
            f"Lambdas {cpu['lambda_s']:.0f} ms"
            if cpu
            else ""
        )
        out.append(
            f"  round {n}: completed {r['succeeded']}/{r['jobs']} at "
            f"{r['completed_per_s']:.2f} jobs/s; lost {r['lost']}; failed {r['failed']}; "
            f"dead-lettered {r['dead_letter_messages']}; worker peak RSS "
            f"{r['worker_peak_rss_mib']:.0f} MiB over {r['worker_processes']} process(es)"
            f"{cpu_text}"
        )
    return out


def _idle(idle: Any) -> list[str]:
    """One job at a time on a quiet chain."""
    return [
        f"Idle job ({idle['image']}), one at a time, {idle['rounds']} rounds: median (min-max)",
        f"  submit -> succeeded {_spread(idle['submit_to_succeeded_ms'], 0, ' ms')}; "
        f"submit (HTTP 202) {_spread(idle['submit_ms'], 0, ' ms')}; statuses {idle['statuses']}",
    ]


def _upload_upscale(run: Any) -> list[str]:
    """A photo uploaded with the presigned POST to a finished fast upscale, warm."""
    side, (width, height) = run["input"]["side"], run["result"]
    peak = "" if run["peak_per_round"] else " (the environment's lifetime peak: not reset)"
    return [
        f"Images in: a {side}x{side} JPEG ({run['input']['bytes']:,} bytes) uploaded, to a finished"
        f" fast upscale ({width}x{height}), {run['rounds']} rounds: median (min-max)",
        f"  upload (POST /uploads + S3) {_spread(run['upload_ms'], 0, ' ms')}; submit"
        f" {_spread(run['submit_ms'], 0, ' ms')}; upload -> succeeded"
        f" {_spread(run['upload_to_succeeded_ms'], 0, ' ms')}",
        f"  worker peak RSS {_spread(run['worker_peak_rss_mib'], 0, ' MiB')}{peak}",
    ]


def _memory(title: str) -> Callable[[Any], list[str]]:
    def section(memory: Any) -> list[str]:
        per_function = ", ".join(
            f"{name} {mib:.0f} MiB x{memory['lambda_environments'][name]}"
            for name, mib in memory["lambda_rss_mib"].items()
        )
        return [
            f"{title}: {memory['total_rss_mib']:.0f} MiB RSS in {memory['processes']} processes",
            f"  LocalStack {memory['localstack_rss_mib']:.0f} MiB; other "
            f"{memory['other_processes_rss_mib']:.0f} MiB; Lambda environments: "
            f"{per_function or 'none'}",
        ]

    return section


def _targets(rows: Any) -> list[str]:
    """Each target against its measured median."""
    out = ["Targets (issue 12): median (min-max over rounds)"]
    verdict = {True: "met", False: "NOT met", None: "not measured"}
    out += _rows(
        ["figure", "target", "measured", ""],
        [
            [
                row["figure"],
                row["target"],
                _spread(row["measured"], 2 if row["unit"] in ("x", "jobs/s") else 0),
                verdict[row["met"]],
            ]
            for row in rows
        ],
    )
    return out


def _soak(soak: Any) -> list[str]:
    """LocalStack's process over many Lambda invocations: flat is healthy."""
    out = [
        f"Soak: {soak['invocations']} Lambda invocations at concurrency {soak['concurrency']}, "
        f"{soak['invocations_per_s']:.1f}/s, {soak['errors']} errors"
    ]
    out += _rows(
        ["invocations", "threads", "memory maps", "RSS MiB"],
        [
            [str(r["invocations"]), str(r["threads"]), str(r["maps"]), str(r["rss_mib"])]
            for r in soak["samples"]
        ],
    )
    growth = soak["per_1000"]
    out.append(
        f"  growth per 1,000 invocations after the first interval: threads {growth['threads']}, "
        f"maps {growth['maps']}, RSS {growth['rss_mib']} MiB"
    )
    return out


_SECTIONS = (
    ("cold_and_warm", _cold),
    ("render", _render),
    ("render_styles", _styles),
    ("render_edits", _edits),
    ("profile", _profile),
    ("developer_loop", _developer_loop),
    ("memory_after_start", _memory("Memory at rest after start-up")),
    ("idle", _idle),
    ("upload_upscale", _upload_upscale),
    ("load", _load),
    ("memory_after_load", _memory("Memory at rest after the load")),
    ("quota", bench_quota.lines),
    ("soak", _soak),
    ("costs", report_cost.costs),
    ("estimates", report_cost.estimates),
    ("simulation", report_cost.simulation),
    ("make_test", _make("test", "in this tree, on its running stack")),
    ("make_test_fresh_clone", _make("test", "in a fresh clone, setup included")),
    ("make_demo_fresh_clone", _make("demo", "in a fresh clone, setup included")),
    ("targets", _targets),
)


def table(figures: dict[str, Any]) -> str:
    """The printout of a run: a section for each stage in `figures` (a smoke test may pass only
    some), then the stages' wall times."""
    out: list[str] = []
    for key, section in _SECTIONS:
        if figures.get(key):
            out += [*section(figures[key]), ""]
    seconds = figures.get("stage_seconds", {})
    out.append("Stage wall times: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    return "\n".join(out)


def charts(figures: dict[str, Any], folder: Path) -> list[Path]:
    """latency.png (cold starts against their floor; end-to-end percentiles), targets.png (each
    target measured, when any was) and render.png (time and peak memory against pixels)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = [_latency_chart(figures, folder / "latency.png", plt)]
    if rows := [r for r in figures.get("targets") or [] if r["measured"] and r["measured"]["n"]]:
        written.append(_targets_chart(rows, folder / "targets.png", plt))
    written.append(_render_chart(figures["render"], folder / "render.png", plt))
    if figures.get("estimates") and report_cost.dashboard(
        figures["estimates"], folder / "dashboard.png"
    ):
        written.append(folder / "dashboard.png")
    return written


def _saved(fig: Any, path: Path, plt: Any) -> Path:
    """Writes the chart to `path` and frees it."""
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _latency_chart(figures: dict[str, Any], path: Path, plt: Any) -> Path:
    cold = figures["cold_and_warm"]
    load = figures.get("load")
    fig, axes = plt.subplots(1, 2 if load else 1, figsize=(11 if load else 6, 4.2), squeeze=False)
    ax = axes[0][0]
    names = [n.removesuffix("Function") for n in cold]
    xs = range(len(names))
    ax.bar(
        [x - 0.2 for x in xs],
        [c["floor_ms"] for c in cold.values()],
        0.4,
        label="floor (boto3 + clients)",
    )
    ax.bar([x + 0.2 for x in xs], [c["init_ms"] for c in cold.values()], 0.4, label="function")
    for x, c in zip(xs, cold.values(), strict=True):
        ax.annotate(
            f"x{c['ratio_to_floor']:.2f}", (x + 0.2, c["init_ms"]), ha="center", va="bottom"
        )
    ax.set_xticks(list(xs), names)
    ax.set_ylabel("ms, fresh process to first handled event")
    ax.set_title("Cold start against its floor (median)")
    ax.legend(loc="lower right")
    if load:
        _load_panel(axes[0][1], load)
    return _saved(fig, path, plt)


def _load_panel(ax: Any, load: dict[str, Any]) -> None:
    labels = ["p50", "p95", "p99"]
    last = load["rounds"][-1]
    sub, done = last["submit_latency_ms"], last["submit_to_succeeded_ms"]
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], [sub[k] / 1000 for k in labels], 0.4, label="submit (202)")
    ax.bar([x + 0.2 for x in xs], [done[k] / 1000 for k in labels], 0.4, label="submit → succeeded")
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("seconds")
    ax.set_title(f"LocalStack: {load['jobs']} jobs at concurrency {load['concurrency']}")
    ax.legend()


def _render_chart(render: list[dict[str, Any]], path: Path, plt: Any) -> Path:
    fig, (time_ax, memory_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for image_format in sorted({row["format"] for row in render}):
        rows = [row for row in render if row["format"] == image_format]
        mp = [row["megapixels"] for row in rows]
        time_ax.plot(mp, [row["median_ms"] for row in rows], marker="o", label=image_format)
        memory_ax.plot(
            mp, [row["rss_peak_mib"] or 0 for row in rows], marker="o", label=image_format
        )
    for ax, label in ((time_ax, "median ms per image"), (memory_ax, "peak RSS MiB above start")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("megapixels (256² … 2048²)")
        ax.set_ylabel(label)
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
    time_ax.set_title("Render time against pixels")
    memory_ax.set_title("Render peak memory against pixels")
    return _saved(fig, path, plt)


def _targets_chart(rows: list[dict[str, Any]], path: Path, plt: Any) -> Path:
    """Each target's median (and range) as a share of its limit: left of 1 is met for an
    upper bound; a lower bound (jobs/s) is drawn as limit ÷ measured, so left of 1 is met too."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
    names, shares, lows, highs, colours = [], [], [], [], []
    for row in rows:
        m, limit = row["measured"], float(row["target"].split()[1])
        if row["target"].startswith("≤"):
            share, low, high = m["median"] / limit, m["min"] / limit, m["max"] / limit
        else:
            share, low, high = limit / m["median"], limit / m["max"], limit / m["min"]
        names.append(row["figure"])
        shares.append(share)
        lows.append(share - low)
        highs.append(high - share)
        colours.append("tab:green" if row["met"] else "tab:red")
    ys = range(len(rows))
    ax.barh(list(ys), shares, xerr=[lows, highs], color=colours, capsize=3)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("median ÷ target (≤ 1 is met; bars: range over rounds)")
    ax.set_title("make bench against issue 12's targets")
    return _saved(fig, path, plt)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("figures", nargs="?", type=Path, help="a bench JSON: print its table")
    what.add_argument(
        "--docs",
        metavar="JSON",
        help="render docs/performance.md from this run (a JSON committed under docs/bench/)",
    )
    parser.add_argument(
        "--page", type=Path, help="with --docs: the page to render (default docs/performance.md)"
    )
    args = parser.parse_args()
    if args.docs:
        from tests.perf import performance_page

        print(performance_page.write(args.docs, args.page or performance_page.PAGE))
        return
    print(table(json.loads(args.figures.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
