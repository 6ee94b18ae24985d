"""`make bench`'s in-process stages at their smallest size, so a change that breaks one fails
`make test`. Nothing here needs LocalStack; the end-to-end stages are smoke-tested on the
session's deployed stack (tests/e2e/test_bench.py).

The benchmark runs as `make bench` runs it (`python -m tests.perf.bench`), with one round (and
no uncounted warm-up round), a handful of warm requests and one small picture per row. The
figures are checked for being there and sane, never for being fast: speed targets live in the
benchmark's printout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from imagejobs.engines.base import STYLES
from tests.perf import bench, bench_e2e, bench_render, fixtures, report, targets
from tests.perf.bench import STAGES
from tests.perf.performance_page import ISSUE_20

# One worker runs this module (make test: pytest-xdist's --dist loadgroup), so the smallest run,
# a module fixture, runs once rather than once per worker.
pytestmark = pytest.mark.xdist_group("smallest_bench")

ROOT = Path(__file__).resolve().parents[2]
WARM_REQUESTS = 5
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def smallest_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    """One run of the in-process stages: its figures (the JSON file), its printout, its charts."""
    charts = tmp_path_factory.mktemp("charts")
    command = [sys.executable, "-m", "tests.perf.bench", "--skip-e2e"]
    command += ["--out", str(tmp_path_factory.mktemp("bench"))]
    command += ["--rounds", "1", "--warm-up-rounds", "0"]
    command += ["--warm", str(WARM_REQUESTS), "--render-repeat", "1"]
    command += ["--render-sizes", "64", "--style-sizes", "64", "--edit-sizes", "64"]
    command += ["--charts", str(charts)]
    command += ["--sim-jobs", "200"]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    json_file = Path(result.stdout.strip().splitlines()[-1])
    figures: dict[str, Any] = json.loads(json_file.read_text())
    return figures, result.stdout, charts


@pytest.fixture(scope="module")
def figures(smallest_bench: tuple[dict[str, Any], str, Path]) -> dict[str, Any]:
    """The smallest run's figures."""
    return smallest_bench[0]


@pytest.fixture(scope="module")
def printed(smallest_bench: tuple[dict[str, Any], str, Path]) -> str:
    """The smallest run's printout."""
    return smallest_bench[1]


def test_the_simulation_stage_runs_the_docs_scenarios_small(
    figures: dict[str, Any], printed: str
) -> None:
    # Given one run of the smallest benchmark

    # Then the simulation ran its three scenarios at 200 jobs, and printed them
    assert [(row["jobs"], row["tenants"]) for row in figures["simulation"]] == [
        (200, 1),
        (200, 100),
        (200, 100),
    ]
    assert "Simulated burst" in printed


def test_the_render_stage_times_every_format(figures: dict[str, Any]) -> None:
    # Given one run of the smallest benchmark

    # When its render figures are read
    rows = figures["render"]

    # Then each format has a 64x64 row with a time and a peak memory from a fresh process
    assert [(row["format"], row["side"]) for row in rows] == [
        (image_format, 64) for image_format in bench_render.FORMATS
    ]
    for row in rows:
        assert row["median_ms"] > 0
        assert row["ms_per_mp"] == pytest.approx(row["median_ms"] / (64 * 64 / 1e6))
        assert row["vs_first"] == pytest.approx(1.0)
        assert row["python_peak_mib"] > 0


def test_the_styles_stage_times_every_style(figures: dict[str, Any]) -> None:
    # Given one run of the smallest benchmark

    # When its per-style figures are read
    rows = figures["render_styles"]

    # Then every style preset was rendered and timed
    assert [row["style"] for row in rows] == list(STYLES)
    assert all(row["side"] == 64 and row["median_ms"] > 0 for row in rows)


def test_the_edits_stage_times_every_edit_of_the_built_in_renderer(
    figures: dict[str, Any], printed: str
) -> None:
    # Given one run of the smallest benchmark

    # When its per-edit figures are read
    rows = figures["render_edits"]

    # Then every edit was rendered and timed, and the table printed
    assert [row["task"] for row in rows] == list(bench_render.EDITS)
    assert all(row["side"] == 64 and row["median_ms"] > 0 for row in rows)
    assert "Edits of the built-in renderer" in printed


