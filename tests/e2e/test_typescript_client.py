"""The TypeScript client (clients/typescript) on the deployed stack: its own end-to-end test,
run by Node's test runner against this session's stack (create, wait, download an image, list,
cancel, a typed error)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from imagejobs_dev.stack_info import StackInfo

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "typescript"


def test_the_typescript_client_creates_waits_downloads_lists_and_cancels(
    deployed: StackInfo, record_property: Callable[[str, object], None]
) -> None:
    # Given the stack's coordinates in the environment (and its CA, for an https URL)
    env = {**os.environ, "IMAGEJOBS_API_URL": deployed.api_url}
    env["IMAGEJOBS_API_KEY"] = deployed.api_key
    if deployed.ca_bundle:
        env["NODE_EXTRA_CA_CERTS"] = deployed.ca_bundle

    # When the client's e2e tests run (`npm run test:e2e`: tsc, then node --test)
    ran = subprocess.run(
        ["npm", "run", "--silent", "test:e2e"],
        cwd=CLIENT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )

    # Then they ran, and all passed
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, output[-6000:]
    counts = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", ran.stdout, re.MULTILINE))
    assert int(counts["tests"]) >= 3
    assert counts["pass"] == counts["tests"]
    record_property("typescript_e2e", f"{counts['pass']} of {counts['tests']} passed")
