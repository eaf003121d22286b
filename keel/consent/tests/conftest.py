"""Fixtures of the consent tests: clinic X's consent form.

The browser tests use the shared Chromium fixtures of ``tests.browser.fixtures``.
"""

from __future__ import annotations

import pytest

from conftest import World
from keel.consent.models import ConsentTemplate
from keel.consent.services import consent_template_approve, consent_template_install_sample
from keel.consent.tests.factories import ALL_CONSENT_TOPICS


@pytest.fixture
def template_v1(world: World) -> ConsentTemplate:
    """Keel's sample consent form in clinic X, approved by its clinic admin."""
    sample = consent_template_install_sample(clinic=world.clinic_x)
    return consent_template_approve(
        actor=world.actor("clinic_admin_x"), template=sample, topics=ALL_CONSENT_TOPICS
    )
