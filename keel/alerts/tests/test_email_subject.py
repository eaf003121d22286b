"""The psychiatrist's alert email names the alert's own category (issue 18 §4)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail

from conftest import World
from keel.alerts.models import AlertCategory
from keel.alerts.services import EMAIL_CATEGORY
from keel.alerts.tests.helpers import amber, finding, raise_alert

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.mark.parametrize(
    ("found", "named"),
    [
        (
            finding(
                rule_id="nonresponse.madrs.end_of_induction",
                category="non_response",
                priority="routine",
                title="Non-response at the end of the induction course",
                notify_psychiatrist=True,
                show_crisis=False,
                evidence_key="clock:end_of_induction",
            ),
            "a non-response alert",
        ),
        (amber(), "a mood-elevation alert"),
        (finding(), "a suicidality alert"),
    ],
)
def test_the_psychiatrists_email_names_the_category(
    world: World, django_capture_on_commit_callbacks: Capture, found: Any, named: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert(world.patient_a, found)
    [message] = [m for m in mail.outbox if "for one of your patients" in m.subject]
    assert named in message.subject and named in message.body
    others = {"a non-response alert", "a mood-elevation alert", "a suicidality alert"} - {named}
    assert not any(other in message.subject + message.body for other in others)


def test_every_category_has_its_email_words() -> None:
    assert set(EMAIL_CATEGORY) == set(AlertCategory.values)
