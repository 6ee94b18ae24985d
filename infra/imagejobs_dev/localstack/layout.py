"""Where our LocalStack's files are: sources in `<root>/infra`, state in `<root>/.localstack`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAMBDA_RUNTIME = "python3.13"


@dataclass(frozen=True)
class Layout:
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
    def lambda_environment(self) -> Path:
        """Variables every function gets besides its own (imagejobs_dev.bedrock_local)."""
        return self.home / "lambda-environment.json"

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
