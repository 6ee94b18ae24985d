"""Where our LocalStack's files are: sources in `<root>/infra`, state in `<root>/.localstack`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAMBDA_RUNTIME = "python3.13"


class Layout:
    """The paths of a clone at `root`: what our LocalStack is made from, and where it lives."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Made from: the plugins, the pins of LocalStack's own packages, the functions' SDK.
        self.plugins = root / "infra" / "localstack" / "plugins"
        self.constraints = root / "infra" / "localstack" / "constraints.txt"
        self.requirements = root / "functions" / "requirements.txt"
        # Lives in .localstack: its venv, the SDK the functions import, its files and state.
        self.home = root / ".localstack"
        self.venv = self.home / "venv"
        self.python = self.venv / "bin" / "python"
        self.marker = self.home / "installed"
        self.sdk = self.home / "lambda-runtime" / LAMBDA_RUNTIME
        self.filesystem = self.home / "fs"
        self.certificate = self.filesystem / "var/lib/localstack/cache/server.test.pem"
        self.tmp = self.home / "tmp"
        self.state = self.home / "state.json"
        self.log = self.home / "localstack.log"
        # sam build's output, which `make up` mounts (imagejobs_dev.hot_reload).
        self.build = root / ".aws-sam" / "build"
        # Variables every function gets besides its own (imagejobs_dev.bedrock_local).
        self.lambda_environment = self.home / "lambda-environment.json"

    def __repr__(self) -> str:
        return f"Layout({self.root!r})"
