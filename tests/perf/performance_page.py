"""docs/performance.md's figures, rendered from a bench JSON committed under docs/bench/.

The page is hand-written prose around generated sections. One marker names the run the
sections read; each section sits between a start and an end marker:

    <!-- bench:figures docs/bench/2026-12-02.json -->
    <!-- bench:start cold-start -->
    (generated: replaced on every render)
    <!-- bench:end -->

A before/after section names the earlier runs it compares, oldest first; the page's run is the
last column:

    <!-- bench:start targets-issue-12 docs/bench/issue-12-before.json docs/bench/2026-12-01.json -->

`python -m tests.perf.report --docs docs/bench/<file>.json` points the page at that run and
renders every section again; tests/docs/test_performance_page.py fails when the committed page
differs from what its run renders to. A run is any JSON tests/perf/bench.py wrote, or one
transcribed by hand in its shape (then its "source" says from what, and a stage it lacks reads
as not measured). A target a run cannot compute from its stages (a transcription without
per-round lists) falls back to the run's own "targets" row of the same figure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.perf.targets import TARGETS, Target, at_path, per_round

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "performance.md"

FIGURES_MARKER = re.compile(r"^<!-- bench:figures (\S+) -->$")
START_MARKER = re.compile(r"^<!-- bench:start ([a-z0-9-]+)((?: \S+)*) -->$")
END_MARKER = "<!-- bench:end -->"

Figures = dict[str, Any]
NOT_MEASURED = "_Not measured in this run._"
# A range and a count, as the page prints them (the en dash, the multiplication sign).
DASH = "\u2013"
TIMES = "\u00d7"
# Digits shown per unit.
DIGITS = {"ms": 0, "s": 1, "MiB": 0, "x": 2, "jobs/s": 2}


def _first_measured(
    *reads: Callable[[Figures], dict[str, float] | None],
) -> Callable[[Figures], dict[str, float] | None]:
    def read(figures: Figures) -> dict[str, float] | None:
        return next((found for found in (r(figures) for r in reads) if found), None)

    return read


# Issue 20's targets for the time a change costs (measured by `make bench FULL=1`; `make up`
# from stopped with no flag by the developer loop's stage).
ISSUE_20: list[Target] = [
    Target(
        "`make test` from a fresh clone, setup included",
        "s",
        300,
        True,
        at_path("make_test_fresh_clone", "seconds"),
    ),
    Target(
        "`make test` in a warm tree, stack running",
        "s",
        180,
        True,
        at_path("make_test", "seconds"),
    ),
    Target(
        "`make demo` from a fresh clone",
        "s",
        120,
        True,
        at_path("make_demo_fresh_clone", "seconds"),
    ),
    Target(
        "`make up` on a stopped stack, unchanged code → first answer, no flag",
        "s",
        10,
        True,
        # The devloop stage's median over rounds; runs before it timed one round (bench_e2e).
        _first_measured(
            per_round("devloop", "up_unchanged_stopped", "total_s"),
            at_path("developer_loop", "up_from_stopped", "total_s"),
        ),
    ),
]


# -- formatting --------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def _figure(value: float | None, digits: int) -> str:
    """A measured figure: whole numbers without decimals (a transcribed "37 s" is not 37.0)."""
    if isinstance(value, (int, float)) and not math.isnan(value) and float(value).is_integer():
        return _num(value, 0)
    return _num(value, digits)


def _spread(measured: dict[str, Any] | None, digits: int) -> str:
    """A figure over rounds: its median, and its range when there was one."""
    if not measured:
        return "—"
    median, low, high = measured.get("median"), measured.get("min"), measured.get("max")
    ranged = low is not None and high is not None and (measured.get("n") != 1) and low != high
    if median is None:
        return f"{_figure(low, digits)}{DASH}{_figure(high, digits)}" if ranged else "—"
    text = _figure(median, digits)
    return f"{text} ({_figure(low, digits)}{DASH}{_figure(high, digits)})" if ranged else text


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> list[str]:
    """A Markdown table. `align` has a letter per column, `l` or `r`; by default the first
    column is left-aligned and the others (figures) right-aligned."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if side == "r" else "---" for side in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _captioned(caption: str, table: list[str]) -> list[str]:
    """A table with the line that says how its figures were taken."""
    return [caption, "", *table]


def label(figures: Figures) -> str:
    """How a run is named in a column: its own label, else the date `make bench` started it."""
    if figures.get("label"):
        return str(figures["label"])
    started = str(figures.get("started_at") or "")
    return f"make bench, {started[:10]}" if started else "make bench"


