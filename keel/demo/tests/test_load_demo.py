"""The demo loader: idempotent, every role present, loaded through the services."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from keel.accounts.models import Membership, User
from keel.accounts.roles import AccountType, Role
from keel.audit.chain import verify_chain
from keel.audit.models import AuditAction, AuditEvent
from keel.demo import data
from keel.demo.services import demo_load
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_load_demo_creates_the_clinic_once() -> None:
    demo_load(histories=False)
    demo_load(histories=False)
    assert Patient.objects.count() == len(data.PATIENTS) == 20
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    reyes = User.objects.get(username=data.PSYCHIATRIST_USERNAME)
    assert reyes.account_type == AccountType.PSYCHIATRIST_OF_RECORD
    assert Patient.objects.filter(psychiatrist_of_record__user=reyes).count() == sum(
        p.with_reyes for p in data.PATIENTS
    )


def test_demo_patients_are_registered_through_the_audited_service() -> None:
    demo_load(histories=False)
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="patient")
    assert created.count() == 20
    assert set(created.values_list("actor_username", flat=True)) == {"sam"}
    assert verify_chain().ok is True


def test_demo_mrns_are_unique_and_prefixed() -> None:
    demo_load(histories=False)
    mrns = list(Patient.objects.values_list("mrn", flat=True))
    assert len(set(mrns)) == 20
    assert all(m.startswith(data.CLINIC_MRN_PREFIX) for m in mrns)


def test_demo_shows_the_pathway_personas() -> None:
    """Alex is cleared; Drew and Emery wait for a decision with their telling findings."""
    from keel.coordination.selectors import clearance_get
    from keel.intake.protocols import protocol_for_clinic
    from keel.intake.review import review_run
    from keel.intake.selectors import evaluation_current, evaluation_facts

    demo_load(histories=False)
    alex = Patient.objects.get(given_name="Alex")
    assert clearance_get(patient=alex).cleared is True
    fired = {}
    for name in ("Drew", "Emery"):
        patient = Patient.objects.get(given_name=name)
        evaluation = evaluation_current(patient=patient)
        assert evaluation is not None and evaluation.status == "draft"
        review = review_run(
            protocol=protocol_for_clinic(patient.clinic_id),
            facts=evaluation_facts(evaluation=evaluation),
        )
        assert review.missing_blocking == []
        fired[name] = {f.rule_id for f in review.overridable}
    assert "eligibility.psychosis.history" in fired["Drew"]
    assert "eligibility.antimanic.non_qualifying_only" in fired["Emery"]


def test_the_full_demo_tells_each_persona_story() -> None:
    """`load_demo` (the command `make demo` runs) records each course through the services."""
    from keel.inventory.models import EntryKind, LedgerEntry, Lot
    from keel.inventory.selectors import lot_balance
    from keel.monitoring.models import Assessment
    from keel.treatment.models import RemsExport, SessionState, TreatmentSession

    call_command("load_demo")

    def sessions(name: str, state: str) -> int:
        return TreatmentSession.objects.filter(patient__given_name=name, state=state).count()

    assert sessions("Alex", SessionState.DISCHARGED) == 6
    madrs = Assessment.objects.filter(patient__given_name="Alex", instrument_id="madrs")
    totals = list(madrs.order_by("taken_at").values_list("total", flat=True))
    assert totals[0] == 34 and totals[-1] < totals[0] // 2, totals
    assert sessions("Harper", SessionState.DISCHARGED) == 6
    # Gray: esketamine, and the REMS monitoring form printed from the last session.
    gray = TreatmentSession.objects.filter(patient__given_name="Gray", state="discharged")
    assert {s.course.route for s in gray} == {"intranasal_esketamine"}
    assert RemsExport.objects.filter(session__in=gray).count() == 1
    # Finley: stopped at the blood-pressure hard hold, the re-check still above it.
    finley = TreatmentSession.objects.get(patient__given_name="Finley", state="aborted")
    check = finley.prechecks.get()
    assert check.outcome == "no_go" and any("bp" in r for r in check.fired_rule_ids)
    # Every dose is in the ledger; one witnessed waste and one count with no discrepancy.
    doses = TreatmentSession.objects.filter(state="discharged").count()
    assert LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).count() == doses
    waste = LedgerEntry.objects.get(kind=EntryKind.WASTE)
    count = LedgerEntry.objects.get(kind=EntryKind.COUNT)
    assert waste.witnessed_by is not None and count.discrepancy_ml == 0
    for lot in Lot.objects.all():
        moved = sum(e.quantity_ml for e in lot.entries.exclude(kind=EntryKind.COUNT))
        assert lot_balance(lot_id=lot.pk) == moved
    assert verify_chain().ok is True
    # Between sessions: the alerts the protocol raised from the demo's check-ins.
    from keel.alerts.models import Alert

    def alerts(name: str) -> set[tuple[str, str]]:
        return {(a.rule_id, a.level) for a in Alert.objects.filter(patient__given_name=name)}

    assert ("switch.red.asrm_short_sleep", "red") in alerts("Blair")
    assert ("switch.amber.asrm", "amber") in alerts("Blair")
    casey = Alert.objects.get(patient__given_name="Casey", rule_id="suicide.phq9_item9.tier2")
    assert casey.priority == "urgent" and casey.escalation_level >= 1
    assert ("nonresponse.madrs.end_of_induction", "") in alerts("Harper")
    assert not alerts("Alex"), alerts("Alex")  # a responder: nothing to act on


@pytest.mark.parametrize("clinic_time", [dt.time(0, 5), dt.time(23, 55)], ids=str)
def test_the_full_demo_loads_at_any_hour_of_the_clinic_day(clinic_time: dt.time) -> None:
    """Just after the clinic's midnight "today" is minutes old (the demo failed then once)."""
    from keel.alerts.models import Alert

    zone = zoneinfo.ZoneInfo(data.CLINIC_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    with time_machine.travel(dt.datetime.combine(today, clinic_time, tzinfo=zone), tick=True):
        demo_load()
    blair = {a.rule_id for a in Alert.objects.filter(patient__given_name="Blair")}
    assert "switch.red.asrm_short_sleep" in blair, blair
