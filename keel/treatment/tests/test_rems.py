"""The Spravato REMS monitoring form: printed from a whole esketamine session, refused otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied
from keel.intake.models import Evaluation
from keel.treatment.models import RemsExport, Route, TreatmentSession, VitalContext
from keel.treatment.rems import rems_export_generate, rems_record
from keel.treatment.rems_forms import CURRENT, FORMS, NOT_IN_KEEL, NOT_RECORDED
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    exit_check_record,
    precheck_record,
    session_check_in,
    session_discharge,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)
from keel.treatment.tests.helpers import EARLY, active_course, scheduled_session
from keel.treatment.tests.test_chairside import CALM, CHECKLIST

pytestmark = pytest.mark.django_db


def _checked(world: World, session: TreatmentSession) -> TreatmentSession:
    nurse = world.actor("nurse_x")
    session = session_check_in(
        actor=nurse, session=session, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    vitals_record(actor=nurse, session=session, context=VitalContext.PRE_DOSE, **CALM)
    session_rating_record(
        actor=nurse,
        session=session,
        instrument_id="ymrs",
        answers=[0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    )
    session_rating_record(
        actor=nurse,
        session=session,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
    )
    session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    return session


def _stock_lot(world: World, lot: str) -> None:
    """Receive the lot into the controlled-substance ledger (dose_start records against it)."""
    try:
        from keel.inventory.models import Drug
        from keel.inventory.services import receipt_record
    except ImportError:  # the ledger is not installed in this tree
        return
    receipt_record(
        actor=world.actor("physician_x"),
        drug=Drug.ESKETAMINE,
        concentration_mg_per_ml=Decimal("140"),
        lot_number=lot,
        supplier="Synthetic supplier",
        expires_on=timezone.localdate() + dt.timedelta(days=365),
        quantity_ml=Decimal("10"),
        reference="INV-TEST-1",
    )


def esketamine_session(world: World, *, discharge: bool = True) -> TreatmentSession:
    """A whole 56 mg esketamine session: sedation at 40 minutes that resolves, discharge at 125."""
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    course = active_course(world, Route.INTRANASAL_ESKETAMINE)
    session = session_schedule(
        actor=nurse, course=course, scheduled_for=timezone.now() + dt.timedelta(hours=1)
    )
    session = _checked(world, session)
    _stock_lot(world, "SPR-2211")
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("140"),
        lot="SPR-2211",
    )
    dose_verify(actor=physician, dose=dose)
    start = timezone.now()
    session = dose_start(actor=nurse, dose=dose)
    with time_machine.travel(start + dt.timedelta(minutes=41), tick=False):
        vitals_record(
            actor=nurse,
            session=session,
            context=VitalContext.DURING,
            **{**CALM, "systolic_bp": 146, "diastolic_bp": 92},
        )
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[4])
        session_rating_record(
            actor=nurse, session=session, instrument_id="cadss", answers=[1, 1, 1] + [0] * 20
        )
    with time_machine.travel(start + dt.timedelta(minutes=60), tick=False):
        session = dose_stop(actor=nurse, session=session, reason=EARLY)
    with time_machine.travel(start + dt.timedelta(minutes=125), tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[5])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
        if discharge:
            exit_check_record(
                actor=nurse,
                session=session,
                new_suicidal_ideation=False,
                mood_elevation=False,
                perceptual_change=False,
                walks_steadily=True,
                nausea_or_dizziness=False,
            )
            session = session_discharge(
                actor=nurse,
                session=session,
                escort_present=True,
                no_driving_acknowledged=True,
                escort_name="Robin Ellery",
            )
    return session


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
            ["pdftotext", str(path), "-"],  # noqa: S607
            capture_output=True,
            check=True,
            text=True,
        )
    return " ".join(result.stdout.split())


def test_export_holds_every_item_of_the_schema(world: World) -> None:
    session = esketamine_session(world)
    export = rems_export_generate(actor=world.actor("nurse_x"), session=session)
    assert (export.form_id, export.form_version) == ("spravato-rems-monitoring", "2021-11")
    assert FORMS[(export.form_id, export.form_version)] is CURRENT
    assert [i["key"] for i in export.items] == [i.key for i in CURRENT.items]
    values = {i["key"]: i["value"] for i in export.items}
    assert values["patient_first_name"] == world.patient_a.given_name
    assert values["patient_middle_initial"] == NOT_IN_KEEL
    assert values["setting_address"] == NOT_IN_KEEL
    assert values["first_treatment"] == "yes"
    assert values["dose"] == "56 mg"
    assert values["lot"] == "SPR-2211"
    assert values["med_benzodiazepines"] == "no"  # lithium and sertraline only
    assert values["med_maois"] == "no"
    assert values["bp_before"].startswith("124/80 mmHg")
    assert values["bp_40_min"].startswith("146/92 mmHg")
    assert values["bp_before_end"].startswith("124/80 mmHg")
    assert values["vitals_ok_before"] == "yes"
    assert values["vitals_ok_end"] == "yes"
    assert (values["sedation"], values["sedation_resolved"]) == ("yes", "yes")
    assert (values["dissociation"], values["dissociation_resolved"]) == ("yes", "yes")
    assert values["respiratory_depression"] == "no"
    assert int(values["total_minutes"]) >= 120
    assert all(v for v in values.values())
    text = _pdf_text(bytes(export.pdf))
    assert "2021-11" in text
    for item in CURRENT.items:
        assert " ".join(item.label.split()) in text, item.key
    for value in values.values():
        assert value in text
    assert export.pdf_sha256 == hashlib.sha256(bytes(export.pdf)).hexdigest()
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="rems_export", object_id=str(export.pk)
    ).exists()


def test_concomitant_medicines_come_from_the_protocol_lists(world: World) -> None:
    session = esketamine_session(world)
    Evaluation.objects.filter(patient=world.patient_a).update(
        other_medications="clonazepam 0.5 mg at night\nzolpidem 5 mg\nphenelzine 15 mg"
    )
    export = rems_export_generate(actor=world.actor("nurse_x"), session=session)
    values = {i["key"]: i["value"] for i in export.items}
    assert values["med_benzodiazepines"] == "yes (clonazepam)"
    assert values["med_sedative_hypnotics"] == "yes (zolpidem)"
    assert values["med_psychostimulants"] == "no"
    assert values["med_maois"] == "yes (phenelzine)"
    Evaluation.objects.filter(patient=world.patient_a).update(medicines_reviewed=None)
    again = rems_export_generate(actor=world.actor("nurse_x"), session=session)
    assert {i["key"]: i["value"] for i in again.items}["med_maois"] == NOT_RECORDED


def test_refused_for_iv_sessions_and_before_discharge(world: World) -> None:
    iv = scheduled_session(world)
    with pytest.raises(Conflict, match="esketamine"):
        rems_export_generate(actor=world.actor("nurse_x"), session=iv)


def test_refused_before_discharge(world: World) -> None:
    session = esketamine_session(world, discharge=False)
    with pytest.raises(Conflict, match="after discharge"):
        rems_export_generate(actor=world.actor("nurse_x"), session=session)
    assert not RemsExport.objects.exists()


def test_front_desk_may_not_print(world: World) -> None:
    session = esketamine_session(world)
    with pytest.raises(PermissionDenied):
        rems_export_generate(actor=world.actor("front_desk_x"), session=session)


def test_page_and_api_print_and_download_byte_for_byte(world: World) -> None:
    session = esketamine_session(world)
    nurse = world.client("nurse_x")
    page = nurse.get(reverse("treatment:session", args=[session.pk]))
    assert b"Print the REMS monitoring form" in page.content
    response = nurse.post(reverse("treatment:rems_export_create", args=[session.pk]))
    assert response.status_code == 302
    export = RemsExport.objects.get(session=session)
    pdf = nurse.get(reverse("treatment:rems_export_pdf", args=[session.pk, export.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(export.pdf)
    api = world.client("physician_x")
    created = api.post(
        f"/api/v1/treatment/sessions/{session.pk}/rems-exports",
        "{}",
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["form_version"] == "2021-11"
    assert len(body["items"]) == len(CURRENT.items)
    download = api.get(f"/api/v1/treatment/sessions/{session.pk}/rems-exports/{body['id']}/pdf")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == body["pdf_sha256"]


def test_other_roles_cannot_reach_an_export(world: World) -> None:
    session = esketamine_session(world)
    export = rems_export_generate(actor=world.actor("nurse_x"), session=session)
    url = reverse("treatment:rems_export_pdf", args=[session.pk, export.pk])
    for role in ("nurse_y", "front_desk_x", "psychiatrist_a", "patient_a", "clinic_admin_x"):
        assert world.client(role).get(url).status_code == 404, role
    create = reverse("treatment:rems_export_create", args=[session.pk])
    assert world.client("front_desk_x").post(create).status_code == 404
    assert RemsExport.objects.count() == 1


def test_a_discharge_a_physician_overrode_is_not_reported_as_vitals_acceptable(
    world: World,
) -> None:
    """The REMS item reads the override recorded at discharge (the note names it)."""
    session = esketamine_session(world, discharge=False)
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    start = session.dose_started_at
    assert start is not None
    with time_machine.travel(start + dt.timedelta(minutes=126), tick=False):
        vitals_record(
            actor=nurse,
            session=session,
            context=VitalContext.RECOVERY,
            **{**CALM, "systolic_bp": CALM["systolic_bp"] + 30},
        )
        exit_check_record(
            actor=nurse,
            session=session,
            new_suicidal_ideation=False,
            mood_elevation=False,
            perceptual_change=False,
            walks_steadily=True,
            nausea_or_dizziness=False,
        )
        session = session_discharge(
            actor=physician,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Robin Ellery",
            overridden=["discharge.vitals.near_baseline"],
            reason="Known white-coat rise; asymptomatic; reviewed with the escort.",
        )
    assert rems_record(session).discharge_overridden is True
