"""Browser tests: Playwright (sync API) driving Debian's Chromium against the live server.

Never a downloaded browser: Chromium is Debian's old headless shell,
/usr/bin/chromium-headless-shell (bin/test installs it; CHROMIUM=/usr/bin/chromium runs
the full browser instead). The shell is what Playwright itself runs for headless Chromium
(the same Blink, without the browser's user interface): the 28 browser tests took 126 s of
CPU with it against 216 s with the full browser in headless mode (one worker, load
average 2-4, 2026-12-01).
Mark every test here `@pytest.mark.browser`; ask for `page` (already pointed at the
live server, so `page.goto("/accounts/login/")` works) and log in with `login(page, username)`.

The live server needs transactional tests, which empty the database afterwards; after
each browser test the state every test starts from (migrations plus the seed documents)
is restored (`seeded_state` in tests/conftest.py), so later tests find the frameworks and
templates where they expect them.
When a browser test fails, a screenshot is saved to tests/output/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.conftest import PASSWORD

# Waits, not sleeps: how long an expectation may take on a loaded two-core machine (CI runs
# two test workers, each with its Chromium and print processes).
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# in a thread with a running loop unless told it is safe (it is: one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "output"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bin/test, which installs Debian's chromium-headless-shell.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's event loop runs, Django keeps this thread's database
        # connections in a separate (async) store; close them, or PostgreSQL refuses
        # to drop the test database at the end of the session.
        connections.close_all()


@pytest.fixture
def page(request, seeded_state, live_server, browser):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        page.screenshot(path=str(OUTPUT_DIR / f"{name}.png"), full_page=True)
    context.close()


def login(page, username: str, password: str = PASSWORD, next_url: str = "/") -> None:
    """Sign in through the login form, as a person would who first opened next_url."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("[type=submit]").click()
    page.wait_for_load_state()
