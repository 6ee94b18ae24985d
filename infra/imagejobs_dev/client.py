"""`imagejobs`: a small command-line client for the deployed API.

    imagejobs generate "a lighthouse at dusk" --width 768 --height 512 --wait --out out
    imagejobs status 3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14

The API URL and key come from --api-url/--api-key, then IMAGEJOBS_API_URL/IMAGEJOBS_API_KEY,
then the stack `make up` deployed (.localstack/stack.json). HTTP is the standard library's;
the options, formats and job states are the service's own definitions, imported.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from imagejobs.engines.base import FILE_EXTENSIONS, ImageOptions
from imagejobs.models.domain import TERMINAL_STATUSES, JobStatus
from imagejobs_dev.stack import read_state


class ApiError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Api:
    base_url: str
    api_key: str | None = None
    ssl_context: ssl.SSLContext | None = None
    timeout: float = 30.0

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the URL is the user's own API
            self.base_url.rstrip("/") + "/" + path.lstrip("/"),
            data=data,
            method=method,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                **({"x-api-key": self.api_key} if self.api_key else {}),
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.timeout, context=self.ssl_context
            ) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, error.read().decode(errors="replace")) from error

    def download(self, url: str) -> bytes:
        with urllib.request.urlopen(  # noqa: S310 - a presigned URL the API issued
            url, timeout=self.timeout, context=self.ssl_context
        ) as response:
            return response.read()  # type: ignore[no-any-return]


def resolve_api(api_url: str | None, ca_bundle: str | None, api_key: str | None) -> Api:
    state = read_state()
    url = api_url or os.environ.get("IMAGEJOBS_API_URL") or (state.api_url if state else None)
    if not url:
        raise SystemExit("no API URL: pass --api-url, set IMAGEJOBS_API_URL, or run `make up`")
    key = api_key or os.environ.get("IMAGEJOBS_API_KEY") or (state.api_key if state else None)
    bundle = ca_bundle or os.environ.get("IMAGEJOBS_CA_BUNDLE") or (state and state.ca_bundle)
    # Verification stays on: a private CA (LocalStack's certificate) is trusted explicitly.
    context = ssl.create_default_context(cafile=bundle or None) if url.startswith("https") else None
    return Api(url, key, context)


def wait_for(api: Api, job_id: str, timeout: float, interval: float = 0.5) -> dict[str, Any]:
    started = time.monotonic()
    deadline = started + timeout
    last_status = None
    while True:
        job: dict[str, Any] = api.request("GET", f"jobs/{job_id}")
        if job["status"] != last_status:
            last_status = job["status"]
            print(f"  {time.monotonic() - started:5.1f} s  {last_status}", file=sys.stderr)
        if job["status"] in TERMINAL_STATUSES:
            return job
        if time.monotonic() > deadline:
            raise SystemExit(f"job {job_id} still {job['status']} after {timeout:.0f} s")
        time.sleep(interval)


def save_images(api: Api, job: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for number, image in enumerate(job["images"]):
        path = out_dir / f"{job['job_id']}-{number}.{FILE_EXTENSIONS[image['format']]}"
        path.write_bytes(api.download(image["url"]))
        saved.append(path)
    return saved


def generate(args: argparse.Namespace) -> int:
    api = resolve_api(args.api_url, args.ca_bundle, args.api_key)
    body: dict[str, Any] = {"prompt": args.prompt}
    for name in _option_names():
        if (value := getattr(args, name)) is not None:
            body[name] = value
    job = api.request("POST", "jobs", body)
    print(f"job {job['job_id']} {job['status']}", file=sys.stderr)
    if not args.wait:
        print(json.dumps(job))
        return 0
    job = wait_for(api, job["job_id"], args.timeout)
    if job["status"] == JobStatus.FAILED:
        print(f"failed: {job['error']['type']}: {job['error']['message']}", file=sys.stderr)
        return 1
    if job["status"] == JobStatus.CANCELED:
        print("canceled", file=sys.stderr)
        return 1
    for path in save_images(api, job, Path(args.out)):
        print(f"saved {path.resolve()}")
    return 0


def status(args: argparse.Namespace) -> int:
    api = resolve_api(args.api_url, args.ca_bundle, args.api_key)
    print(json.dumps(api.request("GET", f"jobs/{args.job_id}"), indent=2))
    return 0


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
    for name, field in zip(_option_names(), ImageOptions.model_fields.values(), strict=True):
        gen.add_argument(f"--{name.replace('_', '-')}", help=field.description, **_kind(field))
    gen.add_argument("--wait", action="store_true", help="wait for the job and save its images")
    gen.add_argument("--out", default="out", help="where --wait saves images (default: out)")
    gen.add_argument("--timeout", type=float, default=180.0, help="seconds --wait waits at most")
    gen.set_defaults(run=generate)

    show = commands.add_parser("status", help="print a job")
    show.add_argument("job_id")
    show.set_defaults(run=status)
    return root


def _option_names() -> list[str]:
    """The generation options as the API spells them (`format`), the prompt aside."""
    return [field.alias or name for name, field in ImageOptions.model_fields.items()]


def _kind(field: FieldInfo) -> dict[str, Any]:
    """How argparse reads an option, from its type: a choice, a switch, a number or text."""
    kind = field.annotation
    if get_origin(kind) is UnionType:  # `int | None`: the type beside None
        (kind,) = [arg for arg in get_args(kind) if arg is not NoneType]
    if get_origin(kind) is Literal:
        return {"choices": get_args(kind)}
    if kind is bool:
        return {"action": argparse.BooleanOptionalAction}
    return {"type": kind}


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        sys.exit(args.run(args))
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except urllib.error.URLError as error:
        print(f"error: cannot reach the API: {error.reason} (is the stack up?)", file=sys.stderr)
        sys.exit(2)
