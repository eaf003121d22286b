"""An empty on-call rota for the coming 24 h: a deploy check and a banner for the rota keeper."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from conftest import World
from keel.accounts.roles import Role
from keel.accounts.selectors import actor_build
from keel.accounts.tests.factories import staff_member
from keel.alerts.checks import check_on_call_rota
from keel.alerts.selectors import clinic_fallback_recipients, clinic_today, on_call_gaps
from keel.alerts.services import on_call_add

pytestmark = pytest.mark.django_db


def _cover(world: World) -> None:
    """Someone on call in both clinics (clinic Y gets an admin to keep its rota)."""
    on_call_add(actor=world.actor("clinic_admin_x"), user_id=world.users["nurse_x"].pk)
    user = staff_member(clinic=world.clinic_y, role=Role.CLINIC_ADMIN, username="admin_y")
    admin_y = actor_build(user=user, clinic_id=world.clinic_y.pk)
    assert admin_y is not None
    on_call_add(actor=admin_y, user_id=world.users["nurse_y"].pk)


def test_deploy_check_warns_while_a_clinic_has_nobody_on_call(world: World) -> None:
    messages = check_on_call_rota()
    assert [m.id for m in messages] == ["keel.W020"]
    assert "Clinic X" in messages[0].msg and "Clinic Y" in messages[0].msg
    with pytest.raises(SystemCheckError):
        call_command(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    _cover(world)
    assert check_on_call_rota() == []


def test_a_rota_ending_today_leaves_tomorrow_uncovered(world: World) -> None:
    now = timezone.now()
    today = clinic_today(world.clinic_x, now)
    on_call_add(
        actor=world.actor("clinic_admin_x"), user_id=world.users["nurse_x"].pk, ends_on=today
    )
    gaps = on_call_gaps(clinic=world.clinic_x, now=now)
    assert today not in gaps
    if clinic_today(world.clinic_x, now + dt.timedelta(hours=24)) != today:
        assert gaps == [today + dt.timedelta(days=1)]


def test_the_rota_keeper_sees_a_banner_until_the_rota_is_kept(world: World) -> None:
    admin = world.client("clinic_admin_x")
    assert b'data-testid="rota-empty-banner"' in admin.get("/").content
    # Only the rota keeper is warned on every page.
    assert b'data-testid="rota-empty-banner"' not in world.client("nurse_x").get("/").content
    on_call_add(actor=world.actor("clinic_admin_x"), user_id=world.users["nurse_x"].pk)
    assert b'data-testid="rota-empty-banner"' not in admin.get("/").content


def test_fallback_recipients_are_the_clinics_physicians_and_admins(world: World) -> None:
    people = {u.username for u in clinic_fallback_recipients(clinic=world.clinic_x)}
    assert people == {"physician_x", "clinic_admin_x"}
