"""Intake pages: overview, evaluation form, baseline ratings, eligibility decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from keel.accounts.catalogue import AlertPerm, IntakePerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.alerts.permissions import access_patient_alerts
from keel.audit.models import AuditAction
from keel.clinical.instruments import INSTRUMENTS
from keel.clinical.protocol import resolve_params
from keel.clinical.protocol.floors import FLOOR_PARAMETERS, SAFETY_FLOORS
from keel.common.exceptions import Conflict, ValidationFailed
from keel.intake.forms import AssessmentForm, DecisionForm, EvaluationForm
from keel.intake.models import DecisionOutcome
from keel.intake.permissions import access_patient_intake
from keel.intake.protocols import protocol_for_clinic
from keel.intake.review import review_run
from keel.intake.selectors import (
    BASELINE_INSTRUMENTS,
    decision_list,
    evaluation_current,
    evaluation_facts,
    evaluation_progress,
)
from keel.intake.services import (
    baseline_rating_record,
    eligibility_decide,
    evaluation_start,
    evaluation_update,
)
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.selectors import assessment_latest_by_instrument


def short_title(title: str) -> str:
    """The abbreviation of an instrument's title: "MADRS (Montgomery-...)" -> "MADRS"."""
    return title.split(" (", 1)[0]


def _add_errors(
    form: EvaluationForm | DecisionForm | AssessmentForm, exc: ValidationFailed
) -> None:
    for field, errors in exc.errors.items():
        name = field.replace("overrides.", "override__")
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@require_GET
@with_actor
def intake_overview_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Where the patient stands: evaluation progress, baseline ratings, findings, decisions."""
    patient = access_patient_intake(actor=actor, patient_id=patient_id)
    evaluation = evaluation_current(patient=patient)
    baseline = assessment_latest_by_instrument(patient=patient, purpose=AssessmentPurpose.BASELINE)
    context: dict[str, object] = {
        "patient": patient,
        "evaluation": evaluation,
        "decisions": list(decision_list(patient=patient)),
        "baseline_rows": [
            (INSTRUMENTS[i], short_title(INSTRUMENTS[i].title), baseline.get(i))
            for i in BASELINE_INSTRUMENTS
        ],
        "can_edit": actor.has(IntakePerm.EDIT_EVALUATION),
        "can_decide": actor.has(IntakePerm.DECIDE_ELIGIBILITY),
    }
    if evaluation is not None:
        facts = evaluation_facts(evaluation=evaluation)
        context["progress"] = evaluation_progress(evaluation=evaluation, facts=facts)
        context["review"] = review_run(protocol=protocol_for_clinic(patient.clinic_id), facts=facts)
    return render(request, "intake/overview.html", context)


@require_http_methods(["GET", "POST"])
@with_actor
def evaluation_edit_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Fill in the evaluation; saving keeps a draft, with any question left open."""
    action = AuditAction.UPDATE if request.method == "POST" else AuditAction.READ
    patient = access_patient_intake(
        actor=actor, patient_id=patient_id, need=IntakePerm.EDIT_EVALUATION, action=action
    )
    evaluation = evaluation_start(actor=actor, patient=patient)
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_update(actor=actor, evaluation=evaluation, fields=form.service_fields())
        except ValidationFailed as exc:
            _add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Evaluation saved as a draft.")
            return redirect("intake:overview", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "intake/evaluation_form.html", {"patient": patient, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@with_actor
def baseline_rating_page(
    request: HttpRequest, actor: Actor, patient_id: int, instrument_id: str
) -> HttpResponse:
    """Enter a clinician-scored baseline rating item by item (Keel's own item labels)."""
    if instrument_id not in BASELINE_INSTRUMENTS:
        raise Http404
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    patient = access_patient_intake(
        actor=actor, patient_id=patient_id, need=IntakePerm.EDIT_EVALUATION, action=action
    )
    instrument = INSTRUMENTS[instrument_id]
    form = AssessmentForm(request.POST or None, items=instrument.items)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = baseline_rating_record(
                actor=actor,
                patient=patient,
                instrument_id=instrument_id,
                answers=form.answers(len(instrument.items)),
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            result = " ".join(
                str(part) for part in (assessment.total, assessment.band) if part not in (None, "")
            )
            if not assessment.complete:
                result = f"{result} (incomplete: some items not rated)".strip()
            messages.success(request, f"{short_title(instrument.title)} saved: {result}.")
            return redirect("intake:overview", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "intake/rating_form.html",
        {"patient": patient, "form": form, "instrument": instrument},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@with_actor
def decision_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The physician reviews every finding with its source and records the decision."""
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    patient = access_patient_intake(
        actor=actor, patient_id=patient_id, need=IntakePerm.DECIDE_ELIGIBILITY, action=action
    )
    evaluation = evaluation_current(patient=patient)
    if evaluation is None:
        messages.info(request, "Start the evaluation first.")
        return redirect("intake:overview", patient_id=patient.pk)
    facts = evaluation_facts(evaluation=evaluation)
    review = review_run(protocol=protocol_for_clinic(patient.clinic_id), facts=facts)
    before_deciding = [f.title for f in review.cautions_before_deciding]
    form = DecisionForm(
        request.POST or None,
        overridable=[(f.rule_id, f.title) for f in review.overridable],
        note_required_for=before_deciding,
    )
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_decide(
                actor=actor,
                patient=patient,
                outcome=DecisionOutcome(form.cleaned_data["outcome"]),
                overrides=form.overrides(),
                note=form.cleaned_data["note"],
                treatment_plan=form.cleaned_data["treatment_plan"],
                mood_stabilizer_plan=form.cleaned_data["mood_stabilizer_plan"],
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("intake:overview", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    # The patient's open alerts, shown above the findings (the alerts app's own gate and panel).
    can_alerts = actor.has(AlertPerm.VIEW_ALERTS)
    alerts = access_patient_alerts(actor=actor, patient_id=patient.pk) if can_alerts else []
    return render(
        request,
        "intake/decision_form.html",
        {
            "patient": patient,
            "form": form,
            "review": review,
            "evaluation": evaluation,
            "can_alerts": can_alerts,
            "alerts": alerts,
            "now": timezone.now(),
        },
        status=status,
    )


@dataclass(frozen=True, slots=True)
class _ValueRow:
    name: str
    value: str
    unit: str
    basis: str
    convention: bool
    must_be_set: bool
    floor: bool


@require_GET
@with_actor
def protocol_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's protocol, read-only: the safety floors with their sources, then every value."""
    # Clinic staff only: outside accounts (patients, psychiatrists of record) have no role.
    if actor.role is None or actor.clinic is None:
        raise Http404
    protocol = protocol_for_clinic(actor.clinic.pk)
    values = resolve_params(protocol)
    rows = [
        _ValueRow(
            name=name,
            value=_shown(values[name]),
            unit=parameter.unit,
            basis=parameter.basis,
            convention=parameter.convention,
            must_be_set=parameter.must_be_set,
            floor=name in FLOOR_PARAMETERS,
        )
        for name, parameter in protocol.parameters.items()
    ]
    by_name = {row.name: row for row in rows}
    floors = [
        {
            "floor": floor,
            "values": [by_name[p.name] for p in floor.parameters if p.name in by_name],
        }
        for floor in SAFETY_FLOORS
    ]
    return render(
        request,
        "intake/protocol.html",
        {"actor": actor, "protocol": protocol, "floors": floors, "parameters": rows},
    )


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value)
    return str(value)
