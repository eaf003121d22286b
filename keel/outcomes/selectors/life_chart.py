"""The life chart's reads: one patient's ratings, diary, sessions, alerts and medicines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from keel.alerts.models import Alert
from keel.intake.models import AntimanicAgent, Evaluation
from keel.monitoring.models import Assessment, DiaryEntry
from keel.outcomes.selectors.common import WORKLIST_INSTRUMENTS
from keel.patients.models import Patient
from keel.treatment.models import Route, SessionState, TreatmentSession


@dataclass(frozen=True)
class LifeChartRows:
    """Everything the life chart draws for one patient, as plain rows."""

    ratings: Sequence[Mapping[str, Any]]
    diary: Sequence[Mapping[str, Any]]
    sessions: Sequence[Mapping[str, Any]]
    alerts: Sequence[Mapping[str, Any]]
    evaluations: Sequence[Mapping[str, Any]]


def life_chart_rows(*, patient: Patient) -> LifeChartRows:
    """The patient's ratings, diary, sessions with doses, alerts and medicine records."""
    instruments = (*WORKLIST_INSTRUMENTS,)
    ratings = list(
        Assessment.objects.filter(patient=patient, instrument_id__in=instruments)
        .order_by("taken_at", "pk")
        .values(
            "pk",
            "instrument_id",
            "total",
            "band",
            "complete",
            "purpose",
            "acute_post_dose",
            "taken_at",
        )
    )
    diary = list(
        DiaryEntry.objects.filter(patient=patient)
        .order_by("entry_date", "pk")
        .values(
            "entry_date",
            "mood",
            "sleep_hours",
            "felt_less_need_for_sleep",
            "irritability",
            "acute_post_dose",
        )
    )
    sessions = list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("dose", "course")
        .order_by("scheduled_for", "pk")
    )
    session_rows = []
    for s in sessions:
        dose = getattr(s, "dose", None)
        session_rows.append(
            {
                "id": s.pk,
                "number": s.number,
                "state": s.state,
                "state_label": str(SessionState(s.state).label),
                "scheduled_for": s.scheduled_for,
                "dose_started_at": s.dose_started_at,
                "dose_mg": dose.dose_mg if dose is not None else None,
                "drug": dose.drug if dose is not None else "",
                "route": dose.route if dose is not None else s.course.route,
                "route_label": str(Route(dose.route if dose is not None else s.course.route).label),
            }
        )
    alerts = list(
        Alert.objects.filter(patient=patient)
        .order_by("raised_at", "pk")
        .values(
            "pk",
            "category",
            "priority",
            "level",
            "status",
            "title",
            "rule_id",
            "raised_at",
            "resolved_at",
        )
    )
    evaluations = list(
        Evaluation.objects.filter(patient=patient)
        .order_by("created_at", "pk")
        .values("pk", "status", "antimanic_agents", "other_medications", "updated_at")
    )
    return LifeChartRows(
        ratings=ratings,
        diary=diary,
        sessions=session_rows,
        alerts=alerts,
        evaluations=evaluations,
    )


def antimanic_label(value: str) -> str:
    """The display name of a stored antimanic agent choice."""
    return str(AntimanicAgent(value).label) if value in AntimanicAgent.values else value
