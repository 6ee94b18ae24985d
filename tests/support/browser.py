"""The browser the browser tests drive (Debian's chromium, through Playwright), and a tab on
the web page that records its calls; tests/e2e/conftest.py makes them fixtures."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

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

    def enter_accepted_key(self, key: str) -> None:
        """Enters a key the API accepts, and waits until the page says so."""
        self.enter_key(key)
        expect(self.page.locator("#key-message")).to_contain_text("Key accepted")

    def show_history(self, status: str) -> None:
        """Filters the history by `status` and waits for its first page."""
        self.page.get_by_label("Show").select_option(status)
        self.listed()

    def listed(self) -> None:
        expect(self.page.locator("#history-list")).to_have_attribute("aria-busy", "false")

    def status(self) -> Any:
        return self.page.locator("#job-status")
