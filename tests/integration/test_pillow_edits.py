"""The built-in renderer's edits, through `PillowRenderer.render` with the input images as submit
stores them (read, checked and normalised to PNG by `engines.inputs.read_input`): each output's
size, mode and alpha, what changes and what does not, the same bytes for the same seed, and the
refusals only the pixels can show; then a few jobs through the worker, on moto."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from imagejobs.engines.base import InputImage, JobParameters, RenderedImage
from imagejobs.engines.catalogue import BUILT_IN
from imagejobs.engines.inputs import read_input
from imagejobs.engines.pillow.engine import PillowRenderer
from imagejobs.engines.pillow.picture import paint_prompt
from imagejobs.engines.pillow.scene import compose
from imagejobs.exceptions import PermanentEngineError
from imagejobs.logic.worker import JobOutcome, image_key
from tests.support.worker import WORKER_JOB_ID, WorkerWorld

BACKDROP = (40, 90, 160)
SUBJECT = (220, 40, 40)
# Every task of the built-in renderer that edits, with what it needs besides its image.
EDITS: dict[str, dict[str, Any]] = {
    "inpaint": {"prompt": "a yellow sun", "mask": True},
    "erase": {"mask": True},
    "outpaint": {"left": 24, "down": 16, "prompt": "a desert"},
    "remove-background": {},
    "upscale": {"mode": "fast"},
    "search-and-recolor": {"prompt": "green", "select_prompt": "the red box"},
    "control-sketch": {"prompt": "a forest"},
    "control-structure": {"prompt": "a city at night"},
}


def stored(picture: Image.Image) -> bytes:
    """The PNG submit keeps for the worker (normalised to RGB or RGBA)."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return read_input(buffer.getvalue(), BUILT_IN.inputs).png  # type: ignore[arg-type]


def photo(width: int = 120, height: int = 90, mode: str = "RGB") -> Image.Image:
    """A red box (a quarter of each side in from the edges) in front of a blue backdrop that
    darkens downwards."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line((0, y, width, y), fill=tuple(c - 30 * y // height for c in BACKDROP))
    draw.rectangle(box(width, height), fill=SUBJECT)
    return image.convert(mode)


def box(width: int, height: int) -> tuple[int, int, int, int]:
    return width // 4, height // 4, 3 * width // 4 - 1, 3 * height // 4 - 1


def box_mask(width: int = 120, height: int = 90) -> Image.Image:
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rectangle(box(width, height), fill=255)
    return mask


def render(
    task: str, image: Image.Image, mask: Image.Image | None = None, **fields: Any
) -> list[RenderedImage]:
    inputs = {"image": stored(image)}
    records = {"image": record(image, "image")}
    if mask is not None:
        inputs["mask"] = stored(mask)
        records["mask"] = record(mask, "mask")
    parameters = JobParameters.model_validate({"task": task, "seed": 7, **records, **fields})
    return PillowRenderer().render(parameters, inputs)


def record(image: Image.Image, name: str) -> InputImage:
    return InputImage(
        key=f"inputs/job/{name}.png", width=image.width, height=image.height, image_format="png"
    )


def edited(
    task: str, image: Image.Image, mask: Image.Image | None = None, **fields: Any
) -> Image.Image:
    [result] = render(task, image, mask, **fields)
    decoded = Image.open(io.BytesIO(result.data))
    assert decoded.size == (result.width, result.height)
    return decoded


def difference(a: Image.Image, b: Image.Image, where: Image.Image | None = None) -> float:
    """Mean absolute per-channel difference of the RGB, 0 to 255, over `where` if given."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff, where).mean) / 3


def outside(mask: Image.Image, by: int = 0) -> Image.Image:
    """255 where a pixel is more than `by` pixels from the mask's white."""
    grown = mask
    if by:
        left, top, right, bottom = mask.getbbox() or (0, 0, 0, 0)
        grown = Image.new("L", mask.size, 0)
        ImageDraw.Draw(grown).rectangle((left - by, top - by, right - 1 + by, bottom - 1 + by), 255)
    return ImageChops.invert(grown)


def fields_of(task: str) -> tuple[dict[str, Any], Image.Image | None]:
    fields = dict(EDITS[task])
    return fields, box_mask() if fields.pop("mask", False) else None


# --------------------------------------------------------------------------- every edit


@pytest.mark.parametrize("task", EDITS)
def test_each_edit_gives_the_same_bytes_for_the_same_seed(task: str) -> None:
    # Given one edit job
    fields, mask = fields_of(task)

    # When it is rendered twice
    first = render(task, photo(), mask, **fields)
    second = render(task, photo(), mask, **fields)

    # Then the bytes are identical
    assert first[0].data == second[0].data


