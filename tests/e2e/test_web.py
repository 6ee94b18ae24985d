"""The web page in a real browser (Debian's chromium, driven by Playwright) against the stack
deployed on LocalStack: the page, its calls and its pictures all come from the real API.

`make test` installs chromium with apt when it is missing (`make browser`). Set
IMAGEJOBS_SCREENSHOT=<path.png> to keep a screenshot of the page with a finished job.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.models.domain import GeneratedImage, JobStatus
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs_dev.stack_info import StackInfo
from tests.support.api_standin import models_body
from tests.support.http import call
from tests.support.jobs import NO_CAP, make_job
from tests.support.tenants import Tenant

CHROMIUM = "/usr/bin/chromium"
# No GPU, no sandbox (CI runs as root), and none of Chromium's own calls home: this
# machine's network refuses them, and a test must not depend on them.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Cold starts on a loaded 2-core machine dominate; a warm job takes well under a second.
JOB_TIMEOUT_MS = 90_000
PAGE_SIZE = 12  # what the page asks GET /jobs for
# What the page shows after an API call can wait for a Lambda cold start (seconds here).
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (make test does)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a new, empty user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


class Tab:
    """One tab on the page, recording the API calls it makes and any policy violation."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.console: list[str] = []
        page.on("request", lambda r: self.requests.append((r.method, r.url, r.headers)))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(message.text)

    def enter_key(self, key: str) -> None:
        self.page.get_by_label("API key").fill(key)
        self.page.get_by_role("button", name="Use key").click()
        self.listed()

    def show_history(self, status: str) -> None:
        """Filters the history by `status` and waits for its first page."""
        self.page.get_by_label("Show").select_option(status)
        self.listed()

    def listed(self) -> None:
        expect(self.page.locator("#history-list")).to_have_attribute("aria-busy", "false")

    def status(self) -> Any:
        return self.page.locator("#job-status")


@pytest.fixture
def tab(browser: BrowserContext, deployed: StackInfo) -> Iterator[Tab]:
    # A new tab has its own, empty sessionStorage: no key carries over between tests.
    page = browser.new_page()
    page.set_default_timeout(30_000)
    opened = Tab(page)
    response = page.goto(deployed.api_url)
    assert response is not None
    assert response.status == 200
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    yield opened
    page.close()


def store_job(stack: StackInfo, aws: Any, status: JobStatus, **kwargs: Any) -> str:
    """A job stored straight in the table, for states no API call produces on demand."""
    job_id = str(uuid.uuid4())
    DynamoJobRepository(stack.table, aws("dynamodb")).create(
        make_job(job_id, stack.api_key_id, status, **kwargs), open_limit=NO_CAP
    )
    return job_id


