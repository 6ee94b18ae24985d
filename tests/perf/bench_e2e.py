"""End to end on LocalStack, and the developer loop around it.

- Developer loop: `make up` on a stopped stack until the first successful API call; the same
  after a one-line change to a handler (a comment, removed again afterwards); and, opt-in, the
  wall time of `make test`.
- Load: N jobs submitted over HTTP by C threads. Submit latency is the client's; a job's
  submit-to-succeeded latency runs from the client sending it to the `finished_at` the worker
  stored, read from the table (one BatchGetItem of the open jobs every 0.25 s, instead of N
  pollers competing with the stack for the same two cores). Meanwhile the worker's Lambda
  processes (children of this clone's LocalStack whose AWS_LAMBDA_FUNCTION_NAME names
  WorkerFunction) have their resident memory sampled from /proc. A job accepted but not
  succeeded when the run ends is lost.

    python -m tests.perf.bench_e2e [--jobs 200] [--concurrency 10] [--full]

Uses this clone's LocalStack (IMAGEJOBS_LOCALSTACK_PORT picks its port) and restarts it for
the developer loop; one that was not running before is stopped again at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev.localstack import Layout, external_endpoint, running_pid
from imagejobs_dev.stack_info import StackInfo, client, read_state
from tests.perf.stats import summary
from tests.support.http import call

ROOT = Path(__file__).resolve().parents[2]
CHANGED_FILE = ROOT / "functions" / "imagejobs" / "handlers" / "status.py"
JOB = {"prompt": "a lighthouse on a cliff at sunset", "width": 256, "height": 256}
FIRST_CALL_TIMEOUT = 120.0
SAMPLE_SECONDS = 0.1
# How often the load run reads the jobs still open (one reader, BatchGetItem by key).
READ_EVERY_S = 0.25
TERMINAL = {str(status) for status in TERMINAL_STATUSES}


# -- developer loop ----------------------------------------------------------------------------


def failure_report(stdout: str, stderr: str) -> str:
    """What a failed make printed, short: pytest's summary lines (`FAILED ...`, `ERROR ...`)
    wherever they stand, then the end of each stream. `make test` prints the LocalStack tier's
    report before the other tiers', so its failures are far from the end."""
    summary = [line for line in stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return "\n".join([*summary, "...", stdout[-2000:] + stderr[-3000:]])


def _make(target: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Runs `make -s <target>`: its wall time and the last line it printed."""
    started = time.monotonic()
    result = subprocess.run(
        ["make", "-s", target],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,  # as CI runs it: nothing may wait for an answer
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"make {target} failed:\n{failure_report(result.stdout, result.stderr)}")
    lines = result.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else ""


def _first_successful_call(deployed: StackInfo, timeout: float = FIRST_CALL_TIMEOUT) -> float:
    """Seconds until GET /jobs answers 200 (it starts the status function if it is cold)."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(OSError):
            url = f"{deployed.api_url}jobs?limit=1"
            response = call("GET", url, headers=_key(deployed), timeout=60)
            if response.status == 200:
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"no successful API call within {timeout:.0f} s")
        time.sleep(0.2)


def timed_up() -> tuple[StackInfo, dict[str, Any]]:
    """`make up`, then the first successful API call: the stack it deployed, and both times.

    The end-to-end tests deploy their stack with this too, so `make test` runs it for real.
    """
    make_up, last = _make("up")
    deployed = StackInfo(**json.loads(last))
    first_call = _first_successful_call(deployed)
    times = {"make_up_s": make_up, "first_call_s": first_call, "total_s": make_up + first_call}
    return deployed, times


def _up() -> dict[str, Any]:
    return timed_up()[1]


def developer_loop(at_rest: Callable[[], Any] | None = None) -> dict[str, Any]:
    """`make up` on a stopped stack with unchanged code, then a redeploy after a one-line change,
    each to the first successful call. `at_rest` is called between the two (the stack just
    started, before a second deploy's state joins the first in LocalStack's heap); its answer
    is kept too."""
    if external_endpoint():
        cold: dict[str, Any] = {"skipped": "LOCALSTACK_ENDPOINT names a LocalStack we do not stop"}
    else:
        _make("up")  # uncounted: builds and deploys what changed, so the code is unchanged
        _make("down")
        cold = _up()
    memory = at_rest() if at_rest is not None else None
    original = CHANGED_FILE.read_text()
    try:
        CHANGED_FILE.write_text(original + "# bench: a one-line change, reverted after\n")
        redeploy = _up()
    finally:
        CHANGED_FILE.write_text(original)
    return {"up_from_stopped": cold, "memory_after_up": memory, "redeploy_after_change": redeploy}


def make_test(
    target: str = "test", cwd: Path = ROOT, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """`make test` in this tree, on its running stack (`make bench FULL=1`); the smoke test
    times a quicker `target`. A failure is recorded with the end of its output, not raised,
    so the run's other figures are still written (and the bench then exits non-zero)."""
    started = time.monotonic()
    try:
        _make(target, cwd, env)
    except RuntimeError as failed:
        return {"seconds": time.monotonic() - started, "passed": False, "output": str(failed)}
    return {"seconds": time.monotonic() - started, "passed": True}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_in_a_fresh_clone(target: str = "test") -> dict[str, Any]:
    """`make test` (or `make demo`) in a fresh clone of this tree's HEAD, setup included (the
    venvs, LocalStack, the build), as CI runs `.ci/run`: with no standard input and a LocalStack
    on a port of its own, which is stopped after; the clone is removed."""
    with tempfile.TemporaryDirectory(prefix="imagejobs-fresh-clone-") as tmp:
        clone = Path(tmp) / "imagejobs"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "CI": "true", "IMAGEJOBS_LOCALSTACK_PORT": str(_free_port())}
        try:
            return make_test(target, clone, env)
        finally:
            subprocess.run(
                ["make", "-s", "down"], cwd=clone, env=env, capture_output=True, check=False
            )


# -- load --------------------------------------------------------------------------------------


def _key(deployed: StackInfo) -> dict[str, str]:
    return {"x-api-key": deployed.api_key}


class WorkerMemory:
    """Samples the resident memory of this LocalStack's WorkerFunction processes."""

    def __init__(self, localstack_pid: int | None) -> None:
        self._root = localstack_pid
        self._known: dict[int, bool] = {}
        self.peak_kib: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._workers():
                rss = _status_kib(pid, "VmHWM") or _status_kib(pid, "VmRSS")
                if rss is not None:
                    self.peak_kib[pid] = max(rss, self.peak_kib.get(pid, 0))
            self._stop.wait(SAMPLE_SECONDS)

    def _workers(self) -> Iterator[int]:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid not in self._known:
                self._known[pid] = self._is_worker(pid)
            if self._known[pid]:
                yield pid

    def _is_worker(self, pid: int) -> bool:
        try:
            if b"lambda_bootstrap.py" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                return False
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False
        names = [v for v in environ if v.startswith(b"AWS_LAMBDA_FUNCTION_NAME=")]
        return any(b"WorkerFunction" in v for v in names) and self._descends(pid)

    def _descends(self, pid: int) -> bool:
        """Whether the process is this clone's LocalStack's, not another instance's."""
        if self._root is None:
            return True
        while pid > 1:
            if pid == self._root:
                return True
            parent = _status_kib(pid, "PPid")
            if parent is None:
                return False
            pid = parent
        return False


def _status_kib(pid: int, field: str) -> int | None:
    """A number from /proc/<pid>/status (kB for memory fields)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def read_jobs(dynamodb: Any, table: str, job_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Each job's status, finished_at and throttled waits, by key (BatchGetItem, 100 keys a
    call). A table
    Scan a second cost LocalStack's moto more CPU than the chain itself once the table held a
    few hundred jobs (it reads every item)."""
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(job_ids)
    for start in range(0, len(wanted), 100):
        keys: list[dict[str, Any]] = [{"job_id": {"S": j}} for j in wanted[start : start + 100]]
        request: dict[str, Any] = {
            table: {
                "Keys": keys,
                "ProjectionExpression": "job_id, #s, finished_at, throttled_waits",
                "ExpressionAttributeNames": {"#s": "status"},
            }
        }
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table, []):
                found[item["job_id"]["S"]] = {
                    "status": item["status"]["S"],
                    "finished_at": item.get("finished_at", {}).get("S"),
                    "throttled_waits": int(item.get("throttled_waits", {}).get("N", 0)),
                }
            request = answer.get("UnprocessedKeys") or {}
    return found


