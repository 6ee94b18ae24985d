"""How `make up` deploys on LocalStack without `sam deploy`: the template that `sam build` wrote,
sent to CloudFormation as it is, with each function's code mounted from a folder instead of
zipped, uploaded and unzipped again.

This uses LocalStack's own hot reloading: a function whose code is `S3Bucket: hot-reload`
(LocalStack's BUCKET_MARKER_LOCAL), `S3Key: <an absolute folder>` runs from that folder. It
changes only what is sent to LocalStack, never template.yaml, and only on LocalStack: the AWS
path is `sam deploy`, which `make up SAM_DEPLOY=1` runs here too. Two kinds of mount:

- the build (`make up`): each function runs from its own folder of `sam build`'s output, the
  code and what was vendored for it, as its zip would unpack. A `make up` after an edit
  rebuilds that folder, and the running functions pick the new files up;
- live (`make up HOT_RELOAD=1`): a mount folder (`.localstack/hot-reload/<Function>/`) holds
  one symlink per entry of the function's build folder: to the code's own file or folder in
  its CodeUri (functions/imagejobs, functions/web) where there is one, else to what `sam
  build` vendored (the dependencies). An edit in functions/ is live on the next invocation,
  without `make up`; a changed requirements file or template needs `make up` again.

The host-process executor restarts an environment whose mounted files changed
(imagejobs_localstack.hot_reload). The deploy is one CloudFormation CreateStack or UpdateStack,
polled every POLL_SECONDS: no packaging (nothing to zip or upload) and no change set.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import tomllib
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from imagejobs_dev.deploy_inputs import BUILD_DIR, SAMCONFIG, TEMPLATE

HOT_RELOAD_BUCKET = "hot-reload"
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
POLL_SECONDS = 0.2
DEPLOY_TIMEOUT_SECONDS = 300.0


def mount_root(root: Path) -> Path:
    return root / ".localstack" / "hot-reload"


def _parse(path: Path) -> Any:
    # SAM's own loader: it keeps the intrinsic functions (!Ref, !Sub, ...) as CloudFormation's
    # JSON form. Imported here, as it is slow to import and only this path needs it.
    from samcli.yamlhelper import yaml_parse  # type: ignore[import-untyped]

    return yaml_parse(path.read_text())


def _source_folder(root: Path, template: Any, logical_id: str) -> Path:
    """The function's CodeUri in template.yaml (its own, else the Globals one)."""
    properties = template["Resources"][logical_id].get("Properties", {})
    uri = properties.get("CodeUri") or template.get("Globals", {}).get("Function", {})["CodeUri"]
    return (root / str(uri)).absolute()


def mount(root: Path, built: Path, source: Path, folder: Path) -> None:
    """Fills `folder` with symlinks: the source's entries where it has them, else the build's."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for entry in sorted(built.iterdir()):
        own = source / entry.name
        (folder / entry.name).symlink_to(own if own.exists() else entry.absolute())
    # A package added to the code since the build.
    for own in sorted(source.iterdir()):
        if not (folder / own.name).exists():
            (folder / own.name).symlink_to(own)


def mounted_template(root: Path, inputs: str, *, live: bool) -> dict[str, Any]:
    """The built template, with each function's code mounted: its build folder, or (`live`)
    its mount folder of symlinks into the sources (the mount folders written).

    Kept beside the mounts with the digest of the `inputs` it was made from, so that a restart
    with nothing changed parses no YAML.
    """
    cache = mount_root(root) / f"template-{'live' if live else 'build'}.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        cached = json.loads(cache.read_text())
        if cached["inputs"] == inputs and all(Path(f).is_dir() for f in cached["folders"]):
            return dict(cached["template"])
    template = _mount_all(root, live=live)
    folders = [
        resource["Properties"]["CodeUri"]["Key"]
        for resource in template["Resources"].values()
        if resource.get("Type") == SERVERLESS_FUNCTION
    ]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"inputs": inputs, "folders": folders, "template": template}))
    return template


def _mount_all(root: Path, *, live: bool) -> dict[str, Any]:
    built = _parse(root / BUILD_DIR / TEMPLATE)
    source = _parse(root / TEMPLATE) if live else None
    for logical_id, resource in built["Resources"].items():
        if resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        folder = (root / BUILD_DIR / str(resource["Properties"]["CodeUri"])).absolute()
        if source is not None:
            build_folder, folder = folder, mount_root(root) / logical_id
            mount(root, build_folder, _source_folder(root, source, logical_id), folder)
        resource["Properties"]["CodeUri"] = {"Bucket": HOT_RELOAD_BUCKET, "Key": str(folder)}
    return dict(built)


def parameters(root: Path, config_env: str) -> list[dict[str, str]]:
    """samconfig.toml's parameter_overrides for `config_env`, as CloudFormation parameters."""
    config = tomllib.loads((root / SAMCONFIG).read_text())
    overrides = config.get(config_env, {}).get("deploy", {}).get("parameters", {})
    pairs = str(overrides.get("parameter_overrides", "")).split()
    return [
        {"ParameterKey": key, "ParameterValue": value}
        for key, value in (pair.split("=", 1) for pair in pairs)
    ]


def deploy(cloudformation: Any, stack_name: str, template: dict[str, Any], params: Any) -> str:
    """Creates or updates the stack and waits until it settles; its StackId."""
    request = {
        "StackName": stack_name,
        "TemplateBody": json.dumps(template),
        "Parameters": params,
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    }
    try:
        existing = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except ClientError:
        existing = None
    if existing is None or existing["StackStatus"] == "ROLLBACK_COMPLETE":
        if existing is not None:
            cloudformation.delete_stack(StackName=stack_name)
            _wait(cloudformation, stack_name, gone_ok=True)
        stack_id = str(cloudformation.create_stack(**request)["StackId"])
    else:
        try:
            stack_id = str(cloudformation.update_stack(**request)["StackId"])
        except ClientError:
            # CloudFormation refuses an update that changes nothing (a ValidationError, like
            # a bad template): tell the two apart by what is deployed.
            if _deployed_template(cloudformation, stack_name) != template:
                raise
            return str(existing["StackId"])
    _wait(cloudformation, stack_id)
    return stack_id


def _deployed_template(cloudformation: Any, stack_name: str) -> Any:
    body = cloudformation.get_template(StackName=stack_name, TemplateStage="Original")
    body = body["TemplateBody"]
    return json.loads(body) if isinstance(body, str) else body


def _wait(cloudformation: Any, stack: str, *, gone_ok: bool = False) -> None:
    deadline = time.monotonic() + DEPLOY_TIMEOUT_SECONDS
    while True:
        try:
            status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        except ClientError:
            if gone_ok:
                return
            raise
        if not status.endswith("_IN_PROGRESS"):
            if status in {"CREATE_COMPLETE", "UPDATE_COMPLETE"} or (
                gone_ok and status == "DELETE_COMPLETE"
            ):
                return
            raise RuntimeError(f"stack {stack} ended in {status}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"stack {stack} still {status} after {DEPLOY_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)
