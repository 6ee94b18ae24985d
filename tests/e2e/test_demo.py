"""`make demo`'s own command, and `make screenshot`, against the session's deployed stack.

Their prerequisite, `make up`, runs for real in tests/e2e/conftest.py; here `make demo`'s
command that follows it (the `imagejobs` client generating one image and saving it), and
`make screenshot` as it is, into a scratch file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from imagejobs_dev.stack_info import StackInfo
from tests.support.make import ROOT, command_of, make

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_make_demo_generates_an_image_and_saves_it(deployed: StackInfo, tmp_path: Path) -> None:
    # Given the deployed stack (its coordinates in .localstack/stack.json, where the client
    # finds them) and the command `make demo` runs after `make up`
    command = command_of("demo", "imagejobs generate")
    assert command[-2:] == ["--out", "out"]

    # When it runs, saving into a scratch folder instead of out/
    result = subprocess.run(
        [*command[:-1], str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240
    )

    # Then it saved the one image it asked for, at the size it asked for, and said where
    assert result.returncode == 0, result.stderr[-3000:]
    saved = sorted(tmp_path.iterdir())
    assert len(saved) == 1
    assert f"saved {saved[0]}" in result.stdout
    with Image.open(saved[0]) as image:
        assert (image.format, image.size) == ("PNG", (768, 512))


def test_make_screenshot_draws_the_page_with_a_finished_job(
    deployed: StackInfo, tmp_path: Path
) -> None:
    # Given the deployed stack, and a scratch file instead of the committed picture
    picture = tmp_path / "page.png"

    # When `make screenshot` runs into it
    result = make("screenshot", f"SCREENSHOT={picture}")

    # Then its browser test passed and drew a PNG picture there
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert picture.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(picture) as drawn:
        assert drawn.width > 0
        assert drawn.height > 0
    # and by default it redraws the picture the documentation shows
    default = make("-s", "--eval", "shown: ; @echo $(SCREENSHOT)", "shown").stdout.strip()
    documents = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    assert any(default in document.read_text() for document in documents)
