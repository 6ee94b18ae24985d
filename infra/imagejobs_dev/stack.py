"""Deploys template.yaml to LocalStack with the real SAM CLI: `make up` and `make down`.

Names: a `LocalStack` (variables `localstack`) is the emulator, a running process
(imagejobs_dev.localstack); a `StackInfo` (variables `deployed`) describes the CloudFormation
stack deployed on it. "Stack" alone always means the latter.

`up` starts LocalStack (or reuses one named by LOCALSTACK_ENDPOINT / AWS_ENDPOINT_URL),
runs `sam build`, deploys what it built, and prints the deployed stack's coordinates as one
JSON object on its last line. Each step is skipped when its inputs have not changed
(imagejobs_dev.deploy_inputs): no `sam build` when the build is current, no deploy when this
LocalStack still has the stack deployed from the same inputs, the same way.

Three ways to deploy the same template (imagejobs_dev.hot_reload):
- `up` (`make up`): the built template straight to CloudFormation, each function's code
  mounted from its build folder: no packaging, no change set. What restarting a stopped stack
  costs is LocalStack's CloudFormation creating the stack's resources.
- `up --hot-reload` (`make up HOT_RELOAD=1`): the same with the functions' code mounted from
  this clone, so that an edit in functions/ is live without `make up`.
- `up --sam-deploy` (`make up SAM_DEPLOY=1`): `sam deploy --config-env localstack`, the path to
  AWS (it zips and uploads each function, then deploys a change set).
The same JSON is kept in `.localstack/stack.json` for the command-line client and the
end-to-end tests.

Models: samconfig.toml's [localstack] configuration offers every model of the catalogue, the
built-in renderer as the default; `up --image-engine bedrock` (`make up IMAGE_ENGINE=bedrock`)
makes a Stability model the default instead. Bedrock calls go to BEDROCK_ENDPOINT_URL, or to
the project's stand-in, which `up` starts and `down` stops (imagejobs_dev.bedrock_local).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from imagejobs_dev import bedrock_local, deploy_inputs
from imagejobs_dev import hot_reload as mounted_code
from imagejobs_dev.deploy_inputs import DeployRecord, Mode
from imagejobs_dev.localstack import (
    Layout,
    LocalStack,
    LocalStackError,
    endpoint_url,
    ensure_running,
    external_endpoint,
    healthy,
    stop,
)
from imagejobs_dev.localstack.process import running
from imagejobs_dev.stack_info import (
    LOCAL_CREDENTIALS,
    REGION,
    STACK_NAME,
    StackInfo,
    client,
    describe,
    read_state,
    state_file,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG_ENV = "localstack"
# IMAGE_ENGINE -> the deployment's DefaultModel. With `bedrock`, Stable Image Core: the fast
# and cheap one of Stability's models (docs/bedrock.md).
DEFAULT_MODELS = {"pillow": "pillow", "bedrock": "stability.stable-image-core-v1:1"}


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """The environment for SAM and boto3 against LocalStack, free of the user's AWS profile."""
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_PROFILE", "AWS_SESSION_TOKEN"}}
    env.update(LOCAL_CREDENTIALS)
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        SAM_CLI_TELEMETRY="0",
        # sam build resolves the runtime's interpreter (python3.13) from PATH: ours.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _sam() -> str:
    beside_python = Path(sys.executable).parent / "sam"
    found = str(beside_python) if beside_python.exists() else shutil.which("sam")
    if not found:
        raise SystemExit("sam not found: run `make setup` (it installs aws-sam-cli into .venv)")
    return found


def sam_command(*arguments: str) -> list[str]:
    """`sam ARGUMENTS --config-env localstack`: with the SAM CLI of this venv."""
    return [_sam(), *arguments, "--config-env", CONFIG_ENV]


def _run(command: list[str], env: dict[str, str], root: Path) -> None:
    print(f"+ {' '.join(command)}", file=sys.stderr, flush=True)
    # SAM's progress goes to stderr so that stdout's last line stays the JSON summary.
    subprocess.run(command, cwd=root, env=env, check=True, stdout=sys.stderr)


