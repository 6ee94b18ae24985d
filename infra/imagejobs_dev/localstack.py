"""LocalStack on the host, without Docker: install it, start it, find it, stop it.

LocalStack lives in its own virtual environment (`.localstack/venv`, pins in
`infra/localstack/constraints.txt`), apart from the project's: it pins its own moto fork, boto3
and pydantic. It runs as `python -m localstack.runtime.main` with the two plugins in
`infra/localstack/plugins`. If LOCALSTACK_ENDPOINT or AWS_ENDPOINT_URL names a LocalStack that
answers, that one is used instead and never stopped.

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
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALSTACK_VERSION = "2026.3.0"
LISTEN = "127.0.0.1:4566"
ENDPOINT = f"http://{LISTEN}"
# LocalStack's certificate names `localhost`; its IP entry is malformed, so HTTPS uses the name.
HTTPS_ENDPOINT = "https://localhost:4566"
LAMBDA_RUNTIME = "python3.13"


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


@dataclass(frozen=True)
class Layout:
    """Where everything of ours lives under `<root>/.localstack`."""

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


def find_python313() -> Path:
    """The Lambda runtime's Python: PYTHON313, then pyenv, then `python3.13` on PATH."""
    candidates: list[str] = []
    if explicit := os.environ.get("PYTHON313"):
        candidates.append(explicit)
    if shutil.which("pyenv"):
        prefix = subprocess.run(
            ["pyenv", "prefix", "3.13"], capture_output=True, text=True, check=False
        )
        candidates += [f"{line}/bin/python3.13" for line in prefix.stdout.split()]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))
    if on_path := shutil.which("python3.13"):
        candidates.append(on_path)
    for candidate in candidates:
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if version.stdout.strip() == "True":
            return Path(candidate)
    raise SystemExit("Python 3.13 not found: install it (pyenv install 3.13) or set PYTHON313")


def _sdk_requirement(root: Path) -> str:
    """The boto3 the functions ship with, so the local runtime matches what sam build vendors."""
    text = (root / "functions" / "requirements.txt").read_text()
    match = re.search(r"^boto3==\S+", text, flags=re.MULTILINE)
    if not match:
        raise SystemExit("functions/requirements.txt must pin boto3==<version>")
    return match.group(0)


def _fingerprint(layout: Layout) -> str:
    digest = hashlib.sha256(LOCALSTACK_VERSION.encode())
    digest.update(_sdk_requirement(layout.root).encode())
    digest.update(layout.constraints.read_bytes())
    for path in sorted(layout.plugins.rglob("*")):
        if (
            path.is_file()
            and not ({"__pycache__", "build"} & set(path.parts))
            and ".egg-info" not in str(path)
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
    print("installing LocalStack into .localstack/venv ...", file=sys.stderr, flush=True)
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
            # Not editable: entry points must be registered, and a source change re-installs.
            str(layout.plugins),
        ],
        check=True,
    )
    shutil.rmtree(layout.sdk, ignore_errors=True)
    subprocess.run(
        [*pip, "--no-warn-conflicts", "--target", str(layout.sdk), _sdk_requirement(root)],
        check=True,
    )
    layout.marker.write_text(fingerprint)
    print(f"installed in {time.monotonic() - started:.0f} s", file=sys.stderr)


