"""A LocalStack's coordinates, and the one place that derives them from an endpoint."""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 4566


def port() -> int:
    """4566, unless IMAGEJOBS_LOCALSTACK_PORT says otherwise (a second instance beside one)."""
    return int(os.environ.get("IMAGEJOBS_LOCALSTACK_PORT") or DEFAULT_PORT)


def endpoint_url() -> str:
    """Where our own LocalStack listens."""
    return f"http://127.0.0.1:{port()}"


def external_endpoint() -> str | None:
    """The LocalStack the environment names (LOCALSTACK_ENDPOINT, then AWS_ENDPOINT_URL)."""
    for variable in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL"):
        if value := os.environ.get(variable):
            return value.rstrip("/")
    return None


def healthy(endpoint: str, timeout: float = 2.0) -> bool:
    """Whether `/_localstack/health` answers 200 at `endpoint`."""
    try:
        with urllib.request.urlopen(  # noqa: S310 - an http(s) LocalStack endpoint
            endpoint.rstrip("/") + "/_localstack/health", timeout=timeout
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass(frozen=True)
class LocalStack:
    """A running LocalStack: the emulator process, not a CloudFormation stack deployed on it."""

    endpoint_url: str
    https_endpoint_url: str | None
    ca_bundle: Path | None
    started_here: bool

    @classmethod
    def at(cls, endpoint: str, certificate: Path | None, *, started_here: bool) -> LocalStack:
        """The LocalStack answering at `endpoint`, whose TLS certificate is `certificate`
        (None when it is not ours and so not known: then there is no HTTPS URL either).

        The same port serves TLS. The certificate names `localhost` and its IP entry is
        malformed, so the HTTPS URL uses the name; the CA bundle is the certificate once it
        exists.
        """
        if certificate is None:
            return cls(endpoint, None, None, started_here)
        https = f"https://localhost:{_port_of(endpoint) or port()}"
        ca_bundle = certificate if certificate.exists() else None
        return cls(endpoint, https, ca_bundle, started_here)

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint_url": self.endpoint_url,
                "https_endpoint_url": self.https_endpoint_url,
                "ca_bundle": str(self.ca_bundle) if self.ca_bundle else None,
                "started_here": self.started_here,
            }
        )


def _port_of(url: str) -> int | None:
    with contextlib.suppress(ValueError):
        return urllib.parse.urlsplit(url).port
    return None
