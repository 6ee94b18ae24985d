"""A tenant of the deployed stack, as the end-to-end tests make them (tests/e2e/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tenant:
    """An API key on the stack's usage plan: its id (its jobs' tenant) and its value."""

    key_id: str
    key: str
