"""The clinician worklist: contents, order, filters, pages, access and audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from keel.accounts.models import Clinic
from keel.alerts.models import AlertCategory, AlertLevel, AlertPriority, AlertStatus, SessionHold
from keel.audit.models import AuditEvent, AuditOutcome
from keel.monitoring.models import AssessmentPurpose
from keel.outcomes.tests import helpers as h
from keel.patients.models import Patient
from keel.treatment.models import CourseStatus, SessionState

pytestmark = pytest.mark.django_db

URL = "/outcomes/worklist/"


def _today(clinic: Clinic) -> dt.date:
    return timezone.localdate(timezone=clinic.tzinfo)


def _rich_patient(world: World, n: int) -> Patient:
    """An active patient with every kind of row the worklist reads."""
    clinic = world.clinic_x
    p = h.patient(clinic, family_name=f"Bulk{n:04d}")
    c = h.course(p)
    nurse, physician = world.users["nurse_x"], world.users["physician_x"]
    h.session(
        c,
        1,
        h.days_ago(6),
        state=SessionState.DISCHARGED,
        dose_mg="35",
        nurse=nurse,
        physician=physician,
    )
    h.session(c, 2, h.now() + dt.timedelta(days=2 + n % 5))
    for instrument_id, base, latest in (
        ("phq9", 20, 12),
        ("qids_sr16", 18, 10),
        ("madrs", 34, 20),
        ("asrm", 2, 4),
        ("ymrs", 3, 5),
    ):
        h.rate(p, instrument_id, base, h.days_ago(20), purpose=AssessmentPurpose.BASELINE)
        h.rate(p, instrument_id, latest, h.days_ago(2))
    today = _today(clinic)
    for d in range(3):
        h.diary(p, today - dt.timedelta(days=d + 1))
    h.assign(p, "phq9", "weekly", today - dt.timedelta(days=21))
    h.assign(p, "diary", "daily", today - dt.timedelta(days=21))
    if n % 3 == 0:
        h.alert(p, priority=AlertPriority.URGENT, category=AlertCategory.SUICIDALITY)
    if n % 4 == 0:
        h.alert(
            p, level=AlertLevel.AMBER, category=AlertCategory.MOOD_ELEVATION, hold=SessionHold.AMBER
        )
    return p


def _rows(html: str) -> list[str]:
    """Patient names in table order."""
    return re.findall(
        r'data-testid="worklist-row".*?<a class="usa-link" href="[^"]+">([^<]+)</a>',
        html,
        flags=re.DOTALL,
    )


def _queries(world: World, url: str = URL) -> int:
    client = world.client("nurse_x")
    client.get(url)  # warm caches (session, protocol file)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# ---------------------------------------------------------------- query count


def test_query_count_does_not_grow_with_patients(world: World) -> None:
    for n in range(10):
        _rich_patient(world, n)
    small = _queries(world)
    small_sorted = {s: _queries(world, f"{URL}?sort={s}") for s in ("name", "next_session", "phq9")}
    small_filtered = _queries(world, f"{URL}?alerts=1&overdue=1&phase=induction&population=all")
    for n in range(10, 200):
        _rich_patient(world, n)
    assert Patient.objects.filter(clinic=world.clinic_x).count() >= 200
    assert _queries(world) == small
    for s, count in small_sorted.items():
        assert _queries(world, f"{URL}?sort={s}") == count, s
    assert _queries(world, f"{URL}?alerts=1&overdue=1&phase=induction&population=all") == (
        small_filtered
    )
    # Page 2 and 4 of 200 cost the same as page 1.
    assert _queries(world, f"{URL}?page=2") == small
    assert _queries(world, f"{URL}?page=4") == small


# ---------------------------------------------------------------- what a row shows


def test_row_shows_scores_change_alert_check_ins_and_next_session(world: World) -> None:
    clinic = world.clinic_x
    p = h.patient(clinic, family_name="Marlowe", given_name="Casey")
    c = h.course(p)
    h.rate(p, "phq9", 22, h.days_ago(30), purpose=AssessmentPurpose.BASELINE)
    h.rate(p, "phq9", 9, h.days_ago(3))
    h.rate(p, "phq9", 2, h.days_ago(2), acute=True)  # acute post-dose: not the latest score
    h.rate(p, "asrm", 7, h.days_ago(1))  # no baseline rating: change from the first
    h.rate(p, "asrm", 3, h.days_ago(10))
    h.alert(
        p,
        priority=AlertPriority.URGENT,
        category=AlertCategory.SUICIDALITY,
        title="PHQ-9 item 9 at 2",
    )
    h.alert(
        p,
        priority=AlertPriority.ROUTINE,
        category=AlertCategory.MISSED_CHECK_IN,
        title="Diary missed",
    )
    today = _today(clinic)
    h.assign(p, "qids_sr16", "weekly", today - dt.timedelta(days=10))  # never done: overdue
    next_at = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=3), dt.time(9, 30)), clinic.tzinfo
    )
    h.session(c, 1, next_at)

    html = world.client("nurse_x").get(URL).content.decode()
    row = html[html.index(f'data-patient-id="{p.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Marlowe, Casey" in row
    assert re.search(r"PHQ-9</span> <strong>9</strong>", row)
    assert "\N{MINUS SIGN}13 from 22" in row
    assert re.search(r"ASRM</span> <strong>7</strong>", row)
    assert "+4 from 3 (first)" in row
    assert "Urgent" in row and "PHQ-9 item 9 at 2" in row
    assert "2 open: 1 urgent, 1 routine" in row
    assert "Overdue</span> QIDS-SR16" in row
    assert "10 days" in row
    assert next_at.astimezone(clinic.tzinfo).strftime("%b %-d, %H:%M") in row
    assert "Session 1" in row


def test_urgent_alert_first_by_default(world: World) -> None:
    clinic = world.clinic_x
    quiet = h.patient(clinic, family_name="Aardvark")
    h.course(quiet)
    routine = h.patient(clinic, family_name="Bishop")
    h.course(routine)
    h.alert(routine, priority=AlertPriority.ROUTINE)
    amber = h.patient(clinic, family_name="Crane")
    h.course(amber)
    h.alert(amber, level=AlertLevel.AMBER, category=AlertCategory.MOOD_ELEVATION)
    acked = h.patient(clinic, family_name="Dorsey")
    h.course(acked)
    h.alert(acked, priority=AlertPriority.URGENT, status=AlertStatus.ACKNOWLEDGED)
    urgent = h.patient(clinic, family_name="Ellery")
    h.course(urgent)
    h.alert(urgent, priority=AlertPriority.URGENT, category=AlertCategory.SUICIDALITY)
    h.alert(urgent, priority=AlertPriority.ROUTINE)
    resolved = h.patient(clinic, family_name="Fenwick")
    h.course(resolved)
    h.alert(resolved, priority=AlertPriority.URGENT, status=AlertStatus.RESOLVED)
    overdue = h.patient(clinic, family_name="Grove")
    h.assign(overdue, "phq9", "weekly", _today(clinic) - dt.timedelta(days=9))

    names = _rows(world.client("nurse_x").get(URL).content.decode())
    surnames = [n.split(",")[0] for n in names]
    # Unresolved alerts by severity, not yet acknowledged first; then (no session anywhere)
    # by name: an overdue check-in alone is not an alert (Grove), a resolved alert is none.
    assert surnames == ["Ellery", "Dorsey", "Crane", "Bishop", "Aardvark", "Fenwick", "Grove"]


# ---------------------------------------------------------------- sort, filter, pages


def _three(world: World) -> dict[str, Patient]:
    clinic = world.clinic_x
    today = _today(clinic)
    a = h.patient(clinic, family_name="Abbot")
    ca = h.course(a, induction=6)
    h.session(ca, 1, h.now() + dt.timedelta(days=5))
    h.rate(a, "phq9", 8, h.days_ago(2))
    b = h.patient(clinic, family_name="Brandt")
    cb = h.course(b, induction=1)
    h.session(
        cb,
        1,
        h.days_ago(3),
        state=SessionState.DISCHARGED,
        dose_mg="30",
        nurse=world.users["nurse_x"],
        physician=world.users["physician_x"],
    )
    h.session(cb, 2, h.now() + dt.timedelta(days=1))
    h.rate(b, "phq9", 19, h.days_ago(2))
    h.alert(b, priority=AlertPriority.ROUTINE)
    c = h.patient(clinic, family_name="Castor")
    h.course(c, status=CourseStatus.PLANNED)
    h.assign(c, "diary", "daily", today - dt.timedelta(days=5))  # active through check-ins
    h.rate(c, "phq9", 14, h.days_ago(2))
    return {"a": a, "b": b, "c": c}


def _surnames(world: World, query: str) -> list[str]:
    response = world.client("physician_x").get(f"{URL}?{query}")
    assert response.status_code == 200
    return [n.split(",")[0] for n in _rows(response.content.decode())]


def test_sorts(world: World) -> None:
    _three(world)
    assert _surnames(world, "sort=name") == ["Abbot", "Brandt", "Castor"]
    assert _surnames(world, "sort=next_session") == ["Brandt", "Abbot", "Castor"]
    assert _surnames(world, "sort=phq9") == ["Brandt", "Castor", "Abbot"]
    # Default: the open alert first, then the soonest session, then the rest.
    assert _surnames(world, "") == ["Brandt", "Abbot", "Castor"]
    # Unknown values fall back to the defaults instead of failing.
    assert _surnames(world, "sort=bogus&population=nope&phase=x") == ["Brandt", "Abbot", "Castor"]


def test_filters(world: World) -> None:
    _three(world)
    assert _surnames(world, "alerts=1") == ["Brandt"]
    assert _surnames(world, "overdue=1") == ["Castor"]
    assert _surnames(world, "phase=induction") == ["Abbot"]
    assert _surnames(world, "phase=maintenance") == ["Brandt"]
    assert _surnames(world, "phase=planned") == ["Castor"]
    # Patients A and B of the world have no course and no check-ins: only under "all".
    assert "Zephyrine" not in _surnames(world, "sort=name")
    everyone = _surnames(world, "sort=name&population=all")
    assert {"Zephyrine", "Quorra", "Abbot", "Brandt", "Castor"} <= set(everyone)
    assert _surnames(world, "population=all&phase=none&sort=name") == ["Quorra", "Zephyrine"]


def test_pagination_fifty_per_page(world: World) -> None:
    for n in range(55):
        p = h.patient(world.clinic_x, family_name=f"Page{n:03d}")
        h.assign(p, "diary", "daily", _today(world.clinic_x))
    client = world.client("nurse_x")
    first = client.get(f"{URL}?sort=name").content.decode()
    assert len(_rows(first)) == 50
    assert "page 1 of 2" in first
    assert "sort=name" in first and "page=2" in first
    second = client.get(f"{URL}?sort=name&page=2").content.decode()
    assert [n.split(",")[0] for n in _rows(second)] == [f"Page{n:03d}" for n in range(50, 55)]
    # A page past the end shows the last page.
    assert len(_rows(client.get(f"{URL}?sort=name&page=99").content.decode())) == 5


def test_htmx_swaps_only_the_table(world: World) -> None:
    _three(world)
    client = world.client("nurse_x")
    full = client.get(URL).content.decode()
    assert "<html" in full and 'hx-get="/outcomes/worklist/"' in full
    assert 'name="sort"' in full and 'type="submit"' in full  # works without JS too
    partial = client.get(f"{URL}?sort=name", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'data-testid="worklist-table"' in partial
    assert _rows(partial)[0].startswith("Abbot")


def test_severity_is_written_not_only_coloured(world: World) -> None:
    p = h.patient(world.clinic_x, family_name="Hale")
    h.course(p)
    h.alert(
        p,
        level=AlertLevel.RED,
        priority=AlertPriority.URGENT,
        category=AlertCategory.MOOD_ELEVATION,
        hold=SessionHold.RED,
    )
    html = world.client("nurse_x").get(URL).content.decode()
    assert '<span class="keel-sev keel-sev--red">Red</span>' in html
    assert "Held by an alert" in html


# ---------------------------------------------------------------- access and scope


@pytest.mark.parametrize(
    "role",
    ["psychiatrist_a", "psychiatrist_other", "front_desk_x", "clinic_admin_x", "patient_a"],
)
def test_refused_roles_get_403(world: World, role: str) -> None:
    h.course(world.patient_a)
    response = world.client(role).get(URL)
    assert response.status_code == 403
    assert "Zephyrine" not in response.content.decode()
    denied = AuditEvent.objects.filter(
        actor_user_id=world.users[role].pk, outcome=AuditOutcome.DENIED, object_type="worklist"
    )
    assert denied.exists()


def test_anonymous_goes_to_login(world: World) -> None:
    response = world.client("anonymous").get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_other_clinics_patients_are_never_listed(world: World) -> None:
    h.course(world.patient_a)
    y_patient = h.patient(world.clinic_y, family_name="Yarrow")
    h.course(y_patient)
    h.alert(y_patient, priority=AlertPriority.URGENT)
    x_html = world.client("nurse_x").get(f"{URL}?population=all").content.decode()
    assert "Zephyrine" in x_html and "Yarrow" not in x_html
    y_html = world.client("nurse_y").get(f"{URL}?population=all").content.decode()
    assert "Yarrow" in y_html
    assert "Zephyrine" not in y_html and "Quorra" not in y_html


# ---------------------------------------------------------------- audit


def test_one_read_event_per_patient_row(world: World) -> None:
    patients = [_rich_patient(world, n) for n in range(3)]
    before = AuditEvent.objects.count()
    world.client("nurse_x").get(URL)
    events = AuditEvent.objects.filter(pk__gt=0).order_by("-sequence")[
        : AuditEvent.objects.count() - before
    ]
    reads = [e for e in events if e.action == "read" and e.object_type == "patient"]
    assert sorted(e.patient_id for e in reads) == sorted(p.pk for p in patients)
    assert all(e.detail == {"list": "worklist"} for e in reads)
    assert all(e.actor_user_id == world.users["nurse_x"].pk for e in reads)


# ---------------------------------------------------------------- API


def test_api_worklist(world: World) -> None:
    _three(world)
    client = world.client("nurse_x")
    response = client.get("/api/v1/outcomes/worklist?sort=name")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["page"] == 1 and body["page_size"] == 50
    names = [r["family_name"] for r in body["rows"]]
    assert names == ["Abbot", "Brandt", "Castor"]
    brandt = body["rows"][1]
    assert brandt["phase"] == "maintenance"
    assert brandt["alerts"]["counts"] == {"routine": 1}
    assert brandt["scores"][0]["instrument_id"] == "phq9"
    assert brandt["scores"][0]["total"] == 19
    castor = body["rows"][2]
    assert castor["check_ins"][0]["status"] == "overdue"
    bad = client.get("/api/v1/outcomes/worklist?sort=bogus")
    assert bad.status_code == 422
    assert "sort" in bad.json()["errors"]
    assert world.client("psychiatrist_a").get("/api/v1/outcomes/worklist").status_code == 403