@pytest.mark.parametrize("task", ["inpaint", "outpaint", "control-sketch", "control-structure"])
def test_an_edit_that_paints_the_prompt_differs_with_the_seed(task: str) -> None:
    fields, mask = fields_of(task)
    first = edited(task, photo(), mask, **{**fields, "seed": 1})
    second = edited(task, photo(), mask, **{**fields, "seed": 2})
    assert difference(first, second) > 0.5


@pytest.mark.parametrize("task", EDITS)
def test_each_image_of_a_job_has_its_own_seed(task: str) -> None:
    fields, mask = fields_of(task)
    images = render(task, photo(), mask, num_images=2, **fields)
    assert [image.seed for image in images] == [7, 8]


SIZES = {
    "inpaint": (120, 90),
    "erase": (120, 90),
    "outpaint": (120 + 24, 90 + 16),
    "remove-background": (120, 90),
    "upscale": (480, 360),
    "search-and-recolor": (120, 90),
    "control-sketch": (120, 90),
    "control-structure": (120, 90),
}
FORMATS = {"png": "PNG", "webp": "WEBP", "jpeg": "JPEG"}


@pytest.mark.parametrize(
    ("task", "image_format"),
    # Submit refuses jpeg for remove-background: it cannot carry the alpha.
    [(t, f) for t in EDITS for f in FORMATS if (t, f) != ("remove-background", "jpeg")],
)
def test_each_edit_has_its_documented_size_in_the_format_asked(
    task: str, image_format: str
) -> None:
    fields, mask = fields_of(task)
    result = edited(task, photo(), mask, image_format=image_format, **fields)
    assert result.size == SIZES[task]
    assert result.format == FORMATS[image_format]


# --------------------------------------------------------------------------- inpaint, erase


@pytest.mark.parametrize("task", ["inpaint", "erase"])
@pytest.mark.parametrize("grow_mask", [0, 6])
def test_only_the_masked_region_grown_by_grow_mask_changes(task: str, grow_mask: int) -> None:
    # Given a photo and a mask over its red box
    fields, mask = fields_of(task)
    assert mask is not None

    # When the region is inpainted or erased
    result = edited(task, photo(), mask, grow_mask=grow_mask, **fields)

    # Then every pixel beyond the mask grown by grow_mask is exactly as it was
    assert difference(result, photo(), outside(mask, grow_mask)) == 0
    # And the masked region changed throughout
    assert difference(result, photo(), mask) > 40
    # And the ring just inside the growth changed too, when the mask grows
    if grow_mask:
        ring = ImageChops.subtract(ImageChops.invert(outside(mask, grow_mask - 1)), mask)
        assert difference(result, photo(), ring) > 0


def test_erase_fills_the_region_from_its_surroundings() -> None:
    # Given the red box masked on the blue backdrop
    # When it is erased
    result = edited("erase", photo(), box_mask(), grow_mask=2).convert("RGB")

    # Then the box is gone: its region has the backdrop's colour, shading downwards as it does
    region = box_mask()
    red, _green, blue = ImageStat.Stat(result, region).mean
    assert blue > red + 60
    assert abs(red - BACKDROP[0] + 15) < 20
    _left, top, _right, bottom = box(120, 90)
    assert sum(result.getpixel((60, top + 2))) > sum(result.getpixel((60, bottom - 2)))  # type: ignore[arg-type]


def test_inpaint_lays_the_prompts_picture_into_the_region() -> None:
    # Given the same region erased, and inpainted with a prompt
    erased = edited("erase", photo(), box_mask(), grow_mask=0)
    inpainted = edited("inpaint", photo(), box_mask(), grow_mask=0, prompt="a yellow sun")

    # Then the inpainted region is the prompt's yellow picture, not the fill
    assert difference(erased, inpainted, box_mask()) > 30
    red, green, blue = ImageStat.Stat(inpainted.convert("RGB"), box_mask()).mean
    assert red > blue
    assert green > blue


def test_without_a_mask_the_images_transparency_is_the_region_and_comes_out_opaque() -> None:
    # Given an RGBA photo whose red box is transparent, and no mask
    image = photo(mode="RGBA")
    image.putalpha(ImageChops.invert(box_mask()))

    # When it is erased
    result = edited("erase", image, grow_mask=0)

    # Then the box is filled and opaque, and everything else is as it was, alpha included
    assert result.mode == "RGBA"
    assert result.getchannel("A").getextrema() == (255, 255)
    assert difference(result, image, box_mask()) > 40
    assert ImageChops.difference(result, image).crop(box(120, 90)).getbbox() is not None
    untouched = outside(box_mask())
    assert difference(result, image, untouched) == 0
    assert ImageStat.Stat(ImageChops.difference(result, image).getchannel("A"), untouched).extrema[
        0
    ] == (0, 0)


