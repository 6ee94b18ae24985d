"""Find a LocalStack, or start ours; stop ours.

If LOCALSTACK_ENDPOINT or AWS_ENDPOINT_URL names a LocalStack that answers, that one is used
and never stopped. Else ours, if the state file records one that still runs (maybe still
starting: another session's `make up`). Else a new one is installed if needed and started as
`python -m localstack.runtime.main`, detached, with our Lambda executor and DynamoDB provider
selected (our start-up hooks load by themselves).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from imagejobs_dev.localstack.endpoint import LocalStack, endpoint_url, external_endpoint, healthy
from imagejobs_dev.localstack.errors import LocalStackError
from imagejobs_dev.localstack.installation import fingerprint, install, installed
from imagejobs_dev.localstack.interpreter import find_python313
from imagejobs_dev.localstack.layout import ROOT, Layout
from imagejobs_dev.localstack.process import Record, read_state, running, terminate, write_state

# The names that select our executor and DynamoDB provider (plugins/pyproject.toml).
LAMBDA_EXECUTOR = "host-process"
DYNAMODB_PROVIDER = "moto"
POLL_SECONDS = 0.2
# Local-only speed knobs (README, "Performance"); none of them changes what AWS does.
LOCAL_SPEED = {
    # LocalStack's SQS poller waits this long after every poll that found messages (default 1 s).
    "LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC": "0",
    # The sqs_mapping plugin: each ReceiveMessage long-polls this long; at most this many
    # batches of a mapping in flight unless its ScalingConfig.MaximumConcurrency says otherwise.
    "IMAGEJOBS_ESM_WAIT_SECONDS": "2",
    "IMAGEJOBS_ESM_MAX_CONCURRENCY": "2",
    # The environments plugin: a burst waits (at most 10 s) for one of a function's 2 warm
    # environments instead of cold-starting one per request.
    "IMAGEJOBS_LAMBDA_MAX_ENVIRONMENTS": "2",
    "IMAGEJOBS_LAMBDA_ENVIRONMENT_WAIT_SECONDS": "10",
    # glibc gives each thread that allocates its own malloc arena (up to 8 per core); LocalStack
    # runs hundreds of threads, and the arenas keep freed memory: two arenas hold its RSS down.
    "MALLOC_ARENA_MAX": "2",
}


def ensure_running(root: Path = ROOT, timeout: float = 60) -> LocalStack:
    """A LocalStack that answers: the environment's, ours already running, or a new one."""
    layout = Layout(root)
    ours = running(layout)
    named = _named_in_environment(layout, ours)
    if named is not None:
        return named
    return _wait_for(layout, ours, timeout) if ours else _start(layout, timeout)


def _named_in_environment(layout: Layout, ours: Record | None) -> LocalStack | None:
    external = external_endpoint()
    if external is None:
        return None
    if not healthy(external):
        print(f"{external} (from the environment) does not answer; using our own", file=sys.stderr)
        return None
    # Ours under another name (e.g. exported by `make up`): then its certificate is known.
    is_ours = ours is not None and ours.endpoint_url == external
    return LocalStack.at(external, layout.certificate if is_ours else None, started_here=False)


def _wait_for(layout: Layout, ours: Record, timeout: float) -> LocalStack:
    """Ours, maybe still starting (another session's `make up`): wait for it, bounded."""
    recorded = ours.endpoint_url or endpoint_url()
    deadline = time.monotonic() + timeout
    while not healthy(recorded):
        if ours.running_pid() is None or time.monotonic() > deadline:
            raise LocalStackError(
                f"the LocalStack recorded in {layout.state} does not answer on {recorded}; "
                f"see {layout.log}, or stop it: python -m imagejobs_dev.localstack stop"
            )
        time.sleep(POLL_SECONDS)
    try:
        outdated = ours.installed != fingerprint(layout)
    except (OSError, LocalStackError):
        outdated = False
    if outdated:
        print(
            "note: the running LocalStack predates a change to its pins or plugins; "
            "restart it to use them: python -m imagejobs_dev.localstack stop",
            file=sys.stderr,
        )
    return LocalStack.at(recorded, layout.certificate, started_here=False)