def load(
    jobs: int, concurrency: int, deployed: StackInfo | None = None, side: int = 256
) -> dict[str, Any]:
    """N jobs of side² PNG at concurrency C, to the end (bench_chain.load_rounds repeats it)."""
    job = {**JOB, "width": side, "height": side}
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    dynamodb, sqs = client("dynamodb", deployed.endpoint_url), client("sqs", deployed.endpoint_url)

    def submit(index: int) -> dict[str, Any]:
        sent = time.time()
        started = time.perf_counter()
        body = {**job, "seed": index}
        response = call("POST", f"{deployed.api_url}jobs", body, headers=_key(deployed), timeout=60)
        latency = time.perf_counter() - started
        job_id = response.json().get("job_id") if response.status == 202 else None
        return {"sent": sent, "latency_s": latency, "status": response.status, "job_id": job_id}

    _first_successful_call(deployed)  # the status function is warm, LocalStack answers
    deadline_s = 120 + jobs * 1.0
    with WorkerMemory(running_pid(Layout(ROOT))) as memory:
        started = time.time()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            submits = list(pool.map(submit, range(jobs)))
        submitted_s = time.time() - started
        accepted = {s["job_id"]: s for s in submits if s["job_id"]}
        finished: dict[str, dict[str, Any]] = {}
        while time.time() - started < deadline_s:
            open_jobs = {j for j in accepted if finished.get(j, {}).get("status") not in TERMINAL}
            if not open_jobs:
                break
            finished.update(read_jobs(dynamodb, deployed.table, open_jobs))
            if all(finished.get(j, {}).get("status") in TERMINAL for j in open_jobs):
                break
            time.sleep(READ_EVERY_S)
    succeeded = {j: f for j, f in finished.items() if f["status"] == "succeeded"}
    to_succeeded = [_epoch(f["finished_at"]) - accepted[j]["sent"] for j, f in succeeded.items()]
    last_finish = max((_epoch(f["finished_at"]) for f in succeeded.values()), default=started)
    dlq = sqs.get_queue_attributes(
        QueueUrl=deployed.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    return {
        "jobs": jobs,
        "concurrency": concurrency,
        "image": f"{side}x{side} png",
        "accepted": len(accepted),
        "rejected": jobs - len(accepted),
        "succeeded": len(succeeded),
        "failed": sum(1 for f in finished.values() if f["status"] == "failed"),
        "lost": jobs - len(succeeded),
        "dead_letter_messages": int(dlq),
        "submit_phase_s": submitted_s,
        "submit_latency_ms": {
            k: v * 1000 if k != "n" else v
            for k, v in summary([s["latency_s"] for s in submits], 95, 99).items()
        },
        "submit_to_succeeded_ms": {
            k: v * 1000 if k != "n" else v for k, v in summary(to_succeeded, 95, 99).items()
        },
        "completed_per_s": len(succeeded) / max(last_finish - started, 1e-9),
        "worker_processes": len(memory.peak_kib),
        "worker_peak_rss_mib": max(memory.peak_kib.values(), default=0) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--full", action="store_true", help="also time `make test`")
    parser.add_argument("--load-only", action="store_true", help="skip the developer loop")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    if not args.load_only:
        result["developer_loop"] = developer_loop()
    result["load"] = load(args.jobs, args.concurrency)
    if args.full:
        result["make_test"] = make_test()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
