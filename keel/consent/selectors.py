"""Reads for consent: templates, education pages and a patient's consent state.

``consent_current`` and ``consent_status`` are the interface other apps use
(treatment and intake decide "cleared" and "scheduling blocked" from them).
They take a patient that a gate already returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from django.db.models import QuerySet

from keel.consent.models import (
    OPEN_STATUSES,
    ClinicDocument,
    Consent,
    ConsentTemplate,
    DocumentStatus,
    EducationPage,
)
from keel.patients.models import Patient

DocumentT = TypeVar("DocumentT", bound=ClinicDocument)

ConsentState = Literal["none", "current", "withdrawn", "outdated"]


@dataclass(frozen=True)
class ConsentStatus:
    """A patient's consent state.

    ``state`` is one of:

    - "current": ``consent`` is a standing signature on ``template``, the
      clinic's approved version; treatment may be scheduled;
    - "none": the patient never signed;
    - "withdrawn": the latest signature (``consent``) was withdrawn;
    - "outdated": the latest signature (``consent``) is on an older version
      than ``template``, so the patient must read and sign again.

    ``template`` is the version the patient would sign now (None while the
    clinic has no approved template).
    """

    state: ConsentState
    consent: Consent | None
    template: ConsentTemplate | None

    @property
    def is_current(self) -> bool:
        """True when treatment may be scheduled."""
        return self.state == "current"


# ---------------------------------------------------------------- documents


def document_list(*, model: type[DocumentT], clinic_id: int) -> QuerySet[DocumentT]:
    """All versions of a clinic's documents of one kind, newest first."""
    return model._default_manager.filter(clinic_id=clinic_id).order_by("-version")


def document_approved(*, model: type[DocumentT], clinic_id: int) -> DocumentT | None:
    """The clinic's approved version of a document kind, if any."""
    return (
        model._default_manager.filter(clinic_id=clinic_id, status=DocumentStatus.APPROVED)
        .select_related("clinic", "approved_by")
        .first()
    )


def document_latest(*, model: type[DocumentT], clinic_id: int) -> DocumentT | None:
    """The highest version of a document kind in a clinic."""
    return document_list(model=model, clinic_id=clinic_id).first()


def document_open(*, model: type[DocumentT], clinic_id: int) -> DocumentT | None:
    """The version still being written or awaiting approval, if any (at most one)."""
    return document_list(model=model, clinic_id=clinic_id).filter(status__in=OPEN_STATUSES).first()


def consent_template_list(*, clinic_id: int) -> QuerySet[ConsentTemplate]:
    """Every consent template version of a clinic, newest first."""
    return document_list(model=ConsentTemplate, clinic_id=clinic_id)


def consent_template_approved(*, clinic_id: int) -> ConsentTemplate | None:
    """The consent template version patients of the clinic sign now."""
    return document_approved(model=ConsentTemplate, clinic_id=clinic_id)


def education_page_list(*, clinic_id: int) -> QuerySet[EducationPage]:
    """Every education page version of a clinic, newest first."""
    return document_list(model=EducationPage, clinic_id=clinic_id)


def education_page_approved(*, clinic_id: int) -> EducationPage | None:
    """The education page version patients of the clinic see now."""
    return document_approved(model=EducationPage, clinic_id=clinic_id)


# ---------------------------------------------------------------- consents


def consent_list(*, patient: Patient) -> QuerySet[Consent]:
    """Every consent the patient signed, newest first, with template and people."""
    return (
        Consent.objects.filter(patient=patient)
        .select_related("template", "recorded_by", "withdrawn_by")
        .order_by("-signed_at", "-pk")
    )


def consent_current(*, patient: Patient) -> Consent | None:
    """The patient's standing consent on the clinic's approved template, or None.

    None means treatment may not be scheduled: the patient never signed,
    withdrew, or signed a version that a newer approved version replaced
    (re-consent required).
    """
    return (
        consent_list(patient=patient)
        .filter(
            withdrawn_at__isnull=True,
            template__clinic_id=patient.clinic_id,
            template__status=DocumentStatus.APPROVED,
        )
        .first()
    )


def consent_status(*, patient: Patient) -> ConsentStatus:
    """The patient's consent state: none, current, withdrawn or outdated."""
    template = consent_template_approved(clinic_id=patient.clinic_id)
    current = consent_current(patient=patient)
    if current is not None:
        return ConsentStatus(state="current", consent=current, template=template)
    latest = consent_list(patient=patient).first()
    if latest is None:
        return ConsentStatus(state="none", consent=None, template=template)
    if latest.is_withdrawn:
        return ConsentStatus(state="withdrawn", consent=latest, template=template)
    return ConsentStatus(state="outdated", consent=latest, template=template)


def consent_standing(*, patient: Patient) -> QuerySet[Consent]:
    """The patient's consents that were not withdrawn (current or outdated)."""
    return consent_list(patient=patient).filter(withdrawn_at__isnull=True)
