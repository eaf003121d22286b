"""Spravato REMS monitoring form export: read the session record, print the form, store it.

The items and their resolvers are data in ``keel.treatment.rems_forms``; this module
gathers the session's rows into a :class:`RemsRecord`, prints the current schema to
PDF (WeasyPrint, fetching nothing) and stores it with the form id and version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.clinical.protocol import resolve_params
from keel.common.exceptions import Conflict, PermissionDenied
from keel.consent.rendering import pdf_from_html
from keel.intake.selectors import evaluation_current, evaluation_facts
from keel.monitoring.models import Assessment
from keel.treatment.clinical import session_protocol
from keel.treatment.models import (
    AdverseEventCategory,
    DoseAdministration,
    PreSessionCheck,
    RemsExport,
    Route,
    SessionEventKind,
    SessionState,
    TreatmentSession,
)
from keel.treatment.rems_forms import (
    CURRENT,
    MEDICATION_CLASSES,
    SEDATIVE_HYPNOTICS,
    FormSchema,
    Reading,
    RemsRecord,
    resolve_items,
)

OBJECT_TYPE = "rems_export"
PDF_TEMPLATE = "treatment/pdf/rems_form.html"
_VITAL_RULE_PREFIXES = ("precheck.bp.", "precheck.hr.", "precheck.spo2.")


def _list(values: Mapping[str, object], name: str) -> list[str]:
    value = values.get(name)
    return [str(v).lower() for v in value] if isinstance(value, list | tuple) else []


def _medications(session: TreatmentSession) -> list[str] | None:
    evaluation = evaluation_current(patient=session.patient)
    if evaluation is None:
        return None
    names = evaluation_facts(evaluation=evaluation).get("current_medications")
    return [str(n) for n in names] if isinstance(names, list) else None


def _ratings(session: TreatmentSession, instrument_id: str) -> list[Assessment]:
    return list(
        Assessment.objects.filter(
            patient=session.patient,
            instrument_id=instrument_id,
            taken_at__gte=session.scheduled_for - dt.timedelta(hours=12),
            taken_at__lte=session.discharged_at or timezone.now(),
        ).order_by("taken_at", "pk")
    )


def _after(items: Sequence[Assessment], start: dt.datetime | None) -> list[Assessment]:
    return [a for a in items if start is not None and a.taken_at > start]


def rems_record(session: TreatmentSession) -> RemsRecord:
    """Gather the session's rows into the plain values the form's resolvers read."""
    patient = session.patient
    clinic = patient.clinic
    protocol, params = session_protocol(session)
    values = resolve_params(protocol)
    dose = DoseAdministration.objects.filter(session=session).select_related("administered_by")
    dose_row = dose.first()
    monitor = dose_row.administered_by if dose_row is not None else None
    check: PreSessionCheck | None = session.prechecks.order_by("-recorded_at", "-pk").first()
    start = session.dose_started_at
    readings = [
        Reading(v.taken_at, v.systolic_bp, v.diastolic_bp, v.heart_rate, v.spo2, v.respiratory_rate)
        for v in session.vitals.order_by("taken_at", "pk")
    ]
    stop_rules = list(
        session.events.filter(kind=SessionEventKind.STOP_RULE).values_list("rule_id", flat=True)
    )
    # Sedation: MOAA/S below the discharge level after the dose, or a sedation stop rule.
    moaas_required = values.get("discharge_moaas_required", 5)
    moaas = _after(_ratings(session, "moaas"), start)
    sedation = any(
        a.total is not None and a.total < int(str(moaas_required)) for a in moaas
    ) or any(r.startswith("stop.sedation.") for r in stop_rules)
    sedation_resolved = bool(moaas) and moaas[-1].total == int(str(moaas_required))
    # Dissociation: CADSS after the dose above the pre-dose CADSS (above 0 without one).
    cadss_all = _ratings(session, "cadss")
    predose = [a for a in cadss_all if start is None or a.taken_at <= start]
    baseline = predose[-1].total if predose and predose[-1].total is not None else 0
    cadss = _after(cadss_all, start)
    dissociation = any(a.total is not None and a.total > baseline for a in cadss)
    dissociation_resolved = bool(cadss) and (cadss[-1].total or 0) <= baseline
    # Respiratory depression: SpO2 below the prescriber level after the dose, a stop rule, or
    # a recorded adverse event "desaturation with intervention".
    spo2_floor = int(str(values.get("spo2_prescriber_below", 94)))
    after_dose = [x for x in readings if start is not None and x.taken_at > start]
    desaturations = session.adverse_events.filter(category=AdverseEventCategory.DESATURATION)
    respiratory = (
        any(x.spo2 < spo2_floor for x in after_dose)
        or any(r.startswith(("stop.spo2.", "stop.respiration.")) for r in stop_rules)
        or desaturations.exists()
    )
    respiratory_resolved = bool(after_dose) and after_dose[-1].spo2 >= spo2_floor
    earlier = (
        TreatmentSession.objects.filter(
            patient=patient,
            course__route=Route.INTRANASAL_ESKETAMINE,
            dose_started_at__isnull=False,
        )
        .exclude(pk=session.pk)
        .filter(dose_started_at__lt=start or timezone.now())
    )
    overridden = session.events.filter(
        kind=SessionEventKind.TRANSITION, text__contains=" (overridden: "
    ).exists()
    lists: dict[str, list[str]] = {
        item: _list(values, name) if name else list(SEDATIVE_HYPNOTICS)
        for item, name in MEDICATION_CLASSES.items()
    }
    dose_mg = None
    if dose_row is not None:
        dose_mg = format(dose_row.dose_mg.normalize(), "f")
    return RemsRecord(
        tz=clinic.tzinfo,
        patient_given_name=patient.given_name,
        patient_family_name=patient.family_name,
        patient_birth_date=patient.birth_date,
        patient_sex=patient.get_administrative_sex_display(),
        first_treatment=not earlier.exists(),
        monitor_name=(monitor.get_full_name() or monitor.username) if monitor else None,
        monitor_phone=clinic.phone or None,
        monitor_email=(monitor.email or None) if monitor else None,
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
        dose_mg=dose_mg,
        dose_lot=dose_row.lot if dose_row is not None else None,
        medications=_medications(session),
        medication_lists=lists,
        dose_started_at=start,
        discharged_at=session.discharged_at,
        readings=readings,
        bp_post_dose_minutes=params.esketamine_bp_post_dose_minutes,
        precheck_go=None if check is None else check.outcome == "go",
        precheck_vitals_rules=[
            r for r in (check.fired_rule_ids if check else []) if r.startswith(_VITAL_RULE_PREFIXES)
        ],
        discharge_overridden=overridden,
        sedation=sedation if start is not None else None,
        sedation_resolved=sedation_resolved,
        dissociation=dissociation if start is not None else None,
        dissociation_resolved=dissociation_resolved,
        respiratory_depression=respiratory if start is not None else None,
        respiratory_depression_resolved=respiratory_resolved,
    )


def rems_form_html(
    *, schema: FormSchema, session: TreatmentSession, items: list[dict[str, str]], when: dt.datetime
) -> str:
    """The HTML the PDF is printed from: every item with its value, grouped by section."""
    sections: dict[str, list[dict[str, str]]] = {}
    for item in items:
        sections.setdefault(item["section"], []).append(item)
    return render_to_string(
        PDF_TEMPLATE,
        {
            "schema": schema,
            "sections": sections,
            "session": session,
            "clinic": session.patient.clinic,
            "generated_at": timezone.localtime(when, session.patient.clinic.tzinfo),
        },
    )


def rems_export_generate(*, actor: Actor, session: TreatmentSession) -> RemsExport:
    """Print the current REMS form for a discharged esketamine session and store it.

    Refused (409) for a session that is not esketamine or not yet discharged.
    """
    if not actor.has(TreatmentPerm.RUN_SESSIONS):
        raise PermissionDenied("Only clinicians who run sessions print the REMS form.")
    if session.course.route != Route.INTRANASAL_ESKETAMINE:
        raise Conflict("The REMS monitoring form is for esketamine sessions only.")
    if session.state != SessionState.DISCHARGED:
        raise Conflict("The REMS monitoring form is printed after discharge.")
    schema = CURRENT
    items = resolve_items(schema, rems_record(session))
    now = timezone.now()
    pdf = pdf_from_html(rems_form_html(schema=schema, session=session, items=items, when=now))
    export = RemsExport(
        session=session,
        form_id=schema.form_id,
        form_version=schema.version,
        items=items,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        generated_by=actor.user,
        generated_at=now,
    )
    with transaction.atomic():
        export.save()
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=OBJECT_TYPE,
            object_id=export.pk,
            patient_id=session.patient_id,
            detail={"form_id": schema.form_id, "form_version": schema.version},
        )
    return export


def rems_export_list(*, session: TreatmentSession) -> QuerySet[RemsExport]:
    """The session's exports, newest first, without their PDF bytes."""
    return RemsExport.objects.filter(session=session).defer("pdf")


def rems_export_get(*, session: TreatmentSession, export_id: int) -> RemsExport | None:
    """One export of the session (None when it belongs to another session or is missing)."""
    return RemsExport.objects.filter(session=session, pk=export_id).first()


def rems_export_download(*, actor: Actor, export: RemsExport) -> bytes:
    """The stored PDF, byte-for-byte; the download is audited as an export."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=OBJECT_TYPE,
        object_id=export.pk,
        patient_id=export.session.patient_id,
    )
    return bytes(export.pdf)
