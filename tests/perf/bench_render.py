"""How the Pillow engine's cost grows with the picture: run `python -m tests.perf.bench_render`
(`make bench` runs it too, through `measure()`).

For each format and size it prints the median time to render and encode one image, that time
per megapixel, the same relative to the first (smallest) row of the format, and peak memory.
A flat ratio means linear growth; below 1 means a fixed per-image cost (the Python that places
the motifs) still weighs at that size. Not a test (pytest collects only test_*.py): timings
depend on the machine.

Then the same for each style preset (PNG, at 512² and 2048² by default): ms per megapixel at
each size and the ratio of the largest size's to the smallest's, which stays at or below 1
while a style's cost grows no faster than its pixels. `--styles-only` runs just that part:

    python -m tests.perf.bench_render --styles-only [--style-sizes 512 2048] [--repeat 3]

Then each edit of the built-in renderer (inpaint, erase, outpaint, remove-background, upscale,
search-and-recolor, control), on a product picture it rendered itself at 512² and 1024² by
default: ms per megapixel of the input at each size and the ratio of the largest size's to the
smallest's. `--edits-only` runs just that part:

    python -m tests.perf.bench_render --edits-only [--edit-sizes 512 1024] [--repeat 3]

Peak memory is measured once per row in a fresh, warmed-up interpreter, so one row's freed
buffers cannot hide the next one's. It comes in two columns because tracemalloc sees only
Python's allocator: Pillow's pixel buffers are malloc'ed in C and show up only in the peak
resident set (Linux only; "n/a" elsewhere).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from PIL import Image, ImageDraw

from imagejobs.engines.base import (
    IMAGE_FORMATS,
    STYLES,
    ImageFormat,
    InputImage,
    JobParameters,
    Style,
)
from imagejobs.engines.pillow.engine import PillowRenderer

SIZES = (256, 512, 1024, 2048)
STYLE_SIZES = (512, 2048)
# Up to 1024², the largest a x4 upscale takes (its result is 4096²).
EDIT_SIZES = (512, 1024)
# Each edit's parameters besides its image (and a mask, for those with "mask").
EDITS: dict[str, dict[str, Any]] = {
    "inpaint": {"prompt": "a yellow sun", "mask": True},
    "erase": {"mask": True},
    "outpaint": {"left": 0.25, "right": 0.25, "prompt": "a desert"},  # of the side
    "remove-background": {},
    "upscale": {"mode": "fast"},
    "search-and-recolor": {"prompt": "blue", "select_prompt": "red"},
    "control-sketch": {"prompt": "a forest"},
    "control-structure": {"prompt": "a city at night"},
}
EDITED_PICTURE = "a red bottle"
FORMATS: tuple[ImageFormat, ...] = IMAGE_FORMATS
# Many motifs at once: close to the most work one picture can take.
PROMPT = "red sunset over the ocean, mountains and a neon city with trees, flowers and a cat"

ROOT = Path(__file__).resolve().parents[2]
_PROC_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def main() -> None:
    args = _arguments()
    if args.measure_memory:
        image_format, side = args.measure_memory
        render = _render_call(args.prompt, cast(ImageFormat, image_format), int(side))
        print(json.dumps(_peak_memory(render)))
        return
    if not args.styles_only and not args.edits_only:
        rows = measure(args.sizes, args.repeat, args.prompt)
        print(f"prompt: {args.prompt!r}; median of {args.repeat} runs per row")
        print(table(rows))
    if not args.edits_only:
        style_rows = measure_styles(args.style_sizes, args.repeat, args.prompt)
        print(f"styles, png; median of {args.repeat} runs per size")
        print(styles_table(style_rows))
    if not args.styles_only:
        edit_rows = measure_edits(args.edit_sizes, args.repeat)
        print(f"edits, png; median of {args.repeat} runs per size; ms per MP of the input")
        print(edits_table(edit_rows))


def measure(
    sizes: Sequence[int] = SIZES, repeat: int = 3, prompt: str = PROMPT
) -> list[dict[str, Any]]:
    """One row per format and size: median ms, ms per megapixel, that against the format's
    first row, and peak memory (Python heap and resident set, in MiB)."""
    _render_call(prompt, "png", 64)()  # warm up: imports, first allocations
    rows: list[dict[str, Any]] = []
    for image_format in FORMATS:
        first_ms_per_mp: float | None = None
        for side in sizes:
            megapixels = side * side / 1e6
            median_ms = _median_ms(_render_call(prompt, image_format, side), repeat)
            ms_per_mp = median_ms / megapixels
            first_ms_per_mp = first_ms_per_mp or ms_per_mp
            memory = _peak_memory_in_fresh_process(prompt, image_format, side)
            rows.append(
                {
                    "format": image_format,
                    "side": side,
                    "megapixels": megapixels,
                    "median_ms": median_ms,
                    "ms_per_mp": ms_per_mp,
                    "vs_first": ms_per_mp / first_ms_per_mp,
                    "python_peak_mib": memory["python_mib"],
                    "rss_peak_mib": memory["rss_mib"],
                    "repeat": repeat,
                }
            )
    return rows


def measure_styles(
    sizes: Sequence[int] = STYLE_SIZES, repeat: int = 3, prompt: str = PROMPT
) -> list[dict[str, Any]]:
    """One row per style and size (PNG): median ms, ms per megapixel, and that against the
    style's first size."""
    rows: list[dict[str, Any]] = []
    for style in STYLES:
        _render_call(prompt, "png", 64, style)()  # warm up: the style module's import
        at = functools.partial(_render_call, prompt, "png", style=style)
        rows += _by_size({"style": style}, at, sizes, repeat)
    return rows


