"""What a job costs and which calls it makes, counted on the deployed stack; and how good a
queued job's estimated start is.

- Calls and cost: jobs of 256² PNG in four client styles: polling `GET /jobs/{id}` every
  second, `Prefer: wait=25` on the submit, a webhook (no reads), and the SDK's way (an
  Idempotency-Key and `Prefer: wait`). Every function logs its calls per job
  (`imagejobs.dal.aws_calls`); they are read back from CloudWatch Logs and grouped per path
  (submit, the worker's job, one status read, a webhook delivery), with each function's
  billed milliseconds at its memory size and the bytes stored, and priced per 1,000 images.
  The same figures are then projected per model: the model's catalogue price, and a Bedrock
  worker's time (BedrockWorkerMemorySize, 256 MB) waiting an assumed model latency.
- Estimates: a backlog of jobs submitted at once; each queued one is read once
  (`queue_position`, `estimated_start_at`); its actual start (`started_at`) is compared.

    python -m tests.perf.bench_cost [--jobs 10] [--backlog 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from imagejobs.dal.aws_calls import UNATTRIBUTED
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.models.cost import PRICES, Usage, calls_usage, job_cost, stored_gb_months
from imagejobs.models.storage import item_bytes
from imagejobs_dev.stack_info import StackInfo, client, read_state
from tests.perf.bench_e2e import ROOT, TERMINAL
from tests.perf.stats import summary
from tests.support.http import call
from tests.support.webhook_receiver import webhook_receiver

JOB = {"prompt": "a lighthouse on a cliff at sunset", "width": 256, "height": 256}
FUNCTIONS = ("SubmitFunction", "StatusFunction", "WorkerFunction", "WebhookDeliveryFunction")
POLL_EVERY_S = 1.0
JOB_TIMEOUT_S = 120.0
# Seconds per model call, assumed (AWS publishes none); what the projection waits per image.
MODEL_LATENCY_S = {
    "stability.sd3-5-large-v1:0": 8.0,
    "stability.stable-image-core-v1:1": 4.0,
    "stability.stable-image-ultra-v1:1": 10.0,
}
BEDROCK_WORKER_MB = 256


def _key(deployed: StackInfo) -> dict[str, str]:
    return {"x-api-key": deployed.api_key}


def _ended(deployed: StackInfo, job_id: str) -> tuple[dict[str, Any], int]:
    """Polls the job every second until it ends: the job and the reads it took."""
    started, reads = time.monotonic(), 0
    while time.monotonic() - started < JOB_TIMEOUT_S:
        reads += 1
        job = call("GET", f"{deployed.api_url}jobs/{job_id}", headers=_key(deployed)).json()
        if job["status"] in TERMINAL:
            return job, reads
        time.sleep(POLL_EVERY_S)  # a polling client's pace (what this scenario measures)
    raise RuntimeError(f"job {job_id} did not end within {JOB_TIMEOUT_S:.0f} s")


def _scenario(deployed: StackInfo, style: str, n: int, receiver_url: str | None) -> dict[str, Any]:
    """One job in a client style: its id and the API requests the client made for it."""
    headers = _key(deployed)
    body: dict[str, Any] = {**JOB, "seed": n}
    if style in ("prefer_wait", "sdk"):
        headers["Prefer"] = "wait=25"
    if style == "sdk":
        headers["Idempotency-Key"] = f"bench-{time.time_ns()}-{n}"
    if style == "webhook":
        body["webhook"] = receiver_url
    response = call("POST", f"{deployed.api_url}jobs", body, headers=headers, timeout=60)
    if response.status not in (200, 202):
        raise RuntimeError(f"submit answered {response.status}: {response.body[:300]!r}")
    job = response.json()
    requests = 1
    if job["status"] not in TERMINAL and style != "webhook":
        job, reads = _ended(deployed, job["job_id"])
        requests += reads
    return {"job_id": job["job_id"], "api_requests": requests}


def logged_lines(deployed: StackInfo, since_ms: int) -> dict[str, list[dict[str, Any]]]:
    """Every `aws calls` line each function logged since `since_ms` (epoch ms)."""
    logs, lambda_ = client("logs", deployed.endpoint_url), client("lambda", deployed.endpoint_url)
    names = {
        function: f["FunctionName"]
        for f in lambda_.list_functions()["Functions"]
        for function in FUNCTIONS
        if function in f["FunctionName"]
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for function, name in names.items():
        lines: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "logGroupName": f"/aws/lambda/{name}",
            "filterPattern": '"aws calls"',
            "startTime": since_ms,
        }
        while True:
            page = logs.filter_log_events(**query)
            for event in page["events"]:
                for text in event["message"].splitlines():
                    if text.startswith("{") and '"aws calls"' in text:
                        lines.append(json.loads(text))
            if not page.get("nextToken"):
                break
            query["nextToken"] = page["nextToken"]
        found[function] = lines
    return found


def _per_job(lines: dict[str, list[dict[str, Any]]], job_id: str) -> dict[str, Any]:
    """The job's calls per function, its share of each function's billed time and memory."""
    calls: dict[str, Counter[str]] = defaultdict(Counter)
    billed: dict[str, float] = defaultdict(float)
    gb_seconds = 0.0
    invocations: Counter[str] = Counter()
    for function, function_lines in lines.items():
        for line in function_lines:
            if job_id not in line["aws_calls"]:
                continue
            jobs = [j for j in line["aws_calls"] if j != UNATTRIBUTED]
            share = 1 / len(jobs)
            calls[function].update(line["aws_calls"][job_id])
            billed[function] += line["duration_ms"] * share
            gb_seconds += line["duration_ms"] / 1000 * line["memory_mb"] / 1024 * share
            invocations[function] += 1
    return {"calls": calls, "billed_ms": billed, "gb_seconds": gb_seconds, "invoked": invocations}


def _usage(job: Any, counted: dict[str, Any], api_requests: int) -> Usage:
    total: Counter[str] = Counter()
    for function_calls in counted["calls"].values():
        total.update({k: v for k, v in function_calls.items() if k != "s3.bytes_stored"})
    total["apigateway.Request"] = api_requests
    total["lambda.Invoke"] = sum(counted["invoked"].values())
    messages = 1 + job.throttled_waits + sum(d.attempts for d in job.deliveries)
    total["sqs.ReceiveMessage"] += messages
    total["sqs.DeleteMessage"] += messages
    return calls_usage(
        total,
        item_bytes=item_bytes(job),
        gb_seconds=counted["gb_seconds"],
        gb_months=stored_gb_months(job),
    )


def calls_and_cost(jobs: int, deployed: StackInfo | None = None) -> dict[str, Any]:
    """`jobs` jobs in each client style, one at a time: calls per path, cost per 1,000 images."""
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    repository = DynamoJobRepository(deployed.table, client("dynamodb", deployed.endpoint_url))
    since_ms = int(time.time() * 1000) - 1000
    made: dict[str, list[dict[str, Any]]] = {}
    with webhook_receiver([]) as receiver:
        for style in ("polling", "prefer_wait", "webhook", "sdk"):
            made[style] = [_scenario(deployed, style, n, receiver.url) for n in range(jobs)]
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while len(receiver.received) < jobs and time.monotonic() < deadline:
            time.sleep(0.2)  # the webhook deliveries are on their way (bounded)
    time.sleep(3)  # the last lines reach CloudWatch Logs
    lines = logged_lines(deployed, since_ms)
    styles: dict[str, Any] = {}
    paths: dict[str, list[Counter[str]]] = defaultdict(list)
    billed: dict[str, list[float]] = defaultdict(list)
    for style, submitted in made.items():
        dollars, stored = [], []
        for entry in submitted:
            job = repository.get(entry["job_id"])
            if job is None or not job.status.is_terminal:
                continue
            counted = _per_job(lines, job.job_id)
            dollars.append(_usage(job, counted, entry["api_requests"]).usd(PRICES))
            stored.append(sum(image.size_bytes or 0 for image in job.images))
            for function, function_calls in counted["calls"].items():
                name = {"SubmitFunction": "submit", "WorkerFunction": "worker"}.get(function)
                if name and style == "polling":
                    paths[name].append(function_calls)
                billed[function].append(counted["billed_ms"][function])
        styles[style] = {
            "jobs": len(dollars),
            "api_requests_per_job": statistics.median(e["api_requests"] for e in submitted),
            "platform_usd_per_job": statistics.median(dollars) if dollars else None,
            "platform_usd_per_1000_images": 1000 * statistics.median(dollars) if dollars else None,
            "bytes_stored_per_image": statistics.median(stored) if stored else None,
        }
    status_reads = [
        Counter(line["aws_calls"][job])
        for line in lines.get("StatusFunction", [])
        for job in line["aws_calls"]
    ]
    memory = {
        function: statistics.median(line["memory_mb"] for line in function_lines)
        for function, function_lines in lines.items()
        if function_lines
    }
    return {
        "jobs_per_style": jobs,
        "styles": styles,
        "calls_per_path": {
            "submit": _median_calls(paths["submit"]),
            "worker_job": _median_calls(paths["worker"]),
            "status_read": _median_calls(status_reads),
        },
        "billed_ms": {f: summary(v, 90) for f, v in billed.items() if v},
        "memory_mb": memory,
        "per_model": _per_model(styles, billed, lines),
        "prices": {"region": PRICES.region, "as_of": PRICES.as_of.isoformat()},
    }


def _median_calls(samples: list[Counter[str]]) -> dict[str, float]:
    names = {name for sample in samples for name in sample if name != "s3.bytes_stored"}
    return {name: statistics.median(s.get(name, 0) for s in samples) for name in sorted(names)}


def _per_model(
    styles: dict[str, Any], billed: dict[str, list[float]], lines: dict[str, Any]
) -> dict[str, Any]:
    """Per 1,000 one-image jobs of each model (the webhook style: no status reads): the
    model's price, and the platform as measured, with a Bedrock worker's time replaced by
    the assumed model latency at BedrockWorkerMemorySize and at the 1,024 MB it had."""
    base = styles["webhook"]["platform_usd_per_job"] or 0.0
    worker_mb = statistics.median(line["memory_mb"] for line in lines["WorkerFunction"])
    worker_gb_s = statistics.median(billed["WorkerFunction"]) / 1000 * worker_mb / 1024
    per_gb_s = PRICES.lambda_gb_second.usd_per_unit
    rows = {}
    for model_id, spec in CATALOGUE.items():
        latency = MODEL_LATENCY_S.get(model_id)
        platform = {"measured": base}
        if latency is not None:
            for mb in (BEDROCK_WORKER_MB, 1024):
                waited = (latency + worker_gb_s * 1024 / worker_mb) * mb / 1024
                platform[f"{mb}_mb"] = base - worker_gb_s * per_gb_s + waited * per_gb_s
        rows[model_id] = {
            # None: the catalogue knows no price for it (GET /models says "unknown").
            "model_usd_per_1000_images": (
                None if spec.price.usd_per_image is None else 1000 * spec.price.usd_per_image
            ),
            "price_verified": spec.price.verified,
            "assumed_latency_s": latency,
            "platform_usd_per_1000_images": {k: 1000 * v for k, v in platform.items()},
        }
    return rows


# -- estimated starts ----------------------------------------------------------------------


def estimates(backlog: int, deployed: StackInfo | None = None, side: int = 768) -> dict[str, Any]:
    """A backlog submitted at once; each job read once while queued; estimate vs start."""
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    body = {**JOB, "width": side, "height": side}

    def submit(n: int) -> str:
        response = call(
            "POST", f"{deployed.api_url}jobs", {**body, "seed": n}, headers=_key(deployed)
        )
        if response.status != 202:
            raise RuntimeError(f"submit answered {response.status}")
        return str(response.json()["job_id"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        job_ids = list(pool.map(submit, range(backlog)))

    def read_one(job_id: str) -> tuple[str, tuple[float, float, int] | None]:
        job = call("GET", f"{deployed.api_url}jobs/{job_id}", headers=_key(deployed)).json()
        if job["status"] != "queued" or not job.get("estimated_start_at"):
            return job_id, None
        estimate = datetime.fromisoformat(job["estimated_start_at"]).timestamp()
        return job_id, (time.time(), estimate, job["queue_position"])

    # Each job once, the last (queued longest) first, in parallel so the reads keep ahead of
    # the drain.
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(read_one, reversed(job_ids)))
    read = {job_id: entry for job_id, entry in answers if entry is not None}
    repository = DynamoJobRepository(deployed.table, client("dynamodb", deployed.endpoint_url))
    ended = _drained(repository, job_ids, time.monotonic() + 60 + backlog * 2.0)
    errors, relative = [], []
    for job_id, (read_at, estimate, _) in read.items():
        started = ended[job_id].started_at
        assert started is not None
        assert estimate is not None
        errors.append(abs(estimate - started.timestamp()))
        relative.append(errors[-1] / max(started.timestamp() - read_at, 1.0))
    return {
        "backlog": backlog,
        "image": f"{side}x{side} png",
        "estimated": len(errors),
        "abs_error_s": summary(errors, 90) if errors else {},
        "relative_error": summary(relative, 90) if relative else {},
        "max_position": max((p for _, _, p in read.values()), default=0),
        # Each job's life, for the dashboard's picture (report_cost.dashboard).
        "timeline": [_life(job) for job in ended.values()],
    }


def _drained(
    repository: DynamoJobRepository, job_ids: list[str], deadline: float
) -> dict[str, Any]:
    """Every job once it has ended (read again until then, within `deadline`)."""
    ended: dict[str, Any] = {}
    while len(ended) < len(job_ids):
        for job_id in job_ids:
            if job_id not in ended and (job := repository.get(job_id)) and job.status.is_terminal:
                ended[job_id] = job
        if len(ended) < len(job_ids):
            if time.monotonic() > deadline:
                raise RuntimeError("the backlog did not drain in time")
            time.sleep(1.0)  # the backlog drains (bounded by `deadline`)
    return ended


def _life(job: Any) -> dict[str, Any]:
    cost = job_cost(job)
    return {
        "status": job.status.value,
        "created": job.created_at.timestamp(),
        "started": job.started_at.timestamp() if job.started_at else None,
        "finished": job.finished_at.timestamp() if job.finished_at else None,
        "model_seconds": job.model_seconds,
        "platform_usd": cost.platform if cost else 0.0,
        "model_usd": cost.model if cost else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(calls_and_cost(args.jobs), indent=2, default=str))
    print(json.dumps(estimates(args.backlog), indent=2, default=str))


if __name__ == "__main__":
    main()
