"""What a build and a deploy were made from, so that `make up` can skip a step whose inputs
have not changed.

Two digests of the inputs:
- `sources`: template.yaml, samconfig.toml and every file of the functions' code folders
  (each CodeUri): what `sam build` and `sam deploy` turn into the stack;
- `dependencies`: the same without the code's own files, only its requirements files: what a
  hot-reloading stack (code mounted, imagejobs_dev.hot_reload) needs rebuilt.

A record beside the build (`.aws-sam/imagejobs-build.json`) says which inputs it was built
from; a record beside LocalStack's state (`.localstack/deployed.json`) says which stack was
deployed from which inputs, and how. A stack counts as the recorded one only if LocalStack
still reports it under the same StackId: a restarted LocalStack has lost it, and a stack
that someone changed since has another status.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

TEMPLATE = "template.yaml"
SAMCONFIG = "samconfig.toml"
BUILD_DIR = Path(".aws-sam") / "build"
SKIPPED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
# How the stack was deployed: the build mounted (`make up`), the build mounted with the
# sources over it (`HOT_RELOAD=1`), or packaged by `sam deploy` (`SAM_DEPLOY=1`).
Mode = Literal["build", "hot-reload", "sam"]


def code_folders(root: Path) -> list[Path]:
    """The folders the template's CodeUri entries name (local paths only)."""
    text = (root / TEMPLATE).read_text()
    uris = re.findall(r"^\s*CodeUri:\s*['\"]?([^'\"\s#]+)", text, flags=re.MULTILINE)
    folders = {(root / uri).resolve() for uri in uris if "://" not in uri}
    return sorted(folder for folder in folders if folder.is_dir())


def _code_files(folder: Path) -> list[Path]:
    # rglob does not follow symlinked folders (functions/web): walk them explicitly.
    files = []
    for path in sorted(folder.rglob("*")):
        if SKIPPED_PARTS & set(path.relative_to(folder).parts) or path.suffix == ".pyc":
            continue
        if path.is_dir() and path.is_symlink():
            files += [path / f.relative_to(path.resolve()) for f in _code_files(path.resolve())]
        elif path.is_file():
            files.append(path)
    return files


def digest(root: Path, *, sources: bool) -> str:
    """The digest of the deploy's inputs, with (`sources`) or without the code's own files."""
    root = root.resolve()
    hashed = hashlib.sha256()
    for name in (TEMPLATE, SAMCONFIG):
        hashed.update(name.encode() + b"\0" + (root / name).read_bytes())
    for folder in code_folders(root):
        for path in _code_files(folder):
            if sources or path.name.startswith("requirements"):
                hashed.update(str(path.relative_to(root)).encode() + b"\0")
                hashed.update(path.read_bytes())
    return hashed.hexdigest()


@dataclass(frozen=True)
class BuildRecord:
    sources: str
    dependencies: str


def build_record_file(root: Path) -> Path:
    return root / ".aws-sam" / "imagejobs-build.json"


def current_build(root: Path) -> BuildRecord:
    return BuildRecord(digest(root, sources=True), digest(root, sources=False))


def read_build(root: Path) -> BuildRecord | None:
    if not (root / BUILD_DIR / TEMPLATE).exists():
        return None
    try:
        return BuildRecord(**json.loads(build_record_file(root).read_text()))
    except (OSError, TypeError, json.JSONDecodeError):
        return None


def write_build(root: Path, record: BuildRecord) -> None:
    build_record_file(root).write_text(json.dumps(asdict(record)) + "\n")


@dataclass(frozen=True)
class DeployRecord:
    endpoint_url: str
    stack_id: str
    mode: Mode
    # `dependencies` for a hot-reloading stack, else `sources`.
    inputs: str


def deploy_record_file(root: Path) -> Path:
    return root / ".localstack" / "deployed.json"


def read_deploy(root: Path) -> DeployRecord | None:
    try:
        return DeployRecord(**json.loads(deploy_record_file(root).read_text()))
    except (OSError, TypeError, json.JSONDecodeError):
        return None


def write_deploy(root: Path, record: DeployRecord) -> None:
    path = deploy_record_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(record)) + "\n")


def forget_deploy(root: Path) -> None:
    deploy_record_file(root).unlink(missing_ok=True)
