"""Browser tests: Debian's Chromium driven by Playwright against the portal on a live server.

The portal runs in pytest-django's live server (a thread on 127.0.0.1, static files found by the
finders). Tests using it are transactional: their data is flushed afterwards, so they take
`droppable_audit_log` and make their users again with `users`. Without /usr/bin/chromium or
Playwright they skip, except under PATEN_TEST_REQUIRE_SERVICES (CI), where that is a failure.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google, which this
# network refuses; the rest keep a headless run quiet and fast.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1}

# The live server listens on loopback only (pytest-django reads this when it starts the server).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str) -> None:
    if os.environ.get("PATEN_TEST_REQUIRE_SERVICES"):
        pytest.fail(f"browser tests required (PATEN_TEST_REQUIRE_SERVICES) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module (stopped after it, so no event loop outlives the module)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (requirements-dev.txt)")
    # Playwright's sync API keeps an event loop in this thread while it runs; Django would refuse
    # the tests' own ORM calls (and the flush after each test) without this.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def portal(browser: Any, live_server: Any, droppable_audit_log: Any, users: Any) -> Any:
    """The portal served on 127.0.0.1 with the demo users (pytest-django's live server thread)."""
    return live_server


@dataclass
class Watched:
    """A page, every response it saw and every Content-Security-Policy violation Chromium reported;
    a response of 500 or more, or a violation (an inline style or script, say), fails the test."""

    page: Any
    responses: list[tuple[int, str]] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def server_errors(self) -> list[tuple[int, str]]:
        return [(status, url) for status, url in self.responses if status >= 500]

    def console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")


def watch(page: Any) -> Watched:
    watched = Watched(page)
    page.on("response", lambda response: watched.responses.append((response.status, response.url)))
    page.on("console", watched.console)
    return watched


def _page(browser: Any, portal: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(base_url=portal.url, locale="id-ID", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watched = watch(page)
    try:
        yield page
    finally:
        context.close()
    assert not watched.server_errors(), f"server errors: {watched.server_errors()}"
    assert not watched.csp_violations, f"Content-Security-Policy violations: {watched.csp_violations}"


@pytest.fixture
def page_phone(browser: Any, portal: Any) -> Iterator[Any]:
    """A 360 x 740 touch phone."""
    yield from _page(browser, portal, PHONE)


@pytest.fixture
def page_desktop(browser: Any, portal: Any) -> Iterator[Any]:
    """A 1366 x 900 desktop."""
    yield from _page(browser, portal, DESKTOP)


def login(page: Any, username: str) -> Any:
    """Log in through /masuk/ as `username` (password tests.conftest.PASSWORD); returns the landing response."""
    page.goto("/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    return navigation.value


def shot(page: Any, name: str) -> Path:
    """Save the viewport as docs/screenshots/<name>.png, reduced to 256 colours to stay small."""
    from PIL import Image

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    image = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    image.convert("RGB").quantize(colors=256).save(path, optimize=True)
    return path


def assert_fits(page: Any) -> None:
    """No horizontal scrolling: the document is no wider than the viewport."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px wide in a {viewport}px viewport"


def assert_not_error_page(page: Any, response: Any) -> None:
    assert response is not None and response.status < 400, f"{page.url}: HTTP {response and response.status}"
    assert page.locator("h1").count() >= 1, f"{page.url} has no heading"
    body = page.inner_text("body")
    assert "Server Error" not in body and "Traceback" not in body


Visit = Callable[[Any, str], Any]


def visit(page: Any, path: str) -> Any:
    """Open `path`, check it is a real page that fits the viewport, return the response."""
    response = page.goto(path)
    assert_not_error_page(page, response)
    assert_fits(page)
    return response
