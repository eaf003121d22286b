"""Reads for coordination: acknowledgement state, letters, and whether a patient is cleared."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from keel.consent.selectors import consent_current
from keel.coordination.models import CoordinationLetter, PlanAcknowledgement, PsychiatristInvitation
from keel.intake.models import DecisionOutcome, EligibilityDecision
from keel.intake.selectors import decision_latest
from keel.patients.models import Patient, PsychiatristOfRecord


def acknowledgement_current(*, patient: Patient) -> PlanAcknowledgement | None:
    """The acknowledgement (or exception) of the patient's latest decision, if it is eligible."""
    decision = decision_latest(patient=patient)
    if decision is None or decision.outcome != DecisionOutcome.ELIGIBLE:
        return None
    return PlanAcknowledgement.objects.filter(patient=patient, decision=decision).first()


def letter_list(*, patient: Patient) -> QuerySet[CoordinationLetter]:
    """The patient's coordination letters, newest first (PDF bytes deferred)."""
    return (
        CoordinationLetter.objects.filter(patient=patient)
        .defer("pdf")
        .select_related("generated_by")
    )


def letter_get(*, patient: Patient, letter_id: int) -> CoordinationLetter | None:
    """One letter of the patient, with its PDF."""
    return CoordinationLetter.objects.filter(patient=patient, pk=letter_id).first()


def invitation_pending(*, psychiatrist: PsychiatristOfRecord) -> PsychiatristInvitation | None:
    """The newest usable invitation of a psychiatrist, if any."""
    for invitation in psychiatrist.invitations.filter(used_at__isnull=True).order_by("-created_at"):
        if invitation.is_usable:
            return invitation
    return None


@dataclass(frozen=True)
class Clearance:
    """Whether a patient is cleared for a first session, and what is still missing."""

    decision: EligibilityDecision | None
    eligible: bool
    consent: bool
    acknowledged: bool
    acknowledgement: PlanAcknowledgement | None

    @property
    def cleared(self) -> bool:
        """Eligible decision, current consent and the plan acknowledged (or a reasoned exception)."""
        return self.eligible and self.consent and self.acknowledged

    @property
    def missing(self) -> list[str]:
        """What still stands between the patient and a first session."""
        steps = []
        if not self.eligible:
            steps.append("a physician's 'eligible' decision")
        if not self.consent:
            steps.append("a current signed consent")
        if not self.acknowledged:
            steps.append("the psychiatrist of record's acknowledgement of the plan")
        return steps


def clearance_get(*, patient: Patient) -> Clearance:
    """Whether ``patient`` is cleared for a first session (ARCHITECTURE: never treatment in isolation)."""
    decision = decision_latest(patient=patient)
    eligible = decision is not None and decision.outcome == DecisionOutcome.ELIGIBLE
    acknowledgement = acknowledgement_current(patient=patient) if eligible else None
    return Clearance(
        decision=decision,
        eligible=eligible,
        consent=consent_current(patient=patient) is not None,
        acknowledged=acknowledgement is not None,
        acknowledgement=acknowledgement,
    )