def _environment(layout: Layout) -> dict[str, str]:
    # The caller's AWS_* (endpoint, profile) and LOCALSTACK_* variables are not LocalStack's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    listen = endpoint_url().removeprefix("http://")
    env.update(
        # A /.dockerenv file exists on our machines; LocalStack would think it is in a container.
        OVERRIDE_IN_DOCKER="0",
        GATEWAY_LISTEN=listen,
        # The default server binds 0.0.0.0 whatever GATEWAY_LISTEN says.
        GATEWAY_SERVER="hypercorn",
        FILESYSTEM_ROOT=str(layout.filesystem),
        TMPDIR=str(layout.tmp),
        DNS_ADDRESS="0",
        DISABLE_EVENTS="1",
        SKIP_SSL_CERT_DOWNLOAD="1",
        # Queue URLs would otherwise name localhost.localstack.cloud, which does not resolve here.
        SQS_ENDPOINT_STRATEGY="path",
        # Check presigned URLs as S3 does: a tampered or expired signature is a 403.
        S3_SKIP_SIGNATURE_VALIDATION="0",
        LOCALSTACK_HOST=listen,
        LAMBDA_RUNTIME_EXECUTOR=LAMBDA_EXECUTOR,
        IMAGEJOBS_LAMBDA_PYTHON313=str(find_python313()),
        IMAGEJOBS_LAMBDA_SDK_PATH=str(layout.sdk),
        # Endpoints of services LocalStack does not serve (Bedrock), for every function.
        IMAGEJOBS_LAMBDA_ENVIRONMENT_FILE=str(layout.lambda_environment),
        # Mounted build folders are replaced whole: the executor need not walk them.
        IMAGEJOBS_BUILD_DIR=str(layout.build),
        PROVIDER_OVERRIDE_DYNAMODB=DYNAMODB_PROVIDER,
        PYTHONUNBUFFERED="1",
        **LOCAL_SPEED,
    )
    return env


def _start(layout: Layout, timeout: float) -> LocalStack:
    endpoint = endpoint_url()
    if healthy(endpoint):
        raise LocalStackError(
            f"something already answers on {endpoint} that this tool did not start; "
            "set LOCALSTACK_ENDPOINT to use it, or stop it"
        )
    install(layout.root)
    started = time.monotonic()
    for folder in (layout.home, layout.filesystem, layout.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    env = _environment(layout)
    with layout.log.open("wb") as log:
        process = subprocess.Popen(
            [str(layout.python), "-m", "localstack.runtime.main"],
            cwd=layout.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached, and its own process group for stop()
        )
    write_state(layout.root, process.pid, endpoint, installed(layout))
    deadline = started + timeout
    while not (healthy(endpoint) and layout.certificate.exists()):
        if process.poll() is not None or time.monotonic() > deadline:
            reason = "exited" if process.poll() is not None else f"not ready after {timeout:.0f} s"
            stop(layout.root)
            tail = layout.log.read_text(errors="replace")[-3000:]
            raise LocalStackError(f"LocalStack {reason} (log: {layout.log}):\n{tail}")
        time.sleep(POLL_SECONDS)
    print(f"LocalStack ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return LocalStack.at(endpoint, layout.certificate, started_here=True)


def stop(root: Path = ROOT, timeout: float = 20) -> bool:
    """Stops the LocalStack recorded in the state file: SIGTERM, then SIGKILL after `timeout` s.

    Returns whether something was stopped. A process that is not the recorded one (no state
    file, a dead or reused pid) is never signalled.
    """
    layout = Layout(root)
    record = read_state(layout)
    layout.state.unlink(missing_ok=True)
    pid = record.running_pid() if record else None
    if pid is None:
        return False
    terminate(pid, timeout)
    return True
