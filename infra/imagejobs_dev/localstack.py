"""LocalStack on the host, without Docker: install it, start it, find it, stop it.

LocalStack lives in its own virtual environment (`.localstack/venv`, pins in
`infra/localstack/constraints.txt`), apart from the project's: it pins its own moto fork, boto3
and pydantic. It runs as `python -m localstack.runtime.main` with the two plugins in
`infra/localstack/plugins` (a process-based Lambda executor, a moto-backed DynamoDB). If
LOCALSTACK_ENDPOINT or AWS_ENDPOINT_URL names a LocalStack that answers, that one is used
instead and never stopped.

    python -m imagejobs_dev.localstack {install,start,stop,status}

Standard library only: this runs in the project's venv, which does not contain LocalStack.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALSTACK_VERSION = "2026.3.0"
LAMBDA_RUNTIME = "python3.13"
DEFAULT_PORT = 4566
# Names of the two plugins in infra/localstack/plugins/pyproject.toml.
LAMBDA_EXECUTOR = "host-process"
DYNAMODB_PROVIDER = "moto"
POLL_SECONDS = 0.2


class LocalStackError(RuntimeError):
    """LocalStack could not be installed, started or found."""


@dataclass(frozen=True)
class LocalStack:
    endpoint_url: str
    https_endpoint_url: str | None
    ca_bundle: Path | None
    started_here: bool

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint_url": self.endpoint_url,
                "https_endpoint_url": self.https_endpoint_url,
                "ca_bundle": str(self.ca_bundle) if self.ca_bundle else None,
                "started_here": self.started_here,
            }
        )


def port() -> int:
    """4566, unless IMAGEJOBS_LOCALSTACK_PORT says otherwise (a second instance beside one)."""
    return int(os.environ.get("IMAGEJOBS_LOCALSTACK_PORT") or DEFAULT_PORT)


def endpoint_url() -> str:
    return f"http://127.0.0.1:{port()}"


def https_endpoint_url() -> str:
    # LocalStack's certificate names `localhost`; its IP entry is malformed, so HTTPS uses the name.
    return f"https://localhost:{port()}"


@dataclass(frozen=True)
class Layout:
    """Our files: sources under `<root>/infra`, state under `<root>/.localstack`."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / ".localstack"

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def sdk(self) -> Path:
        return self.home / "lambda-runtime" / LAMBDA_RUNTIME

    @property
    def filesystem(self) -> Path:
        return self.home / "fs"

    @property
    def tmp(self) -> Path:
        return self.home / "tmp"

    @property
    def certificate(self) -> Path:
        return self.filesystem / "var" / "lib" / "localstack" / "cache" / "server.test.pem"

    @property
    def state(self) -> Path:
        return self.home / "state.json"

    @property
    def log(self) -> Path:
        return self.home / "localstack.log"

    @property
    def marker(self) -> Path:
        return self.home / "installed"

    @property
    def constraints(self) -> Path:
        return self.root / "infra" / "localstack" / "constraints.txt"

    @property
    def plugins(self) -> Path:
        return self.root / "infra" / "localstack" / "plugins"

    @property
    def requirements(self) -> Path:
        return self.root / "functions" / "requirements.txt"


# -- installation ------------------------------------------------------------------------------


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


def find_python313() -> Path:
    """The Lambda runtime's Python: PYTHON313, then pyenv, then `python3.13` on PATH."""
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
    for candidate in candidates:
        candidate = candidate.strip()
        if candidate and _is_python313(candidate):
            return Path(candidate)
    raise LocalStackError(
        "Python 3.13 not found: install it (pyenv install 3.13) or set PYTHON313 to its path"
    )


def sdk_requirement(root: Path) -> str:
    """`boto3==X` as functions/requirements.txt pins it: the SDK the functions ship with."""
    text = Layout(root).requirements.read_text()
    match = re.search(r"^\s*boto3==([^\s;#]+)", text, flags=re.MULTILINE)
    if not match:
        raise LocalStackError("functions/requirements.txt must pin boto3==<version>")
    return f"boto3=={match.group(1)}"


