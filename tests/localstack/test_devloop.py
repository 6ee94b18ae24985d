"""The developer loop's tooling: what `make up` skips, how HOT_RELOAD=1 mounts the code, and
the executor re-importing mounted code that changed (on a running LocalStack)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from imagejobs_dev import deploy_inputs, hot_reload
from tests.perf import bench_devloop
from tests.support.http import poll
from tests.support.modules import load_module

ROOT = Path(__file__).resolve().parents[2]
WATCHER = ROOT / "infra" / "localstack" / "plugins" / "imagejobs_localstack" / "hot_reload.py"

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: functions/
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Role: !Sub "arn:aws:iam::${AWS::AccountId}:role/hello"
"""
BUILT_TEMPLATE = TEMPLATE.replace(
    "Handler: app.handler", "Handler: app.handler\n      CodeUri: HelloFunction"
)
SAMCONFIG = '[localstack.deploy.parameters]\nparameter_overrides = "A=1 B=two"\n'


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A tiny project, built: its code in functions/, sam build's output in .aws-sam/build."""
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "samconfig.toml").write_text(SAMCONFIG)
    code = tmp_path / "functions"
    (code / "app").mkdir(parents=True)
    (code / "app" / "__init__.py").write_text("def handler(event, context): return 1\n")
    (code / "requirements.txt").write_text("pydantic==2.0\n")
    build = tmp_path / ".aws-sam" / "build"
    (build / "HelloFunction" / "app").mkdir(parents=True)
    (build / "HelloFunction" / "app" / "__init__.py").write_text("stale copy\n")
    (build / "HelloFunction" / "pydantic").mkdir()
    (build / "template.yaml").write_text(BUILT_TEMPLATE)
    return tmp_path


def test_the_sources_digest_follows_the_code_and_the_dependencies_digest_only_requirements(
    clone: Path,
) -> None:
    # Given the digests of a clone
    before = deploy_inputs.current_build(clone)

    # When a source file changes, then a requirements file
    (clone / "functions" / "app" / "__init__.py").write_text("def handler(e, c): return 2\n")
    after_code = deploy_inputs.current_build(clone)
    (clone / "functions" / "requirements.txt").write_text("pydantic==2.1\n")
    after_requirements = deploy_inputs.current_build(clone)

    # Then the code changes only the sources digest; requirements change both
    assert after_code.sources != before.sources
    assert after_code.dependencies == before.dependencies
    assert after_requirements.dependencies != after_code.dependencies
    assert after_requirements.sources != after_code.sources


def test_a_build_record_counts_only_beside_a_build(clone: Path) -> None:
    # Given a record of the current inputs
    deploy_inputs.write_build(clone, deploy_inputs.current_build(clone))
    assert deploy_inputs.read_build(clone) == deploy_inputs.current_build(clone)

    # When the build output is removed
    (clone / ".aws-sam" / "build" / "template.yaml").unlink()

    # Then there is no current build
    assert deploy_inputs.read_build(clone) is None


def test_the_mounted_template_points_each_function_at_its_mount_of_source_and_dependencies(
    clone: Path,
) -> None:
    # Given a built clone

    # (and a package added since the build)
    (clone / "functions" / "added").mkdir()
    # When the hot-reloading template is made, and made again from the same inputs
    made = hot_reload.mounted_template(clone, "inputs-1", live=True)
    template = hot_reload.mounted_template(clone, "inputs-1", live=True)

    # Then the function's code is LocalStack's hot-reload bucket, keyed by an absolute folder
    # holding the source's own package and the build's dependencies
    code = template["Resources"]["HelloFunction"]["Properties"]["CodeUri"]
    folder = Path(code["Key"])
    assert code["Bucket"] == "hot-reload"
    assert folder.is_absolute()
    assert (folder / "app").resolve() == (clone / "functions" / "app").resolve()
    assert (folder / "pydantic").resolve() == (clone / ".aws-sam/build/HelloFunction/pydantic")
    assert (folder / "added").resolve() == (clone / "functions" / "added").resolve()
    # and the rest of the template is the one sam build wrote, intrinsics kept
    assert template["Resources"]["HelloFunction"]["Properties"]["Role"] == {
        "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/hello"
    }
    assert template == made
    assert hot_reload.parameters(clone, "localstack") == [
        {"ParameterKey": "A", "ParameterValue": "1"},
        {"ParameterKey": "B", "ParameterValue": "two"},
    ]


