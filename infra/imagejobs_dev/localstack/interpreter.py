"""The Lambda runtime's Python 3.13: the one place that finds it.

The Makefile asks this module too (`python3 -m imagejobs_dev.localstack python313`), before
.venv exists, with whatever `python3` the machine has (3.11 on ours): so this package keeps to
the standard library and to syntax an older Python 3 runs (no `type` aliases, no PEP 695).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

from imagejobs_dev.localstack.errors import LocalStackError


def _is_python313(candidate: str) -> bool:
    try:
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return version.stdout.strip() == "True"


def _candidates() -> list[str]:
    # pyenv's `python3.13` shim only works once the version is selected, so ask pyenv for the
    # interpreter's real path before trusting PATH.
    candidates: list[str] = []
    if explicit := os.environ.get("PYTHON313"):
        candidates.append(explicit)
    if shutil.which("pyenv"):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            prefix = subprocess.run(
                ["pyenv", "prefix", "3.13"], capture_output=True, text=True, check=False, timeout=30
            )
            candidates += [f"{line}/bin/python3.13" for line in prefix.stdout.split(":") if line]
    candidates += sorted(
        (str(p) for p in Path.home().glob(".pyenv/versions/3.13*/bin/python3.13")), reverse=True
    )
    if on_path := shutil.which("python3.13"):
        candidates.append(on_path)
    return [candidate.strip() for candidate in candidates if candidate.strip()]


def find_python313() -> Path:
    """PYTHON313, then pyenv, then `python3.13` on PATH: the first that really is 3.13."""
    for candidate in _candidates():
        if _is_python313(candidate):
            return Path(candidate)
    raise LocalStackError(
        "Python 3.13 not found: install it (pyenv install 3.13) or set PYTHON313 to its path"
    )
