"""Browser tests: Playwright on Debian's Chromium against live_server, with an axe check on every page visited."""

import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1200, "height": 900}}


@pytest.fixture
def no_js_page(browser, browser_context_args):
    """A page in a context with JavaScript switched off: every journey must work without it."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    _NO_JS_PAGES[page] = (browser, browser_context_args)
    yield page
    _NO_JS_PAGES.pop(page, None)
    context.close()


# Pages with JavaScript off, and how to open a JavaScript-enabled twin to run axe in: axe-core waits on timers,
# and timers never fire where JavaScript is off, so axe would wait for ever.
_NO_JS_PAGES: dict = {}


def _axe_violations(page) -> list:
    if page not in _NO_JS_PAGES:
        return _axe.run(page).response["violations"]
    browser, context_args = _NO_JS_PAGES[page]
    # The exact HTML the no-JS page shows, scripts removed, served at the same address so styles load the same.
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    twin_context = browser.new_context(**context_args)
    try:
        twin = twin_context.new_page()
        twin.route(page.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        twin.goto(page.url)
        return _axe.run(twin).response["violations"]
    finally:
        twin_context.close()


def assert_accessible(page, name: str | None = None) -> None:
    """Fail on any axe violation, and keep a screenshot of the page as an artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = name or re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[-1].lower()).strip("-")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = _axe_violations(page)
    summary = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"axe violations on {page.url}: {summary}"


def log_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


# The elements wider than the window, to say what makes a page scroll sideways.
_TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(element => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map(element => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
        + (element.className && typeof element.className === 'string' ? '.' + element.className.split(' ')[0] : ''))"""


def assert_no_sideways_scroll(page, name: str) -> None:
    """The page fits the window. Layout after a resize can lag on a loaded machine: allow it a moment to settle, then
    name what sticks out."""
    fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    # Polled from here: `wait_for_function` polls with an evaluated string, which the site's CSP (no 'unsafe-eval')
    # refuses whenever the page does not fit at once; `evaluate` is not subject to it.
    deadline = time.monotonic() + 3
    while not page.evaluate(fits) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert page.evaluate(fits), f"{name} scrolls sideways ({width} px wide): {page.evaluate(_TOO_WIDE)}"
