"""`imagejobs`: a small command-line client for the deployed API, built on the Python SDK
(clients/python, `imagejobs_client`).

    imagejobs generate "a lighthouse at dusk" --width 768 --height 512 --wait --out out
    imagejobs generate "a lighthouse at dusk" --model stability.sd3-5-large-v1:0 --aspect-ratio 16:9
    imagejobs generate "the same, in watercolour" --image photo.png --strength 0.6
    imagejobs status 3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14
    imagejobs models

The API URL and key come from --api-url/--api-key, then IMAGEJOBS_API_URL/IMAGEJOBS_API_KEY,
then the stack `make up` deployed (.localstack/stack.json). While it waits it shows the job's
state and the time so far (rich), and at the end it prints the paths it saved.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo
from rich.console import Console
from rich.table import Table

from imagejobs_client import (
    Client,
    ConnectionFailed,
    ImageJobsError,
    Job,
    JobRequest,
    Model,
    WaitTimeout,
)
from imagejobs_dev.stack_info import read_state

# A long poll this short refreshes the state shown (queued, running) while it waits.
PROGRESS_POLL_SECONDS = 5

console = Console(stderr=True, highlight=False)


def resolve_client(api_url: str | None, ca_bundle: str | None, api_key: str | None) -> Client:
    state = read_state()
    url = api_url or os.environ.get("IMAGEJOBS_API_URL") or (state.api_url if state else None)
    if not url:
        raise SystemExit("no API URL: pass --api-url, set IMAGEJOBS_API_URL, or run `make up`")
    key = api_key or os.environ.get("IMAGEJOBS_API_KEY") or (state.api_key if state else None)
    bundle = ca_bundle or os.environ.get("IMAGEJOBS_CA_BUNDLE") or (state and state.ca_bundle)
    # Verification stays on: a private CA (LocalStack's certificate) is trusted explicitly.
    return Client(url, key, ca_bundle=(bundle or None) if url.startswith("https") else None)


def wait_with_progress(client: Client, job: Job, timeout: float) -> Job:
    """Waits for the job with a spinner, the state and the seconds so far; one line per state."""
    started = time.monotonic()
    last_status = job.status

    with console.status(f"job {job.job_id} {job.status}") as display:

        def update(current: Job) -> None:
            nonlocal last_status
            elapsed = time.monotonic() - started
            display.update(f"job {current.job_id} {current.status} ({elapsed:.1f} s)")
            if current.status != last_status:
                last_status = current.status
                console.print(f"  {elapsed:5.1f} s  {current.status}")

        return client.jobs.wait(job.job_id, timeout, poll=PROGRESS_POLL_SECONDS, on_update=update)


def save_images(job: Job, out_dir: Path) -> list[Path]:
    return [
        image.download(out_dir / f"{job.job_id}-{number}.{image.extension}")
        for number, image in enumerate(job.images)
    ]


def summary(job: Job) -> str:
    """Where an ended job's time and money went, in one line."""
    parts = []
    if (metrics := job.metrics) is not None:
        parts.append(
            f"queued {metrics.queued_seconds:.1f} s, running {metrics.running_seconds or 0:.1f} s"
            f" (model {metrics.model_seconds:.1f} s), total {metrics.total_seconds:.1f} s,"
            f" {metrics.attempts} attempt(s), {metrics.throttled_waits} throttled wait(s)"
        )
    if (cost := job.cost_usd) is not None:
        parts.append(
            f"cost ${cost.total:.6f} (model ${cost.model:.6f}, platform ${cost.platform:.6f})"
        )
    return "; ".join(parts)


def generate(args: argparse.Namespace) -> int:
    client = resolve_client(args.api_url, args.ca_bundle, args.api_key)
    options = {name: getattr(args, name) for name in _option_names()}
    job = client.jobs.create(
        args.prompt,
        cancel_after=args.cancel_after,
        **{name: value for name, value in options.items() if value is not None},
    )
    console.print(f"job {job.job_id} {job.status}")
    if not args.wait:
        print(job.model_dump_json(by_alias=True))
        return 0
    job = wait_with_progress(client, job, args.timeout)
    console.print(summary(job))
    if job.status == "failed":
        assert job.error is not None
        console.print(f"failed: {job.error.type}: {job.error.message}")
        return 1
    if job.status == "canceled":
        console.print(f"canceled: {job.error.type}" if job.error else "canceled")
        return 1
    for path in save_images(job, Path(args.out)):
        print(f"saved {path.resolve()}")
    return 0


def status(args: argparse.Namespace) -> int:
    client = resolve_client(args.api_url, args.ca_bundle, args.api_key)
    print(json.dumps(client.jobs.get(args.job_id).model_dump(mode="json", by_alias=True), indent=2))
    return 0