# -- sections of the page's run ----------------------------------------------------------------


def _run(figures: Figures, _: Sequence[Figures]) -> list[str]:
    """Where the figures come from."""
    args = figures.get("arguments") or {}
    lines = [f"- Run: **{label(figures)}**"]
    if figures.get("started_at"):
        lines.append(f"- Started: {figures['started_at']}")
    machine = figures.get("machine") or {}
    conditions = [f"{machine['cpus']} CPUs"] if machine.get("cpus") else []
    conditions += [str(machine[k]) for k in ("python", "platform") if machine.get(k)]
    if figures.get("conditions"):
        conditions.append(str(figures["conditions"]))
    if conditions:
        lines.append(f"- Machine: {'; '.join(conditions)}")
    if args:
        lines.append(
            f"- Arguments: {args.get('jobs')} jobs at concurrency {args.get('concurrency')} in "
            f"{args.get('load_rounds')} load rounds; {args.get('rounds')} cold-start rounds after "
            f"{args.get('warm_up_rounds')} uncounted; {_num(args.get('warm'))} warm requests; "
            f"renders a median of {args.get('render_repeat')}; soak {_num(args.get('soak'))} "
            f"invocations; FULL={'1' if args.get('full') else '0'}"
        )
    if figures.get("total_seconds") is not None:
        lines.append(f"- Wall time: {_num(figures['total_seconds'])} s")
    if figures.get("source"):
        lines.append(f"- Source: {figures['source']}")
    return lines


def _cold_start(figures: Figures, _: Sequence[Figures]) -> list[str]:
    cold = figures.get("cold_and_warm")
    if not cold:
        return [NOT_MEASURED]
    rounds = next(iter(cold.values()))["rounds"]
    rows = [
        [
            name,
            _num(c["init_ms"]),
            _num(c["floor_ms"]),
            _spread(c.get("ratio_spread") or {"n": 1, "median": c["ratio_to_floor"]}, 2),
            _num(c["import_ms"]),
            _num(c["first_event_ms"], 1),
            _num(c["process_wall_ms"]),
        ]
        for name, c in cold.items()
    ]
    header = ["Function", "Init ms", "Floor ms", "Ratio (range)", "Import ms", "1st event ms"]
    return _captioned(
        f"Median of {rounds} rounds: a fresh process to its first handled event.",
        _table([*header, "Process ms"], rows),
    )


def _imports(figures: Figures, _: Sequence[Figures]) -> list[str]:
    cold = figures.get("cold_and_warm")
    if not cold:
        return [NOT_MEASURED]
    rows = [
        [
            name,
            ", ".join(
                f"{package} {ms:.0f}"
                for package, ms in list(c["importtime"]["packages_self_ms"].items())[:6]
            ),
        ]
        for name, c in cold.items()
    ]
    return _table(
        ["Function", "Self ms per package (`python -X importtime`), largest first"], rows, "ll"
    )


# The end-to-end load's figures over rounds: their names and decimal places, on the page and in
# the printout (tests.perf.report).
LOAD_FIGURES = {
    "completed_per_s": ("Completed jobs/s", 2),
    "submit_to_succeeded_p50_ms": ("Submit → succeeded p50 ms", 0),
    "submit_to_succeeded_p99_ms": ("Submit → succeeded p99 ms", 0),
    "submit_p50_ms": ("Submit (HTTP 202) p50 ms", 0),
    "submit_p99_ms": ("Submit (HTTP 202) p99 ms", 0),
}


def warm_cells(warm: Figures, number: Callable[[float | None, int], str]) -> list[str]:
    """A function's warm figures, as the page's and the printout's tables show them: p50, p99,
    the floor's p50 and p99, the overhead at p50, the ratio at p50."""
    handler, floor = warm["handler_us"], warm["floor_us"]
    whole = (handler["p50"], handler["p99"], floor["p50"], floor["p99"], warm["overhead_p50_us"])
    return [*(number(value, 0) for value in whole), number(warm["ratio_p50"], 2)]


def _warm(figures: Figures, _: Sequence[Figures]) -> list[str]:
    cold = figures.get("cold_and_warm") or {}
    warm = [(name, c["warm"]) for name, c in cold.items() if c.get("warm")]
    if not warm:
        return [NOT_MEASURED]
    rows = [[name, *warm_cells(w, _num)] for name, w in warm]
    header = ["Function", "p50 µs", "p99 µs", "Floor p50 µs", "Floor p99 µs", "Overhead p50 µs"]
    return _captioned(
        f"{_num(warm[0][1]['handler_us']['n'])} requests each, in-process; the floor makes the "
        "same AWS calls directly.",
        _table([*header, "Ratio p50"], rows),
    )