def measure_edits(sizes: Sequence[int] = EDIT_SIZES, repeat: int = 3) -> list[dict[str, Any]]:
    """One row per edit and size (PNG, a product picture of that side): median ms, ms per
    megapixel of the input, and that against the edit's first size."""
    rows: list[dict[str, Any]] = []
    for task in EDITS:
        _edit_call(task, 64)()  # warm up: the edits' import
        rows += _by_size({"task": task}, functools.partial(_edit_call, task), sizes, repeat)
    return rows


def _by_size(
    what: dict[str, str],
    call_at: Callable[[int], Callable[[], object]],
    sizes: Sequence[int],
    repeat: int,
) -> list[dict[str, Any]]:
    """`what` timed at each side: median ms, ms per megapixel, and that against the first."""
    rows: list[dict[str, Any]] = []
    first_ms_per_mp: float | None = None
    for side in sizes:
        median_ms = _median_ms(call_at(side), repeat)
        ms_per_mp = median_ms / (side * side / 1e6)
        first_ms_per_mp = first_ms_per_mp or ms_per_mp
        rows.append(
            {
                **what,
                "side": side,
                "median_ms": median_ms,
                "ms_per_mp": ms_per_mp,
                "vs_first": ms_per_mp / first_ms_per_mp,
                "repeat": repeat,
            }
        )
    return rows


def styles_table(rows: Sequence[dict[str, Any]]) -> str:
    """One line per style: ms and ms/MP at each size, then the last size's ms/MP over the
    first's."""
    return _by_size_table(rows, "style", 11)


def edits_table(rows: Sequence[dict[str, Any]]) -> str:
    """One line per edit: ms and ms/MP at each size, then the last size's ms/MP over the
    first's."""
    return _by_size_table(rows, "task", 19)


def _by_size_table(rows: Sequence[dict[str, Any]], key: str, width: int) -> str:
    sides = list(dict.fromkeys(row["side"] for row in rows))
    heading = "edit" if key == "task" else key
    header = f"{heading:<{width}}" + "".join(f" {f'{side}² ms':>10} {'ms/MP':>7}" for side in sides)
    lines = [header + f" {'ratio':>6}"]
    for name in dict.fromkeys(row[key] for row in rows):
        own = [row for row in rows if row[key] == name]
        cells = "".join(f" {row['median_ms']:>10.1f} {row['ms_per_mp']:>7.1f}" for row in own)
        lines.append(f"{name:<{width}}{cells} {own[-1]['vs_first']:>6.2f}")
    return "\n".join(lines)


