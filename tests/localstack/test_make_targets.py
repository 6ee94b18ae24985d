"""The make targets, each run for real where that is cheap and safe inside `make test`.

Which test covers which target:
- help, setup: run here as they are;
- test-TIER: test-logic and test-static run here as they are, test-e2e only collects (or it
  would run its tests twice);
- openapi: the command it runs (from `make -n`), into a scratch file, and lint's check of it;
- gallery, down: the command the target runs (from `make -n`), run here for real into a
  scratch folder, so the committed sheet and this clone's LocalStack are left alone;
- clean: run here for real in a scratch folder, with a stand-in for the venv's interpreter;
- bench: here, that N, C, QUOTA, QUOTA_RATE, SOAK and FULL reach the benchmark's options; its
  stages run at their smallest size in tests/perf/test_bench.py and tests/e2e/test_bench.py;
- up: the end-to-end tests deploy their stack with the real `make up` (tests/e2e/conftest.py,
  timed as the bench's developer loop times it); here, that HOT_RELOAD=1 and SAM_DEPLOY=1
  reach the deploy as its mode (tests/e2e/test_sam_deploy.py runs the `sam deploy` path);
- demo, screenshot: run for real against that deployed stack in tests/e2e/test_demo.py;
- lint and test: `make test` is what CI runs (.ci/run), and lint is its first step.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imagejobs_dev import localstack as local
from imagejobs_dev import stack, stack_info
from tests.perf import bench
from tests.support.make import ROOT, command_of, make


def listed_targets() -> dict[str, str]:
    """What `make help` lists: each target with its description (test-TIER as one per tier)."""
    result = make("help")
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(maxsplit=2)[1:] for line in result.stdout.splitlines())
    tiers = listed.pop("test-TIER").split(":", 1)[1].split()
    return {**listed, **dict.fromkeys(tiers, listed.get("test", ""))}


def test_make_help_lists_targets_that_exist_each_with_what_it_does() -> None:
    # Given what `make help` lists
    listed = listed_targets()

    # When make is asked whether each is up to date (it runs nothing)
    unknown = [target for target in listed if make("-q", target).returncode == 2]

    # Then make knows every one of them, each has a description, and every folder of tests
    # has its tier's target
    assert unknown == []
    assert all(description.strip() for description in listed.values())
    folders = {path.parent.name for path in (ROOT / "tests").glob("*/test_*.py")}
    assert {f"test-{folder}" for folder in folders} <= set(listed)


def test_make_finds_python313_where_the_localstack_tooling_does() -> None:
    # Given a make without PYTHON313 set

    # When make resolves the interpreter it builds the venvs with
    result = make("-s", "--eval", "shown: ; @echo $(PYTHON313)", "shown")

    # Then it is the tooling's: one place finds it
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == local.find_python313()


def test_make_setup_is_a_quick_no_op_on_a_set_up_clone() -> None:
    # Given a clone that is set up (`make test` ran `make setup` first)

    # When `make setup` runs again
    result = make("setup")

    # Then it installed nothing, and LocalStack's install matches its sources
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stderr
    layout = local.Layout(ROOT)
    assert layout.marker.read_text() == local.fingerprint(layout)


@pytest.mark.parametrize("tier", ["logic", "static"])
def test_make_test_tier_runs_that_tiers_tests(tier: str) -> None:
    # Given a tier that needs nothing outside the process

    # When `make test-<tier>` runs
    result = make(f"test-{tier}", PYTEST_ADDOPTS="-q -rA")

    # Then it passed, having run that tier's tests and no other's
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ran = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("PASSED ")]
    assert ran
    assert all(test.startswith(f"tests/{tier}/") for test in ran)


def test_make_test_e2e_collects_only_the_end_to_end_tests() -> None:
    # Given pytest told to collect only (running them would run them a second time)

    # When `make test-e2e` runs
    result = make("test-e2e", PYTEST_ADDOPTS="--collect-only -q")

    # Then it collected the end-to-end tests, and nothing else
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(collected) > 50
    assert all(line.startswith("tests/e2e/") for line in collected)


def test_make_gallery_draws_the_committed_contact_sheet(tmp_path: Path) -> None:
    # Given the command `make gallery` runs
    command = command_of("gallery", "imagejobs_dev.gallery")

    # When it runs, into a scratch file instead of the committed one
    sheet = tmp_path / "sheet.png"
    result = subprocess.run(
        [*command, "--out", str(sheet)], cwd=ROOT, capture_output=True, text=True, check=False
    )

    # Then it drew the sheet that is committed (tests/integration/test_gallery.py says what changed)
    assert result.returncode == 0, result.stderr
    assert sheet.read_bytes() == (ROOT / "tests" / "golden" / "contact-sheet.png").read_bytes()


def test_make_openapi_writes_the_committed_document_and_lint_refuses_a_stale_one(
    tmp_path: Path,
) -> None:
    # Given the command `make openapi` runs, and the check `make lint` runs
    command = command_of("openapi", "imagejobs_dev.openapi")
    check = command_of("lint", "imagejobs_dev.openapi")
    assert check[-1] == "--check"

    # When it writes into a scratch file instead of the committed one
    document = tmp_path / "openapi.json"
    written = subprocess.run(
        [*command, "--path", str(document)], cwd=ROOT, capture_output=True, text=True, check=False
    )

    # Then it wrote the committed document, and the check passes on it
    assert written.returncode == 0, written.stderr
    assert document.read_text() == (ROOT / "docs" / "openapi.json").read_text()
    run_check = [*check, "--path", str(document)]
    assert subprocess.run(run_check, cwd=ROOT, capture_output=True, check=False).returncode == 0

    # And once the file no longer matches the code, the check fails and says what to do
    document.write_text(document.read_text().replace('"title": "imagejobs"', '"title": "old"'))
    stale = subprocess.run(run_check, cwd=ROOT, capture_output=True, text=True, check=False)
    assert stale.returncode == 1
    assert "make openapi" in stale.stderr
    assert '"title": "old"' in stale.stderr  # the diff shows the line that went stale


# Starts a sleeping process in a session of its own and prints its pid. The launcher exits
# at once, so the sleeper is not a child of this test: as with the LocalStack `make up`
# started, whatever stops it cannot reap it, and init does.
LAUNCHER = """
import subprocess, sys
sleeper = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(600)"],
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
print(sleeper.pid)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def recorded_localstack(tmp_path: Path) -> Iterator[int]:
    """A stand-in LocalStack process, recorded as ours under a scratch root, with a stack."""
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER], capture_output=True, text=True, check=True, timeout=30
    )
    pid = int(launched.stdout)
    local.write_state(tmp_path, pid, "http://127.0.0.1:9")
    stack_info.state_file(tmp_path).write_text('{"recorded": "by make up"}')
    yield pid
    if running(pid):
        os.kill(pid, signal.SIGKILL)


