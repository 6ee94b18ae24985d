"""Figures a test module computes once all its tests ran (the contract test's request count),
printed in the terminal summary by tests/conftest.py, where output is no longer captured."""

import pytest

SESSION_FIGURES = pytest.StashKey[list[str]]()


def report_at_the_end(config: pytest.Config, line: str) -> None:
    config.stash.setdefault(SESSION_FIGURES, []).append(line)
