"""docs/performance.md's figures are rendered from a bench run committed under docs/bench/,
never typed in: the page must be what its run renders to (`python -m tests.perf.report
--docs docs/bench/<file>.json` renders it again)."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.perf import performance_page
from tests.perf.performance_page import figures_path, load, measured, point_at, render
from tests.perf.targets import TARGETS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "performance.md"


def test_the_page_is_what_its_committed_run_renders_to() -> None:
    # Given the committed page and the run it names
    page = PAGE.read_text(encoding="utf-8")
    run = figures_path(page)

    # When its generated sections are rendered again from that run
    rendered = render(page)

    # Then the run is committed under docs/bench/, and nothing differs
    assert run.startswith("docs/bench/")
    assert (ROOT / run).is_file()
    assert rendered == page, "run `python -m tests.perf.report --docs " + run + "` and commit"


def test_a_changed_figure_changes_the_page() -> None:
    # Given the page's run with one figure changed (the idle job's median)
    page = PAGE.read_text(encoding="utf-8")
    figures = load(figures_path(page))
    changed = copy.deepcopy(figures)
    changed["idle"]["submit_to_succeeded_ms"]["median"] = 98765

    # When the page is rendered from it
    rendered = render(page, lambda path: changed if path == figures_path(page) else load(path))

    # Then the figure shows, so the committed page no longer matches
    assert rendered != page
    assert "98,765" in rendered


def _page(*sections: str) -> str:
    lines = ["# Page", "<!-- bench:figures run.json -->", "Prose stays."]
    for section in sections:
        lines += [f"<!-- bench:start {section} -->", "stale text", "<!-- bench:end -->"]
    return "\n".join(lines) + "\n"


def _runs(**runs: dict[str, Any]) -> Any:
    return lambda path: runs[path.removesuffix(".json")]


def test_a_section_is_replaced_and_the_prose_kept() -> None:
    # Given a page with a stale section
    page = _page("stage-times")

    # When it is rendered from a run
    rendered = render(page, _runs(run={"stage_seconds": {"render": 15.2, "idle": 12.0}}))

    # Then the section holds the run's figures and the prose is as it was
    assert "stale text" not in rendered
    assert "render 15 s, idle 12 s" in rendered
    assert rendered.startswith("# Page\n<!-- bench:figures run.json -->\nProse stays.\n")


def test_a_stage_the_run_lacks_reads_as_not_measured() -> None:
    # Given a run without the cold-start stage (a transcription, or --only)
    # When the page's cold-start section is rendered
    rendered = render(_page("cold-start"), _runs(run={"cold_and_warm": None}))

    # Then it says so rather than showing stale figures
    assert "_Not measured in this run._" in rendered


def test_a_before_and_after_section_has_a_column_per_run_and_judges_the_last() -> None:
    # Given an earlier run that only has its targets rows, and a run with the stage itself
    figure = TARGETS[0].figure  # the idle job, at most 300 ms
    earlier = {
        "label": "Before",
        "targets": [{"figure": figure, "measured": {"median": 1066}, "note": "the issue's"}],
    }
    current = {
        "label": "After",
        "idle": {"submit_to_succeeded_ms": {"n": 7, "median": 144, "min": 127, "max": 155}},
    }
    page = _page("targets-issue-12 before.json")

    # When the comparison is rendered
    rendered = render(page, _runs(run=current, before=earlier))

    # Then the row has both figures, the earlier one's note, and the last run's verdict
    (row,) = [line for line in rendered.splitlines() if line.startswith(f"| {figure} ")]
    assert row == f"| {figure} | ≤ 300 ms | 1,066 [1] | 144 (127\u2013155) | met |"
    assert "1. the issue's" in rendered
    assert measured(TARGETS[0], earlier) == {"median": 1066}


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        (_page("no-such-section"), "no section named"),
        ("<!-- bench:figures run.json -->\n<!-- bench:start run -->\nnever closed\n", "not closed"),
        ("# No marker\n", "exactly one"),
        (_page("run") + "<!-- bench:end -->\n", "out of place"),
    ],
)
def test_a_malformed_page_is_refused(page: str, complaint: str) -> None:
    # Given a page whose markers are wrong
    # When it is rendered
    # Then it is refused, saying why
    with pytest.raises(ValueError, match=complaint):
        render(page, _runs(run={}))


def test_the_page_is_pointed_only_at_a_run_committed_under_docs_bench(tmp_path: Path) -> None:
    # Given a page, and a run outside docs/bench/ (out/ is not committed)
    page_file = tmp_path / "performance.md"
    page_file.write_text(_page())

    # When the page is pointed at it, or at a committed run
    with pytest.raises(ValueError, match="docs/bench/"):
        performance_page.write("out/bench/bench-1.json", page_file)
    pointed = point_at(page_file.read_text(), "docs/bench/2026-12-02.json")

    # Then only the committed run is accepted, named by its path from the repository's root
    assert figures_path(pointed) == "docs/bench/2026-12-02.json"


def test_the_report_renders_a_page_from_a_committed_run_and_prints_a_runs_tables(
    tmp_path: Path,
) -> None:
    # Given a copy of the page with its generated sections emptied, and its committed run
    page = tmp_path / "performance.md"
    shutil.copy(PAGE, page)
    committed = PAGE.read_text(encoding="utf-8")
    run = figures_path(committed)
    emptied = render(committed, lambda path: {})
    page.write_text(emptied, encoding="utf-8")

    # When the report renders it from that run, then prints the run's tables
    command = [sys.executable, "-m", "tests.perf.report"]
    rendered = subprocess.run(
        [*command, "--docs", run, "--page", str(page)], cwd=ROOT, capture_output=True, text=True
    )
    printed = subprocess.run([*command, run], cwd=ROOT, capture_output=True, text=True)

    # Then the page is the committed one again, and the printout has the run's sections
    assert rendered.returncode == 0, rendered.stderr
    assert emptied != committed
    assert page.read_text(encoding="utf-8") == committed
    assert printed.returncode == 0, printed.stderr
    assert "Cold start: fresh process to first handled event" in printed.stdout
