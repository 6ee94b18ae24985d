"""Ids for tests parametrized by one `case` tuple: its text and number parts, joined."""

from __future__ import annotations

from typing import Any


def case_id(case: tuple[Any, ...]) -> str:
    return "-".join(str(part) for part in case if isinstance(part, str | int))
