"""The functions' vendored requirements and the project's dependencies must not drift apart."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            found[requirement.name.lower()] = str(requirement.specifier)
    return found


def test_function_requirements_match_the_project_dependencies() -> None:
    # Given what sam build vendors and what the project's own tests run against
    vendored = pins((ROOT / "functions" / "requirements.txt").read_text().splitlines())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]

    # Then they are the same packages at the same exact versions
    assert vendored == pins(project)
    assert all(spec.startswith("==") for spec in vendored.values())