def test_the_cold_start_stage_starts_every_function_and_measures_its_floor(
    figures: dict[str, Any],
) -> None:
    # Given one run of the smallest benchmark

    # When its cold-start figures are read
    cold = figures["cold_and_warm"]

    # Then every function started, handled its event successfully, and was timed against the
    # boto3 floor, with an import breakdown
    assert set(cold) == set(fixtures.FUNCTIONS)
    assert cold["SubmitFunction"]["response"] == {"statusCode": 202}
    assert cold["StatusFunction"]["response"] == {"statusCode": 200}
    assert cold["WorkerFunction"]["response"] == {"batchItemFailures": []}
    for entry in cold.values():
        assert entry["rounds"] == 1
        assert 0 < entry["import_ms"] < entry["init_ms"]
        assert entry["floor_ms"] > 0
        assert entry["ratio_to_floor"] == pytest.approx(entry["init_ms"] / entry["floor_ms"])
        assert entry["importtime"]["total_ms"] > 0
        assert "imagejobs" in entry["importtime"]["packages_self_ms"]


def test_the_warm_stage_times_the_api_functions_against_their_floor(
    figures: dict[str, Any],
) -> None:
    # Given one run of the smallest benchmark

    # When the warm-request figures are read
    warm = {
        name: entry["warm"] for name, entry in figures["cold_and_warm"].items() if "warm" in entry
    }

    # Then the API functions (not the SQS worker) have the requested number of timed requests
    assert set(warm) == {"SubmitFunction", "StatusFunction"}
    for entry in warm.values():
        assert entry["handler_us"]["n"] == WARM_REQUESTS
        assert entry["floor_us"]["n"] == WARM_REQUESTS
        assert entry["handler_us"]["p50"] > 0
        assert entry["floor_us"]["p50"] > 0
        assert entry["overhead_p50_us"] == pytest.approx(
            entry["handler_us"]["p50"] - entry["floor_us"]["p50"]
        )


def test_the_profile_stage_profiles_the_slowest_cold_start(figures: dict[str, Any]) -> None:
    # Given one run of the smallest benchmark

    # When its profile is read
    profile = figures["profile"]

    # Then it is the slowest function's cold start, with its handler module among the top entries
    cold = figures["cold_and_warm"]
    assert profile["function"] == max(cold, key=lambda name: cold[name]["init_ms"])
    assert profile["total_ms"] > 0
    assert any("imagejobs/handlers/" in row["where"] for row in profile["top_cumulative_ms"])
    assert Path(profile["stats_file"]).exists()


def test_the_run_prints_its_table_and_draws_its_three_charts(
    smallest_bench: tuple[dict[str, Any], str, Path],
) -> None:
    # Given one run of the smallest benchmark, without its end-to-end stages
    figures, printed, charts = smallest_bench

    # When its printout and charts are looked at
    drawn = sorted(path.name for path in charts.iterdir())

    # Then the table has a section per stage that ran, the end-to-end ones are marked as not
    # run, and the charts (the targets' too: the cold starts were measured) are PNG images
    for heading in ("Cold start:", "Warm request", "Render (", "Render per style", "Profile:"):
        assert heading in printed
    for stage in STAGES:
        assert (figures[stage.key] is None) == stage.needs_stack
    assert set(figures["stage_seconds"]) == {s.key for s in STAGES if not s.needs_stack}
    assert drawn == ["latency.png", "render.png", "targets.png"]
    assert all((charts / name).read_bytes().startswith(PNG_SIGNATURE) for name in drawn)


def test_every_target_is_reported_and_only_measured_ones_are_judged(
    figures: dict[str, Any], printed: str
) -> None:
    # Given one run of the smallest benchmark, without LocalStack

    # When its targets are read
    rows = {row["figure"]: row for row in figures["targets"]}

    # Then every target has a row; the cold starts were measured and judged against their
    # floor ratio, the end-to-end ones are not measured (so neither met nor missed)
    assert list(rows) == [target.figure for target in targets.TARGETS]
    for name in ("Submit", "Status", "Worker"):
        row = rows[f"Cold start of {name} / floor"]
        cold = figures["cold_and_warm"][f"{name}Function"]
        assert row["measured"]["median"] == pytest.approx(cold["ratio_to_floor"])
        assert row["met"] is (cold["ratio_to_floor"] <= (1.5 if name == "Worker" else 1.3))
    assert rows["Idle job, submit → succeeded, 256² PNG"]["met"] is None
    assert rows["Memory at rest after the load (RSS)"]["measured"] is None
    # and the printout has a line for each target, the unmeasured ones said to be so
    lines = printed.splitlines()
    for target in targets.TARGETS:
        (line,) = [line for line in lines if line.lstrip().startswith(target.figure)]
        assert line.rstrip().endswith("not measured") is (rows[target.figure]["met"] is None)


