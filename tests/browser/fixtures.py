"""Playwright driving Debian's Chromium (never a downloaded browser): a pytest plugin.

Loaded once for the whole suite from the root ``conftest.py``, so every app's
browser tests share one sync Playwright per process (Playwright refuses two).

Without Chromium the tests are skipped with a visible reason, unless
KEEL_REQUIRE_BROWSER=1 (set by `make test-browser` in CI), where a missing
browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the live server and
# database fixtures are synchronous Django code (STACK-NOTES.md trap 1).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium() -> str | None:
    return next((path for path in CHROMIUM_CANDIDATES if os.access(path, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("KEEL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(
    page: object, *, impacts: frozenset[str] = frozenset({"serious", "critical"})
) -> list[dict[str, object]]:
    """Run axe-core in the page; return violations at the given impact levels."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `make setup` (npm installs axe-core)")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def screenshot(page: object, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ (for people to look at)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_out(page: object) -> None:
    """Click "Sign out" and wait for the sign-in page that confirms it.

    Going to another URL before the sign-out response arrives races it: the next request
    carries the session the sign-out is deleting, and Django answers it with a 400
    (SessionInterrupted) instead of the page the test expects.
    """
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def answer_scale(page: object, answers: list[int]) -> None:
    """Answer a portal scale in item order, pressing Next where one question shows at a time.

    On a phone the scale shows one question per screen (keel/static/keel/portal-steps.js);
    on a wide screen all of them, and Next is not there.
    """
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    following = page.get_by_role("button", name="Next", exact=True)
    for number, value in enumerate(answers, start=1):
        page.locator(f"label[for=id_item_{number}_{value}]").click()
        if number < len(answers) and following.is_visible():
            following.click()
