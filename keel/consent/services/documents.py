"""Writes for versioned clinic documents: consent templates and education pages.

The rules, the same for both kinds:

- a clinic has at most one version being written (draft or awaiting
  approval) and at most one approved version;
- a draft or awaiting version may be edited; an approved or retired one
  never changes, so a change to it is a new version;
- approval needs the approver to confirm every required topic is covered,
  and retires the previously approved version;
- Keel's sample is installed as version 1, awaiting approval.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import ConsentPerm
from keel.accounts.models import Clinic
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, ValidationFailed
from keel.consent import sample_texts
from keel.consent.models import (
    CONSENT_TOPICS,
    EDUCATION_TOPICS,
    ClinicDocument,
    ConsentTemplate,
    DocumentStatus,
    EducationPage,
    Topic,
)
from keel.consent.permissions import access_documents, document_object_type
from keel.consent.selectors import document_approved, document_latest, document_open
from keel.consent.text import normalise_newlines

DocumentT = TypeVar("DocumentT", bound=ClinicDocument)

TOPICS: dict[type[ClinicDocument], tuple[Topic, ...]] = {
    ConsentTemplate: CONSENT_TOPICS,
    EducationPage: EDUCATION_TOPICS,
}
_NOT_CLEANED = ["clinic", "version", "approved_by", "created_by", "updated_by"]


def _lock_clinic(clinic_id: int) -> None:
    """Serialise version numbering and approval within one clinic."""
    Clinic.objects.select_for_update().filter(pk=clinic_id).exists()


def _set_text(document: ClinicDocument, *, title: str, body: str) -> list[str]:
    """Put the cleaned title and body on ``document``; return the changed field names."""
    values = {"title": " ".join(title.split()), "body": normalise_newlines(body)}
    changed = [name for name, value in values.items() if getattr(document, name) != value]
    for name in changed:
        setattr(document, name, values[name])
    return changed


def _validate(document: ClinicDocument) -> None:
    errors: dict[str, list[str]] = {}
    try:
        document.full_clean(exclude=_NOT_CLEANED, validate_constraints=False)
    except ValidationError as exc:
        errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    if errors:
        raise ValidationFailed(errors)


def document_install_sample(
    *, model: type[DocumentT], clinic: Clinic, title: str, body: str, actor: Actor | None = None
) -> DocumentT:
    """Install Keel's sample as version 1, awaiting approval, unless the clinic has any version.

    Idempotent: returns the clinic's latest version when one exists.
    """
    with transaction.atomic():
        _lock_clinic(clinic.pk)
        existing = document_latest(model=model, clinic_id=clinic.pk)
        if existing is not None:
            return existing
        user = actor.user if actor is not None else None
        document = model(
            clinic=clinic,
            version=1,
            status=DocumentStatus.AWAITING_APPROVAL,
            is_sample=True,
            created_by=user,
            updated_by=user,
        )
        _set_text(document, title=title, body=body)
        _validate(document)
        document.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=document_object_type(model),
            object_id=document.pk,
            clinic_id=clinic.pk,
            detail={"version": 1, "sample": True},
        )
    return document


def document_create_version(
    *, actor: Actor, model: type[DocumentT], title: str, body: str, submit: bool = False
) -> DocumentT:
    """Write the next version in the actor's clinic, as a draft or sent for approval."""
    clinic_id = access_documents(
        actor=actor, model=model, need=ConsentPerm.MANAGE_TEMPLATES, action=AuditAction.CREATE
    )
    status = DocumentStatus.AWAITING_APPROVAL if submit else DocumentStatus.DRAFT
    document = model(
        clinic_id=clinic_id, version=1, status=status, created_by=actor.user, updated_by=actor.user
    )
    _set_text(document, title=title, body=body)
    _validate(document)
    with transaction.atomic():
        _lock_clinic(clinic_id)
        open_version = document_open(model=model, clinic_id=clinic_id)
        if open_version is not None:
            raise Conflict(
                f"Version {open_version.version} is not approved yet: change that version "
                "instead of starting another."
            )
        latest = document_latest(model=model, clinic_id=clinic_id)
        document.version = 1 if latest is None else latest.version + 1
        document.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=document_object_type(model),
            object_id=document.pk,
            detail={"version": document.version, "status": status.value},
        )
    return document


def _locked(document: DocumentT) -> DocumentT:
    """Re-read ``document`` under a row lock (inside a transaction)."""
    return type(document)._default_manager.select_for_update().get(pk=document.pk)