def _render(figures: Figures, _: Sequence[Figures]) -> list[str]:
    render = figures.get("render")
    if not render:
        return [NOT_MEASURED]
    rows = [
        [
            row["format"],
            f"{row['side']}²",
            _num(row["megapixels"], 2),
            _num(row["median_ms"], 1),
            _num(row["ms_per_mp"], 1),
            _num(row["vs_first"], 2),
            _num(row["python_peak_mib"], 1),
            _num(row["rss_peak_mib"], 1),
        ]
        for row in render
    ]
    header = ["Format", "Size", "MP", "Median ms", "ms/MP", "ms/MP ÷ first", "Python peak MiB"]
    return _captioned(
        f"Median of {render[0]['repeat']} renders per row; peak memory in a fresh process.",
        _table([*header, "RSS peak MiB"], rows, "llrrrrrr"),
    )


def _render_styles(figures: Figures, _: Sequence[Figures]) -> list[str]:
    styles = figures.get("render_styles")
    if not styles:
        return [NOT_MEASURED]
    sides = list(dict.fromkeys(row["side"] for row in styles))
    header = ["Style"]
    for side in sides:
        header += [f"{side}² ms", f"{side}² ms/MP"]
    rows = []
    for style in dict.fromkeys(row["style"] for row in styles):
        own = [row for row in styles if row["style"] == style]
        cells: list[object] = [style]
        for row in own:
            cells += [_num(row["median_ms"], 1), _num(row["ms_per_mp"], 1)]
        rows.append([*cells, _num(own[-1]["vs_first"], 2)])
    return _captioned(
        f"PNG, median of {styles[0]['repeat']} per size.",
        _table([*header, f"ms/MP {sides[-1]}² ÷ {sides[0]}²"], rows),
    )


def _profile(figures: Figures, _: Sequence[Figures]) -> list[str]:
    profile = figures.get("profile")
    if not profile:
        return [NOT_MEASURED]
    rows = [[_num(row["ms"], 1), f"`{row['where']}`"] for row in profile["top_cumulative_ms"]]
    return _captioned(
        f"{profile['function']}'s cold start, {_num(profile['total_ms'])} ms under cProfile; "
        "the top entries by cumulative time.",
        _table(["Cumulative ms", "Where"], rows, "rl"),
    )


def _developer_loop(figures: Figures, _: Sequence[Figures]) -> list[str]:
    loop = figures.get("developer_loop") or {}
    devloop = figures.get("devloop") or {}
    rows = []
    for title, key in (
        ("`make up` on a stopped stack, unchanged code", "up_from_stopped"),
        ("`make up` after a one-line change (a redeploy)", "redeploy_after_change"),
    ):
        stage = loop.get(key)
        if stage and "total_s" in stage:
            detail = f"`make up` {_num(stage['make_up_s'], 1)} s + first call "
            rows.append(
                [title, _num(stage["total_s"], 1), detail + f"{_num(stage['first_call_s'], 1)} s"]
            )
    for title, key in (
        ("`make up`, unchanged, stack running", "up_unchanged_running_total_s"),
        ("`make up`, unchanged, stack stopped", "up_unchanged_stopped_total_s"),
        (
            "`make up HOT_RELOAD=1`, unchanged, stack stopped",
            "up_unchanged_stopped_hot_reload_total_s",
        ),
        ("An edit in `functions/` → live (`HOT_RELOAD=1`)", "edit_live_s"),
        ("Its removal → live", "revert_live_s"),
    ):
        stats = devloop.get(key)
        if stats and stats.get("n"):
            detail = f"p90 {_num(stats['p90'], 1)} s over {_num(stats['n'])} rounds"
            rows.append([title, _num(stats["p50"], 1), detail])
    if not rows:
        return [NOT_MEASURED]
    return _table(["To the first successful answer", "Median s", "Detail"], rows, "lrl")


def _memory(figures: Figures, _: Sequence[Figures]) -> list[str]:
    rows = []
    for title, key in (
        ("After start-up", "memory_after_start"),
        ("After the load", "memory_after_load"),
    ):
        memory = figures.get(key)
        if not memory:
            continue
        environments = ", ".join(
            f"{name} {mib:.0f} MiB {TIMES}{memory['lambda_environments'][name]}"
            for name, mib in memory["lambda_rss_mib"].items()
        )
        rows.append(
            [
                title,
                _num(memory["total_rss_mib"]),
                _num(memory["localstack_rss_mib"]),
                environments or "none",
                _num(memory["processes"]),
            ]
        )
    if not rows:
        return [NOT_MEASURED]
    return _table(
        ["At rest", "Total RSS MiB", "LocalStack MiB", "Lambda environments", "Processes"],
        rows,
        "lrrlr",
    )


