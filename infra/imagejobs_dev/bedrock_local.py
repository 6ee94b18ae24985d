"""Where the local stack's functions reach Amazon Bedrock: the project's stand-in, or a URL given.

LocalStack's free edition has no Bedrock. `make up` points the deployed functions at
BEDROCK_ENDPOINT_URL when one is given (a make variable or the environment), and otherwise at
the project's stand-in (imagejobs_dev.bedrock_standin), which it starts as a background process
of its own: `python -m imagejobs_dev.bedrock_standin --port N --any-key` (LocalStack's functions
sign with LocalStack's keys), recorded in `.localstack/bedrock-standin.json` (pid, start time,
URL; a pid alone is not an identity), logging to `.localstack/bedrock-standin.log`, reused
while it runs, and stopped by `make down`. It is launched before LocalStack starts and waited
for after, so its start-up hides behind LocalStack's. A restarted stand-in takes its old port again
when it is free, so functions started before keep reaching it.

The URL reaches the functions without a line of the template or the code changing: `make up`
writes it to `.localstack/lambda-environment.json` as AWS_ENDPOINT_URL_BEDROCK_RUNTIME and
AWS_ENDPOINT_URL_BEDROCK (boto3 reads a service's own variable before AWS_ENDPOINT_URL, which
LocalStack sets), and the LocalStack executor plugin gives those to every function's process
(imagejobs_localstack.endpoints). The deployed template is the one AWS gets.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from imagejobs_dev.localstack import Layout, LocalStackError
from imagejobs_dev.localstack.process import alive, start_time, terminate

# The variables boto3 reads for the two Bedrock clients (service ids "Bedrock Runtime" and
# "Bedrock"), which the LocalStack plugin passes on to the functions.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL_BEDROCK")
# The Region the local stack deploys to, where the stand-in answers as Bedrock does there.
REGION = "us-east-1"
START_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class StandInRecord:
    pid: int
    started: str | None
    url: str

    def running_pid(self) -> int | None:
        if self.pid <= 1:
            return None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, os.WNOHANG)  # one of ours that ended is no zombie to signal
        if not alive(self.pid) or start_time(self.pid) != self.started:
            return None
        return self.pid

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def state_file(root: Path) -> Path:
    return Layout(root).home / "bedrock-standin.json"


def log_file(root: Path) -> Path:
    return Layout(root).home / "bedrock-standin.log"


def read_record(root: Path) -> StandInRecord | None:
    try:
        return StandInRecord(**json.loads(state_file(root).read_text()))
    except (OSError, TypeError, ValueError):
        return None


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether the stand-in's control endpoint answers at `url`."""
    try:
        with urllib.request.urlopen(  # noqa: S310 - a loopback http URL of ours
            f"{url.rstrip('/')}/_standin/health", timeout=timeout
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _free(port: int) -> bool:
    with socket.socket() as probe:
        # As the stand-in's server binds (http.server reuses addresses): connections of an
        # earlier one waiting out TIME_WAIT do not keep the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _a_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch(root: Path) -> StandInRecord:
    """Our stand-in's record: the running one, else a new process, not waited for (`make up`
    launches it beside LocalStack's start, then waits for both)."""
    record = read_record(root)
    if record is not None and record.running_pid() is not None:
        return record
    port = record.port if record is not None and _free(record.port) else _a_free_port()
    home = Layout(root).home
    home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "imagejobs_dev.bedrock_standin"]
    command += ["--port", str(port), "--region", REGION, "--any-key"]
    # Its own configuration only: the caller's IMAGEJOBS_BEDROCK_STANDIN_* would change it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEJOBS_BEDROCK_STANDIN_")}
    with log_file(root).open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached: it outlives `make up`
        )
    record = StandInRecord(process.pid, start_time(process.pid), f"http://127.0.0.1:{port}")
    state_file(root).write_text(json.dumps(asdict(record)) + "\n")
    return record


def ensure_standin(root: Path) -> str:
    """The URL of our stand-in once it answers: the recorded one, or one launched now."""
    record = launch(root)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    waited = relaunched = False
    while not answers(record.url, timeout=0.5):
        ended = record.running_pid() is None
        if ended and not relaunched:
            # The recorded process was dying when launch() found it (killed behind make's
            # back: it had stopped answering, but had not exited yet): start another, once.
            record, relaunched = launch(root), True
            continue
        if ended or time.monotonic() > deadline:
            stop_standin(root)
            tail = log_file(root).read_text(errors="replace")[-2000:]
            why = "its process ended" if ended else f"no answer in {START_TIMEOUT_SECONDS:.0f} s"
            raise LocalStackError(
                f"the Bedrock stand-in does not answer on {record.url} ({why}):\n{tail}"
            )
        waited = True
        time.sleep(POLL_SECONDS)
    if waited:
        print(f"Bedrock stand-in ready on {record.url}", file=sys.stderr)
    return record.url


def stop_standin(root: Path) -> bool:
    """Stops the stand-in `ensure_standin` started, if it still runs; whether it did."""
    record = read_record(root)
    state_file(root).unlink(missing_ok=True)
    pid = record.running_pid() if record is not None else None
    if pid is None:
        return False
    terminate(pid, 5)
    return True


def environment_file(root: Path) -> Path:
    return Layout(root).lambda_environment


def point_functions_at(root: Path, url: str | None) -> None:
    """Has the local stack's functions reach Bedrock at `url` (None: wherever boto3 would)."""
    path = environment_file(root)
    if url is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    document = json.dumps(dict.fromkeys(ENDPOINT_VARIABLES, url.rstrip("/")), indent=2)
    # Written whole, then renamed: the plugin never reads half a file.
    partial = path.with_suffix(".tmp")
    partial.write_text(document + "\n")
    partial.replace(path)


def bedrock_endpoint(root: Path, given: str | None) -> str:
    """Where the functions should reach Bedrock: `given`, else our stand-in (started now if
    it is not running)."""
    if given:
        return given.rstrip("/")
    return ensure_standin(root)


def forget(root: Path) -> None:
    """`make down`: the stand-in stopped, and the functions no longer pointed at it."""
    with contextlib.suppress(OSError):
        point_functions_at(root, None)
    if stop_standin(root):
        print("stopped the Bedrock stand-in", file=sys.stderr)