def healthy(endpoint_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(  # noqa: S310 - a LocalStack endpoint URL
            endpoint_url.rstrip("/") + "/_localstack/health", timeout=timeout
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _read_state(layout: Layout) -> dict[str, object] | None:
    try:
        state = json.loads(layout.state.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state if isinstance(state, dict) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _external_endpoint() -> str | None:
    for variable in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL"):
        if value := os.environ.get(variable):
            return value
    return None


def ensure_running(root: Path = ROOT, timeout: float = 90) -> LocalStack:
    """A LocalStack that answers: someone else's, ours already running, or a new one."""
    layout = Layout(root)
    if external := _external_endpoint():
        if not healthy(external):
            raise SystemExit(f"LocalStack at {external} (from the environment) does not answer")
        return LocalStack(external, None, None, started_here=False)

    state = _read_state(layout)
    if state and _alive(int(str(state["pid"]))) and healthy(ENDPOINT):
        return LocalStack(ENDPOINT, HTTPS_ENDPOINT, layout.certificate, started_here=False)
    if healthy(ENDPOINT):
        raise SystemExit(
            f"something already answers on {ENDPOINT} that `make up` did not start; "
            "set LOCALSTACK_ENDPOINT to use it, or stop it"
        )

    install(root)
    return _start(layout, timeout)


def _environment(layout: Layout) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    tmp = layout.home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    layout.filesystem.mkdir(parents=True, exist_ok=True)
    env.update(
        # A /.dockerenv file exists on our machines; LocalStack would think it is in a container.
        OVERRIDE_IN_DOCKER="0",
        GATEWAY_LISTEN=LISTEN,
        # The default server binds 0.0.0.0 whatever GATEWAY_LISTEN says.
        GATEWAY_SERVER="hypercorn",
        FILESYSTEM_ROOT=str(layout.filesystem),
        TMPDIR=str(tmp),
        DNS_ADDRESS="0",
        DISABLE_EVENTS="1",
        SKIP_SSL_CERT_DOWNLOAD="1",
        # Queue URLs would otherwise name localhost.localstack.cloud, which may not resolve.
        SQS_ENDPOINT_STRATEGY="path",
        LOCALSTACK_HOST=LISTEN,
        LAMBDA_RUNTIME_EXECUTOR="host-process",
        IMAGEJOBS_LAMBDA_PYTHON313=str(find_python313()),
        IMAGEJOBS_LAMBDA_SDK_PATH=str(layout.sdk),
        PROVIDER_OVERRIDE_DYNAMODB="moto",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(layout: Layout, timeout: float) -> LocalStack:
    started = time.monotonic()
    layout.home.mkdir(parents=True, exist_ok=True)
    with layout.log.open("wb") as log:
        process = subprocess.Popen(
            [str(layout.python), "-m", "localstack.runtime.main"],
            cwd=layout.home,
            env=_environment(layout),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches its children
        )
    layout.state.write_text(json.dumps({"pid": process.pid, "endpoint_url": ENDPOINT}))
    deadline = started + timeout
    while not (healthy(ENDPOINT) and layout.certificate.exists()):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(layout.root)
            tail = layout.log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"LocalStack did not start (see {layout.log}):\n{tail}")
        time.sleep(0.2)
    print(f"LocalStack ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return LocalStack(ENDPOINT, HTTPS_ENDPOINT, layout.certificate, started_here=True)


def stop(root: Path = ROOT, timeout: float = 20) -> bool:
    """Stops the LocalStack `_start` recorded: SIGTERM, then SIGKILL after `timeout` seconds."""
    layout = Layout(root)
    state = _read_state(layout)
    layout.state.unlink(missing_ok=True)
    if not state:
        return False
    pid = int(str(state["pid"]))
    if not _alive(pid):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if _alive(pid):
        # Seen here: SIGTERM can hang at "Stopping all services".
        print(f"LocalStack ignored SIGTERM for {timeout:.0f} s; sending SIGKILL", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        kill_deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < kill_deadline:
            _reap(pid)
            time.sleep(0.05)
    return True


def _reap(pid: int) -> None:
    """Collects the exit status if we are the parent, so the pid stops looking alive."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imagejobs_dev.localstack")
    parser.add_argument("command", choices=["install", "start", "stop", "status"])
    args = parser.parse_args(argv)
    if args.command == "install":
        install()
    elif args.command == "start":
        print(ensure_running().to_json())
    elif args.command == "stop":
        print("stopped" if stop() else "not running (or not started by us)")
    else:
        endpoint = _external_endpoint() or ENDPOINT
        print(json.dumps({"endpoint_url": endpoint, "healthy": healthy(endpoint)}))


if __name__ == "__main__":
    main()
