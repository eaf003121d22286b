"""Fixtures of the consent tests: clinic X's consent form, and Chromium for the browser test.

The browser fixtures reuse tests/browser/conftest.py's launch settings but are
module-scoped: a re-exported session-scoped ``browser`` would start a second
sync Playwright in a pytest process that already runs tests/browser's one,
which Playwright refuses ("Sync API inside the asyncio loop").
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conftest import World
from keel.consent.models import ConsentTemplate
from keel.consent.services import consent_template_approve, consent_template_install_sample
from keel.consent.tests.factories import ALL_CONSENT_TOPICS
from tests.browser.conftest import CHROMIUM_ARGS, _chromium


@pytest.fixture
def template_v1(world: World) -> ConsentTemplate:
    """Keel's sample consent form in clinic X, approved by its clinic admin."""
    sample = consent_template_install_sample(clinic=world.clinic_x)
    return consent_template_approve(
        actor=world.actor("clinic_admin_x"), template=sample, topics=ALL_CONSENT_TOPICS
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium for one test module (skipped with a reason when absent)."""
    required = os.environ.get("KEEL_REQUIRE_BROWSER") == "1"
    executable = _chromium()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import Error, sync_playwright

    try:
        playwright = sync_playwright().start()
    except Error as exc:
        # tests/browser's session-wide Playwright already runs in this worker.
        message = f"another Playwright runs in this process; run `make test-browser` ({exc})"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh desktop-sized page (1280 wide) in its own browser context."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