@pytest.mark.parametrize(
    ("image", "mask", "words"),
    [
        (photo(), None, "give a mask"),
        (photo(), Image.new("L", (120, 90), 0), "black everywhere"),
        (photo(), Image.new("L", (120, 90), 255), "nothing to fill from"),
    ],
    ids=["no mask and no transparency", "a black mask", "a mask over everything"],
)
def test_an_erase_with_nothing_to_change_or_to_fill_from_fails_saying_why(
    image: Image.Image, mask: Image.Image | None, words: str
) -> None:
    with pytest.raises(PermanentEngineError) as failed:
        render("erase", image, mask)
    assert words in str(failed.value)


# --------------------------------------------------------------------------- outpaint


def test_outpaint_keeps_the_image_where_the_margins_put_it_and_fills_them() -> None:
    # Given a photo and margins on every side
    margins: dict[str, Any] = {"left": 30, "right": 10, "up": 20, "down": 40}

    # When it is outpainted without a prompt
    result = edited("outpaint", photo(), **margins).convert("RGB")

    # Then the photo sits unchanged at (left, up) of a canvas that much larger
    assert result.size == (120 + 40, 90 + 60)
    inner = result.crop((30, 20, 150, 110))
    assert difference(inner, photo()) == 0
    # And the margins continue it: the column next to its left edge mirrors that edge
    assert difference(result.crop((29, 20, 30, 110)), photo().crop((0, 0, 1, 90))) < 2
    # And nothing of them is left empty: their colours are the backdrop's
    left_margin = ImageStat.Stat(result.crop((0, 0, 30, 150))).mean
    assert left_margin[2] > left_margin[0] + 60


def test_outpaint_with_a_prompt_paints_it_beyond_the_near_margin() -> None:
    plain = edited("outpaint", photo(), left=60)
    painted = edited("outpaint", photo(), left=60, prompt="a yellow desert")
    far = Image.new("L", plain.size, 0)
    far.paste(255, (0, 0, 20, plain.height))
    assert difference(plain, painted, far) > 30
    assert difference(plain.crop((60, 0, 180, 90)), painted.crop((60, 0, 180, 90))) == 0


def test_a_margin_wider_than_the_image_is_filled_too() -> None:
    result = edited("outpaint", photo(80, 64), right=200, up=150)
    assert result.size == (280, 214)
    assert ImageStat.Stat(result.convert("L")).extrema[0][1] > 0


# --------------------------------------------------------------------------- remove-background


@pytest.mark.parametrize("image_format", ["png", "webp"])
def test_remove_background_gives_real_alpha(image_format: str) -> None:
    # Given a red box in front of a shaded blue backdrop
    # When its background is removed
    result = edited("remove-background", photo(160, 120), image_format=image_format)

    # Then the result has alpha: the backdrop transparent, the box opaque
    assert result.mode == "RGBA"
    alpha = result.getchannel("A")
    left, top, right, bottom = box(160, 120)
    assert alpha.crop((left + 3, top + 3, right - 3, bottom - 3)).getextrema() == (255, 255)
    backdrop = outside(box_mask(160, 120), 3)
    assert ImageStat.Stat(alpha, backdrop).extrema[0][1] == 0
    # And the box's colours are kept (WebP is lossy)
    assert math.dist(result.convert("RGB").getpixel((80, 60)), SUBJECT) < 4  # type: ignore[arg-type]


def test_remove_background_keeps_a_subject_that_touches_the_border() -> None:
    # Given a figure standing on the bottom edge, in front of a gradient with grain
    image = photo(160, 120)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 159, 119), fill=(230, 230, 210))
    draw.rounded_rectangle((60, 50, 100, 119), 12, fill=(30, 120, 60))
    draw.ellipse((66, 20, 94, 48), fill=(230, 180, 140))

    # When its background is removed
    alpha = edited("remove-background", image).getchannel("A")

    # Then the figure, head included, is opaque, down to the edge, and the backdrop clear
    assert [alpha.getpixel(point) for point in ((80, 115), (80, 34), (80, 70))] == [255] * 3
    assert [alpha.getpixel(point) for point in ((10, 10), (150, 110), (30, 115))] == [0] * 3