def test_the_default_template_mounts_each_functions_own_build_folder(clone: Path) -> None:
    # Given a built clone

    # When the template `make up` deploys is made
    template = hot_reload.mounted_template(clone, "inputs-1", live=False)

    # Then the function runs from its build folder as sam build wrote it (the stale copy of
    # the code included: the build is what is deployed), the rest as sam build wrote it
    code = template["Resources"]["HelloFunction"]["Properties"]["CodeUri"]
    assert code == {
        "Bucket": "hot-reload",
        "Key": str((clone / ".aws-sam" / "build" / "HelloFunction").absolute()),
    }
    assert (Path(code["Key"]) / "app" / "__init__.py").read_text() == "stale copy\n"
    assert template["Resources"]["HelloFunction"]["Properties"]["Role"] == {
        "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/hello"
    }


def _watcher() -> ModuleType:
    return load_module("hot_reload_watcher", WATCHER)


def test_the_watcher_counts_a_change_once_its_scan_interval_passed(tmp_path: Path) -> None:
    # Given a watched folder with a module, and a package's metadata
    watcher = _watcher()
    (tmp_path / "app.py").write_text("A = 1\n")
    (tmp_path / "dep-1.0.dist-info").mkdir()
    assert watcher.generation(str(tmp_path), now=0.0) == 0

    # When the module changes, and later only the metadata
    (tmp_path / "app.py").write_text("A = 22\n")
    too_soon = watcher.generation(str(tmp_path), now=watcher.SCAN_SECONDS / 2)
    seen = watcher.generation(str(tmp_path), now=watcher.SCAN_SECONDS)
    (tmp_path / "dep-1.0.dist-info" / "RECORD.py").write_text("x\n")
    after_metadata = watcher.generation(str(tmp_path), now=watcher.SCAN_SECONDS * 3)

    # Then the change counts at the first scan after the interval, the metadata never
    assert (too_soon, seen, after_metadata) == (0, 1, 1)


def test_a_build_folder_counts_as_changed_only_when_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function's folder of sam build's output, mounted and watched
    watcher = _watcher()
    build = tmp_path / "build"
    folder = build / "WorkerFunction"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text("A = 1\n")
    monkeypatch.setenv("IMAGEJOBS_BUILD_DIR", str(build))
    assert watcher.generation(str(folder), now=0.0) == 0

    # When a file in it changes in place, and later sam build writes the folder again
    (folder / "app.py").write_text("A = 22\n")
    in_place = watcher.generation(str(folder), now=watcher.SCAN_SECONDS)
    moved = folder.rename(build / "removed")
    folder.mkdir()
    (folder / "app.py").write_text("A = 22\n")
    replaced = watcher.generation(str(folder), now=watcher.SCAN_SECONDS * 2)

    # Then only the rebuild counts: an edit goes through make up's build, never in place
    assert moved.exists()
    assert (in_place, replaced) == (0, 1)


@pytest.mark.localstack
def test_an_edit_to_mounted_code_is_live_on_the_next_invocation(
    aws: Callable[[str], Any], new_function: Callable[..., str], tmp_path: Path
) -> None:
    # Given a function whose code LocalStack mounts from a folder (its hot-reload bucket)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'first'\n")
    lambda_ = aws("lambda")
    name = new_function(code={"S3Bucket": hot_reload.HOT_RELOAD_BUCKET, "S3Key": str(tmp_path)})
    first = json.load(lambda_.invoke(FunctionName=name)["Payload"])

    # When its source is edited, without any Lambda API call
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'second'\n")

    # Then an invocation after the watcher's scan interval runs the edited code
    def answer() -> Any:
        return json.load(lambda_.invoke(FunctionName=name)["Payload"])

    assert first == "first"
    poll(answer, lambda value: value == "second", timeout=30, what="the edited code")
    # and the developer-loop benchmark's timer measures the same (its smoke test)
    edit_back = (tmp_path / "app.py").write_text
    seconds = bench_devloop.seconds_until(
        lambda: edit_back("def handler(event, context):\n    return 'third'\n"),
        lambda: answer() == "third",
        timeout=30,
    )
    assert seconds > 0


def test_the_benchmark_probe_adds_its_header_to_every_answer_of_the_handler() -> None:
    # Given a module whose handler answers as API Gateway's proxy integration expects
    namespace: dict[str, Any] = {"handler": lambda event, context: {"statusCode": 200}}

    # When the developer-loop benchmark's probe edit is appended to it
    probe = bench_devloop.PROBE.format(header=bench_devloop.PROBE_HEADER, token="abc")
    exec(compile(probe, "probe", "exec"), namespace)  # noqa: S102 - the probe's own text

    # Then the module's handler answers the same, with the probe's header
    assert namespace["handler"]({}, None) == {
        "statusCode": 200,
        "headers": {bench_devloop.PROBE_HEADER: "abc"},
    }
