"""Running the Makefile's targets from tests, for real or as `make -n` prints them."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"


def make(*arguments: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """`make ARGUMENTS` with the repository's Makefile, in `cwd`, with `env` added."""
    # Without PYTHON313 or MAKEFLAGS from the make that runs these tests: each run resolves
    # its own, as a developer's would.
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHON313", "MAKEFLAGS"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(MAKEFILE), *arguments],
        cwd=cwd,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


def command_of(target: str, marker: str, *variables: str) -> list[str]:
    """The command of `target`'s recipe that contains `marker`, as `make -n` prints it."""
    dry_run = make("-n", target, *variables)
    assert dry_run.returncode == 0, dry_run.stderr
    commands = dry_run.stdout.replace("\\\n", " ").splitlines()
    matching = [command for command in commands if marker in command]
    assert len(matching) == 1, dry_run.stdout
    return shlex.split(matching[0])
