"""`make gallery`: a contact sheet of what the built-in renderer draws, every style for a few
prompts, as one PNG.

    python -m imagejobs_dev.gallery [--out tests/golden/contact-sheet.png]

Rows are prompts, columns styles, all at one seed. The sheet is as reproducible as the renders
in it (Pillow's own default font, the engine's PNG encoder), so a unit test redraws it and
compares it with the committed file byte for byte: a change to the renderer shows up there,
and when it was meant, `make gallery` redraws the file to commit.
"""

from __future__ import annotations

import argparse
import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from imagejobs.engines.base import STYLES, JobParameters, Style
from imagejobs.engines.encoding import encode
from imagejobs.engines.pillow.engine import PillowRenderer

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "tests" / "golden" / "contact-sheet.png"

# A product, a landscape at sunset, a city at night, an animal, and words it does not know.
PROMPTS = (
    "a red perfume bottle",
    "mountains by a lake at sunset",
    "a city street at night with neon lights",
    "a ginger cat on a sofa",
    "bureaucratic quantum llama",
)
SEED = 7
TILE = 192  # small, so the unit test that redraws the sheet stays fast
GAP = 8
LABEL_WIDTH = 150
HEADER = 30
MARGIN = 12
PAPER = (244, 243, 240)
INK = (40, 40, 46)


def render_tile(prompt: str, style: Style) -> Image.Image:
    parameters = JobParameters(prompt=prompt, width=TILE, height=TILE, seed=SEED, style=style)
    (image,) = PillowRenderer().render(parameters, {})
    return Image.open(io.BytesIO(image.data)).convert("RGB")


def contact_sheet() -> Image.Image:
    """Style names along the top, prompts down the left, one render in each cell."""
    font = ImageFont.load_default(size=14)
    width = MARGIN * 2 + LABEL_WIDTH + len(STYLES) * (TILE + GAP) - GAP
    height = MARGIN * 2 + HEADER + len(PROMPTS) * (TILE + GAP) - GAP
    sheet = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    left, top = MARGIN + LABEL_WIDTH, MARGIN + HEADER
    for column, style in enumerate(STYLES):
        centre = left + column * (TILE + GAP) + TILE / 2
        draw.text((centre, MARGIN + HEADER / 2), style, fill=INK, font=font, anchor="mm")
    for row, prompt in enumerate(PROMPTS):
        y = top + row * (TILE + GAP)
        label = "\n".join(textwrap.wrap(prompt, width=18))
        draw.multiline_text(
            (MARGIN, y + TILE / 2), label, fill=INK, font=font, anchor="lm", spacing=4
        )
        for column, style in enumerate(STYLES):
            sheet.paste(render_tile(prompt, style), (left + column * (TILE + GAP), y))
    return sheet


def contact_sheet_png() -> bytes:
    return encode(contact_sheet(), "png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m imagejobs_dev.gallery", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--out", type=Path, default=SHEET, help="where the PNG goes (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(contact_sheet_png())
    print(args.out)


if __name__ == "__main__":
    main()