def models(args: argparse.Namespace) -> int:
    listed = resolve_client(args.api_url, args.ca_bundle, args.api_key).models.list()
    if args.json:
        print(json.dumps([model.model_dump(mode="json") for model in listed], indent=2))
        return 0
    unverified = {model.price.source for model in listed if not model.price.verified}
    table = Table(
        "id",
        "name",
        "default",
        "tasks",
        "aspect ratios",
        "price per image",
        "lifecycle",
        caption="\n".join(f"* {source}" for source in sorted(unverified)) or None,
    )
    table.columns[0].no_wrap = True
    for model in listed:
        table.add_row(
            model.id,
            model.name,
            "yes" if model.default else "",
            ", ".join(model.tasks),
            _shapes(model),
            _price(model),
            _lifecycle(model),
        )
    output = Console()
    # Piped, a table as wide as it needs (a terminal's width otherwise).
    (output if output.is_terminal else Console(width=240)).print(table)
    return 0


def _shapes(model: Model) -> str:
    ratios = " ".join(model.parameters.aspect_ratios)
    side = model.parameters.side
    return ratios if side is None else f"{ratios}; any size {side.min}-{side.max} px"


def _price(model: Model) -> str:
    usd = model.price_per_image_usd
    return ("free" if usd == 0 else f"${usd:.3f}") + ("" if model.price.verified else "*")


def _lifecycle(model: Model) -> str:
    lifecycle = model.lifecycle
    text: str = lifecycle.status
    if lifecycle.end_of_life is not None:
        text += f" until {lifecycle.end_of_life}"
    return f"{text}: {lifecycle.reason}" if lifecycle.reason else text


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="imagejobs", description=__doc__.split("\n\n")[0])
    root.add_argument("--api-url", help="base URL of the API (default: the stack `make up` made)")
    root.add_argument("--ca-bundle", help="PEM file to trust for an HTTPS API URL")
    root.add_argument(
        "--api-key", help="x-api-key to send (default: IMAGEJOBS_API_KEY, then make up's key)"
    )
    commands = root.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="submit a job; with --wait, save its images")
    gen.add_argument("prompt")
    for name, field in _options().items():
        flag = f"--{(field.alias or name).replace('_', '-')}"
        gen.add_argument(flag, dest=name, help=field.description, **_kind(field))
    gen.add_argument(
        "--image",
        type=Path,
        metavar="PATH",
        help="image-to-image: the png, jpeg or webp file to start from",
    )
    gen.add_argument(
        "--cancel-after",
        help="a deadline (90s, 5m, 1h30m): the job is canceled if it has not ended by then",
    )
    gen.add_argument("--wait", action="store_true", help="wait for the job and save its images")
    gen.add_argument("--out", default="out", help="where --wait saves images (default: out)")
    gen.add_argument("--timeout", type=float, default=180.0, help="seconds --wait waits at most")
    gen.set_defaults(run=generate)

    show = commands.add_parser("status", help="print a job")
    show.add_argument("job_id")
    show.set_defaults(run=status)

    listing = commands.add_parser("models", help="list the models a job may name (--model)")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(run=models)
    return root


def _options() -> dict[str, FieldInfo]:
    """The SDK's generation options (its `JobRequest`) that are flags of their own type: the
    prompt is an argument, and `--image` takes a path (the SDK makes it a data URL)."""
    return {name: f for name, f in JobRequest.model_fields.items() if name not in _NOT_FLAGS}


_NOT_FLAGS = {"prompt", "image"}


def _option_names() -> list[str]:
    return [*_options(), "image"]


def _kind(field: FieldInfo) -> dict[str, Any]:
    """How argparse reads an option, from its type: a choice, a switch, a number or text."""
    kind = field.annotation
    if get_origin(kind) in (Union, UnionType):  # `int | None`: the type beside None
        (kind,) = [arg for arg in get_args(kind) if arg is not NoneType]
    if get_origin(kind) is Literal:
        return {"choices": get_args(kind)}
    if get_origin(kind) is list:  # `list[Literal[...]]`: one or more of the choices
        (item,) = get_args(kind)
        return {"nargs": "+", "choices": get_args(item)}
    if kind is bool:
        return {"action": argparse.BooleanOptionalAction}
    return {"type": kind}


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        sys.exit(args.run(args))
    except WaitTimeout as error:
        console.print(f"error: {error}")
        sys.exit(1)
    except ConnectionFailed as error:
        console.print(f"error: cannot reach the API: {error} (is the stack up?)")
        sys.exit(2)
    except ImageJobsError as error:
        console.print(f"error: {error}")
        sys.exit(2)