def table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'format':<6} {'size':>9} {'MP':>5} {'median ms':>10} {'ms/MP':>8} "
        f"{'vs first':>8} {'py peak MiB':>11} {'rss peak MiB':>12}"
    ]
    for row in rows:
        rss = "n/a" if row["rss_peak_mib"] is None else f"{row['rss_peak_mib']:.1f}"
        size = f"{row['side']}x{row['side']}"
        lines.append(
            f"{row['format']:<6} {size:>9} {row['megapixels']:>5.2f} {row['median_ms']:>10.1f} "
            f"{row['ms_per_mp']:>8.1f} {row['vs_first']:>8.2f} "
            f"{row['python_peak_mib'] or 0.0:>11.1f} {rss:>12}"
        )
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per row (default 3)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="square sides")
    parser.add_argument("--prompt", default=PROMPT)
    parser.add_argument(
        "--style-sizes", type=int, nargs="+", default=list(STYLE_SIZES), help="square sides"
    )
    parser.add_argument("--styles-only", action="store_true", help="only the styles' table")
    parser.add_argument(
        "--edit-sizes", type=int, nargs="+", default=list(EDIT_SIZES), help="square sides"
    )
    parser.add_argument("--edits-only", action="store_true", help="only the edits' table")
    # Internal: measure one row's memory in this (fresh) process and print it as JSON.
    parser.add_argument("--measure-memory", nargs=2, metavar=("FORMAT", "SIDE"), help="internal")
    return parser.parse_args()


def _render_call(
    prompt: str, image_format: ImageFormat, side: int, style: Style = "none"
) -> Callable[[], object]:
    parameters = JobParameters(
        prompt=prompt,
        width=side,
        height=side,
        seed=1,
        image_format=image_format,
        style=style,
    )
    return functools.partial(PillowRenderer().render, parameters, {})


@functools.cache
def _edit_inputs(side: int) -> dict[str, bytes]:
    """A product picture the renderer drew at side x side, and a mask over its middle."""
    picture = (
        PillowRenderer()
        .render(
            JobParameters(
                prompt=EDITED_PICTURE, style="product_ad", width=side, height=side, seed=1
            ),
            {},
        )[0]
        .data
    )
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).ellipse((side // 3, side // 3, 2 * side // 3, 2 * side // 3), 255)
    buffer = io.BytesIO()
    mask.convert("RGB").save(buffer, format="PNG")
    return {"image": picture, "mask": buffer.getvalue()}


def _edit_call(task: str, side: int) -> Callable[[], object]:
    fields = dict(EDITS[task])
    inputs = _edit_inputs(side)
    if not fields.pop("mask", False):
        inputs = {"image": inputs["image"]}
    for margin in ("left", "right"):
        if margin in fields:
            fields[margin] = round(fields[margin] * side)
    records = {
        name: InputImage(
            key=f"inputs/bench/{name}.png", width=side, height=side, image_format="png"
        )
        for name in inputs
    }
    parameters = JobParameters.model_validate({"task": task, "seed": 1, **records, **fields})
    return functools.partial(PillowRenderer().render, parameters, inputs)


def _median_ms(render: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        render()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _peak_memory_in_fresh_process(
    prompt: str, image_format: ImageFormat, side: int
) -> dict[str, float | None]:
    command = [sys.executable, "-m", "tests.perf.bench_render", "--prompt", prompt]
    command += ["--measure-memory", image_format, str(side)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    memory: dict[str, float | None] = json.loads(result.stdout)
    return memory


def _peak_memory(render: Callable[[], object]) -> dict[str, float | None]:
    """Peak MiB above a warmed-up start: Python's heap (tracemalloc) and the process (RSS)."""
    _render_call(PROMPT, "png", 64)()  # warm up, so imports do not count
    rss_before = _reset_peak_rss()
    tracemalloc.start()
    try:
        render()
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_peak = _status_kib("VmHWM")
    rss_mib = None if rss_before is None or rss_peak is None else (rss_peak - rss_before) / 1024
    return {"python_mib": python_peak / 2**20, "rss_mib": rss_mib}


def _reset_peak_rss() -> int | None:
    """Reset the kernel's peak-RSS mark to the current RSS; that RSS in KiB, if supported."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return None
    return _status_kib("VmRSS")


def _status_kib(field: str) -> int | None:
    try:
        lines = _PROC_STATUS.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


if __name__ == "__main__":
    main()