def test_a_hole_of_background_inside_the_subject_stays_transparent() -> None:
    image = photo(160, 120)
    ImageDraw.Draw(image).ellipse((68, 48, 92, 72), fill=BACKDROP)
    alpha = edited("remove-background", image).getchannel("A")
    assert alpha.getpixel((80, 60)) == 0
    assert alpha.getpixel((50, 40)) == 255


def test_an_image_with_nothing_but_background_fails_saying_so() -> None:
    with pytest.raises(PermanentEngineError) as failed:
        render("remove-background", Image.new("RGB", (96, 96), BACKDROP))
    assert "found no subject" in str(failed.value)


# --------------------------------------------------------------------------- upscale


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_upscale_is_four_times_larger_sharpened_and_keeps_its_alpha(mode: str) -> None:
    # Given a photo (with transparency, for RGBA)
    image = photo(mode=mode)
    if mode == "RGBA":
        image.putalpha(box_mask().point(lambda v: max(v, 64)))

    # When it is upscaled
    result = edited("upscale", image)

    # Then it is 4 times as wide and as tall, with its transparency
    assert result.size == (480, 360)
    assert result.mode == mode
    resampled = image.resize((480, 360), Image.Resampling.LANCZOS)
    if mode == "RGBA":
        assert (
            difference(
                result.getchannel("A").convert("RGB"), resampled.getchannel("A").convert("RGB")
            )
            == 0
        )
    # And it is the resampled image sharpened: close to it, with steeper edges
    assert 0 < difference(result, resampled) < 8
    edge = (0, 0, 480, 360)
    assert (
        ImageStat.Stat(result.convert("L").crop(edge)).stddev[0]
        > ImageStat.Stat(resampled.convert("L").crop(edge)).stddev[0]
    )


# --------------------------------------------------------------------------- recolor


def test_recolor_gives_the_named_colours_region_the_prompts_colour_and_nothing_else() -> None:
    # Given the red box on blue, shaded from light at the top to dark at the bottom
    image = photo()
    left, top, right, bottom = box(120, 90)
    draw = ImageDraw.Draw(image)
    for y in range(top, bottom + 1):
        draw.line((left, y, right, y), fill=(230 - 2 * (y - top), 40, 40))

    # When the red is recoloured green, with no growth
    result = edited(
        "search-and-recolor", image, prompt="green", select_prompt="red", grow_mask=0
    ).convert("RGB")

    # Then the box is green, still light at the top and dark at the bottom
    red, green, blue = ImageStat.Stat(result, box_mask()).mean
    assert green > red + 60
    assert green > blue + 60
    assert sum(result.getpixel((60, top + 1))) > sum(result.getpixel((60, bottom - 1)))  # type: ignore[arg-type]
    # And the backdrop is exactly as it was
    assert difference(result, image, outside(box_mask(), 3)) == 0


def test_recolor_without_a_colour_word_in_the_prompt_takes_the_colour_its_words_bring() -> None:
    result = edited("search-and-recolor", photo(), prompt="the ocean", select_prompt="red")
    red, green, blue = ImageStat.Stat(result.convert("RGB"), box_mask()).mean
    assert blue > red
    assert green > red


def test_recolor_of_a_colour_the_image_does_not_have_fails_saying_so() -> None:
    with pytest.raises(PermanentEngineError) as failed:
        render("search-and-recolor", photo(), prompt="blue", select_prompt="the yellow hat")
    assert "nothing yellow" in str(failed.value)


# --------------------------------------------------------------------------- control


def sketch() -> Image.Image:
    image = Image.new("RGB", (120, 90), "white")
    ImageDraw.Draw(image).polygon((20, 80, 60, 10, 100, 80), outline="black", width=3)
    return image


@pytest.mark.parametrize("task", ["control-sketch", "control-structure"])
def test_control_draws_the_prompts_picture_darker_along_the_inputs_lines(task: str) -> None:
    # Given a line drawing, and the prompt's own picture at its size
    prompt = "a snowy mountain"
    picture = paint_prompt(
        JobParameters(prompt=prompt, seed=7), compose(prompt), (120, 90), 7
    ).convert("RGB")
    lines = ImageChops.invert(sketch().convert("L")).point(lambda v: 255 if v > 128 else 0)

    # When the picture is drawn under control of the drawing
    result = edited(task, sketch(), prompt=prompt, control_strength=1.0).convert("L")

    # Then along the lines it is much darker than the picture there
    assert (
        ImageStat.Stat(result, lines).mean[0]
        < ImageStat.Stat(picture.convert("L"), lines).mean[0] - 40
    )


