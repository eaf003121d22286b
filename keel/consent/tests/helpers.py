"""Shortcuts the consent tests share: a signature by nurse X, a newer template version."""

from __future__ import annotations

from conftest import World
from keel.consent import sample_texts
from keel.consent.models import Consent, ConsentTemplate
from keel.consent.services import (
    consent_sign,
    consent_template_approve,
    consent_template_create_version,
)
from keel.consent.tests.factories import ALL_CONSENT_TOPICS

#: The sample consent form's plain statement of off-label use.
OFF_LABEL = "Ketamine is not approved by the U.S. Food and Drug Administration (FDA)"


def sign(world: World, template: ConsentTemplate, **overrides: object) -> Consent:
    """Sign ``template`` for patient A as nurse X; ``overrides`` change any argument."""
    arguments: dict[str, object] = {
        "actor": world.actor("nurse_x"),
        "patient": world.patient_a,
        "template_id": template.pk,
        "signed_name": "Ainsley Zephyrine",
        "confirmed": True,
        "staff_attested": True,
    }
    arguments.update(overrides)
    return consent_sign(**arguments)


def new_version(world: World, *, approve: bool = True) -> ConsentTemplate:
    """The next consent version in clinic X by its admin, approved unless told not to."""
    admin = world.actor("clinic_admin_x")
    draft = consent_template_create_version(
        actor=admin, title="Consent, revised", body=sample_texts.CONSENT_BODY + "\n\nRevised."
    )
    if not approve:
        return draft
    return consent_template_approve(actor=admin, template=draft, topics=ALL_CONSENT_TOPICS)