def test_a_prompt_typed_into_the_page_ends_as_its_picture(tab: Tab, deployed: StackInfo) -> None:
    page = tab.page
    # Given the page, with the stack's key entered
    tab.enter_key(deployed.api_key)
    expect(page.locator("#key-message")).to_contain_text("Key accepted")

    # When a prompt is submitted at a custom size with a fixed seed
    page.get_by_label("Prompt", exact=True).fill("a lighthouse on a cliff above a stormy sea")
    page.get_by_label("Width (px)").fill("480")
    page.get_by_label("Height (px)").fill("320")
    page.get_by_label("Seed").fill("7")
    page.evaluate(
        """() => {
            window.seen = [];
            const status = document.getElementById("job-status");
            new MutationObserver(() => {
                if (window.seen.at(-1) !== status.textContent) window.seen.push(status.textContent);
            }).observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="Generate", exact=True).click()

    # Then the job's state is shown live until it succeeds, with the time it took
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    seen = page.evaluate("window.seen")
    assert seen[0] == "queued", seen
    assert seen[-1] == "succeeded", seen
    assert set(seen) <= {"queued", "running", "succeeded"}
    expect(page.locator("#job-elapsed")).to_have_text(re.compile(r"^took \d+\.\d s$"))
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_hidden()
    # And the picture has loaded, at the size asked for, with the prompt as its alt text
    image = page.locator("#job-images img")
    expect(image).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('#job-images img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    natural = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert natural == [480, 320]
    expect(image).to_have_attribute("alt", "a lighthouse on a cliff above a stormy sea (seed 7)")
    caption = page.locator("#job-images figcaption")
    expect(caption).to_contain_text("Seed 7")
    download = caption.get_by_role("link", name=re.compile("Download"))
    assert download.get_attribute("href") == image.get_attribute("src")
    # And it is listed first among the tenant's jobs once finished
    expect(page.locator("#history-list li").first).to_contain_text(
        "a lighthouse on a cliff above a stormy sea"
    )

    # And the key stayed in this tab's sessionStorage only, and went only to the API routes
    storage = page.evaluate(
        "() => [Object.keys(sessionStorage), localStorage.length, document.cookie, location.href]"
    )
    assert storage == [["imagejobs.api-key"], 0, "", deployed.api_url]
    keyed = (deployed.api_url + "jobs", deployed.api_url + "models")
    api_calls = [(m, u, h) for m, u, h in tab.requests if u.startswith(keyed)]
    assert api_calls
    assert all(h.get("x-api-key") == deployed.api_key for _, _, h in api_calls)
    keyless = [u for _, u, h in tab.requests if "x-api-key" in h and not u.startswith(keyed)]
    assert keyless == []
    assert not any(deployed.api_key in u for _, u, _ in tab.requests)
    # And nothing broke the page's Content-Security-Policy
    assert [m for m in tab.console if "Content Security Policy" in m] == []

    screenshot = os.environ.get("IMAGEJOBS_SCREENSHOT")
    if screenshot:
        page.locator("#job").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshot, full_page=True)


def test_a_model_and_a_ratio_picked_on_the_page_are_the_jobs(tab: Tab, deployed: StackInfo) -> None:
    page = tab.page
    # Given the page with the key entered, and the models this deployment offers
    offered = call(
        "GET", deployed.api_url + "models", headers={"x-api-key": deployed.api_key}
    ).json()["models"]
    tab.enter_key(deployed.api_key)

    # Then the picker lists each of them, the default chosen, and only after the key was
    # accepted (GET /models needs it)
    picker = page.get_by_label("Model")
    expect(picker.locator("option")).to_have_count(len(offered))
    [default] = [model for model in offered if model["default"]]
    expect(picker).to_have_value(default["id"])
    models_calls = [h for _, u, h in tab.requests if u == deployed.api_url + "models"]
    assert [h.get("x-api-key") for h in models_calls] == [deployed.api_key]

    # When a model that draws any size is picked (on LocalStack, the built-in renderer), and
    # its 16:9 ratio instead of a size in pixels
    model = next(
        m for m in offered if m["parameters"]["side"] and "16:9" in m["parameters"]["aspect_ratios"]
    )
    picker.select_option(model["id"])
    size = page.get_by_label("Size")
    expect(size.locator("optgroup")).to_have_count(2)  # its ratios, and sizes in pixels
    size.select_option("ratio:16:9")

    # Then the page asks for no width or height, and says the model sizes the image
    expect(page.get_by_label("Width (px)")).to_be_hidden()
    expect(page.locator("#size-hint")).to_contain_text("chooses the size")

    # When a prompt is submitted
    page.get_by_label("Prompt", exact=True).fill("a harbour at dawn, wide")
    with page.expect_request(
        lambda r: r.method == "POST" and r.url == deployed.api_url + "jobs"
    ) as sent:
        page.get_by_role("button", name="Generate", exact=True).click()

    # Then the request named the model and the ratio, and no size
    body = sent.value.post_data_json
    assert (body["model"], body["aspect_ratio"]) == (model["id"], "16:9")
    assert "width" not in body
    assert "height" not in body
    # And the job shows its model, and its picture is 16:9, at the size it reports
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#job-model")).to_have_text(f"Model: {model['name']} ({model['id']})")
    expect(page.locator("#job-parameters")).to_contain_text("16:9")
    page.wait_for_function(
        "() => { const i = document.querySelector('#job-images img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    width, height = page.locator("#job-images img").evaluate(
        "i => [i.naturalWidth, i.naturalHeight]"
    )
    assert abs(width / height - 16 / 9) < 0.01, (width, height)
    expect(page.locator("#job-images figcaption")).to_contain_text(f"{width} \u00d7 {height}")


def test_the_picker_shows_each_models_own_shapes_limits_price_and_lifecycle(
    tab: Tab, deployed: StackInfo
) -> None:
    page = tab.page
    # Given GET /models answering as a deployment that offers every model of the catalogue,
    # Stable Image Core gone Legacy (the service's own answer, built by its code: the stack
    # on LocalStack offers what its samconfig says, and the page must take any list)
    core = "stability.stable-image-core-v1:1"
    legacy = ModelLifecycle(
        model_id=core, status=LifecycleStatus.LEGACY, end_of_life=date(2027, 6, 30)
    )
    answer = models_body(legacy)
    page.route(
        deployed.api_url + "models",
        lambda route: route.fulfill(status=200, json=answer),
    )
    tab.enter_key(deployed.api_key)
    picker = page.get_by_label("Model")
    expect(picker.locator("option")).to_have_count(len(answer["models"]))

    # When Stable Diffusion 3.5 Large is picked
    picker.select_option("stability.sd3-5-large-v1:0")

    # Then only its aspect ratios are offered, with no width, height or guidance, and its
    # price per image is shown, as not verified at the provider
    size = page.get_by_label("Size")
    ratios = size.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert ratios == [f"ratio:{r}" for r in answer["models"][1]["parameters"]["aspect_ratios"]]
    expect(size).to_have_value("ratio:1:1")
    expect(page.get_by_label("Width (px)")).to_be_hidden()
    expect(page.locator("#guidance-field")).to_be_hidden()
    expect(page.locator("#model-price")).to_have_text(
        re.compile(r"^\$0\.080 per image \(as of 2026-12-06, not verified at the provider\)$")
    )
    expect(page.locator("#model-lifecycle")).to_be_empty()

    # When Stable Image Core is picked, then it is marked legacy, with its end of life
    expect(picker.locator(f"option[value='{core}']")).to_have_text("Stable Image Core (legacy)")
    picker.select_option(core)
    expect(page.locator("#model-lifecycle")).to_have_text(
        "Legacy: it still works until 2027-06-30, then it is retired."
    )

    # When the built-in renderer is picked again, its sizes in pixels and guidance come back
    picker.select_option("pillow")
    expect(page.locator("#guidance-field")).to_be_visible()
    expect(page.locator("#model-price")).to_have_text("Free")
    size.select_option("512x512")
    expect(page.get_by_label("Width (px)")).to_have_value("512")


def test_a_value_the_api_refuses_is_shown_beside_its_field(tab: Tab, deployed: StackInfo) -> None:
    page = tab.page
    # Given a key and a width beyond the deployment's MaxImageSize
    tab.enter_key(deployed.api_key)
    expect(page.locator("#key-message")).to_contain_text("Key accepted")
    page.get_by_label("Prompt", exact=True).fill("a red fox in snow")
    page.get_by_label("Width (px)").fill("3000")

    # When it is submitted
    page.get_by_role("button", name="Generate", exact=True).click()

    # Then the API's 422 is shown next to the width, in words, and focus goes there
    error = page.locator("#width-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile(r"at most \d+"))
    width = page.get_by_label("Width (px)")
    expect(width).to_have_attribute("aria-invalid", "true")
    expect(width).to_be_focused()
    # And no other field is blamed, and no job was started
    expect(page.locator(".field .error:visible")).to_have_count(1)
    expect(page.locator("#job")).to_be_hidden()

    # When the width is corrected, its message goes away
    width.fill("256")
    expect(error).to_be_hidden()


def test_a_queued_job_can_be_canceled_from_the_page(
    tab: Tab, deployed: StackInfo, aws: Any
) -> None:
    page = tab.page
    # Given a queued job that no worker will pick up (it has no message)
    prompt = f"waiting forever {uuid.uuid4()}"
    job_id = store_job(deployed, aws, JobStatus.QUEUED, prompt=prompt, created_at=datetime.now(UTC))
    tab.enter_key(deployed.api_key)
    tab.show_history("queued")
    card = page.locator(f"#history-list li[data-job-id='{job_id}'] button")

    # When it is opened from the history and canceled
    card.click()
    expect(tab.status()).to_have_text("queued")
    expect(page.locator("#job-elapsed")).to_have_text(re.compile(r"^elapsed "))
    page.get_by_role("button", name="Cancel", exact=True).click()

    # Then it is canceled, says so, and can no longer be canceled
    expect(tab.status()).to_have_text("canceled")
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Generate again with this seed")).to_be_visible()


def test_the_history_pages_with_load_more_and_a_job_opens_and_generates_again(
    tab: Tab, deployed: StackInfo, aws: Any
) -> None:
    page = tab.page
    # Given more canceled jobs than one page holds, the newest last
    run = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    count = PAGE_SIZE + 3
    ids = [
        store_job(
            deployed,
            aws,
            JobStatus.CANCELED,
            prompt=f"history {run} #{n}",
            seed=1000 + n,
            created_at=now + timedelta(milliseconds=n),
        )
        for n in range(count)
    ]
    tab.enter_key(deployed.api_key)

    # When the history is filtered to canceled jobs
    tab.show_history("canceled")

    # Then one page is shown, newest first, and "load more" brings the rest in order
    cards = page.locator("#history-list li")
    expect(cards).to_have_count(PAGE_SIZE)
    load_more = page.get_by_role("button", name="Load more")
    for _ in range(20):  # bounded: other tests' canceled jobs may follow ours
        if not load_more.is_visible():
            break
        load_more.click()
        tab.listed()
    listed = cards.evaluate_all("items => items.map(i => i.dataset.jobId)")
    assert len(listed) == len(set(listed))
    ours = [job_id for job_id in listed if job_id in ids]
    assert ours == list(reversed(ids))
    assert listed[: len(ids)] == ours  # nothing newer than ours is canceled
    expect(load_more).to_be_hidden()
    statuses = cards.evaluate_all(
        "items => items.map(i => i.querySelector('.status').dataset.status)"
    )
    assert statuses == ["canceled"] * len(listed)

    # When the oldest of ours is opened
    page.locator(f"#history-list li[data-job-id='{ids[0]}'] button").click()

    # Then its parameters are shown
    details = page.locator("#job-parameters")
    expect(details).to_contain_text(f"history {run} #0")
    expect(details).to_contain_text("1000")

    # When it is generated again with its seed
    page.get_by_role("button", name="Generate again with this seed").click()

    # Then a new job runs with the same prompt and seed
    expect(page.locator("#job-parameters")).not_to_contain_text(ids[0])
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#job-images figcaption")).to_contain_text("Seed 1000")
    expect(page.locator("#job-images img")).to_have_attribute(
        "alt", f"history {run} #0 (seed 1000)"
    )


def test_expired_images_say_so_instead_of_a_broken_picture(
    tab: Tab, deployed: StackInfo, aws: Any, new_tenant: Callable[[], Tenant]
) -> None:
    page = tab.page
    # Given a succeeded job past its retention (its images are gone from the bucket), of a
    # tenant of its own: the default key's history holds whatever ran before (a bench's
    # hundreds of jobs), and this job would be its oldest
    tenant = new_tenant()
    created = datetime.now(UTC) - timedelta(days=8)
    job_id = str(uuid.uuid4())
    expired = make_job(
        job_id,
        tenant.key_id,
        JobStatus.SUCCEEDED,
        created_at=created,
        changes={
            "images": (
                GeneratedImage(
                    key=f"images/{job_id}/0.png", width=64, height=64, image_format="png", seed=1
                ),
            ),
            "finished_at": created + timedelta(seconds=1),
        },
        prompt=f"long gone {job_id}",
    )
    DynamoJobRepository(deployed.table, aws("dynamodb")).create(expired, open_limit=NO_CAP)

    # When its tenant lists its succeeded jobs
    tab.enter_key(tenant.key)
    tab.show_history("succeeded")
    card = page.locator(f"#history-list li[data-job-id='{job_id}']")

    # Then its card says it expired and shows no picture
    expect(card).to_contain_text("Expired")
    expect(card.locator("img")).to_have_count(0)

    # And opened, it says so too
    card.locator("button").click()
    expect(page.locator("#job-expired")).to_contain_text("expired")
    expect(page.locator("#job-images img")).to_have_count(0)


def test_a_wrong_key_gets_a_clear_message_and_no_data(tab: Tab, deployed: StackInfo) -> None:
    page = tab.page
    # When a key the API does not know is entered
    tab.enter_key("not-a-real-key-" + uuid.uuid4().hex)

    # Then the page says the key was refused, keeps no key, and shows no jobs
    message = page.locator("#key-message")
    expect(message).to_contain_text("refused this key")
    expect(message).to_have_attribute("data-kind", "error")
    expect(page.locator("#history-list li")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0

    # And a submit with that key still in the field is refused the same way, starting nothing
    page.get_by_label("Prompt", exact=True).fill("a cat")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(message).to_contain_text("refused this key")
    expect(page.locator("#job")).to_be_hidden()
    # And with the field emptied, the page asks for a key before trying
    page.get_by_label("API key").fill("")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(message).to_have_text("Enter your API key first.")
    expect(page.locator("#job")).to_be_hidden()


def test_a_key_pasted_but_not_confirmed_is_the_one_generate_uses(
    tab: Tab, deployed: StackInfo
) -> None:
    page = tab.page
    # Given a new visitor who pastes the key and never presses "Use key"
    page.get_by_label("API key").fill(deployed.api_key)

    # When they write a prompt and press Generate
    page.get_by_label("Prompt", exact=True).fill("a paper boat on a pond")
    page.get_by_label("Width (px)").fill("128")
    page.get_by_label("Height (px)").fill("128")
    page.get_by_role("button", name="Generate", exact=True).click()

    # Then the key is taken and the job runs to its picture
    expect(page.locator("#key-message")).to_contain_text("Key accepted")
    expect(tab.status()).to_have_text("succeeded", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#job-images img")).to_have_count(1)
    submits = [h for m, u, h in tab.requests if m == "POST" and u == deployed.api_url + "jobs"]
    assert [h.get("x-api-key") for h in submits] == [deployed.api_key]


def test_the_page_and_its_limits_need_no_key_but_the_jobs_do(deployed: StackInfo) -> None:
    # When the page, an asset, the limits and the job list are fetched with no key
    page = call("GET", deployed.api_url, content_type=None)
    script = call("GET", deployed.api_url + "assets/app.js", content_type=None)
    config = call("GET", deployed.api_url + "config", content_type=None)
    jobs = call("GET", deployed.api_url + "jobs", content_type=None)

    # Then API Gateway serves the first three and refuses the last
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert script.status == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert config.status == 200
    assert config.json()["side"]["max"] == 2048  # the template's default MaxImageSize
    assert jobs.status == 403
    # And a revalidation through API Gateway is a 304
    again = call(
        "GET",
        deployed.api_url + "assets/app.js",
        content_type=None,
        headers={"If-None-Match": script.headers["ETag"]},
    )
    assert again.status == 304


def test_the_stage_url_typed_without_its_slash_still_opens_the_page(
    browser: BrowserContext, deployed: StackInfo
) -> None:
    # When the stage's URL is opened without its trailing slash
    page = browser.new_page()
    page.goto(deployed.api_url.rstrip("/"))

    # Then the browser lands on the page itself, whose relative URLs then work
    expect(page).to_have_url(deployed.api_url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.close()


def test_the_docs_page_lets_a_user_paste_a_key_and_try_a_call(
    browser: BrowserContext, deployed: StackInfo
) -> None:
    # Given Swagger UI at /docs, behind the stage's prefix, opened with no key
    page = browser.new_page()
    calls: list[tuple[str, str, dict[str, str]]] = []
    page.on("request", lambda r: calls.append((r.method, r.url, r.headers)))
    try:
        page.goto(f"{deployed.api_url}docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("imagejobs")

        # When the user pastes the key in "Authorize" and tries GET /jobs
        page.get_by_role("button", name=re.compile("Authorize")).first.click()
        page.locator(".modal-ux input").fill(deployed.api_key)
        page.locator(".modal-ux button.modal-btn.authorize").click()  # "Apply credentials"
        page.locator(".modal-ux button.btn-done").click()
        operation = page.locator(".opblock-get", has=page.locator('[data-path="/jobs"]')).first
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.get_by_role("button", name="Execute").click()

        # Then the call went to this deployment's /jobs with the key, and answered 200
        expect(
            operation.locator(".live-responses-table tr.response .response-col_status")
        ).to_have_text("200")
        sent = [(url, headers) for method, url, headers in calls if method == "GET"]
        jobs_calls = [h for url, h in sent if url.split("?")[0] == f"{deployed.api_url}jobs"]
        assert jobs_calls, sent
        assert jobs_calls[-1].get("x-api-key") == deployed.api_key
    finally:
        page.close()
