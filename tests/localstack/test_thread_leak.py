"""The start-up hook that keeps LocalStack from holding a dead thread per Lambda invocation.

It runs inside LocalStack's own interpreter (its venv, where the plugins are installed), the
way LocalStack loads it at start-up: through the `localstack.hooks.on_infra_start` entry point.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from imagejobs_dev.localstack import Layout, install

pytestmark = pytest.mark.localstack

ROOT = Path(__file__).resolve().parents[2]

# Starts `threads` threads the way the Lambda version manager starts its CloudWatch metrics
# thread after every invocation, lets them end without joining them, and reports how many
# stayed on LocalStack's shutdown list and how many memory maps were added, before and after
# the hook that LocalStack's entry point names has run.
PROBE = """
import json, sys, threading, time
from localstack.runtime import hooks
from localstack.services.lambda_.invocation import version_manager
from localstack.utils import threads

def maps():
    with open("/proc/self/maps") as f:
        return sum(1 for _ in f)

def start_and_let_end(count):
    kept, mapped = len(threads.TMP_THREADS), maps()
    for _ in range(count):
        version_manager.start_thread(lambda *args, **kwargs: None, name="record-metric")
    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)  # a bounded poll for the threads to end
    return {"kept": len(threads.TMP_THREADS) - kept, "maps": maps() - mapped}

count = int(sys.argv[1])
result = {"before": start_and_let_end(count)}
for plugin in hooks.on_infra_start.manager.load_all():
    if plugin.name == "start_lambda_metric_threads_without_keeping_them":
        plugin()
result["after"] = start_and_let_end(count)
print(json.dumps(result))
"""


def test_lambda_metric_threads_are_released_once_the_hook_has_run() -> None:
    # Given LocalStack's venv with our plugins installed
    install(ROOT)
    threads = 200

    # When metric threads are started as the version manager starts them, before and after the hook
    completed = subprocess.run(
        [str(Layout(ROOT).python), "-c", PROBE, str(threads)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(completed.stdout.splitlines()[-1])

    # Then without the hook every thread stays listed with its stack mapped (the leak is real)
    assert result["before"]["kept"] == threads
    assert result["before"]["maps"] >= threads
    # and with it none is kept, and the stacks are released
    assert result["after"]["kept"] == 0
    assert result["after"]["maps"] < threads // 10
