"""Images in, timed end to end on the deployed stack: a 1 MP photo uploaded with the presigned
POST to a finished fast upscale (x4: a 16 MP result), and the worker's peak memory for it.

Each round: `POST /uploads`, the file POSTed to S3, `POST /jobs` (upscale, fast) naming the
upload, then the job's item read until it is terminal (GetItem every 10 ms, as bench_chain's
idle job), timed from the client's first request to the `finished_at` the worker stored. One
uncounted round first starts the worker's environment, so the rounds are warm, as a busy worker
is. The worker's peak: each WorkerFunction environment's peak-RSS counter is reset before a
round (`/proc/<pid>/clear_refs`, 5: https://docs.kernel.org/admin-guide/mm/soft-dirty.html and
proc(5)) and read after it (VmHWM); the largest is the round's. That is the figure to size the
worker's MemorySize from (docs/performance.md, "Images in").

    python -m tests.perf.bench_images [--rounds 3] [--side 1024]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from imagejobs_dev.localstack import Layout, running_pid
from imagejobs_dev.stack import StackInfo, client, read_state
from tests.perf import bench_e2e
from tests.perf.stats import spread
from tests.support.http import call
from tests.support.uploads import offer, post_file

ROOT = Path(__file__).resolve().parents[2]
SIDE = 1024  # 1,048,576 pixels: the most a fast upscale takes (Stability's Fast Upscale)
READ_EVERY_S = 0.01
TIMEOUT_S = 180.0


def photo(side: int, seed: int = 7) -> bytes:
    """A photo-like JPEG of side x side: soft gradients, shapes and grain, so that the upscale
    sharpens real detail (a flat picture would flatter its cost and its file size)."""
    chance = random.Random(seed)  # noqa: S311 (a picture's grain, not a secret)
    image = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = chance.randrange(side), chance.randrange(side)
        radius = chance.randrange(side // 32 + 1, side // 6 + 2)
        colour = tuple(chance.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(max(1, side // 256)))
    grain = Image.effect_noise((side, side), 24).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _worker_pids() -> list[int]:
    """This LocalStack's WorkerFunction environments (bench_e2e.WorkerMemory's test)."""
    watcher = bench_e2e.WorkerMemory(running_pid(Layout(ROOT)))
    return list(watcher._workers())  # its own selection of processes


def _reset_peaks(pids: list[int]) -> bool:
    """Resets each process's VmHWM to its current RSS; False if the kernel would not."""
    done = True
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            done = False
    return done


def _peak_mib(pids: list[int]) -> float:
    peaks = [bench_e2e._status_kib(pid, "VmHWM") or 0 for pid in pids]
    return max(peaks, default=0) / 1024


def one_round(deployed: StackInfo, dynamodb: Any, data: bytes) -> dict[str, Any]:
    """One upload to a finished upscale: its times, its result's size, the worker's peak."""
    workers = _worker_pids()
    reset = _reset_peaks(workers)
    sent = time.time()
    started = time.perf_counter()
    offered = offer(deployed.api_url, deployed.api_key)
    posted = post_file(offered, data, "image/jpeg")
    if posted.status_code != 204:
        raise RuntimeError(f"S3 answered {posted.status_code}: {posted.text[:300]}")
    upload_ms = (time.perf_counter() - started) * 1000
    body = {"task": "upscale", "mode": "fast", "image": {"upload_id": offered["upload_id"]}}
    submitted = time.perf_counter()
    response = call(
        "POST", f"{deployed.api_url}jobs", body, headers={"x-api-key": deployed.api_key}, timeout=60
    )
    submit_ms = (time.perf_counter() - submitted) * 1000
    if response.status != 202:
        raise RuntimeError(f"submit answered {response.status}: {response.body[:300]!r}")
    job_id = response.json()["job_id"]
    while time.perf_counter() - started < TIMEOUT_S:
        item = dynamodb.get_item(TableName=deployed.table, Key={"job_id": {"S": job_id}})["Item"]
        status = item["status"]["S"]
        if status in bench_e2e.TERMINAL and "finished_at" in item:
            break
        time.sleep(READ_EVERY_S)
    else:
        raise RuntimeError(f"job {job_id} not terminal within {TIMEOUT_S:.0f} s")
    if status != "succeeded":
        raise RuntimeError(f"job {job_id} ended {status}: {item.get('error')}")
    finished = datetime.fromisoformat(item["finished_at"]["S"]).timestamp()
    job = call("GET", f"{deployed.api_url}jobs/{job_id}", headers={"x-api-key": deployed.api_key})
    [image] = job.json()["images"]
    workers = sorted(set(workers) | set(_worker_pids()))
    return {
        "upload_ms": upload_ms,
        "submit_ms": submit_ms,
        "total_ms": (finished - sent) * 1000,
        "result": [image["width"], image["height"]],
        "worker_peak_rss_mib": _peak_mib(workers),
        "peak_reset": reset,
    }


def run(rounds: int = 3, side: int = SIDE, deployed: StackInfo | None = None) -> dict[str, Any]:
    """`rounds` uploads to finished upscales of a side x side photo, after one uncounted."""
    deployed = deployed or read_state(ROOT)
    if deployed is None:
        raise RuntimeError("no stack: run `make up`")
    dynamodb = client("dynamodb", deployed.endpoint_url)
    data = photo(side)
    one_round(deployed, dynamodb, data)  # starts the worker's environment
    measured = [one_round(deployed, dynamodb, data) for _ in range(rounds)]
    return {
        "rounds": rounds,
        "input": {"side": side, "pixels": side * side, "format": "jpeg", "bytes": len(data)},
        "result": measured[-1]["result"],
        "upload_ms": spread([r["upload_ms"] for r in measured]),
        "submit_ms": spread([r["submit_ms"] for r in measured]),
        "upload_to_succeeded_ms": spread([r["total_ms"] for r in measured]),
        "worker_peak_rss_mib": spread([r["worker_peak_rss_mib"] for r in measured]),
        # False: the kernel kept each environment's lifetime peak (an upper bound).
        "peak_per_round": all(r["peak_reset"] for r in measured),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--side", type=int, default=SIDE)
    args = parser.parse_args()
    print(json.dumps(run(args.rounds, args.side), indent=2))


if __name__ == "__main__":
    main()
