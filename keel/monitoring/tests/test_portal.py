"""The patient portal: Today, help, the diary, scales, crisis resources, demo wording, isolation."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditEvent
from keel.monitoring.models import Assessment, DiaryEntry
from keel.monitoring.selectors import clinic_today
from keel.monitoring.services import assignment_create
from keel.monitoring.tests.helpers import (
    DIARY_OK,
    form_key,
    install_phq9_pack,
    post_diary,
    post_phq9,
)

pytestmark = pytest.mark.django_db

HELP = reverse("portal:help")


def _main(content: bytes) -> str:
    return content.decode().split('<main id="main-content"')[1].split("</main>")[0]


def _schedule(world: World, instrument_id: str, frequency: str, days_ago: int = 0) -> None:
    start = clinic_today(world.patient_a) - dt.timedelta(days=days_ago)
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id=instrument_id,
        frequency=frequency,
        start_date=start,
    )


def test_today_lists_what_is_due_what_is_done_and_the_clinics_number(world: World) -> None:
    _schedule(world, "diary", "daily")
    _schedule(world, "phq9", "weekly", days_ago=10)
    client = world.client("patient_a")
    page = client.get(reverse("portal:today")).content.decode()
    assert "Daily mood and sleep diary" in page
    assert "PHQ-9" in page
    # Started 10 days ago, never done: the occurrence of day 7 is still open.
    assert "Still open from" in page
    assert world.clinic_x.phone in page
    post_diary(client)
    page = client.get(reverse("portal:today")).content.decode()
    done = page.split('id="h-done"')[1]
    assert "Daily mood and sleep diary" in done


@pytest.mark.parametrize("name", ["portal:today", "portal:diary", "portal:scale", "portal:help"])
def test_every_portal_page_has_the_get_help_now_link_in_its_header(world: World, name: str) -> None:
    page = world.client("patient_a").get(reverse(name)).content.decode()
    header = page.split("<main")[0]
    assert f'href="{HELP}"' in header
    assert "Get help now" in header


def test_help_page_gives_988_911_the_clinic_and_when_answers_are_read(world: World) -> None:
    world.clinic_x.check_in_review_note = "on weekdays between 9 am and 5 pm"
    world.clinic_x.save()
    page = world.client("patient_a").get(HELP).content.decode()
    for expected in ("tel:988", "sms:988", "988lifeline.org", "tel:911", world.clinic_x.phone):
        assert expected in page
    assert "read check-in answers on weekdays between 9 am and 5 pm" in page
    assert "not watched live" in page


def test_help_page_without_a_review_note_says_answers_are_not_watched_live(world: World) -> None:
    page = world.client("patient_a").get(HELP).content.decode()
    assert "Check-in answers are not watched live" in page
    assert f"call {world.clinic_x.phone}" in page


def test_help_page_opens_without_a_login(world: World) -> None:
    response = Client().get(HELP)
    assert response.status_code == 200
    assert "tel:988" in response.content.decode()


def test_staff_may_not_use_the_portal(world: World) -> None:
    for role in ("nurse_x", "physician_x", "psychiatrist_a"):
        assert world.client(role).get(reverse("portal:today")).status_code == 403


# ---------------------------------------------------------------- the diary


def test_diary_form_uses_keels_anchors_never_better(world: World) -> None:
    page = world.client("patient_a").get(reverse("portal:diary")).content.decode()
    assert "Higher / more energetic than your usual, non-depressed self" in page
    assert "Lower than your usual, non-depressed self" in page
    assert "better" not in page.lower().split("<main")[1]
    assert 'type="number"' in page  # sleep hours
    assert '<fieldset class="usa-fieldset keel-question' in page
    assert "<legend" in page


def test_diary_is_saved_once_per_day_and_a_different_second_entry_is_409(world: World) -> None:
    client = world.client("patient_a")
    key = form_key(client.get(reverse("portal:diary")).content.decode())
    with mock.patch("keel.monitoring.services.alerts_evaluate") as evaluate:
        first = post_diary(client, key=key)
        again = post_diary(client, key=key)  # a double tap
        same_values = post_diary(client, key="another-key")
        different = post_diary(client, key="third-key", mood="3")
    assert (first.status_code, again.status_code, same_values.status_code) == (200, 200, 200)
    assert "Thank you" in first.content.decode()
    assert _main(first.content) == _main(again.content)  # the same result page
    assert different.status_code == 409
    assert "already filled in" in different.content.decode()
    entry = DiaryEntry.objects.get(patient=world.patient_a)
    assert (entry.mood, str(entry.sleep_hours), entry.felt_less_need_for_sleep) == (1, "7.5", False)
    assert entry.entry_date == clinic_today(world.patient_a)
    evaluate.assert_called_once_with(
        patient=world.patient_a,
        trigger_kind="diary",
        trigger_ref=f"diary:{entry.pk}",
        actor=mock.ANY,
        doses=(),  # read once by the service (the acute window), handed to the rules
    )


@pytest.mark.parametrize(
    ("field", "value"), [("sleep_hours", "30"), ("mood", "5"), ("irritability", "-1")]
)
def test_diary_with_a_bad_value_is_refused_and_nothing_is_stored(
    world: World, field: str, value: str
) -> None:
    response = post_diary(world.client("patient_a"), **{field: value})
    assert response.status_code == 422
    assert "usa-error-message" in response.content.decode()
    assert not DiaryEntry.objects.exists()


# ---------------------------------------------------------------- scales and crisis resources


def test_phq9_item9_at_2_shows_crisis_resources_first(world: World) -> None:
    world.clinic_x.check_in_review_note = "every weekday morning"
    world.clinic_x.save()
    response = post_phq9(world.client("patient_a"), [1, 1, 1, 1, 1, 1, 1, 1, 2])
    assert response.status_code == 200
    page = response.content.decode()
    main = page.split('<main id="main-content"')[1]
    crisis = main.index('class="keel-crisis"')
    for later in ("Thank you", "is saved", "Back to today"):
        assert crisis < main.index(later)
    for resource in ("tel:988", "988lifeline.org", "tel:911", world.clinic_x.phone):
        assert crisis < main.index(resource) < main.index("Thank you")
    assert main.index("every weekday morning") < main.index("Thank you")
    rating = Assessment.objects.get(patient=world.patient_a)
    assert "suicidal_ideation_tier2" in rating.flags
    assert rating.purpose == "check_in"


def test_tier1_shows_the_help_link_prominently_but_no_crisis_block(world: World) -> None:
    page = post_phq9(world.client("patient_a"), [0, 0, 0, 0, 0, 0, 0, 0, 1]).content.decode()
    main = page.split('<main id="main-content"')[1]
    assert 'class="keel-crisis"' not in main
    assert 'class="keel-help-box"' in main
    assert f'href="{HELP}"' in main


def test_no_suicide_signal_shows_just_thanks(world: World) -> None:
    page = post_phq9(world.client("patient_a"), [0] * 9).content.decode()
    main = page.split('<main id="main-content"')[1]
    assert "Thank you" in main
    assert 'class="keel-crisis"' not in main
    assert 'class="keel-help-box"' not in main


def test_crisis_page_is_decided_by_the_stored_rating_even_without_alerts(world: World) -> None:
    with mock.patch("keel.monitoring.services.alerts_evaluate", return_value=[]):
        page = post_phq9(world.client("patient_a"), [0, 0, 0, 0, 0, 0, 0, 0, 3]).content.decode()
    assert 'class="keel-crisis"' in page


def test_demo_without_a_pack_shows_keels_labels_under_the_demo_banner(world: World) -> None:
    page = world.client("patient_a").get(reverse("portal:scale") + "?instrument=phq9")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Demo wording - not the validated questionnaire" in html
    assert "Thoughts of self-harm" in html  # Keel's own label for item 9


def test_with_a_pack_the_official_wording_is_shown_without_the_banner(world: World) -> None:
    pack = install_phq9_pack(world.actor("clinic_admin_x"), world.clinic_x)
    html = world.client("patient_a").get(reverse("portal:scale") + "?instrument=phq9")
    page = html.content.decode()
    assert "Demo wording" not in page
    assert pack.items["items"]["9"]["text"] in page
    assert pack.items["items"]["9"]["answers"]["2"] in page


@override_settings(KEEL_DEMO=False)
def test_outside_the_demo_a_scale_without_a_pack_is_not_offered(world: World) -> None:
    _schedule(world, "phq9", "weekly")
    _schedule(world, "diary", "daily")
    client = world.client("patient_a")
    today = client.get(reverse("portal:today")).content.decode()
    assert "PHQ-9" not in today
    assert "Daily mood and sleep diary" in today
    assert client.get(reverse("portal:scale") + "?instrument=phq9").status_code == 404
    assert post_phq9(client, [0] * 9).status_code == 404
    assert "Demo wording" not in client.get(reverse("portal:scale")).content.decode()
    assert not Assessment.objects.exists()
    install_phq9_pack(world.actor("clinic_admin_x"), world.clinic_x)
    assert "PHQ-9" in client.get(reverse("portal:today")).content.decode()
    assert post_phq9(client, [0] * 9).status_code == 200


def test_a_scale_answer_out_of_range_is_refused(world: World) -> None:
    response = post_phq9(world.client("patient_a"), [0, 0, 0, 0, 0, 0, 0, 0, 7])
    assert response.status_code == 422
    assert not Assessment.objects.exists()


# ---------------------------------------------------------------- each patient sees only their own


def test_patient_b_never_sees_patient_as_check_ins(world: World) -> None:
    _schedule(world, "phq9", "weekly")
    post_diary(world.client("patient_a"))
    post_phq9(world.client("patient_a"), [3] * 9)
    b = world.client("patient_b")
    a_pages = [
        reverse("monitoring:check_ins", args=[world.patient_a.pk]),
        reverse("monitoring:portal", args=[world.patient_a.pk]),
        reverse("monitoring:rating", args=[world.patient_a.pk, "madrs"]),
        f"/api/v1/monitoring/patients/{world.patient_a.pk}/ratings",
        f"/api/v1/monitoring/patients/{world.patient_a.pk}/diary",
        f"/api/v1/monitoring/patients/{world.patient_a.pk}/assignments",
    ]
    for url in a_pages:
        assert b.get(url).status_code == 404, url
    for url in (reverse("portal:today"), reverse("portal:diary"), "/api/v1/monitoring/me/due"):
        body = b.get(url).content.decode()
        assert world.patient_a.family_name not in body
        assert "PHQ-9" not in body or url == reverse("portal:diary")
    # B's diary page is B's own: A having filled in today's diary does not show there.
    assert "You have filled in today's diary" not in b.get(reverse("portal:diary")).content.decode()


def test_portal_reads_are_audited_against_the_patients_own_record(world: World) -> None:
    world.client("patient_b").get(reverse("portal:today"))
    event = AuditEvent.objects.filter(actor_username="patient_b", object_type="portal").last()
    assert event is not None
    assert event.patient_id != world.patient_a.pk
    assert event.patient_id is not None


def test_diary_post_is_refused_for_staff(world: World) -> None:
    response = world.client("nurse_x").post(
        reverse("portal:diary"), {**DIARY_OK, "idempotency_key": "k"}
    )
    assert response.status_code == 403
    assert not DiaryEntry.objects.exists()
