"""The patient portal: Today, the diary, scales, help, and creating a login from an invitation.

Mobile-first and calm: one column, large targets, plain words. A "Get help
now" link sits in the header of every page. A patient reaches only their own
record (``access_own_patient``); no address names a patient.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from keel.accounts.decorators import with_actor
from keel.accounts.models import Clinic
from keel.accounts.requests import request_actor
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.clinical.instruments import INSTRUMENTS
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.monitoring.forms import DiaryForm, InvitationAcceptForm, ScaleForm, scale_questions
from keel.monitoring.models import Assessment, DiaryEntry
from keel.monitoring.permissions import access_own_patient
from keel.monitoring.selectors import (
    clinic_today,
    crisis_level,
    demo_mode,
    diary_for_day,
    due_items,
    instrument_title,
    patient_for_user,
    text_pack_active,
)
from keel.monitoring.services import (
    diary_submit,
    portal_invitation_accept,
    portal_invitation_open,
    portal_invitation_viewed,
    portal_rating_submit,
    scale_offered,
)
from keel.monitoring.textpacks import PATIENT_SCALES
from keel.patients.models import Patient


def _tel(phone: str) -> str:
    return re.sub(r"[^0-9+]", "", phone)


def _clinic_context(clinic: Clinic | None) -> dict[str, Any]:
    phone = clinic.phone if clinic is not None else ""
    return {
        "clinic": clinic,
        "clinic_phone": phone,
        "clinic_tel": _tel(phone),
        "review_note": clinic.check_in_review_note.strip() if clinic is not None else "",
    }


def _page(request: HttpRequest, template: str, patient: Patient, **context: Any) -> HttpResponse:
    status = int(context.pop("status", 200))
    return render(
        request,
        template,
        {"patient": patient, **_clinic_context(patient.clinic), **context},
        status=status,
    )


@require_GET
@with_actor
def today_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What is due today, what is done, and the clinic's number."""
    patient = access_own_patient(actor=actor)
    today = clinic_today(patient)
    items = [item for item in due_items(patient=patient, today=today) if item.offered]
    return _page(
        request,
        "portal/today.html",
        patient,
        today=today,
        to_do=[i for i in items if i.needs_action],
        done=[i for i in items if i.last_completed_on == today and not i.needs_action],
        later=[i for i in items if not i.needs_action and i.last_completed_on != today],
    )


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """Crisis numbers, open to everyone: a patient whose session ended must still reach it."""
    actor = request_actor(request)
    clinic: Clinic | None = None
    if actor is not None and actor.account_type == AccountType.PATIENT:
        patient = patient_for_user(user=actor.user)
        clinic = patient.clinic if patient is not None else None
    return render(request, "portal/help.html", _clinic_context(clinic))


@require_http_methods(["GET", "POST"])
@with_actor
def diary_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Today's mood and sleep diary; after saving, the thank-you page (same for a replay)."""
    patient = access_own_patient(
        actor=actor, action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    )
    form = DiaryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submitted = diary_submit(
                    actor=actor,
                    patient=patient,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    **form.values(),
                )
            except ValidationFailed as exc:
                _errors_to_form(form, exc)
            except Conflict as exc:
                return _page(
                    request,
                    "portal/diary.html",
                    patient,
                    form=None,
                    conflict=exc.message,
                    status=409,
                )
            else:
                return _diary_done(request, patient, submitted.record)
        status = 422
    existing = diary_for_today(patient)
    return _page(request, "portal/diary.html", patient, form=form, already=existing, status=status)


def diary_for_today(patient: Patient) -> DiaryEntry | None:
    """The patient's diary entry for today (clinic time zone), if filled in."""
    return diary_for_day(patient=patient, day=clinic_today(patient))


def _diary_done(request: HttpRequest, patient: Patient, entry: DiaryEntry) -> HttpResponse:
    return _page(request, "portal/done.html", patient, kind="diary", entry=entry, level="")


def _errors_to_form(form: Any, exc: ValidationFailed) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@require_http_methods(["GET", "POST"])
@with_actor
def scale_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A questionnaire (``?instrument=phq9``); without one, the list the patient may fill in."""
    patient = access_own_patient(
        actor=actor, action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    )
    source = request.POST if request.method == "POST" else request.GET
    instrument_id = str(source.get("instrument", ""))
    if not instrument_id:
        if request.method == "POST":
            raise NotFound()
        return _scale_list(request, patient)
    if instrument_id not in PATIENT_SCALES or not scale_offered(
        patient=patient, instrument_id=instrument_id
    ):
        raise NotFound()
    instrument = INSTRUMENTS[instrument_id]
    pack = text_pack_active(clinic_id=patient.clinic_id, instrument_id=instrument_id)
    questions = scale_questions(instrument, pack.items if pack is not None else None)
    form = ScaleForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial={"instrument": instrument_id},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submitted = portal_rating_submit(
                    actor=actor,
                    patient=patient,
                    instrument_id=instrument_id,
                    answers=form.answers(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ValidationFailed as exc:
                _errors_to_form(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("portal:today")
            else:
                return _scale_done(request, patient, submitted.record)
        status = 422
    return _page(
        request,
        "portal/scale.html",
        patient,
        form=form,
        instrument=instrument,
        title=pack.title if pack is not None else instrument.title,
        pack=pack,
        intro=(pack.items.get("intro", "") if pack is not None else ""),
        demo_wording=pack is None and demo_mode(),
        questions=[(q, form[f"item_{q.number}"]) for q in questions],
        status=status,
    )


def _scale_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    scales = [
        (instrument_id, _scale_title(patient, instrument_id))
        for instrument_id in PATIENT_SCALES
        if scale_offered(patient=patient, instrument_id=instrument_id)
    ]
    return _page(request, "portal/scale_list.html", patient, scales=scales)


def _scale_title(patient: Patient, instrument_id: str) -> str:
    pack = text_pack_active(clinic_id=patient.clinic_id, instrument_id=instrument_id)
    return pack.title if pack is not None else instrument_title(instrument_id)


def _scale_done(request: HttpRequest, patient: Patient, assessment: Assessment) -> HttpResponse:
    """The page right after a scale: crisis resources first when the answers ask for it."""
    return _page(
        request,
        "portal/done.html",
        patient,
        kind="scale",
        assessment=assessment,
        title=_scale_title(patient, assessment.instrument_id),
        level=crisis_level(assessment),
    )


# ---------------------------------------------------------------- invitations


@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """Create a portal login from the emailed link; a link that no longer works gets one calm page."""
    try:
        invitation = portal_invitation_open(raw_token=token)
    except NotFound:
        return _dead_link(request)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_invitation_accept(
                raw_token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except NotFound:
            return _dead_link(request)
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Your login is ready. Sign in with it now.")
            return redirect(f"{reverse('accounts:login')}?next={reverse('portal:today')}")
    if request.method == "GET":
        portal_invitation_viewed(invitation=invitation)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "portal/invitation.html",
        {"form": form, **_clinic_context(invitation.patient.clinic)},
        status=status,
    )


def _dead_link(request: HttpRequest) -> HttpResponse:
    """One page for unknown, used, expired and withdrawn links: it never says which."""
    return render(request, "portal/invitation_dead.html", _clinic_context(None), status=404)
