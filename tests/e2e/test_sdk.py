"""Waiting without polling, and the Python SDK installed on its own, on the deployed stack."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PIL import Image

from imagejobs_dev.stack_info import StackInfo
from tests.support.http import HttpResponse, call

SDK = Path(__file__).resolve().parents[2] / "clients" / "python"


def post_jobs(deployed: StackInfo, body: dict[str, object], prefer: str) -> HttpResponse:
    headers = {"x-api-key": deployed.api_key, "Prefer": prefer}
    return call("POST", deployed.api_url + "jobs", body, headers=headers, timeout=40)


def test_prefer_wait_answers_200_with_the_finished_job_and_a_downloadable_url(
    deployed: StackInfo,
) -> None:
    # Given a small job (256x256)
    body = {"prompt": "a red fox in the snow", "width": 256, "height": 256}

    # When it is submitted with Prefer: wait=20
    started = time.monotonic()
    response = post_jobs(deployed, body, "wait=20")
    print(f"POST /jobs with Prefer: wait=20 answered in {time.monotonic() - started:.1f} s")

    # Then the answer is the finished job, in one request, with an image that downloads
    assert response.status == 200, response.body
    job = response.json()
    assert response.headers["Preference-Applied"] == "wait=20"
    assert job["status"] == "succeeded", job["error"]
    picture = call("GET", job["images"][0]["url"], content_type=None)
    with Image.open(io.BytesIO(picture.body)) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))


def test_a_job_that_cannot_finish_in_time_answers_202(deployed: StackInfo) -> None:
    # Given a job far too large to render in a second (four 2048x2048 images)
    body = {"prompt": "a crowded harbour", "width": 2048, "height": 2048, "num_images": 4}

    # When it is submitted with Prefer: wait=1
    response = post_jobs(deployed, body, "wait=1")

    # Then the answer is the usual 202 with the job's Location, the job not yet finished
    assert response.status == 202, response.body
    job = response.json()
    assert job["status"] in {"queued", "running"}
    assert response.headers["Location"] == f"jobs/{job['job_id']}"
    # (The worker still renders it; cancel it so it does not hold up later tests.)
    call(
        "POST",
        deployed.api_url + f"jobs/{job['job_id']}/cancel",
        headers={"x-api-key": deployed.api_key},
    )


# Run by the fresh venv's Python: only the SDK (and what pip brought for it) is importable.
SCRIPT = textwrap.dedent(
    """
    import importlib.util, json, sys
    from pathlib import Path
    from imagejobs_client import Client, Conflict

    api_url, api_key, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    client = Client(api_url, api_key)
    job = client.jobs.create("a red fox", width=256, height=256, wait=20)
    saved = job.images[0].download(out / "fox.png") if job.images else None
    # One job a page, so that listing crosses pages; at most 50 of them.
    listed = [j.job_id for j, _ in zip(client.jobs.list(page_size=1), range(50))]
    # The models, the default at a ratio, and image-to-image from the fox's file.
    default = next(model for model in client.models.list() if model.default)
    wide = client.jobs.create("a harbour", model=default.id, aspect_ratio="16:9", wait=20)
    edited = client.jobs.create("the fox, in watercolour", image=saved, strength=0.6, wait=20)
    big = client.jobs.create("a crowded harbour", width=2048, height=2048, num_images=4)
    canceled = client.jobs.cancel(big.job_id)
    ended = client.jobs.wait(big.job_id, timeout=120)
    print(json.dumps({
        "status": job.status,
        "saved": str(saved),
        "listed": job.job_id in listed,
        "pages": len(listed),
        "canceled": [canceled.status, canceled.cancel_requested, ended.status],
        "wide": [wide.status, wide.parameters.model, wide.parameters.aspect_ratio,
                 [[image.width, image.height] for image in wide.images]],
        "edited": [edited.status, edited.parameters.task, edited.parameters.image.model_dump(),
                   [[image.width, image.height] for image in edited.images]],
        "service_importable": [
            name for name in ("imagejobs", "boto3", "aws_lambda_powertools")
            if importlib.util.find_spec(name)
        ],
    }))
    """
)


def test_the_sdk_installs_alone_and_creates_waits_downloads_lists_and_cancels(
    deployed: StackInfo, tmp_path: Path
) -> None:
    # Given the SDK installed into a fresh venv, alone (`pip install ./clients/python`; here
    # uv's, which `make setup` puts beside this interpreter, from its cache of wheels)
    venv = tmp_path / "venv"
    uv = str(Path(sys.executable).parent / "uv")
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    installed = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", python, str(SDK)],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    # When it creates "a red fox" with wait=20, downloads it, lists, names a model and a
    # ratio, starts a job from the fox's file, and cancels another job
    ran = subprocess.run(
        [python, "-c", SCRIPT, deployed.api_url, deployed.api_key, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout)

    # Then the job came back finished with an image that opened, it is listed (across pages,
    # one job each), the cancel took, and none of the service's dependencies came along
    assert result["status"] == "succeeded"
    with Image.open(result["saved"]) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
    assert result["listed"]
    assert result["pages"] >= 2
    status, cancel_requested, ended = result["canceled"]
    assert status == "canceled" or cancel_requested
    assert ended == "canceled"
    # And the default model drew 16:9, and image-to-image started from the fox's file
    status, model, ratio, [[width, height]] = result["wide"]
    assert (status, model, ratio) == ("succeeded", "pillow", "16:9")
    assert abs(width / height - 16 / 9) < 0.01
    status, task, started_from, sizes = result["edited"]
    assert (status, task, sizes) == ("succeeded", "image-to-image", [[256, 256]])
    assert started_from["size_bytes"] == Path(result["saved"]).stat().st_size
    assert result["service_importable"] == []
