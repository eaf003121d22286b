"""Scoring at submission uses the clinic's protocol parameters (one source of truth)."""

from __future__ import annotations

import pytest

from conftest import World
from keel.alerts.models import Alert
from keel.clinical.protocol import Protocol, load_protocol
from keel.intake.protocols import (
    clinic_protocol_substituted,
    default_protocol_path,
    protocol_for_clinic,
)
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.monitoring.services import assessment_record

pytestmark = pytest.mark.django_db

#: C-SSRS since last visit: no ideation, Q6 (any behaviour since the last visit) yes.
Q6_YES = [0, 0, None, None, None, 1]
PARAM = "  cssrs_since_last_visit_q6_yes_level:\n    default: high\n"


def _protocol_with_q6_yes_moderate() -> Protocol:
    text = default_protocol_path().read_text(encoding="utf-8")
    assert PARAM in text
    return load_protocol(text.replace(PARAM, PARAM.replace("high", "moderate")))


def _submit(world: World) -> Assessment:
    return assessment_record(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="cssrs_since_last_visit",
        answers=Q6_YES,
        purpose=AssessmentPurpose.PRE_SESSION,
    )


def test_default_clinic_scores_with_keel_default(world: World) -> None:
    rating = _submit(world)
    assert rating.band == "high"


def test_a_clinic_parameter_reaches_the_stored_level_and_the_alert(world: World) -> None:
    protocol = _protocol_with_q6_yes_moderate()
    with clinic_protocol_substituted(world.clinic_x.pk, protocol):
        assert protocol_for_clinic(world.clinic_x.pk) is protocol
        assert protocol_for_clinic(world.clinic_y.pk) is not protocol
        rating = _submit(world)
    # The stored level (read by the go / no-go and the portal) follows the clinic's value,
    # and so does the alert raised from it.
    assert rating.band == "moderate"
    rules = set(Alert.objects.filter(patient=world.patient_a).values_list("rule_id", flat=True))
    assert rules == {"suicide.cssrs_since_last_visit.moderate"}
    assert protocol_for_clinic(world.clinic_x.pk) is not protocol
