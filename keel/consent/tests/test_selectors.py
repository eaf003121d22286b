"""consent_status and consent_current: the interface treatment and intake use."""

from __future__ import annotations

import pytest

from conftest import World
from keel.consent.models import ConsentTemplate
from keel.consent.selectors import consent_status
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_status_is_none_for_a_patient_who_never_signed(
    world: World, template_v1: ConsentTemplate
) -> None:
    status = consent_status(patient=world.patient_a)
    assert (status.state, status.consent, status.template) == ("none", None, template_v1)


def test_status_of_a_clinic_without_an_approved_template(world: World) -> None:
    patient = Patient.objects.get(pk=world.patient_a.pk)
    status = consent_status(patient=patient)
    assert (status.state, status.template) == ("none", None)