def _end_to_end(figures: Figures, _: Sequence[Figures]) -> list[str]:
    idle, load = figures.get("idle"), figures.get("load")
    lines: list[str] = []
    if idle:
        lines += [
            f"Idle job ({idle['image']}), one at a time, {idle['rounds']} rounds: "
            f"submit → succeeded {_spread(idle['submit_to_succeeded_ms'], 0)} ms, "
            "submit (HTTP 202) "
            f"{_spread(idle['submit_ms'], 0)} ms; statuses: "
            + ", ".join(f"{status} {count}" for status, count in idle["statuses"].items())
            + ".",
            "",
        ]
    if load:
        lines += [
            f"{load['jobs']} jobs ({load['image']}) at concurrency {load['concurrency']}, "
            f"{len(load['rounds'])} rounds: median (range) over rounds.",
            "",
            *_table(
                ["Figure", "Median (range)"],
                [
                    [name, _spread(load["spread"][key], d)]
                    for key, (name, d) in LOAD_FIGURES.items()
                ],
            ),
            "",
        ]
        rows = []
        for n, r in enumerate(load["rounds"], 1):
            cpu = r.get("cpu_ms_per_job") or {}
            rows.append(
                [
                    n,
                    f"{r['succeeded']}/{r['jobs']}",
                    _num(r["completed_per_s"], 2),
                    r["lost"],
                    r["failed"],
                    r["dead_letter_messages"],
                    f"{_num(r['worker_peak_rss_mib'])} MiB {TIMES}{r['worker_processes']}",
                    f"{_num(cpu.get('localstack_s'))} / {_num(cpu.get('lambda_s'))}",
                ]
            )
        header = ["Round", "Succeeded", "Jobs/s", "Lost", "Failed", "Dead-lettered"]
        lines += _table([*header, "Worker peak RSS", "CPU ms per job, LocalStack / Lambdas"], rows)
    return lines or [NOT_MEASURED]


def _stage_times(figures: Figures, _: Sequence[Figures]) -> list[str]:
    seconds = figures.get("stage_seconds") or {}
    if not seconds:
        return [NOT_MEASURED]
    return [", ".join(f"{stage} {_num(s)} s" for stage, s in seconds.items())]


# -- before and after --------------------------------------------------------------------------


def measured(target: Target, figures: Figures) -> dict[str, Any] | None:
    """The target's figure in a run: computed from its stages, else the run's own row."""
    value = target.read(figures)
    if value is not None and value.get("n"):
        return value
    row = _row(target, figures)
    return None if row is None else row.get("measured")


def _row(target: Target, figures: Figures) -> dict[str, Any] | None:
    """The run's own row for the target (bench.py writes one per target it knew)."""
    rows: list[dict[str, Any]] = figures.get("targets") or []
    return next((row for row in rows if row["figure"] == target.figure), None)


def _note(target: Target, figures: Figures) -> str | None:
    """The run's note on a figure it could not compute (a transcription's)."""
    row = _row(target, figures)
    if row is None or target.read(figures) is not None:
        return None
    return str(row["note"]) if row.get("note") else None


def _verdict(target: Target, value: dict[str, Any] | None) -> str:
    median = (value or {}).get("median")
    if median is None:
        return "not measured"
    met = median <= target.limit if target.at_most else median >= target.limit
    return "met" if met else "not met"


def _comparison(targets: list[Target]) -> Callable[[Figures, Sequence[Figures]], list[str]]:
    def section(figures: Figures, earlier: Sequence[Figures]) -> list[str]:
        runs = [*earlier, figures]
        notes: list[str] = []
        rows = []
        for target in targets:
            cells: list[object] = [target.figure, target.text()]
            for run in runs:
                cell = _spread(measured(target, run), DIGITS.get(target.unit, 0))
                note = _note(target, run)
                if note:
                    notes.append(note)
                    cell += f" [{len(notes)}]"
                cells.append(cell)
            cells.append(_verdict(target, measured(target, figures)))
            rows.append(cells)
        header = ["Figure", "Target", *(label(run) for run in runs), ""]
        lines = _table(header, rows, "ll" + "r" * (len(runs) + 1))
        if notes:
            lines += ["", *(f"{n}. {note}" for n, note in enumerate(notes, 1))]
        return lines

    return section


