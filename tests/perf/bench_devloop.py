"""The developer loop with its shortcuts: `make up` with nothing changed, and an edit live on a
hot-reloading stack (`make up HOT_RELOAD=1`, docs/local-development.md).

- Unchanged, running: `make up` again on the deployed stack (it skips sam build and deploy),
  until the first successful API call.
- Unchanged, stopped: `make down`, then `make up` (LocalStack starts empty and the stack is
  created with the build mounted: no build, no packaging), until the first call; then the same
  with `make up HOT_RELOAD=1` (the sources mounted).
- Edit live: on that stack, a handler edit that adds a response header (appended to
  functions/imagejobs/handlers/web.py, removed again afterwards), from the write until
  `GET /config` answers with it; then the same for the edit's removal.

`bench_e2e`'s developer loop times one `make up` from stopped, a redeploy after a change
and (FULL=1) `make test`. The stack is left hot-reloading: the next plain `make up` redeploys
it from the build.

    python -m tests.perf.bench_devloop [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imagejobs_dev.localstack import external_endpoint
from imagejobs_dev.stack_info import StackInfo
from tests.perf.stats import summary
from tests.support.http import call

ROOT = Path(__file__).resolve().parents[2]
PROBED_FILE = ROOT / "functions" / "imagejobs" / "handlers" / "web.py"
PROBE_HEADER = "x-devloop-probe"
LIVE_TIMEOUT = 120.0
POLL_SECONDS = 0.05
# Wraps the module's handler: each answer carries the header, so the edit shows over HTTP.
PROBE = """

_devloop_probed_handler = handler


def handler(event, context):  # type: ignore[no-redef]  # bench_devloop's probe
    response = _devloop_probed_handler(event, context)
    response.setdefault("headers", {{}})["{header}"] = "{token}"
    return response
"""


def make_up(*variables: str) -> tuple[float, StackInfo, str]:
    """`make -s up VARIABLES`: its wall time, the stack it printed, and its stderr."""
    started = time.monotonic()
    result = subprocess.run(
        ["make", "-s", "up", *variables], cwd=ROOT, capture_output=True, text=True, check=False
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"make up failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    deployed = StackInfo(**json.loads(result.stdout.strip().splitlines()[-1]))
    return elapsed, deployed, result.stderr


def seconds_until(change: Callable[[], None], live: Callable[[], bool], timeout: float) -> float:
    """Makes the change, then polls `live` (bounded): seconds from the change until it is."""
    started = time.monotonic()
    change()
    while not live():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"the change was not live within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
    return time.monotonic() - started


def _config_header(deployed: StackInfo) -> str | None:
    with contextlib.suppress(OSError):
        response = call("GET", f"{deployed.api_url}config", timeout=60)
        if response.status == 200:
            headers = {name.lower(): value for name, value in response.headers.items()}
            return headers.get(PROBE_HEADER, "")
    return None  # not answering (yet)


def timed_up(*variables: str) -> dict[str, Any]:
    """`make up VARIABLES` and the first successful call after it."""
    make_up_s, deployed, stderr = make_up(*variables)
    first_call_s = seconds_until(
        lambda: None, lambda: _config_header(deployed) is not None, LIVE_TIMEOUT
    )
    return {
        "make_up_s": make_up_s,
        "first_call_s": first_call_s,
        "total_s": make_up_s + first_call_s,
        "built": " build --config-env " in stderr,
        "deployed": "deployed in " in stderr,
    }


def edit_live(deployed: StackInfo) -> dict[str, float]:
    """Seconds until the probe edit is live, and then its removal."""
    original = PROBED_FILE.read_text()
    token = uuid.uuid4().hex[:12]
    try:
        edit = seconds_until(
            lambda: PROBED_FILE.write_text(
                original + PROBE.format(header=PROBE_HEADER, token=token)
            ),
            lambda: _config_header(deployed) == token,
            LIVE_TIMEOUT,
        )
    finally:
        PROBED_FILE.write_text(original)
    revert = seconds_until(lambda: None, lambda: _config_header(deployed) == "", LIVE_TIMEOUT)
    return {"edit_live_s": edit, "revert_live_s": revert}


def _totals(rounds: list[dict[str, Any]], key: str) -> dict[str, float]:
    return summary([row[key] for row in rounds], 90)


def stopped_rounds(rounds: int, *variables: str) -> list[dict[str, Any]]:
    """`make down`, then `make up VARIABLES` to the first answer, `rounds` times."""
    measured = []
    for _ in range(0 if external_endpoint() else rounds):  # never stop a LocalStack not ours
        subprocess.run(["make", "-s", "down"], cwd=ROOT, capture_output=True, check=True)
        measured.append(timed_up(*variables))
    return measured


def measure(rounds: int) -> dict[str, Any]:
    make_up()  # uncounted: deploys whatever changed since (e.g. a hot-reloading stack)
    unchanged_running = [timed_up() for _ in range(rounds)]
    unchanged_stopped = stopped_rounds(rounds)
    unchanged_stopped_hot_reload = stopped_rounds(rounds, "HOT_RELOAD=1")
    _, deployed, _ = make_up("HOT_RELOAD=1")
    edits = [edit_live(deployed) for _ in range(rounds)]
    return {
        "rounds": rounds,
        "up_unchanged_running": unchanged_running,
        "up_unchanged_running_total_s": _totals(unchanged_running, "total_s"),
        "up_unchanged_stopped": unchanged_stopped,
        "up_unchanged_stopped_total_s": _totals(unchanged_stopped, "total_s"),
        "up_unchanged_stopped_hot_reload": unchanged_stopped_hot_reload,
        "up_unchanged_stopped_hot_reload_total_s": _totals(unchanged_stopped_hot_reload, "total_s"),
        "edit_live": edits,
        "edit_live_s": _totals(edits, "edit_live_s"),
        "revert_live_s": _totals(edits, "revert_live_s"),
    }


def lines(figures: dict[str, Any]) -> list[str]:
    """The stage's figures as lines of text: medians (p50) and p90 over the rounds."""

    def row(title: str, stats: dict[str, float]) -> str:
        median, p90, n = stats["p50"], stats["p90"], stats["n"]
        return f"{title}: {median:.1f} s median, p90 {p90:.1f} s ({n:g} rounds)"

    return [
        row(
            "make up, unchanged, stack running -> first answer",
            figures["up_unchanged_running_total_s"],
        ),
        row(
            "make up, unchanged, stack stopped -> first answer",
            figures["up_unchanged_stopped_total_s"],
        ),
        row(
            "make up HOT_RELOAD=1, unchanged, stack stopped -> first answer",
            figures["up_unchanged_stopped_hot_reload_total_s"],
        ),
        row("an edit in functions/ -> live (HOT_RELOAD=1)", figures["edit_live_s"]),
        row("its removal -> live", figures["revert_live_s"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each (default 3)")
    args = parser.parse_args()
    figures = measure(args.rounds)
    print("\n".join(lines(figures)))
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()
