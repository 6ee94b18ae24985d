"""The one error of the LocalStack tooling."""

from __future__ import annotations


class LocalStackError(RuntimeError):
    """LocalStack could not be installed, started or found."""
