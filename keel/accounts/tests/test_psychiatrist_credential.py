"""The psychiatrist credential on a membership: set by the clinic admin, audited, and the
only way a clinic physician may record the review that lifts a red hold (REFERENCE §5.2)."""

from __future__ import annotations

import pytest

from conftest import World
from keel.accounts.models import Membership
from keel.accounts.services import membership_psychiatrist_set
from keel.alerts.models import AlertStatus
from keel.alerts.selectors import session_hold_level
from keel.alerts.services import (
    alert_acknowledge,
    alert_may_review,
    alert_record_contact,
    alert_record_psychiatric_review,
    alert_resolve,
)
from keel.alerts.tests.helpers import raise_alert, red
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


def _membership(world: World, who: str) -> Membership:
    return Membership.objects.get(user=world.users[who])


def test_a_clinic_physician_reviews_only_once_recorded_as_a_psychiatrist(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    physician = world.actor("physician_x")
    assert not alert_may_review(physician, alert)
    with pytest.raises(PermissionDenied):
        alert_record_psychiatric_review(actor=physician, alert=alert, note="Seen.")
    membership_psychiatrist_set(
        actor=world.actor("clinic_admin_x"),
        membership=_membership(world, "physician_x"),
        is_psychiatrist=True,
    )
    physician = world.actor("physician_x")
    assert alert_may_review(physician, alert)
    alert_record_contact(actor=world.actor("nurse_x"), alert=alert)
    alert = alert_record_psychiatric_review(actor=physician, alert=alert, note="Seen today.")
    assert not alert.holds_next_session and session_hold_level(world.patient_a) == "none"


def test_the_psychiatrist_of_record_lifts_the_hold_but_staff_resolve(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    psychiatrist = world.actor("psychiatrist_a")
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=psychiatrist, alert=alert)
    alert_record_contact(actor=world.actor("nurse_x"), alert=alert)
    alert = alert_record_psychiatric_review(
        actor=psychiatrist, alert=alert, note="Hypomanic features; hold two weeks."
    )
    assert not alert.holds_next_session
    assert alert.status == AlertStatus.OPEN  # her review does not close it
    with pytest.raises(PermissionDenied):
        alert_resolve(actor=psychiatrist, alert=alert, action_taken="Done.")
    page = world.client("psychiatrist_a").get(f"/alerts/{alert.pk}/").content.decode()
    assert "/acknowledge/" not in page and "/resolve/" not in page
    alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)
    alert = alert_resolve(actor=world.actor("nurse_x"), alert=alert, action_taken="Plan agreed.")
    assert alert.status == AlertStatus.RESOLVED


def test_another_psychiatrist_of_record_may_not_review(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    assert not alert_may_review(world.actor("psychiatrist_other"), alert)


def test_only_the_clinic_admin_sets_it_only_for_physicians_and_it_is_audited(
    world: World,
) -> None:
    admin = world.actor("clinic_admin_x")
    for who in ("physician_x", "nurse_x"):
        with pytest.raises(PermissionDenied):
            membership_psychiatrist_set(
                actor=world.actor(who),
                membership=_membership(world, "physician_x"),
                is_psychiatrist=True,
            )
    with pytest.raises(Conflict):
        membership_psychiatrist_set(
            actor=admin, membership=_membership(world, "nurse_x"), is_psychiatrist=True
        )
    with pytest.raises(PermissionDenied):  # another clinic's membership
        membership_psychiatrist_set(
            actor=admin, membership=_membership(world, "nurse_y"), is_psychiatrist=False
        )
    membership = membership_psychiatrist_set(
        actor=admin, membership=_membership(world, "physician_x"), is_psychiatrist=True
    )
    assert membership.is_psychiatrist
    membership_psychiatrist_set(actor=admin, membership=membership, is_psychiatrist=False)
    events = AuditEvent.objects.filter(object_type="membership", object_id=str(membership.pk))
    assert [e.detail["is_psychiatrist"] for e in events.order_by("pk")] == [True, False]
    assert all(e.actor_username == "clinic_admin_x" for e in events)


def test_the_staff_page(world: World) -> None:
    admin = world.client("clinic_admin_x")
    membership = _membership(world, "physician_x")
    page = admin.get("/accounts/staff/").content.decode()
    assert f'data-testid="staff-{membership.pk}"' in page
    assert f'data-testid="staff-{_membership(world, "nurse_y").pk}"' not in page  # clinic Y
    url = f"/accounts/staff/{membership.pk}/psychiatrist/"
    assert admin.post(url, {"is_psychiatrist": "1"}).status_code == 302
    membership.refresh_from_db()
    assert membership.is_psychiatrist
    page = admin.get("/accounts/staff/").content.decode()
    assert f'data-testid="psychiatrist-{membership.pk}"' in page
    assert world.client("physician_x").get("/accounts/staff/").status_code == 403
    assert world.client("physician_x").post(url, {"is_psychiatrist": "0"}).status_code == 403
    other = _membership(world, "nurse_y")
    response = admin.post(f"/accounts/staff/{other.pk}/psychiatrist/", {"is_psychiatrist": "1"})
    assert response.status_code == 404
    nurse = _membership(world, "nurse_x")
    admin.post(f"/accounts/staff/{nurse.pk}/psychiatrist/", {"is_psychiatrist": "1"})
    nurse.refresh_from_db()
    assert not nurse.is_psychiatrist