def build(root: Path, env: dict[str, str], mode: Mode) -> None:
    """`sam build`, unless the build is current (for a hot-reloading stack, its dependencies)."""
    current, built = deploy_inputs.current_build(root), deploy_inputs.read_build(root)
    unchanged = built is not None and (
        built.dependencies == current.dependencies
        if mode == "hot-reload"
        else built.sources == current.sources
    )
    if unchanged:
        print("sam build: skipped, the build is current", file=sys.stderr)
        return
    _run(sam_command("build"), env, root)
    deploy_inputs.write_build(root, current)


def _deployed_stack_id(localstack: LocalStack) -> str | None:
    """The StackId of our stack if this LocalStack has it settled, else None."""
    cloudformation = client("cloudformation", localstack.endpoint_url)
    try:
        described: Any = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    except ClientError:
        return None
    settled = described["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
    return str(described["StackId"]) if settled else None


def _inputs(root: Path, mode: Mode, image_engine: str = "pillow") -> str:
    digest = deploy_inputs.digest(root, sources=mode != "hot-reload")
    # Another default model is another deployment of the same sources.
    return digest if image_engine == "pillow" else f"{digest}+{image_engine}"


def parameters(root: Path, image_engine: str) -> list[dict[str, str]]:
    """samconfig.toml's [localstack] parameters, with the engine's default model."""
    found = mounted_code.parameters(root, CONFIG_ENV)
    if image_engine == "pillow":
        return found
    chosen = {"ParameterKey": "DefaultModel", "ParameterValue": DEFAULT_MODELS[image_engine]}
    return [p for p in found if p["ParameterKey"] != "DefaultModel"] + [chosen]


def _overrides(root: Path, image_engine: str) -> list[str]:
    """`sam deploy`'s arguments for another engine's default model (none for the built-in)."""
    if image_engine == "pillow":
        return []
    pairs = [f"{p['ParameterKey']}={p['ParameterValue']}" for p in parameters(root, image_engine)]
    return ["--parameter-overrides", " ".join(pairs)]


def is_current(
    root: Path, localstack: LocalStack, mode: Mode, image_engine: str = "pillow"
) -> bool:
    """Whether this LocalStack still has the stack deployed, the same way, from these inputs."""
    record = deploy_inputs.read_deploy(root)
    if record is None or record.mode != mode or record.endpoint_url != localstack.endpoint_url:
        return False
    return record.stack_id == _deployed_stack_id(localstack) and record.inputs == _inputs(
        root, mode, image_engine
    )


def deploy(
    root: Path, localstack: LocalStack, *, mode: Mode = "build", image_engine: str = "pillow"
) -> StackInfo:
    env = aws_environment(localstack.endpoint_url)
    inputs = _inputs(root, mode, image_engine)
    started = time.monotonic()
    if is_current(root, localstack, mode, image_engine):
        print("deploy: skipped, the stack is deployed from these inputs", file=sys.stderr)
    else:
        deploy_inputs.forget_deploy(root)
        build(root, env, mode)
        if mode == "sam":
            _run(sam_command("deploy", *_overrides(root, image_engine)), env, root)
            stack_id = _deployed_stack_id(localstack) or ""
        else:
            stack_id = mounted_code.deploy(
                client("cloudformation", localstack.endpoint_url),
                STACK_NAME,
                mounted_code.mounted_template(root, inputs, live=mode == "hot-reload"),
                parameters(root, image_engine),
            )
        record = DeployRecord(localstack.endpoint_url, stack_id, mode, inputs)
        deploy_inputs.write_deploy(root, record)
        print(f"deployed in {time.monotonic() - started:.1f} s", file=sys.stderr)
    deployed = describe(localstack)
    path = state_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(deployed.to_json() + "\n")
    return deployed


def _ours(root: Path, localstack: LocalStack) -> bool:
    """Whether `localstack` is the one this tool started, whose plugin points the functions."""
    record = running(Layout(root))
    return record is not None and record.endpoint_url == localstack.endpoint_url


def _point_at_bedrock(
    root: Path, localstack: LocalStack, bedrock_endpoint_url: str | None, image_engine: str
) -> str | None:
    """Where the functions now call Bedrock, when this tool's LocalStack lets it say."""
    if _ours(root, localstack):
        bedrock = bedrock_local.bedrock_endpoint(root, bedrock_endpoint_url)
        bedrock_local.point_functions_at(root, bedrock)
        return bedrock
    if bedrock_endpoint_url or image_engine != "pillow":
        print(
            f"note: {localstack.endpoint_url} is not a LocalStack this tool started: its"
            " functions reach Bedrock wherever boto3 sends them, not BEDROCK_ENDPOINT_URL or"
            " the stand-in",
            file=sys.stderr,
        )
    return None


def up(
    root: Path = ROOT,
    *,
    mode: Mode = "build",
    image_engine: str = "pillow",
    bedrock_endpoint_url: str | None = None,
) -> StackInfo:
    """LocalStack found or started, and the stack deployed on it. A LocalStack that has to
    start does so while sam build runs (when the build is not current), the Bedrock stand-in
    beside it."""
    if image_engine not in DEFAULT_MODELS:
        raise LocalStackError(f"IMAGE_ENGINE must be one of {', '.join(DEFAULT_MODELS)}")
    if bedrock_endpoint_url is None and external_endpoint() is None:
        bedrock_local.launch(root)  # starts while LocalStack does; waited for below
    with ThreadPoolExecutor(max_workers=1) as starting:
        started = starting.submit(ensure_running, root)
        build(root, aws_environment(external_endpoint() or endpoint_url()), mode)
        localstack = started.result()
    bedrock = _point_at_bedrock(root, localstack, bedrock_endpoint_url, image_engine)
    deployed = deploy(root, localstack, mode=mode, image_engine=image_engine)
    if bedrock is None:
        return deployed
    deployed = replace(deployed, bedrock_endpoint_url=bedrock)
    state_file(root).write_text(deployed.to_json() + "\n")
    return deployed


def down(root: Path = ROOT) -> None:
    bedrock_local.forget(root)
    deployed = read_state(root)
    # stop() only stops a LocalStack `up` started (it keeps its own pid file).
    if stop(root):
        print("stopped LocalStack", file=sys.stderr)
    elif deployed is not None and healthy(deployed.endpoint_url):
        # A LocalStack we did not start (Docker, CI service): remove only our stack. One that
        # no longer answers (stopped by the test session that started it) took the stack along.
        env = aws_environment(deployed.endpoint_url)
        _run([*sam_command("delete"), "--no-prompts"], env, root)
    state_file(root).unlink(missing_ok=True)
    deploy_inputs.forget_deploy(root)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imagejobs_dev.stack", description=__doc__)
    parser.add_argument("command", choices=["build", "up", "down", "show"])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository (default: %(default)s)"
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--hot-reload",
        action="store_const",
        const="hot-reload",
        dest="mode",
        default="build",
        help="up: mount the functions' code from this clone (edits are live without a deploy)",
    )
    how.add_argument(
        "--sam-deploy",
        action="store_const",
        const="sam",
        dest="mode",
        help="up: deploy with `sam deploy` (zip, upload, change set), as to AWS",
    )
    parser.add_argument(
        "--image-engine",
        choices=sorted(DEFAULT_MODELS),
        default=os.environ.get("IMAGE_ENGINE") or "pillow",
        help="up: the default model's engine (default: IMAGE_ENGINE, else %(default)s)",
    )
    parser.add_argument(
        "--bedrock-endpoint-url",
        default=os.environ.get("BEDROCK_ENDPOINT_URL") or None,
        help="up: where the functions call Bedrock (default: BEDROCK_ENDPOINT_URL, else the"
        " project's stand-in, started now)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(args.root, aws_environment(endpoint_url()), args.mode)
        elif args.command == "up":
            stack = up(
                args.root,
                mode=args.mode,
                image_engine=args.image_engine,
                bedrock_endpoint_url=args.bedrock_endpoint_url,
            )
            print(stack.to_json())
        elif args.command == "down":
            down(args.root)
    except LocalStackError as error:
        raise SystemExit(f"error: {error}") from error
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"error: {' '.join(map(str, error.cmd[:3]))} failed") from error
    if args.command in {"build", "up", "down"}:
        return
    deployed = read_state(args.root)
    if deployed is None:
        raise SystemExit("no stack: run `make up`")
    print(deployed.to_json())


if __name__ == "__main__":
    main()