def _fingerprint(layout: Layout) -> str:
    """Changes whenever something install() installs would change."""
    digest = hashlib.sha256(LOCALSTACK_VERSION.encode())
    digest.update(sdk_requirement(layout.root).encode())
    digest.update(layout.constraints.read_bytes())
    for path in sorted(layout.plugins.rglob("*")):
        parts = set(path.relative_to(layout.plugins).parts)
        if (
            path.is_file()
            and not parts & {"__pycache__", "build", "dist"}
            and not any(part.endswith(".egg-info") for part in parts)
        ):
            digest.update(path.relative_to(layout.plugins).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def install(root: Path = ROOT) -> None:
    """Creates LocalStack's venv and the Lambda runtime's SDK folder; instant when up to date."""
    layout = Layout(root)
    fingerprint = _fingerprint(layout)
    if layout.marker.exists() and layout.marker.read_text() == fingerprint:
        return
    started = time.monotonic()
    print(f"installing LocalStack into {layout.venv} ...", file=sys.stderr, flush=True)
    layout.home.mkdir(parents=True, exist_ok=True)
    layout.marker.unlink(missing_ok=True)
    python = find_python313()
    if not layout.python.exists():
        subprocess.run([str(python), "-m", "venv", str(layout.venv)], check=True)
    pip = [str(layout.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [
            *pip,
            "-c",
            str(layout.constraints),
            f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
            "service-identity",
        ],
        check=True,
    )
    # Not editable, so its entry points are registered; --force-reinstall so a changed source
    # with an unchanged version number is installed.
    subprocess.run(
        [
            *pip,
            "--no-deps",
            "--force-reinstall",
            "-c",
            str(layout.constraints),
            str(layout.plugins),
        ],
        check=True,
    )
    shutil.rmtree(layout.sdk, ignore_errors=True)
    # boto3 and botocore are released in lockstep; the Lambda runtime ships a matching pair.
    boto3 = sdk_requirement(root)
    subprocess.run(
        [
            *pip,
            "--no-warn-conflicts",
            "--target",
            str(layout.sdk),
            boto3,
            boto3.replace("boto3==", "botocore=="),
        ],
        check=True,
    )
    layout.marker.write_text(fingerprint)
    print(f"installed in {time.monotonic() - started:.0f} s", file=sys.stderr)


# -- finding and starting ----------------------------------------------------------------------


def healthy(endpoint: str, timeout: float = 2.0) -> bool:
    """Whether `/_localstack/health` answers 200 at `endpoint`."""
    try:
        with urllib.request.urlopen(  # noqa: S310 - an http(s) LocalStack endpoint
            endpoint.rstrip("/") + "/_localstack/health", timeout=timeout
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2) is in parentheses and may contain spaces.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def write_state(root: Path, pid: int, endpoint: str, installed: str | None = None) -> None:
    """Records a LocalStack this module started, for stop() and for reuse.

    `installed` is the install fingerprint it runs with, to tell when it runs outdated code.
    """
    layout = Layout(root)
    layout.home.mkdir(parents=True, exist_ok=True)
    state = {
        "pid": pid,
        "started": _process_start(pid),
        "endpoint_url": endpoint,
        "installed": installed,
    }
    layout.state.write_text(json.dumps(state))


def _read_state(layout: Layout) -> dict[str, object] | None:
    try:
        state = json.loads(layout.state.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("pid"), int):
        return None
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recorded_process(state: dict[str, object]) -> int | None:
    """The recorded pid if that process is still the one we started, else None."""
    pid = state["pid"]
    assert isinstance(pid, int)
    if pid <= 1 or not _alive(pid):
        return None
    started = state.get("started")
    if started is not None:
        return pid if _process_start(pid) == started else None
    # A state file without a start time: only trust a LocalStack runtime process.
    with contextlib.suppress(OSError):
        if b"localstack.runtime.main" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    return None


def _external_endpoint() -> str | None:
    for variable in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL"):
        if value := os.environ.get(variable):
            return value.rstrip("/")
    return None


def _port_of(url: str) -> int | None:
    with contextlib.suppress(ValueError):
        return urllib.parse.urlsplit(url).port
    return None


def ensure_running(root: Path = ROOT, timeout: float = 60) -> LocalStack:
    """A LocalStack that answers: the environment's, ours already running, or a new one."""
    layout = Layout(root)
    state = _read_state(layout)
    running = state if state and _recorded_process(state) is not None else None
    if (external := _external_endpoint()) and healthy(external):
        # Ours under another name (e.g. exported by `make up`): then its certificate is known.
        ours = running is not None and running.get("endpoint_url") == external
        return LocalStack(
            external,
            f"https://localhost:{_port_of(external)}" if ours else None,
            layout.certificate if ours and layout.certificate.exists() else None,
            started_here=False,
        )
    if external:
        print(f"{external} (from the environment) does not answer; using our own", file=sys.stderr)

    if running is not None:
        # Ours, maybe still starting (another session's `make up`): wait for it, bounded.
        recorded = str(running.get("endpoint_url") or endpoint_url())
        deadline = time.monotonic() + timeout
        while not healthy(recorded):
            if _recorded_process(running) is None or time.monotonic() > deadline:
                raise LocalStackError(
                    f"the LocalStack recorded in {layout.state} does not answer on {recorded}; "
                    f"see {layout.log}, or stop it: python -m imagejobs_dev.localstack stop"
                )
            time.sleep(POLL_SECONDS)
        with contextlib.suppress(OSError, LocalStackError):
            if running.get("installed") != _fingerprint(layout):
                print(
                    "note: the running LocalStack predates a change to its pins or plugins; "
                    "restart it to use them: python -m imagejobs_dev.localstack stop",
                    file=sys.stderr,
                )
        https = f"https://localhost:{_port_of(recorded) or port()}"
        return LocalStack(recorded, https, layout.certificate, started_here=False)
    if healthy(endpoint_url()):
        raise LocalStackError(
            f"something already answers on {endpoint_url()} that this tool did not start; "
            "set LOCALSTACK_ENDPOINT to use it, or stop it"
        )
    install(root)
    return _start(layout, timeout)


def _environment(layout: Layout) -> dict[str, str]:
    # The caller's AWS_* (endpoint, profile) and LOCALSTACK_* variables are not LocalStack's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    listen = f"127.0.0.1:{port()}"
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
        PROVIDER_OVERRIDE_DYNAMODB=DYNAMODB_PROVIDER,
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(layout: Layout, timeout: float) -> LocalStack:
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
    installed = layout.marker.read_text() if layout.marker.exists() else None
    write_state(layout.root, process.pid, endpoint_url(), installed)
    deadline = started + timeout
    while not (healthy(endpoint_url()) and layout.certificate.exists()):
        if process.poll() is not None or time.monotonic() > deadline:
            reason = "exited" if process.poll() is not None else f"not ready after {timeout:.0f} s"
            stop(layout.root)
            tail = layout.log.read_text(errors="replace")[-3000:]
            raise LocalStackError(f"LocalStack {reason} (log: {layout.log}):\n{tail}")
        time.sleep(POLL_SECONDS)
    print(f"LocalStack ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return LocalStack(endpoint_url(), https_endpoint_url(), layout.certificate, started_here=True)


# -- stopping ----------------------------------------------------------------------------------


def _reap(pid: int) -> None:
    """Collects the exit status if we are the parent, so the pid stops looking alive."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _signal(pid: int, signum: int) -> None:
    """To the process group the process leads (its Lambda children), else the process alone."""
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid and pid != os.getpgrp():
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        _reap(pid)
        if not _alive(pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def stop(root: Path = ROOT, timeout: float = 20) -> bool:
    """Stops the LocalStack recorded in the state file: SIGTERM, then SIGKILL after `timeout` s.

    Returns whether something was stopped. A process that is not the recorded one (no state
    file, a dead or reused pid) is never signalled.
    """
    layout = Layout(root)
    state = _read_state(layout)
    layout.state.unlink(missing_ok=True)
    pid = _recorded_process(state) if state else None
    if pid is None:
        return False
    _signal(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        # Seen here: SIGTERM can hang at "Stopping all services".
        print(f"LocalStack ignored SIGTERM for {timeout:.0f} s; sending SIGKILL", file=sys.stderr)
        _signal(pid, signal.SIGKILL)
        _wait_gone(pid, 5)
    return True


# -- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imagejobs_dev.localstack")
    parser.add_argument("command", choices=["install", "start", "stop", "status"])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install(args.root)
        elif args.command == "start":
            print(ensure_running(args.root).to_json())
        elif args.command == "stop":
            print("stopped" if stop(args.root) else "not running (or not started by this tool)")
        else:
            state = _read_state(Layout(args.root))
            pid = _recorded_process(state) if state else None
            endpoint = _external_endpoint() or endpoint_url()
            status = {"endpoint_url": endpoint, "healthy": healthy(endpoint), "pid": pid}
            print(json.dumps(status))
    except LocalStackError as error:
        raise SystemExit(str(error)) from error


if __name__ == "__main__":
    main()
