"""The local chain at rest and one job at a time, on the deployed stack.

- Idle job: one 256² PNG job at a time, submit → succeeded, measured from the client sending
  the request to the `finished_at` the worker stored (read with GetItem every 10 ms, one
  reader, so polling costs the stack little); rounds are apart by a pause, so each job finds
  the chain quiet, as an idle job does.
- Load rounds: bench_e2e's load (N jobs at concurrency C) repeated, each figure with its
  spread over the rounds, and the CPU LocalStack and the Lambda environments spent per job.
- Stack memory: the resident memory of this clone's LocalStack and every process under it
  (the Lambda environments), summed from /proc, with a breakdown per function.

    python -m tests.perf.bench_chain [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from imagejobs_dev.localstack import Layout, running_pid
from imagejobs_dev.stack_info import StackInfo, client, read_state
from tests.perf import bench_e2e
from tests.perf.stats import spread
from tests.support.http import call

ROOT = Path(__file__).resolve().parents[2]
IDLE_JOB = {"prompt": "a lighthouse on a cliff at sunset", "width": 256, "height": 256}
READ_EVERY_S = 0.01
IDLE_TIMEOUT_S = 60.0
# Between idle rounds: long enough that the last job's polls and log writes are over.
IDLE_PAUSE_S = 1.0


def _finished_at(dynamodb: Any, table: str, job_id: str) -> tuple[str, str | None]:
    item = dynamodb.get_item(
        TableName=table,
        Key={"job_id": {"S": job_id}},
        ProjectionExpression="#s, finished_at",
        ExpressionAttributeNames={"#s": "status"},
    ).get("Item", {})
    return item.get("status", {}).get("S", ""), item.get("finished_at", {}).get("S")


def one_idle_job(deployed: StackInfo, dynamodb: Any, seed: int) -> dict[str, Any]:
    """Submits one job and reads its item until it is terminal: the job's figures."""
    sent = time.time()
    started = time.perf_counter()
    response = call(
        "POST",
        f"{deployed.api_url}jobs",
        {**IDLE_JOB, "seed": seed},
        headers={"x-api-key": deployed.api_key},
        timeout=60,
    )
    submit_ms = (time.perf_counter() - started) * 1000
    if response.status != 202:
        raise RuntimeError(f"submit answered {response.status}: {response.body[:300]!r}")
    job_id = response.json()["job_id"]
    while time.perf_counter() - started < IDLE_TIMEOUT_S:
        status, finished_at = _finished_at(dynamodb, deployed.table, job_id)
        if status in bench_e2e.TERMINAL and finished_at:
            done_ms = (datetime.fromisoformat(finished_at).timestamp() - sent) * 1000
            return {"status": status, "submit_ms": submit_ms, "submit_to_terminal_ms": done_ms}
        time.sleep(READ_EVERY_S)
    raise RuntimeError(f"job {job_id} not terminal within {IDLE_TIMEOUT_S:.0f} s")


def idle(rounds: int, deployed: StackInfo | None = None) -> dict[str, Any]:
    """`rounds` jobs one at a time, after one uncounted job (it may start environments)."""
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    dynamodb = client("dynamodb", deployed.endpoint_url)
    one_idle_job(deployed, dynamodb, seed=0)  # warm: the chain's environments exist
    jobs = []
    for seed in range(1, rounds + 1):
        time.sleep(IDLE_PAUSE_S)  # a quiet chain, as an idle job finds it (not a test's wait)
        jobs.append(one_idle_job(deployed, dynamodb, seed))
    statuses = Counter(job["status"] for job in jobs)
    return {
        "rounds": rounds,
        "image": f"{IDLE_JOB['width']}x{IDLE_JOB['height']} png",
        "statuses": dict(statuses),
        "submit_ms": spread([job["submit_ms"] for job in jobs]),
        "submit_to_succeeded_ms": spread(
            [job["submit_to_terminal_ms"] for job in jobs if job["status"] == "succeeded"]
        ),
    }


# -- memory ------------------------------------------------------------------------------------


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in lines if ":" in line)


