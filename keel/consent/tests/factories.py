"""factory_boy factories for consent (synthetic text and people only)."""

from __future__ import annotations

import hashlib

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from keel.accounts.tests.factories import ClinicFactory, UserFactory
from keel.consent.models import (
    CONSENT_TOPICS,
    EDUCATION_TOPICS,
    Consent,
    ConsentTemplate,
    DocumentStatus,
    EducationPage,
    SignedVia,
)
from keel.consent.text import text_sha256
from keel.patients.tests.factories import PatientFactory

#: A stand-in PDF for rows made without the renderer (keeps tests fast).
FAKE_PDF = b"%PDF-1.7\n% factory stand-in, not a real document\n%%EOF\n"
BODY = (
    "## Test consent\n\nKetamine is not FDA-approved for bipolar depression (off-label).\n\n"
    "- dissociation\n- raised blood pressure"
)


class ConsentTemplateFactory(DjangoModelFactory[ConsentTemplate]):
    """An approved consent template version (pass ``status`` for others)."""

    class Meta:
        model = ConsentTemplate

    clinic = factory.SubFactory(ClinicFactory)
    version = factory.Sequence(lambda n: n + 1)
    title = "Test consent form"
    body = BODY
    status = DocumentStatus.APPROVED
    approved_at = factory.LazyAttribute(
        lambda t: (
            timezone.now()
            if t.status in (DocumentStatus.APPROVED, DocumentStatus.RETIRED)
            else None
        )
    )
    covers_off_label = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_risks = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_escort_no_driving = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_alongside_mood_care = factory.LazyAttribute(lambda t: t.approved_at is not None)


class EducationPageFactory(DjangoModelFactory[EducationPage]):
    """An approved education page version (pass ``status`` for others)."""

    class Meta:
        model = EducationPage

    clinic = factory.SubFactory(ClinicFactory)
    version = factory.Sequence(lambda n: n + 1)
    title = "About ketamine (test)"
    body = "## How it works\n\nTest text about ketamine for patients."
    status = DocumentStatus.APPROVED
    approved_at = factory.LazyAttribute(
        lambda t: (
            timezone.now()
            if t.status in (DocumentStatus.APPROVED, DocumentStatus.RETIRED)
            else None
        )
    )
    covers_how_it_works = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_off_label_not_cure = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_monitoring = factory.LazyAttribute(lambda t: t.approved_at is not None)
    covers_session = factory.LazyAttribute(lambda t: t.approved_at is not None)


class ConsentFactory(DjangoModelFactory[Consent]):
    """A standing clinic signature with a stand-in PDF."""

    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    template = factory.SubFactory(
        ConsentTemplateFactory, clinic=factory.SelfAttribute("..patient.clinic")
    )
    signed_name = factory.LazyAttribute(lambda c: c.patient.full_name)
    confirmed = True
    signed_at = factory.LazyFunction(timezone.now)
    signed_via = SignedVia.CLINIC
    recorded_by = factory.SubFactory(UserFactory)
    staff_attested = True
    body_sha256 = factory.LazyAttribute(lambda c: text_sha256(c.template.body))
    pdf = FAKE_PDF
    pdf_sha256 = hashlib.sha256(FAKE_PDF).hexdigest()


ALL_CONSENT_TOPICS = [topic.code for topic in CONSENT_TOPICS]
ALL_EDUCATION_TOPICS = [topic.code for topic in EDUCATION_TOPICS]