def test_control_at_strength_zero_is_the_prompts_picture_alone() -> None:
    prompt = "a snowy mountain"
    picture = paint_prompt(JobParameters(prompt=prompt, seed=7), compose(prompt), (120, 90), 7)
    result = edited("control-sketch", sketch(), prompt=prompt, control_strength=0.0)
    assert difference(result, picture) == 0


def test_control_structure_takes_the_inputs_light_and_shade() -> None:
    # Given an input dark on the left and light on the right
    image = Image.new("RGB", (120, 90), "black")
    image.paste((250, 250, 250), (60, 0, 120, 90))

    # When it controls a picture
    result = edited("control-structure", image, prompt="a green meadow", control_strength=1.0)

    # Then the picture is darker on the left than on the right
    grey = result.convert("L")
    assert (
        ImageStat.Stat(grey.crop((0, 0, 50, 90))).mean[0]
        < ImageStat.Stat(grey.crop((70, 0, 120, 90))).mean[0] - 40
    )


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("task", ["search-and-replace", "style-guide", "style-transfer"])
def test_a_task_the_built_in_renderer_cannot_do_fails_if_a_stored_job_brings_it(task: str) -> None:
    with pytest.raises(PermanentEngineError) as failed:
        render(task, photo(), prompt="a glass")
    assert task in str(failed.value)


# --------------------------------------------------------------------------- through the worker


def queue_edit(world: WorkerWorld, image: InputImage, **fields: Any) -> None:
    """A queued job of the built-in renderer that edits `image`, one image of it."""
    world.add_job(
        engine="pillow", model="pillow", prompt=None, width=None, height=None, guidance=None,
        num_images=1, image=image, **fields,
    )  # fmt: skip


def test_a_remove_background_job_with_an_uploaded_image_runs_through_the_worker(
    world: WorkerWorld,
) -> None:
    # Given a queued remove-background job whose upload submit kept in the bucket as a PNG
    image = photo(160, 120)
    key = f"inputs/{WORKER_JOB_ID}/image.png"
    world.images.put(key, stored(image), "image/png")
    upload = record(image, "image").model_copy(update={"key": key, "source": "upload"})
    queue_edit(world, upload, task="remove-background", image_format="webp")

    # When the worker renders it with the built-in renderer
    outcome = world.run(PillowRenderer())

    # Then the job succeeded with one WebP of the input's size, the background transparent
    assert outcome is JobOutcome.SUCCEEDED
    [recorded] = world.job().images
    assert (recorded.width, recorded.height) == (160, 120)
    stored_image = Image.open(io.BytesIO(world.stored(image_key(WORKER_JOB_ID, 0, "webp"))))
    assert stored_image.mode == "RGBA"
    assert stored_image.getchannel("A").getextrema() == (0, 255)


def test_an_upscale_of_another_jobs_image_runs_through_the_worker(world: WorkerWorld) -> None:
    # Given a finished job's PNG in the bucket, and a queued upscale that names it
    source_key = "images/11111111-2222-4333-8444-555555555555/0.png"
    world.images.put(source_key, stored(photo()), "image/png")
    chained = InputImage(
        source="job", key=source_key, width=120, height=90, image_format="png",
        job_id="11111111-2222-4333-8444-555555555555", index=0,
    )  # fmt: skip
    queue_edit(world, chained, task="upscale", mode="fast", image_format="png")

    # When the worker renders it
    outcome = world.run(PillowRenderer())

    # Then the job's image is the source four times as wide and as tall
    assert outcome is JobOutcome.SUCCEEDED
    [recorded] = world.job().images
    assert (recorded.width, recorded.height) == (480, 360)
    assert Image.open(io.BytesIO(world.stored(recorded.key))).size == (480, 360)


def test_an_edit_the_pixels_make_impossible_fails_the_job_at_once_saying_why(
    world: WorkerWorld,
) -> None:
    # Given a queued erase of an image with no transparency and no mask
    key = f"inputs/{WORKER_JOB_ID}/image.png"
    world.images.put(key, stored(photo()), "image/png")
    queue_edit(world, record(photo(), "image").model_copy(update={"key": key}), task="erase")

    # When the worker renders it, on its first receive
    outcome = world.run(PillowRenderer(), receive_count=1)

    # Then the job failed for good, and its error says what to give
    assert outcome is JobOutcome.FAILED
    error = world.job().error
    assert error is not None
    assert "give a mask" in error.message
