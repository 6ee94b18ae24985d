"""LocalStack's own virtual environment and the Lambda runtime's SDK, installed when needed.

A fingerprint of everything install() installs (LocalStack's version, the pins, the plugins'
sources, the functions' boto3) is kept in the layout's marker file: install() is instant while
it matches, and a running LocalStack records the one it started with.

The installs use uv (the one `make setup` puts into .venv): one cache of wheels, shared with the
project's venv and checkov's, where pip here re-downloads every wheel each time.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from imagejobs_dev.localstack.errors import LocalStackError
from imagejobs_dev.localstack.interpreter import find_python313
from imagejobs_dev.localstack.layout import ROOT, Layout

LOCALSTACK_VERSION = "2026.3.0"


def sdk_requirement(root: Path) -> str:
    """`boto3==X` as functions/requirements.txt pins it: the SDK the functions ship with."""
    text = Layout(root).requirements.read_text()
    match = re.search(r"^\s*boto3==([^\s;#]+)", text, flags=re.MULTILINE)
    if not match:
        raise LocalStackError("functions/requirements.txt must pin boto3==<version>")
    return f"boto3=={match.group(1)}"


def fingerprint(layout: Layout) -> str:
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


def uv() -> Path:
    """The uv beside this interpreter: `make setup` installs it into .venv."""
    found = Path(sys.executable).parent / "uv"
    if not found.exists():
        raise LocalStackError(f"uv not found beside {sys.executable}: run `make setup`")
    return found


def installed(layout: Layout) -> str | None:
    """The fingerprint of what is installed now, if an install completed."""
    return layout.marker.read_text() if layout.marker.exists() else None


def install(root: Path = ROOT) -> None:
    """Creates LocalStack's venv and the Lambda runtime's SDK folder; instant when up to date."""
    layout = Layout(root)
    wanted = fingerprint(layout)
    if installed(layout) == wanted:
        return
    started = time.monotonic()
    print(f"installing LocalStack into {layout.venv} ...", file=sys.stderr, flush=True)
    layout.home.mkdir(parents=True, exist_ok=True)
    layout.marker.unlink(missing_ok=True)
    if not layout.python.exists():
        venv = [str(uv()), "venv", "--quiet", "--python", str(find_python313()), str(layout.venv)]
        subprocess.run(venv, check=True)
    pip = [str(uv()), "pip", "install", "--quiet", "--python", str(layout.python)]
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
    # Not editable, so its entry points are registered; --reinstall so a changed source with
    # an unchanged version number is installed.
    subprocess.run(
        [
            *pip,
            "--no-deps",
            "--reinstall",
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
            "--target",
            str(layout.sdk),
            boto3,
            boto3.replace("boto3==", "botocore=="),
        ],
        check=True,
    )
    layout.marker.write_text(wanted)
    print(f"installed in {time.monotonic() - started:.0f} s", file=sys.stderr)