def document_update(
    *, actor: Actor, document: DocumentT, title: str, body: str, submit: bool = False
) -> DocumentT:
    """Change a version that was never approved; ``submit`` sends it for approval.

    ``document`` must come from ``access_document(need=MANAGE_TEMPLATES)``.
    Changing the text of Keel's sample makes it the clinic's own text.
    """
    with transaction.atomic():
        stored = _locked(document)
        if not stored.is_open:
            raise Conflict(
                f"Version {stored.version} is {stored.get_status_display().lower()} and cannot "
                "change. Write a new version instead."
            )
        changed = _set_text(stored, title=title, body=body)
        status = DocumentStatus.AWAITING_APPROVAL if submit else DocumentStatus.DRAFT
        if stored.status != status:
            changed.append("status")
            stored.status = status
        if not changed:
            return stored
        if {"title", "body"} & set(changed) and stored.is_sample:
            stored.is_sample = False
            changed.append("is_sample")
        _validate(stored)
        stored.updated_by = actor.user
        stored.save(update_fields=[*changed, "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=document_object_type(type(document)),
            object_id=stored.pk,
            detail={"version": stored.version, "fields": sorted(changed)},
        )
    return stored


def document_submit(*, actor: Actor, document: DocumentT) -> DocumentT:
    """Send a draft for approval; its text stays editable until approved.

    ``document`` must come from ``access_document(need=MANAGE_TEMPLATES)``.
    """
    with transaction.atomic():
        stored = _locked(document)
        if stored.status != DocumentStatus.DRAFT:
            raise Conflict(f"Version {stored.version} is not a draft.")
        stored.status = DocumentStatus.AWAITING_APPROVAL
        stored.updated_by = actor.user
        stored.save(update_fields=["status", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=document_object_type(type(document)),
            object_id=stored.pk,
            detail={"version": stored.version, "fields": ["status"]},
        )
    return stored


def _check_topics(model: type[ClinicDocument], topics: Collection[str]) -> tuple[Topic, ...]:
    required = TOPICS[model]
    known = {topic.code for topic in required}
    unknown = sorted(set(topics) - known)
    if unknown:
        raise ValidationFailed({"topics": [f"Unknown topic: {', '.join(unknown)}."]})
    missing = [topic for topic in required if topic.code not in topics]
    if missing:
        labels = "; ".join(str(topic.label) for topic in missing)
        raise ValidationFailed(
            {
                "topics": [
                    f"Approve only a text that covers every required topic. Not confirmed: {labels}."
                ]
            }
        )
    return required


def document_approve(*, actor: Actor, document: DocumentT, topics: Collection[str]) -> DocumentT:
    """Approve a version for patients, retiring the version approved before it.

    ``topics`` are the codes of the required topics the approver confirms
    the text covers; all of them are needed. ``document`` must come from
    ``access_document(need=APPROVE_TEMPLATES)``.
    """
    required = _check_topics(type(document), topics)
    model = type(document)
    object_type = document_object_type(model)
    with transaction.atomic():
        _lock_clinic(document.clinic_id)
        stored = _locked(document)
        if not stored.is_open:
            raise Conflict(
                f"Version {stored.version} is {stored.get_status_display().lower()}; only a "
                "version that was never approved can be approved."
            )
        previous = document_approved(model=model, clinic_id=stored.clinic_id)
        if previous is not None:
            previous.status = DocumentStatus.RETIRED
            previous.updated_by = actor.user
            previous.save(update_fields=["status", "updated_by", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type=object_type,
                object_id=previous.pk,
                detail={"version": previous.version, "fields": ["status"], "status": "retired"},
            )
        stored.status = DocumentStatus.APPROVED
        stored.approved_by = actor.user
        stored.approved_at = timezone.now()
        stored.updated_by = actor.user
        for topic in required:
            setattr(stored, topic.field, True)
        stored.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=object_type,
            object_id=stored.pk,
            detail={
                "version": stored.version,
                "fields": ["status"],
                "status": "approved",
                "topics": [topic.code for topic in required],
            },
        )
    return stored


# ---------------------------------------------------------------- consent templates


def consent_template_install_sample(
    *, clinic: Clinic, actor: Actor | None = None
) -> ConsentTemplate:
    """Install Keel's sample consent form as version 1 awaiting approval, if the clinic has none."""
    return document_install_sample(
        model=ConsentTemplate,
        clinic=clinic,
        title=sample_texts.CONSENT_TITLE,
        body=sample_texts.CONSENT_BODY,
        actor=actor,
    )


def consent_template_create_version(
    *, actor: Actor, title: str, body: str, submit: bool = False
) -> ConsentTemplate:
    """Write the next consent template version of the actor's clinic."""
    return document_create_version(
        actor=actor, model=ConsentTemplate, title=title, body=body, submit=submit
    )


def consent_template_update(
    *, actor: Actor, template: ConsentTemplate, title: str, body: str, submit: bool = False
) -> ConsentTemplate:
    """Change a consent template version that was never approved."""
    return document_update(actor=actor, document=template, title=title, body=body, submit=submit)


def consent_template_submit(*, actor: Actor, template: ConsentTemplate) -> ConsentTemplate:
    """Send a consent template draft for approval."""
    return document_submit(actor=actor, document=template)


def consent_template_approve(
    *, actor: Actor, template: ConsentTemplate, topics: Collection[str]
) -> ConsentTemplate:
    """Approve a consent template version; patients must sign it again (re-consent)."""
    return document_approve(actor=actor, document=template, topics=topics)


# ---------------------------------------------------------------- education pages


def education_page_install_sample(*, clinic: Clinic, actor: Actor | None = None) -> EducationPage:
    """Install Keel's sample education page as version 1 awaiting approval, if the clinic has none."""
    return document_install_sample(
        model=EducationPage,
        clinic=clinic,
        title=sample_texts.EDUCATION_TITLE,
        body=sample_texts.EDUCATION_BODY,
        actor=actor,
    )


def education_page_create_version(
    *, actor: Actor, title: str, body: str, submit: bool = False
) -> EducationPage:
    """Write the next education page version of the actor's clinic."""
    return document_create_version(
        actor=actor, model=EducationPage, title=title, body=body, submit=submit
    )


def education_page_update(
    *, actor: Actor, page: EducationPage, title: str, body: str, submit: bool = False
) -> EducationPage:
    """Change an education page version that was never approved."""
    return document_update(actor=actor, document=page, title=title, body=body, submit=submit)


def education_page_submit(*, actor: Actor, page: EducationPage) -> EducationPage:
    """Send an education page draft for approval."""
    return document_submit(actor=actor, document=page)


def education_page_approve(
    *, actor: Actor, page: EducationPage, topics: Collection[str]
) -> EducationPage:
    """Approve an education page version; patients see it from now on."""
    return document_approve(actor=actor, document=page, topics=topics)