def _images_in(figures: Figures, runs: Sequence[Figures]) -> list[str]:
    """The upload_upscale stage: of the page's run, else of the newest run the section names
    that has it (a run of that stage alone, `make bench` with `--only upload_upscale`)."""
    source = next((run for run in (figures, *reversed(runs)) if run.get("upload_upscale")), None)
    if source is None:
        return [NOT_MEASURED]
    run = source["upload_upscale"]
    side, (width, height) = run["input"]["side"], run["result"]
    peak = "Worker peak RSS" + (", reset each round" if run["peak_per_round"] else "")
    rows = [
        ["Upload (POST /uploads, then the POST to S3)", _spread(run["upload_ms"], 0), "ms"],
        ["Submit (POST /jobs: the upload read and checked)", _spread(run["submit_ms"], 0), "ms"],
        ["Upload → succeeded", _spread(run["upload_to_succeeded_ms"], 0), "ms"],
        [peak, _spread(run["worker_peak_rss_mib"], 0), "MiB"],
    ]
    return _captioned(
        f"{label(source)}: a {side}{TIMES}{side} JPEG ({_num(run['input']['bytes'])} bytes)"
        f" to a fast upscale of {width}{TIMES}{height}, {run['rounds']} warm rounds after one"
        " uncounted; median (range).",
        _table(["Step", "Median (range)", "Unit"], rows, "lrl"),
    )


SECTIONS: dict[str, Callable[[Figures, Sequence[Figures]], list[str]]] = {
    "run": _run,
    "targets-issue-12": _comparison(TARGETS),
    "targets-issue-20": _comparison(ISSUE_20),
    "cold-start": _cold_start,
    "imports": _imports,
    "warm": _warm,
    "render": _render,
    "render-styles": _render_styles,
    "profile": _profile,
    "developer-loop": _developer_loop,
    "memory": _memory,
    "end-to-end": _end_to_end,
    "images-in": _images_in,
    "stage-times": _stage_times,
}


# -- the page ----------------------------------------------------------------------------------


def load(path: str, root: Path = ROOT) -> Figures:
    figures: Figures = json.loads((root / path).read_text(encoding="utf-8"))
    return figures


def figures_path(page: str) -> str:
    """The run the page reads, from its `bench:figures` marker."""
    found = [m.group(1) for line in page.splitlines() if (m := FIGURES_MARKER.match(line))]
    if len(found) != 1:
        raise ValueError(
            f"the page needs exactly one `<!-- bench:figures PATH -->`, has {len(found)}"
        )
    return found[0]


def render(page: str, read: Callable[[str], Figures] = load) -> str:
    """The page with every generated section rendered again from the run it names."""
    figures = read(figures_path(page))
    out: list[str] = []
    lines = iter(page.splitlines())
    for line in lines:
        out.append(line)
        start = START_MARKER.match(line)
        if start is None:
            if line.startswith("<!-- bench:") and not FIGURES_MARKER.match(line):
                raise ValueError(f"a bench marker out of place: {line}")
            continue
        name, paths = start.group(1), start.group(2).split()
        if name not in SECTIONS:
            raise ValueError(f"no section named {name!r}: one of {', '.join(SECTIONS)}")
        for inner in lines:
            if inner == END_MARKER:
                break
            if inner.startswith("<!-- bench:start"):
                raise ValueError(f"section {name!r} is not closed before {inner}")
        else:
            raise ValueError(f"section {name!r} is not closed with {END_MARKER}")
        out += ["", *SECTIONS[name](figures, [read(path) for path in paths]), "", END_MARKER]
    return "\n".join(out) + "\n"


def point_at(page: str, path: str) -> str:
    """The page reading another run."""
    figures_path(page)  # exactly one marker
    marker = f"<!-- bench:figures {path} -->"
    return (
        "\n".join(marker if FIGURES_MARKER.match(line) else line for line in page.splitlines())
        + "\n"
    )


def write(path: str, page_file: Path = PAGE) -> Path:
    """Points the page at the run in `path` (relative to the repository) and renders it."""
    run = (ROOT / path).resolve()
    if not run.is_relative_to(ROOT / "docs" / "bench"):
        raise ValueError(f"{path}: commit the run under docs/bench/ first (out/ is not committed)")
    page = point_at(page_file.read_text(encoding="utf-8"), run.relative_to(ROOT).as_posix())
    page_file.write_text(render(page), encoding="utf-8")
    return page_file
