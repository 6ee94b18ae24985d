"""Edits on the web page, in a real browser (Debian's chromium, through Playwright) against the
stack on LocalStack, driven as a person would: a file chosen or dropped, a mask painted with
the mouse, the outpaint margins set on the preview, "Edit" on a finished image; then the
result's size and alpha, checked on the image the API serves. `make screenshot` keeps a
picture of the page after the erase (IMAGEJOBS_SCREENSHOT=<path.png>).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from imagejobs_dev.stack import StackInfo
from tests.support.browser import Tab
from tests.support.http import call

JOB_TIMEOUT_MS = 90_000
PHOTO = (300, 200)


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A red disc on a pale backdrop: a subject remove-background can find."""
    image = Image.new("RGB", PHOTO, (225, 225, 230))
    ImageDraw.Draw(image).ellipse((75, 50, 225, 150), fill=(200, 30, 30), outline=(40, 20, 20))
    path = tmp_path_factory.mktemp("photos") / "photo.png"
    image.save(path)
    return path


def ready(tab: Tab, deployed: StackInfo) -> Page:
    """The page with the stack's key accepted and its models listed."""
    tab.enter_accepted_key(deployed.api_key)
    expect(tab.page.locator("#task option[value='remove-background']")).to_have_count(1)
    return tab.page


def submitted(page: Page, deployed: StackInfo) -> dict[str, Any]:
    """Presses Generate; the POST /jobs body the page sent, once the page shows the new job
    (until then it still shows the job before, succeeded)."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url == deployed.api_url + "jobs"
    ) as answered:
        page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#job-parameters dd").first).to_have_text(answered.value.json()["job_id"])
    body: dict[str, Any] = answered.value.request.post_data_json
    return body


def finished_result(tab: Tab, deployed: StackInfo) -> tuple[dict[str, Any], Image.Image]:
    """Waits for the job on the page to succeed; the job (from the API) and its first image
    as the API serves it, which the page shows at its natural size."""
    page = tab.page
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const i = document.querySelector('#job-images img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    shown = page.locator("#job-images img").evaluate(
        "i => [i.naturalWidth, i.naturalHeight, i.src]"
    )
    job_id = page.locator("#job-parameters dd").first.text_content()
    job = call(
        "GET", f"{deployed.api_url}jobs/{job_id}", headers={"x-api-key": deployed.api_key}
    ).json()
    served = call("GET", shown[2], content_type=None)
    image = Image.open(io.BytesIO(served.body))
    image.load()
    assert list(image.size) == shown[:2]
    return job, image


def uploaded(aws: Any, deployed: StackInfo, image: dict[str, str]) -> bytes:
    """What S3 holds of an upload the page sent (its key: the tenant's, and the upload id)."""
    key = f"uploads/{deployed.api_key_id}/{image['upload_id']}"
    return aws("s3").get_object(Bucket=deployed.bucket, Key=key)["Body"].read()  # type: ignore[no-any-return]


def test_a_chosen_photo_with_a_painted_mask_is_erased_there_only(
    tab: Tab, deployed: StackInfo, aws: Any, photo: Path
) -> None:
    # Given the page, erase chosen, and a photo chosen from disk
    page = ready(tab, deployed)
    page.get_by_label("Task").select_option("erase")
    page.set_input_files("#image-file", photo)
    expect(page.locator("#image-hint")).to_have_text("photo.png, 300 \u00d7 200.")
    # When a stroke is painted with the mouse across the disc's middle, with a wide brush
    canvas = page.get_by_label("The mask: paint over what to change")
    expect(canvas).to_be_visible()
    page.get_by_label("Stroke width").fill("30")
    box = canvas.bounding_box()
    assert box is not None
    scale = box["width"] / PHOTO[0]
    y = box["y"] + 100 * scale
    page.mouse.move(box["x"] + 110 * scale, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 190 * scale, y, steps=8)
    page.mouse.up()
    body = submitted(page, deployed)

    # Then the photo and the mask went to S3 (the mask a PNG of the photo's size, white along
    # the stroke and black elsewhere), and the job names both uploads, and no prompt
    assert body["task"] == "erase"
    assert "prompt" not in body
    assert body["image"]["upload_id"] != body["mask"]["upload_id"]
    assert uploaded(aws, deployed, body["image"]) == photo.read_bytes()
    mask = Image.open(io.BytesIO(uploaded(aws, deployed, body["mask"])))
    assert (mask.format, mask.size) == ("PNG", PHOTO)
    mask = mask.convert("L")
    assert mask.getpixel((150, 100)) == 255
    assert mask.getpixel((150, 40)) == mask.getpixel((20, 100)) == 0

    # And the result is the photo's size, opaque, with the stroke's part changed and the rest
    # kept, shown after the photo it started from
    job, result = finished_result(tab, deployed)
    assert (job["parameters"]["mask"]["width"], job["parameters"]["mask"]["height"]) == PHOTO
    assert (result.size, result.mode) == (PHOTO, "RGB")
    original = Image.open(photo).convert("RGB")
    assert result.getpixel((150, 100)) != original.getpixel((150, 100))
    assert result.getpixel((20, 20)) == original.getpixel((20, 20))
    expect(page.locator("#job-before-caption")).to_have_text("Before: photo.png, 300 \u00d7 200")
    expect(page.locator("#job-images figcaption")).to_contain_text("After:")
    assert [m for m in tab.console if "Content Security Policy" in m] == []

    screenshot = os.environ.get("IMAGEJOBS_SCREENSHOT")  # `make screenshot`
    if screenshot:
        expect(page.locator("#job-before img")).to_be_visible()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshot, full_page=True)


