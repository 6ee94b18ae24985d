"""`make demo`'s own command against the session's deployed stack.

Its prerequisite, `make up`, runs for real in tests/e2e/test_bench.py; here the command that
follows it: the `imagejobs` client generating one image and saving it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from imagejobs_dev.stack import StackInfo
from tests.support.make import ROOT, command_of


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
