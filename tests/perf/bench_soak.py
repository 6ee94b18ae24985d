"""Soak: many Lambda invocations on one LocalStack, with its threads, memory maps and memory.

    python -m tests.perf.bench_soak [--invocations 50000] [--concurrency 4] [--samples 10]

A trivial function is invoked directly (the cheapest path through LocalStack's Lambda
service), and LocalStack's process is sampled at even intervals. A leak of a thread or a
stack per invocation shows as a slope in threads or maps per 1,000 invocations; a healthy
process is flat. Nothing here asserts: it prints a table and returns the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from imagejobs_dev.localstack import LocalStack, ensure_running

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = "imagejobs-soak-probe"
HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def listening_pid(port: int) -> int:
    """The pid of the process listening on 127.0.0.1:`port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError(f"no process of ours listens on port {port}")


def process_sample(pid: int) -> dict[str, int]:
    with open(f"/proc/{pid}/maps") as maps:
        mapped = sum(1 for _ in maps)
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {
        "threads": int(fields["Threads"]),
        "maps": mapped,
        "rss_mib": int(fields["VmRSS"].split()[0]) // 1024,
    }


def _lambda_client(localstack: LocalStack, concurrency: int) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=localstack.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(max_pool_connections=concurrency, retries={"mode": "standard"}),
    )


def _deploy_probe(client: Any) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", HANDLER)
    with contextlib.suppress(client.exceptions.ResourceNotFoundException):
        client.delete_function(FunctionName=FUNCTION)
    client.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.13",
        Handler="app.handler",
        Role="arn:aws:iam::000000000000:role/soak",
        Code={"ZipFile": archive.getvalue()},
        Timeout=10,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=FUNCTION)


def run(
    localstack: LocalStack, invocations: int, concurrency: int = 4, samples: int = 10
) -> dict[str, Any]:
    client = _lambda_client(localstack, concurrency)
    _deploy_probe(client)
    client.invoke(FunctionName=FUNCTION, Payload=b"{}")  # the cold start is not the soak
    pid = listening_pid(int(localstack.endpoint_url.rsplit(":", 1)[1]))
    rows = [{"invocations": 0, "seconds": 0.0, **process_sample(pid)}]
    every = max(1, invocations // samples)
    done = 0
    errors = 0
    lock = threading.Lock()
    started = time.monotonic()

    def invoke(_: int) -> None:
        nonlocal done, errors
        response = client.invoke(FunctionName=FUNCTION, Payload=b"{}")
        failed = "FunctionError" in response or response["StatusCode"] != 200
        with lock:
            done += 1
            errors += failed
            if done % every == 0:
                rows.append(
                    {
                        "invocations": done,
                        "seconds": round(time.monotonic() - started, 1),
                        **process_sample(pid),
                    }
                )
                _print_row(rows[-1])

    _print_row(rows[0], header=True)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(invoke, range(invocations)))
    client.delete_function(FunctionName=FUNCTION)
    first, last = rows[1] if len(rows) > 2 else rows[0], rows[-1]
    span = max(1, last["invocations"] - first["invocations"])
    return {
        "invocations": invocations,
        "concurrency": concurrency,
        "errors": errors,
        "invocations_per_s": round(invocations / (time.monotonic() - started), 1),
        "samples": rows,
        # Growth per 1,000 invocations after the first interval (which includes warm-up).
        "per_1000": {
            key: round((last[key] - first[key]) * 1000 / span, 2)
            for key in ("threads", "maps", "rss_mib")
        },
    }


def _print_row(row: dict[str, Any], header: bool = False) -> None:
    if header:
        print(f"{'invocations':>12} {'s':>7} {'threads':>8} {'maps':>7} {'RSS MiB':>8}")
    print(
        f"{row['invocations']:>12} {row['seconds']:>7} {row['threads']:>8} {row['maps']:>7} "
        f"{row['rss_mib']:>8}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args(argv)
    result = run(ensure_running(ROOT), args.invocations, args.concurrency, args.samples)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}), file=sys.stderr)


if __name__ == "__main__":
    main()