def test_the_make_test_stage_times_a_make_target_and_reports_it_against_its_target() -> None:
    # Given the FULL=1 stage's runner, on a quick real target instead of `make test` itself
    # (which would run this test again)

    # When it runs
    run = bench_e2e.make_test(target="help")

    # Then it timed the target, the printout says so, and the warm-tree target reads it
    assert run["passed"] is True
    assert run["seconds"] > 0
    assert "make test in this tree, on its running stack:" in report.table({"make_test": run})
    rows = {row["figure"]: row for row in targets.evaluate({"make_test": run})}
    measured = rows["`make test` in a warm tree (`make bench FULL=1`)"]["measured"]
    assert measured["median"] == run["seconds"]


def test_memory_after_start_is_the_one_the_developer_loop_took_before_its_redeploy() -> None:
    # Given a developer loop that measured the stack just after `make up` from stopped
    at_rest = {"total_rss_mib": 400.0, "processes": 2}

    # When the memory-after-start stage reads the figures so far
    # Then it reports that measurement, not one taken after the redeploy
    assert bench._memory_after_start({"developer_loop": {"memory_after_up": at_rest}}) is at_rest


def test_a_failure_report_keeps_the_failing_tests_of_a_long_output() -> None:
    # Given make test's output: the LocalStack tier's failure, then a long report of the others
    stdout = "FAILED tests/e2e/test_chain.py::test_a_job - AssertionError\n"
    stdout += "".join(f"tests/logic/test_{n}.py ....\n" for n in range(1000))
    stdout += "ERROR tests/integration/test_x.py::test_y - OSError\n1 failed, 1 error\n"

    # When the failure is reported
    report_ = bench_e2e.failure_report(stdout, "make: *** [Makefile:135: test] Error 1\n")

    # Then both failing tests are named first, and the end of both streams follows
    lines = report_.splitlines()
    assert lines[:2] == [
        "FAILED tests/e2e/test_chain.py::test_a_job - AssertionError",
        "ERROR tests/integration/test_x.py::test_y - OSError",
    ]
    assert report_.endswith("1 failed, 1 error\nmake: *** [Makefile:135: test] Error 1\n")
    assert len(report_) < 6000


def test_a_failing_make_test_is_recorded_with_its_output_and_marked_in_the_printout() -> None:
    # Given a make target that fails
    # When the stage runs it
    run = bench_e2e.make_test(target="no-such-target")

    # Then the run is recorded as failed, with make's own words, and the printout says so
    assert run["passed"] is False
    assert "no-such-target" in run["output"]
    assert "(FAILED)" in report.table({"make_test": run})


def test_the_fresh_clone_stages_run_their_target_in_a_clone_of_head_and_report_it() -> None:
    # Given the FULL=1 stages' runner, on a quick target instead of `make test` or `make demo`

    # When it runs in a fresh clone of this tree's HEAD
    run = bench_e2e.make_in_a_fresh_clone(target="help")

    # Then the clone's make ran the target, and each stage's printout and target read it
    assert run["passed"] is True, run.get("output")
    assert run["seconds"] > 0
    for stage, target in (("make_test_fresh_clone", "test"), ("make_demo_fresh_clone", "demo")):
        printed = report.table({stage: run})
        assert f"make {target} in a fresh clone, setup included: " in printed
        rows = {row["figure"]: row for row in targets.evaluate({stage: run}, ISSUE_20)}
        [fresh] = [row for name, row in rows.items() if name.startswith(f"`make {target}` from")]
        assert fresh["measured"]["median"] == run["seconds"]


def test_only_runs_the_stages_it_names(tmp_path: Path) -> None:
    # Given the benchmark asked for one in-process stage, at its smallest size
    command = [sys.executable, "-m", "tests.perf.bench", "--only", "render"]
    command += ["--render-sizes", "64", "--render-repeat", "1", "--charts", str(tmp_path)]
    command += ["--out", str(tmp_path / "bench")]

    # When it runs
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)

    # Then that stage ran and no other did, and the charts of the last whole run were left
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(Path(result.stdout.strip().splitlines()[-1]).read_text())
    assert [stage.key for stage in STAGES if figures[stage.key] is not None] == ["render"]
    assert [path.name for path in tmp_path.iterdir()] == ["bench"]
