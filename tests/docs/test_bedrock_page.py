"""docs/bedrock.md quotes the quota burst's figures from a bench run committed under
docs/bench/, never typed in: the block is what tests.perf.bench_quota prints for that run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.perf import bench_quota

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "bedrock.md"
BLOCK = re.compile(
    r"<!-- quota: (?P<run>\S+) -->\n```\n(?P<printed>.*?)\n```\n<!-- /quota -->", re.S
)


def test_the_quota_figures_are_what_the_committed_run_prints() -> None:
    # Given the page's quoted block and the run it names
    found = BLOCK.search(PAGE.read_text(encoding="utf-8"))
    assert found is not None, "docs/bedrock.md has no <!-- quota: ... --> block"
    run = json.loads((ROOT / found["run"]).read_text())

    # When the run's quota stage is printed as `make bench` prints it
    printed = "\n".join(bench_quota.lines(run["quota"]))

    # Then the page quotes exactly that, from a run committed under docs/bench/
    assert found["run"].startswith("docs/bench/")
    assert found["printed"] == printed, f"the block should read:\n{printed}"
    # And the run drained every job, none dead-lettered
    quota = run["quota"]
    assert (quota["succeeded"], quota["dead_letter_messages"]) == (quota["jobs"], 0)