def _function_name(pid: int) -> str | None:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for entry in environ:
        if entry.startswith(b"AWS_LAMBDA_FUNCTION_NAME="):
            name = entry.split(b"=", 1)[1].decode(errors="replace")
            # imagejobs-SubmitFunction-AbC123 → SubmitFunction
            parts = name.split("-")
            return parts[1] if len(parts) >= 3 else name
    return None


def _processes() -> tuple[dict[int, int], dict[int, float]]:
    """Every process's parent, and its resident memory (MiB)."""
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            status = _status(int(entry.name))
            if "PPid" in status and "VmRSS" in status:
                parents[int(entry.name)] = int(status["PPid"].strip())
                rss[int(entry.name)] = int(status["VmRSS"].split()[0]) / 1024
    return parents, rss


def _descends(pid: int, root: int, parents: dict[int, int]) -> bool:
    """Whether `pid` is `root` or one of its descendants (at most 64 generations down)."""
    seen = 0
    while pid in parents and seen < 64:
        if pid == root:
            return True
        pid, seen = parents[pid], seen + 1
    return pid == root


def stack_memory(localstack_pid: int | None = None) -> dict[str, Any] | None:
    """RSS of LocalStack and its descendants (MiB), and per function; None without our own."""
    root = localstack_pid or running_pid(Layout(ROOT))
    if root is None:
        return None
    parents, rss = _processes()
    members = [pid for pid in rss if _descends(pid, root, parents)]
    per_function: dict[str, float] = defaultdict(float)
    environments: Counter[str] = Counter()
    other = 0.0
    for pid in members:
        if pid == root:
            continue
        name = _function_name(pid)
        if name is None:
            other += rss[pid]
        else:
            per_function[name] += rss[pid]
            environments[name] += 1
    return {
        "total_rss_mib": sum(rss[pid] for pid in members),
        "localstack_rss_mib": rss.get(root, 0.0),
        "other_processes_rss_mib": other,
        "lambda_rss_mib": dict(sorted(per_function.items())),
        "lambda_environments": dict(sorted(environments.items())),
        "processes": len(members),
        "pids": members,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (its exited children's are not counted)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stack_cpu() -> dict[str, float]:
    """CPU seconds so far of LocalStack's main process and of its Lambda environments."""
    root = running_pid(Layout(ROOT))
    if root is None:
        return {}
    memory = stack_memory(root) or {}
    lambdas = sum(_cpu_seconds(pid) for pid in memory.get("pids", []) if pid != root)
    return {"localstack_s": _cpu_seconds(root), "lambda_s": lambdas}


LOAD_FIGURES = {
    "completed_per_s": ("completed_per_s",),
    "submit_to_succeeded_p50_ms": ("submit_to_succeeded_ms", "p50"),
    "submit_to_succeeded_p99_ms": ("submit_to_succeeded_ms", "p99"),
    "submit_p50_ms": ("submit_latency_ms", "p50"),
    "submit_p99_ms": ("submit_latency_ms", "p99"),
}


def load_rounds(
    rounds: int, jobs: int, concurrency: int, deployed: StackInfo | None = None, side: int = 256
) -> dict[str, Any]:
    """bench_e2e.load `rounds` times: each round's figures, each figure's spread over rounds,
    and the CPU LocalStack and the Lambda environments used per job."""
    per_round = []
    for _ in range(rounds):
        before = stack_cpu()
        started = time.monotonic()
        figures = bench_e2e.load(jobs, concurrency, deployed, side)
        wall = time.monotonic() - started
        after = stack_cpu()
        if before and after:
            figures["cpu_ms_per_job"] = {
                key: (after[key] - before[key]) * 1000 / max(figures["succeeded"], 1)
                for key in before
            }
        figures["wall_s"] = wall
        per_round.append(figures)
    spreads = {}
    for name, path in LOAD_FIGURES.items():
        values = []
        for figures in per_round:
            value: Any = figures
            for key in path:
                value = value[key]
            values.append(float(value))
        spreads[name] = spread(values)
    return {
        "rounds": per_round,
        "spread": spreads,
        "jobs": jobs,
        "concurrency": concurrency,
        "image": per_round[-1]["image"],
        "lost": sum(r["lost"] for r in per_round),
        "failed": sum(r["failed"] for r in per_round),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps({"memory": stack_memory(), "idle": idle(args.rounds)}, indent=2))


if __name__ == "__main__":
    main()