def test_a_dropped_photo_loses_its_background_as_a_png_with_alpha(
    tab: Tab, deployed: StackInfo, photo: Path
) -> None:
    # Given the page with remove-background chosen: no prompt, no size, and no JPEG (it has
    # no transparency) are offered
    page = ready(tab, deployed)
    page.get_by_label("Task").select_option("remove-background")
    expect(page.locator("#prompt")).to_be_hidden()
    expect(page.get_by_label("Size")).to_be_hidden()
    expect(page.get_by_label("Images")).to_be_hidden()  # every seed gives the same one
    formats = (
        page.get_by_label("Format").locator("option").evaluate_all("os => os.map(o => o.value)")
    )
    assert "jpeg" not in formats

    # When the photo is dropped on the drop zone
    data = list(photo.read_bytes())
    transfer = page.evaluate_handle(
        """bytes => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "dropped.png", {type: "image/png"});
            transfer.items.add(file);
            return transfer;
        }""",
        data,
    )
    page.locator("#image-drop").dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.locator("#image-hint")).to_have_text("dropped.png, 300 \u00d7 200.")
    body = submitted(page, deployed)

    # Then the job's result has the photo's size and real alpha: clear backdrop, opaque disc
    assert body["task"] == "remove-background"
    _, result = finished_result(tab, deployed)
    assert (result.size, result.mode) == (PHOTO, "RGBA")
    assert result.getpixel((5, 5))[3] == 0
    assert result.getpixel((150, 100))[3] == 255


def test_a_finished_image_is_edited_by_reference_with_margins_set_on_the_preview(
    tab: Tab, deployed: StackInfo
) -> None:
    # Given a picture generated on the page
    page = ready(tab, deployed)
    page.get_by_label("Prompt", exact=True).fill("a sailing boat on a calm sea")
    page.get_by_label("Width (px)").fill("256")
    page.get_by_label("Height (px)").fill("192")
    submitted(page, deployed)
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    source_id = page.locator("#job-parameters dd").first.text_content()

    # When its "Edit" is pressed, outpaint chosen, and margins typed
    page.get_by_role("button", name="Edit image 1", exact=False).click()
    page.get_by_label("Task").select_option("outpaint")
    expect(page.locator("#image-hint")).to_have_text("Image 1 of the job, 256 \u00d7 192.")
    page.get_by_label("Left").fill("64")
    page.get_by_label("Bottom").fill("32")

    # Then the preview shows the canvas they make, the picture placed in it
    stage = page.locator("#stage")
    expect(stage).to_have_attribute("data-size", "320 \u00d7 224")
    expect(stage).to_have_class("stage extended")
    preview = page.locator("#preview").bounding_box()
    whole = stage.bounding_box()
    assert preview is not None
    assert whole is not None
    assert abs(preview["width"] / whole["width"] - 256 / 320) < 0.01
    assert abs((preview["x"] - whole["x"]) / whole["width"] - 64 / 320) < 0.01

    # When it is submitted, then the job names the image by its job, nothing was uploaded,
    # and the result is the picture plus the margins
    uploads_before = len([u for _, u, _ in tab.requests if u.endswith("/uploads")])
    body = submitted(page, deployed)
    assert body["image"] == {"job_id": source_id, "index": 0}
    assert (body["left"], body["down"], body["task"]) == (64, 32, "outpaint")
    assert len([u for _, u, _ in tab.requests if u.endswith("/uploads")]) == uploads_before
    _, result = finished_result(tab, deployed)
    assert result.size == (320, 224)
    expect(page.locator("#job-before img")).to_be_visible()


def test_a_file_that_is_no_image_is_refused_before_anything_is_sent(
    tab: Tab, deployed: StackInfo, tmp_path: Path
) -> None:
    page = ready(tab, deployed)
    page.get_by_label("Task").select_option("upscale")
    text = tmp_path / "notes.png"
    text.write_text("not a picture at all")
    page.set_input_files("#image-file", text)
    expect(page.locator("#image-error")).to_have_text("notes.png: not a PNG, JPEG or WebP image.")
    expect(page.locator("#editor")).to_be_hidden()
    assert [u for _, u, _ in tab.requests if u.endswith("/uploads")] == []


def test_each_task_shows_only_its_own_fields(tab: Tab, deployed: StackInfo) -> None:
    page = ready(tab, deployed)
    task = page.get_by_label("Task")
    # Text to image: a prompt and a size, no image
    task.select_option("text-to-image")
    expect(page.locator("#image-field")).to_be_hidden()
    expect(page.get_by_label("Size")).to_be_visible()
    # Upscale: an image and its mode, no prompt, no size, no margins
    task.select_option("upscale")
    expect(page.locator("#image-field")).to_be_visible()
    expect(page.get_by_label("Mode", exact=True)).to_have_value("fast")
    expect(page.locator("#prompt-field")).to_be_hidden()
    expect(page.locator("#size-field")).to_be_hidden()
    expect(page.locator("#margins")).to_be_hidden()
    # Search and recolor: what to select, and an optional prompt's colours
    task.select_option("search-and-recolor")
    expect(page.get_by_label("Select", exact=True)).to_be_visible()
    expect(page.get_by_label("Mode", exact=True)).to_have_count(0)
    # Image to image: its strength, with the model's range
    task.select_option("image-to-image")
    strength = page.get_by_label("Strength")
    expect(strength).to_have_attribute("min", "0")
    expect(strength).to_have_attribute("max", "1")
    expect(page.locator("#prompt-label")).to_have_text("Prompt")
    # Inpaint: a prompt it may take, and the mask tools once there is an image
    task.select_option("inpaint")
    expect(page.locator("#prompt-label")).to_have_text("Prompt (optional)")
    expect(page.get_by_label("Grow mask (px)")).to_be_visible()