def test_make_down_stops_the_localstack_make_up_started(
    tmp_path: Path, recorded_localstack: int
) -> None:
    # Given the command `make down` runs, and a scratch root with a LocalStack of ours
    command = command_of("down", "imagejobs_dev.stack down")

    # When it runs on that root
    result = subprocess.run(
        [*command, "--root", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False
    )

    # Then that LocalStack was stopped by SIGTERM (well before the SIGKILL fallback), and
    # both records are gone
    assert result.returncode == 0, result.stderr
    assert "stopped LocalStack" in result.stderr
    assert "SIGKILL" not in result.stderr
    assert not running(recorded_localstack)
    assert not local.Layout(tmp_path).state.exists()
    assert not stack_info.state_file(tmp_path).exists()


def test_make_clean_removes_build_output_and_the_local_environments(tmp_path: Path) -> None:
    # Given a scratch clone with build output, both environments, and a stand-in for the
    # venv's interpreter that records how it is called
    calls = tmp_path / "calls"
    interpreter = tmp_path / ".venv" / "bin" / "python"
    interpreter.parent.mkdir(parents=True)
    interpreter.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    interpreter.chmod(0o755)
    for folder in (".aws-sam/build", ".localstack/venv", "out/bench"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "kept.txt").write_text("not ours to remove\n")

    # When `make clean` runs there
    result = make("clean", cwd=tmp_path)

    # Then it ran `make down` first, then removed exactly what make made
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == ["-m imagejobs_dev.stack down"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["calls", "kept.txt"]


def test_make_bench_passes_its_size_to_the_benchmark() -> None:
    # Given the benchmark target with a small size, a small quota burst, a short soak and FULL
    variables = ("N=3", "C=2", "QUOTA=4", "QUOTA_RATE=120", "SOAK=7", "FULL=1")

    # When the command make would run is read by the benchmark's own options
    command = command_of("bench", "tests.perf.bench", *variables)
    options = bench.parser().parse_args(command[command.index("tests.perf.bench") + 1 :])

    # Then the benchmark gets that size, and FULL (the stages run in tests/perf and tests/e2e)
    assert (options.jobs, options.concurrency, options.soak, options.full) == (3, 2, 7, True)
    assert (options.quota_jobs, options.quota_requests) == (4, 120)


def test_make_browser_leaves_a_chromium_that_runs() -> None:
    # Given a machine where `make test` already ran `make browser` (it installs when missing)

    # When it runs again
    result = make("browser")

    # Then it succeeds, and the chromium it promises is there and answers
    assert result.returncode == 0, result.stderr
    chromium = shutil.which("chromium")
    assert chromium is not None
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("Chromium ")


BEDROCK_URL = "http://127.0.0.1:4599"


@pytest.mark.parametrize(
    ("variables", "asked"),
    [
        ((), ("build", "pillow", None)),
        (("HOT_RELOAD=1",), ("hot-reload", "pillow", None)),
        (("SAM_DEPLOY=1",), ("sam", "pillow", None)),
        (
            ("IMAGE_ENGINE=bedrock", f"BEDROCK_ENDPOINT_URL={BEDROCK_URL}"),
            ("build", "bedrock", BEDROCK_URL),
        ),
    ],
)
def test_make_up_deploys_the_way_its_variables_ask(
    variables: tuple[str, ...], asked: tuple[str, str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the command `make up` runs with the variables, and a deploy that only records how
    command = command_of("up", "imagejobs_dev.stack up", *variables)
    for name in ("IMAGE_ENGINE", "BEDROCK_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    calls: list[tuple[str, str, str | None]] = []
    deployed = stack_info.StackInfo(**dict.fromkeys(stack_info.StackInfo.__dataclass_fields__, ""))

    def up(root: Path, *, mode: str, image_engine: str, bedrock_endpoint_url: str | None) -> Any:
        calls.append((mode, image_engine, bedrock_endpoint_url))
        return deployed

    monkeypatch.setattr(stack, "up", up)

    # When the stack tool runs with that command's arguments
    stack.main(command[command.index("imagejobs_dev.stack") + 1 :])

    # Then it deployed the way asked (the build mounted, the sources mounted, or sam deploy),
    # with the engine's default model and the Bedrock endpoint only when given
    assert calls == [asked]
