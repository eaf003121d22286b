"""End to end in Chromium, on the full demo: check-ins, alerts, the worklist, the psychiatrist.

1. Alex, on a phone, fills in today's diary and a PHQ-9 with item 9 = 2: crisis
   resources come first on the next page, at once.
2. Dana's worklist shows Alex's new urgent alert; she acknowledges it and resolves
   it with the action taken.
3. Casey, two days after session 2, sends an ASRM at the cut-off: a mood-elevation
   alert that Dr Reyes, Casey's psychiatrist of record, sees in her own login.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from keel.alerts.models import Alert, AlertCategory, AlertStatus
from keel.demo import data as demo
from keel.demo.services import demo_load
from keel.monitoring.models import DiaryEntry
from tests.browser.fixtures import answer_scale, axe_violations, screenshot
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)


def _choose(page: Page, question: str, answer: str) -> None:
    group = page.get_by_role("group", name=question)
    group.get_by_text(answer, exact=True).click()


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, bypass_csp=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def test_check_ins_raise_alerts_that_staff_and_the_psychiatrist_act_on(
    page: Page, browser: Browser, live_server: object
) -> None:
    demo_load()
    base = str(live_server)

    # 1. Alex on a phone: today's diary, then a PHQ-9 with item 9 = 2.
    alex = _phone(browser)
    _sign_in(alex, base, "alex")
    expect(alex.get_by_role("heading", level=1)).to_have_text("Today")
    alex.get_by_role("link", name="Daily mood and sleep diary").click()
    _choose(alex, "Mood compared with your usual self", "Your usual, non-depressed self")
    alex.get_by_label("Hours slept last night").fill("7.5")
    _choose(alex, "Needed less sleep than usual", "No")
    _choose(alex, "Irritability", "Not irritable")
    _choose(alex, "Energy and activity", "Same as your usual self")
    _choose(alex, "Medicines taken as prescribed", "Yes")
    alex.get_by_role("button", name="Save today's diary").click()
    expect(alex.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert DiaryEntry.objects.filter(patient__given_name="Alex").count() > 1
    # On a phone the scale shows one question per screen: Next, Back, and Send with the last.
    alex.goto(f"{base}/portal/scales/?instrument=phq9")
    questions = alex.locator("fieldset.keel-question")
    expect(questions).to_have_count(9)
    expect(alex.get_by_text("Question 1 of 9")).to_be_visible()
    expect(alex.get_by_role("button", name="Back")).to_be_hidden()
    expect(alex.get_by_role("button", name="Send my answers")).to_be_hidden()
    for number in range(1, 9):
        expect(questions.nth(number - 1)).to_be_visible()
        assert questions.evaluate_all("qs => qs.filter(q => !q.hidden).length") == 1
        alex.locator(f"label[for=id_item_{number}_1]").click()
        alex.get_by_role("button", name="Next").click()
    expect(alex.get_by_text("Question 9 of 9")).to_be_visible()
    alex.get_by_role("button", name="Back").click()
    expect(alex.get_by_text("Question 8 of 9")).to_be_visible()
    expect(alex.locator("#id_item_8_1")).to_be_checked()
    alex.get_by_role("button", name="Next").click()
    alex.locator("label[for=id_item_9_2]").click()
    assert axe_violations(alex) == []
    alex.get_by_role("button", name="Send my answers").click()
    crisis = alex.locator(".keel-crisis")
    expect(crisis).to_be_in_viewport()
    expect(alex.locator("main > *").first).to_have_class("keel-crisis")
    expect(alex.get_by_role("link", name="Call 988")).to_be_in_viewport()
    assert axe_violations(alex) == []
    screenshot(alex, "between-alex-crisis-phone")
    alex.context.close()

    # 2. Dana: the worklist shows the urgent alert first; acknowledge, then resolve.
    _sign_in(page, base, "dana")
    page.get_by_role("link", name="Worklist", exact=True).click()
    row = page.get_by_test_id("worklist-row").filter(has_text="Marlow, Alex")
    expect(row).to_contain_text("Urgent")
    assert axe_violations(page) == []
    screenshot(page, "between-worklist")
    alert = Alert.objects.get(patient__given_name="Alex", category=AlertCategory.SUICIDALITY)
    # Alex's record opens with the alert on top (the panel the alerts app serves).
    page.goto(f"{base}/patients/{alert.patient_id}/")
    panel = page.get_by_test_id("patient-alerts")
    expect(panel).to_contain_text(alert.title)
    expect(panel).to_contain_text("Urgent")
    assert axe_violations(page) == []
    screenshot(page, "between-patient-alerts")
    page.get_by_role("link", name="Worklist", exact=True).click()
    row = page.get_by_test_id("worklist-row").filter(has_text="Marlow, Alex")
    row.locator(f"a[href='/alerts/{alert.pk}/']").click()
    expect(page.get_by_test_id("alert-status")).to_contain_text("Open")
    expect(page.get_by_test_id("crisis-resources")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_test_id("alert-status")).to_contain_text("Acknowledged")
    # Tier 2 (REFERENCE §7): the documented contact, then the assessment, resolve it.
    expect(page.get_by_test_id("contact-needed")).to_be_visible()
    page.get_by_label("How", exact=True).select_option("phone")
    page.get_by_role("button", name="Record contact").click()
    expect(page.get_by_test_id("alert-contacts")).to_contain_text("Reached")
    page.locator("label[for=id_resolve_risk_basis_1]").click()  # USWDS hides the input
    page.get_by_label("Risk level (C-SSRS result or your judgement)").select_option("low")
    page.get_by_label("Safety-plan step taken").fill("Safety plan reviewed with Alex.")
    page.get_by_label("Action taken").fill(
        "Called Alex the same day: no plan or intent; safety plan reviewed; C-SSRS booked."
    )
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_test_id("alert-status")).to_contain_text("Resolved")
    expect(page.get_by_test_id("alert-timeline")).to_contain_text("Acknowledged")
    assert axe_violations(page) == []
    screenshot(page, "between-alert-resolved")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.acknowledged_by is not None

    # 3. Casey, two days after session 2: an ASRM at the cut-off (6).
    casey = _phone(browser)
    _sign_in(casey, base, "casey")
    casey.goto(f"{base}/portal/scales/?instrument=asrm")
    answer_scale(casey, list(demo.BLAIR_ASRM))
    casey.get_by_role("button", name="Send my answers").click()
    expect(casey.get_by_role("heading", level=1)).to_contain_text("Thank you")
    casey.context.close()
    raised = Alert.objects.get(
        patient__given_name="Casey",
        category=AlertCategory.MOOD_ELEVATION,
        rule_id="switch.amber.asrm",
    )
    assert raised.level == "amber" and raised.holds_next_session

    # Dr Reyes, the psychiatrist of record, sees it in her own login.
    reyes = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=False)
    psychiatrist = reyes.new_page()
    _sign_in(psychiatrist, base, demo.PSYCHIATRIST_USERNAME)
    psychiatrist.get_by_role("link", name="Alerts", exact=True).click()
    mine = psychiatrist.get_by_test_id("alert-row").filter(has_text="Casey")
    expect(mine.filter(has_text="Mood elevation").first).to_be_visible()
    psychiatrist.goto(f"{base}/alerts/{raised.pk}/")
    expect(psychiatrist.get_by_test_id("alert-facts")).to_contain_text("6")
    assert axe_violations(psychiatrist) == []
    screenshot(psychiatrist, "between-psychiatrist-alert")
    reyes.close()
