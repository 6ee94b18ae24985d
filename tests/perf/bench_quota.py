"""A burst against a model's request quota, end to end on the local chain with the Bedrock
stand-in: how long N jobs take to drain when the model admits R requests per second or minute,
against the quota's own bound (N / R), and that none fails or is dead-lettered for it.

The stand-in (tests.support.local_bedrock) is told to throttle one model to R requests per
window and answers the rest 429 ThrottlingException, as Bedrock does past a quota. N jobs of
one image each are submitted at once over HTTP; each throttled job waits with jittered backoff
on a message of its own (logic.worker) and is read back (BatchGetItem by key, as bench_e2e's
load reads) until every job has ended. The stand-in counts as a sliding window, so the first
R requests pass at once: the bound N / R is what a steady R per second or minute allows.

    python -m tests.perf.bench_quota [--jobs 300] [--requests 60] [--per minute]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev.stack_info import StackInfo, client, read_state
from tests.perf.bench_e2e import read_jobs
from tests.perf.stats import summary
from tests.support.http import call
from tests.support.local_bedrock import LocalBedrock

ROOT = Path(__file__).resolve().parents[2]
# Stable Image Core: the cheap, fast model a burst of small jobs would use.
MODEL = "stability.stable-image-core-v1:1"
WINDOW_SECONDS = {"second": 1, "minute": 60}
TERMINAL = {str(status) for status in TERMINAL_STATUSES}
READ_EVERY_S = 0.5
SUBMIT_CONCURRENCY = 8


def _submit(deployed: StackInfo, index: int, model: str) -> dict[str, Any]:
    body = {"prompt": f"a lighthouse, take {index}", "model": model, "seed": index + 1}
    sent = time.time()
    response = call(
        "POST",
        f"{deployed.api_url}jobs",
        body,
        headers={"x-api-key": deployed.api_key},
        timeout=60,
    )
    job_id = response.json().get("job_id") if response.status == 202 else None
    return {"sent": sent, "status": response.status, "job_id": job_id}


def burst(
    jobs: int,
    requests: int,
    per: str,
    deployed: StackInfo | None = None,
    model: str = MODEL,
) -> dict[str, Any]:
    """N one-image jobs for `model` at once, the stand-in admitting `requests` per `per`."""
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    bedrock = LocalBedrock.of(deployed)
    if bedrock is None:
        raise RuntimeError("the stack's functions reach no Bedrock stand-in: run `make up`")
    window = WINDOW_SECONDS[per]
    bound_s = jobs / requests * window
    dynamodb, sqs = client("dynamodb", deployed.endpoint_url), client("sqs", deployed.endpoint_url)
    bedrock.reset()
    bedrock.configure({"models": {model: {"throttle": {"requests": requests, "per": per}}}})
    try:
        started = time.time()
        with ThreadPoolExecutor(max_workers=SUBMIT_CONCURRENCY) as pool:
            submits = list(pool.map(lambda n: _submit(deployed, n, model), range(jobs)))
        accepted = {s["job_id"]: s for s in submits if s["job_id"]}
        finished: dict[str, dict[str, Any]] = {}
        deadline = started + 4 * bound_s + 180
        while time.time() < deadline:
            open_jobs = {j for j in accepted if finished.get(j, {}).get("status") not in TERMINAL}
            if not open_jobs:
                break
            finished.update(read_jobs(dynamodb, deployed.table, open_jobs))
            time.sleep(READ_EVERY_S)
        answers = bedrock.counts(model)
    finally:
        bedrock.reset()
    succeeded = {j: f for j, f in finished.items() if f["status"] == "succeeded"}
    ends = [_epoch(f["finished_at"]) for f in succeeded.values() if f["finished_at"]]
    drain_s = max(ends, default=time.time()) - started
    dead_letters = sqs.get_queue_attributes(
        QueueUrl=deployed.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    waits = [f["throttled_waits"] for f in finished.values()]
    return {
        "model": model,
        "jobs": jobs,
        "quota": {"requests": requests, "per": per},
        "accepted": len(accepted),
        "succeeded": len(succeeded),
        "failed": sum(1 for f in finished.values() if f["status"] == "failed"),
        "lost": jobs - len(succeeded),
        "dead_letter_messages": int(dead_letters),
        "drain_s": drain_s,
        "quota_bound_s": bound_s,
        "drain_vs_bound": drain_s / bound_s,
        "model_calls": answers.get("total", 0),
        "throttled_calls": answers.get("429", 0),
        "throttled_waits": {"total": sum(waits), **summary(waits, 95)},
        "submit_to_succeeded_s": summary(
            [_epoch(f["finished_at"]) - accepted[j]["sent"] for j, f in succeeded.items()], 95
        ),
    }


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def lines(figures: dict[str, Any]) -> list[str]:
    """The report's section (tests.perf.report)."""
    quota = figures["quota"]
    waits, latency = figures["throttled_waits"], figures["submit_to_succeeded_s"]
    return [
        f"A burst at a model's quota: {figures['jobs']} jobs of {figures['model']} at once, the"
        f" model admitting {quota['requests']} requests per {quota['per']} (the Bedrock stand-in)",
        f"  drained in {figures['drain_s']:.0f} s; the quota's bound (jobs / rate) is"
        f" {figures['quota_bound_s']:.0f} s: {figures['drain_vs_bound']:.2f}x",
        f"  succeeded {figures['succeeded']}/{figures['jobs']}; failed {figures['failed']};"
        f" dead-lettered {figures['dead_letter_messages']}; model calls"
        f" {figures['model_calls']}, of which throttled {figures['throttled_calls']}",
        f"  throttled waits per job: p50 {waits['p50']:g}, p95 {waits['p95']:g}"
        f" ({waits['total']} in all); submit -> succeeded p50 {latency['p50']:.0f} s,"
        f" p95 {latency['p95']:.0f} s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--requests", type=int, default=60, help="requests the model admits")
    parser.add_argument("--per", choices=sorted(WINDOW_SECONDS), default="minute")
    args = parser.parse_args()
    figures = burst(args.jobs, args.requests, args.per)
    print("\n".join(lines(figures)))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
