"""Writes for patients: registration and demographic changes, each audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.accounts.models import Clinic, User
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import NotFound, ValidationFailed
from keel.patients.models import Patient, PsychiatristOfRecord
from keel.patients.permissions import OBJECT_TYPE, access_patient_create
from keel.patients.selectors import psychiatrist_list

EDITABLE_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "administrative_sex",
    "weight_kg",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "psychiatrist_of_record_id",
)
REQUIRED_FIELDS: tuple[str, ...] = ("given_name", "family_name", "birth_date", "administrative_sex")
# Optional text columns: "no value" is "", never NULL.
BLANK_TEXT_FIELDS: frozenset[str] = frozenset(
    {
        "phone",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
    }
)
OLDEST_BIRTH_YEAR = 1900
MRN_DIGITS = 6


def _validate(patient: Patient, *, clinic_id: int) -> None:
    errors: dict[str, list[str]] = {}
    try:
        patient.full_clean(exclude=["clinic", "mrn", "created_by", "updated_by", "user"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    birth_date = patient.birth_date
    if "birth_date" not in errors:
        if birth_date > timezone.localdate():
            errors["birth_date"] = ["Date of birth cannot be in the future."]
        elif birth_date.year < OLDEST_BIRTH_YEAR:
            errors["birth_date"] = [f"Date of birth must be in {OLDEST_BIRTH_YEAR} or later."]
    psychiatrist_id = patient.psychiatrist_of_record_id
    if (
        psychiatrist_id is not None
        and not psychiatrist_list(clinic_id=clinic_id).filter(pk=psychiatrist_id).exists()
    ):
        errors["psychiatrist_of_record_id"] = ["Choose a psychiatrist of record of this clinic."]
    if errors:
        raise ValidationFailed(errors)


def _apply(patient: Patient, fields: Mapping[str, object]) -> list[str]:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed({name: ["This field cannot be set."] for name in unknown})
    changed: list[str] = []
    for name, value in fields.items():
        normalised = value.strip() if isinstance(value, str) else value
        if normalised is None and name in BLANK_TEXT_FIELDS:
            # An API null clears an optional text field.
            normalised = ""
        if getattr(patient, name) != normalised:
            setattr(patient, name, normalised)
            changed.append(name)
    return changed


def _next_mrn(*, clinic_id: int) -> str:
    """Take the clinic's next MRN; the row lock makes concurrent registrations safe."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    number = clinic.next_mrn
    Clinic.objects.filter(pk=clinic_id).update(next_mrn=number + 1)
    return f"{clinic.mrn_prefix}{number:0{MRN_DIGITS}d}"


def patient_create(*, actor: Actor, fields: Mapping[str, object]) -> Patient:
    """Register a patient in the actor's clinic with the next MRN of that clinic."""
    access_patient_create(actor=actor)
    clinic_id = actor.clinic_id
    if clinic_id is None:  # access_patient_create guarantees a clinic; keep mypy honest
        raise NotFound()
    missing = [name for name in REQUIRED_FIELDS if fields.get(name) in (None, "")]
    if missing:
        raise ValidationFailed({name: ["This field is required."] for name in missing})
    patient = Patient(clinic_id=clinic_id, created_by=actor.user, updated_by=actor.user)
    _apply(patient, fields)
    _validate(patient, clinic_id=clinic_id)
    with transaction.atomic():
        patient.mrn = _next_mrn(clinic_id=clinic_id)
        patient.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


def patient_update(*, actor: Actor, patient: Patient, fields: Mapping[str, object]) -> Patient:
    """Change a patient's demographics; the audit event names the changed fields only.

    ``patient`` must come from ``access_patient(need=EDIT_DEMOGRAPHICS)``.
    """
    before = {name: getattr(patient, name) for name in EDITABLE_FIELDS}
    changed = _apply(patient, fields)
    if not changed:
        return patient
    try:
        _validate(patient, clinic_id=patient.clinic_id)
    except ValidationFailed:
        # Leave the caller's object as stored: a rejected change alters nothing.
        for name, value in before.items():
            setattr(patient, name, value)
        raise
    patient.updated_by = actor.user
    with transaction.atomic():
        patient.save(update_fields=[*changed, "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
            detail={"fields": sorted(changed)},
        )
    return patient


def psychiatrist_create(
    *,
    actor: Actor,
    name: str,
    practice: str = "",
    phone: str = "",
    email: str = "",
    user: User | None = None,
) -> PsychiatristOfRecord:
    """Add an outside psychiatrist to the actor's clinic directory."""
    access_patient_create(actor=actor)
    if actor.clinic_id is None:
        raise NotFound()
    psychiatrist = PsychiatristOfRecord(
        clinic_id=actor.clinic_id,
        name=name.strip(),
        practice=practice.strip(),
        phone=phone.strip(),
        email=email.strip(),
        user=user,
        created_by=actor.user,
        updated_by=actor.user,
    )
    try:
        psychiatrist.full_clean(exclude=["clinic", "created_by", "updated_by", "user"])
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    with transaction.atomic():
        psychiatrist.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="psychiatrist_of_record",
            object_id=psychiatrist.pk,
        )
    return psychiatrist
