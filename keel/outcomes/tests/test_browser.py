"""In Chromium: the nurse's worklist (desktop and tablet) and the life chart drawn under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from conftest import World
from keel.accounts.tests.factories import TEST_PASSWORD
from keel.outcomes.tests.test_life_chart import _chart_patient
from tests.browser.fixtures import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def _watch_console(page: Page) -> list[str]:
    """Console errors and uncaught exceptions, except two known, harmless ones.

    Plotly tries to add its own <style> rules, which the CSP blocks on purpose
    (keel/static/keel/plotly-csp.css serves them instead); there is no favicon.
    """
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = str(message.location.get("url", ""))
        if "favicon" in source or (
            "inline style" in message.text and source.endswith("vendor/plotly/plotly.min.js")
        ):
            return
        problems.append(f"{page.url}: {message.text} ({source})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_worklist_and_life_chart(world: World, live_server: object, page: Page) -> None:
    base = str(live_server)
    _chart_patient(world)
    problems = _watch_console(page)
    _sign_in(page, base, "nurse_x")

    page.goto(f"{base}/outcomes/worklist/")
    row = page.locator(f'[data-patient-id="{world.patient_a.pk}"]')
    expect(row).to_contain_text("Zephyrine, Ainsley")
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("PHQ-9 item 9 at 2")
    assert not axe_violations(page)
    screenshot(page, "outcomes-worklist-1280")

    # Sorting swaps the table in place (htmx) and keeps the choice in the URL.
    page.get_by_label("Sort by").select_option("name")
    expect(page).to_have_url(f"{base}/outcomes/worklist/?population=active&sort=name&phase=")
    expect(row).to_contain_text("Zephyrine, Ainsley")

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
    page.reload()
    expect(page.locator('[data-testid="worklist-table"]')).to_be_visible()
    screenshot(page, "outcomes-worklist-tablet")
    page.set_viewport_size({"width": 1280, "height": 900})

    row.get_by_role("link", name="Zephyrine, Ainsley").click()
    expect(page.get_by_role("heading", name="Life chart: Ainsley Zephyrine")).to_be_visible()
    expect(page.get_by_test_id("outcome-summary")).to_contain_text(
        "PHQ-9 baseline 22 → latest 9: 59 % reduction, response; not in remission (≤ 4)."
    )
    # Plotly draws the chart from the JSON: an SVG with the traces appears.
    expect(page.locator("#life-chart .main-svg").first).to_be_attached()
    expect(page.locator("#life-chart .scatterlayer .trace").first).to_be_attached()
    assert not axe_violations(page)
    screenshot(page, "outcomes-life-chart")
    assert not problems, problems
