"""The make targets, each run for real where that is cheap and safe inside `make test`.

Which test covers which target:
- help, setup, unit: run here as they are (unit only collects, or it would run itself twice);
- openapi: the command it runs (from `make -n`), into a scratch file, and lint's check of it;
- gallery, down: the command the target runs (from `make -n`), run here for real into a
  scratch folder, so the committed sheet and this clone's LocalStack are left alone;
- clean: run here for real in a scratch folder, with a stand-in for the venv's interpreter;
- bench: here, that N, C, QUOTA, QUOTA_RATE, SOAK and FULL reach the benchmark; its stages run
  at their smallest size in tests/perf/test_bench.py and tests/e2e/test_bench.py;
- up: the end-to-end tests deploy their stack with the real `make up` (tests/e2e/conftest.py,
  timed as the bench's developer loop times it);
- demo: its command runs against that deployed stack in tests/e2e/test_demo.py;
- lint and test: `make test` is what CI runs (.ci/run), and lint is its first step.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from imagejobs_dev import localstack as local
from imagejobs_dev import stack
from tests.support.make import MAKEFILE, ROOT, command_of, make


def phony_targets() -> set[str]:
    text = MAKEFILE.read_text()
    return {
        name for line in re.findall(r"^\.PHONY:(.*)$", text, re.MULTILINE) for name in line.split()
    }


def test_make_help_lists_every_target_with_what_it_does() -> None:
    # Given the Makefile's targets

    # When `make help` runs
    result = make("help")

    # Then it lists each of them, each with a description
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(maxsplit=2)[1:] for line in result.stdout.splitlines())
    assert set(listed) == phony_targets()
    assert all(description.strip() for description in listed.values())


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


def test_make_unit_collects_the_in_process_tests() -> None:
    # Given pytest told to collect only (running them would run them a second time)

    # When `make unit` runs
    result = make("unit", PYTEST_ADDOPTS="--collect-only -q")

    # Then it collected tests without errors, none of them end to end
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(collected) > 50
    assert not any(line.startswith(("tests/e2e/", "tests/localstack/")) for line in collected)


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
    stack.state_file(tmp_path).write_text('{"recorded": "by make up"}')
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
    assert not stack.state_file(tmp_path).exists()


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

    # When make says what it would run
    command = command_of("bench", "tests.perf.bench", *variables)

    # Then the benchmark gets that size, and FULL (the stages run in tests/perf and tests/e2e)
    assert command[-12:] == [
        "tests.perf.bench",
        "--jobs",
        "3",
        "--concurrency",
        "2",
        "--quota-jobs",
        "4",
        "--quota-requests",
        "120",
        "--soak",
        "7",
        "--full",
    ]


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


def test_make_screenshot_runs_a_browser_test_that_exists() -> None:
    # Given the command `make screenshot` would run
    command = command_of("screenshot", "pytest", "PY=python")

    # When pytest collects the test it names
    (selection,) = [part for part in command if part.startswith("tests/e2e/")]
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", selection],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    # Then that test exists, and the picture it takes goes where the README shows it
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert selection in collected.stdout
    assert "IMAGEJOBS_SCREENSHOT=docs/web-page.png" in command
    assert "docs/web-page.png" in (ROOT / "README.md").read_text()


def test_make_up_mounts_the_code_only_when_hot_reload_is_asked_for() -> None:
    # Given `make up` with and without HOT_RELOAD

    # When make says what each would run
    plain = command_of("up", "imagejobs_dev.stack up")
    hot = command_of("up", "imagejobs_dev.stack up", "HOT_RELOAD=1")

    # Then only the second deploys with the code mounted (tests/localstack/test_devloop.py)
    assert plain[-2:] == ["imagejobs_dev.stack", "up"]
    assert hot[-3:] == ["imagejobs_dev.stack", "up", "--hot-reload"]


def test_make_up_passes_the_engine_and_the_bedrock_endpoint_on_only_when_given() -> None:
    # Given `make up` with and without IMAGE_ENGINE and BEDROCK_ENDPOINT_URL

    # When make says what each would run
    plain = command_of("up", "imagejobs_dev.stack up")
    chosen = command_of(
        "up",
        "imagejobs_dev.stack up",
        "IMAGE_ENGINE=bedrock",
        "BEDROCK_ENDPOINT_URL=http://127.0.0.1:4599",
    )

    # Then only the second names them (tests/e2e/test_models.py runs the chain they deploy)
    assert plain[-2:] == ["imagejobs_dev.stack", "up"]
    assert chosen[-4:] == [
        "--image-engine",
        "bedrock",
        "--bedrock-endpoint-url",
        "http://127.0.0.1:4599",
    ]
