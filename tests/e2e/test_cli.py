"""The `imagejobs` CLI against the session's deployed stack (it finds it in
.localstack/stack.json, as after `make up`): an upload, and edits saved to disk, chained."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from imagejobs_dev.stack import StackInfo
from tests.support.make import ROOT

CLI = str(ROOT / ".venv" / "bin" / "imagejobs")


def imagejobs(*argv: str) -> subprocess.CompletedProcess[str]:
    ran = subprocess.run([CLI, *argv], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran


def test_the_cli_uploads_and_edits_a_photo_and_chains_by_job_id(
    deployed: StackInfo, tmp_path: Path
) -> None:
    # Given a photo on disk: a disc on a plain backdrop
    photo = tmp_path / "photo.jpg"
    image = Image.new("RGB", (160, 120), (230, 230, 235))
    ImageDraw.Draw(image).ellipse((40, 30, 120, 90), fill=(30, 90, 200))
    image.save(photo, quality=95)

    # When it is uploaded, then the upload id alone is printed
    upload_id = imagejobs("upload", str(photo)).stdout.strip()
    assert re.fullmatch(r"up_[0-9a-f]{32}", upload_id)

    # When its background is removed from the file, waiting and saving, and the result is
    # then upscaled by its job id
    out = tmp_path / "out"
    cutout = imagejobs("edit", "remove-background", str(photo), "--wait", "--out", str(out))
    [cutout_path] = re.findall(r"^saved (.+)$", cutout.stdout, re.MULTILINE)
    job_id = Path(cutout_path).name.rsplit("-", 1)[0]
    bigger = imagejobs("edit", "upscale", job_id, "--mode", "fast", "--wait", "--out", str(out))
    [bigger_path] = re.findall(r"^saved (.+)$", bigger.stdout, re.MULTILINE)
    outpainted = imagejobs(
        "edit", "outpaint", upload_id, "--left", "40", "--wait", "--out", str(out)
    )
    [outpainted_path] = re.findall(r"^saved (.+)$", outpainted.stdout, re.MULTILINE)

    # Then each saved its result: the cut-out with alpha, four times larger, and wider by 40
    assert f"uploaded {photo}" in cutout.stderr
    with Image.open(cutout_path) as saved:
        assert (saved.format, saved.size, saved.mode) == ("PNG", (160, 120), "RGBA")
    with Image.open(bigger_path) as saved:
        assert (saved.size, saved.mode) == ((640, 480), "RGBA")
    with Image.open(outpainted_path) as saved:
        assert saved.size == (200, 120)
