"""In Chromium: a discharged session's page on a desk and on a phone.

The vitals chart labels its threshold lines at their ends where there is room and, on a phone,
names them in the legend instead (labels printed over each other were unreadable); the
monitoring schedule of a session that is over says "missed", not "overdue", and is not polled.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from keel.demo import data as demo
from keel.demo.services import demo_load
from keel.treatment.models import SessionState, TreatmentSession
from tests.browser.fixtures import axe_violations, screenshot
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _session_page(browser: Browser, base: str, viewport: dict[str, int], url: str) -> Page:
    page = browser.new_context(viewport=viewport, bypass_csp=False).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, "dana")
    page.goto(url)
    expect(page.locator("#vitals-chart .main-svg").first).to_be_visible()
    return page


def test_a_discharged_sessions_chart_and_schedule_read_well_on_a_desk_and_a_phone(
    browser: Browser, live_server: object
) -> None:
    demo_load()
    base = str(live_server)
    session = (
        TreatmentSession.objects.filter(state=SessionState.DISCHARGED, vitals__isnull=False)
        .order_by("pk")
        .first()
    )
    assert session is not None
    url = f"{base}/treatment/sessions/{session.pk}/"

    desk = _session_page(browser, base, DESK, url)
    labels = desk.locator("#vitals-chart .annotation-text")
    expect(labels.first).to_be_visible()
    texts = labels.all_text_contents()
    # One label per line height: the two systolic thresholds at 180 share one.
    assert any("Pause: systolic / Hypertensive urgency (systolic) 180" in t for t in texts), texts
    assert len(texts) == len(set(texts))
    expect(desk.get_by_text("Times are clinic time")).to_be_visible()
    schedule = desk.locator("#checkpoints-panel")
    expect(schedule).not_to_contain_text("overdue")
    expect(schedule).to_contain_text("done")
    assert desk.locator("#checkpoints-panel[hx-trigger]").count() == 0
    assert axe_violations(desk) == []
    desk.context.close()

    phone = _session_page(browser, base, PHONE, url)
    expect(phone.locator("#vitals-chart .annotation-text")).to_have_count(0)
    legend = phone.locator("#vitals-chart .legendtext")
    expect(legend.filter(has_text="Pause: systolic 180")).to_have_count(1)
    expect(legend.filter(has_text="Hypertensive urgency (systolic) 180")).to_have_count(1)
    expect(legend.filter(has_text="Systolic (mmHg)")).to_have_count(1)
    phone.locator("#vitals-chart").scroll_into_view_if_needed()
    found = axe_violations(phone)
    assert found == [], [(v["id"], [n["html"][:200] for n in v["nodes"]]) for v in found]
    screenshot(phone, "session-discharged-phone")
    phone.context.close()
