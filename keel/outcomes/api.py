"""/api/v1/outcomes: the clinician worklist and a patient's life chart (read-only)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from keel.accounts.api_auth import api_actor as _actor
from keel.common.schemas import ERROR_RESPONSES
from keel.outcomes.charts import life_chart_data
from keel.outcomes.permissions import access_life_chart, access_worklist
from keel.outcomes.schemas import (
    AlertBriefOut,
    AlertSummaryOut,
    CheckInOut,
    LifeChartOut,
    ScoreOut,
    WorklistOut,
    WorklistQuery,
    WorklistRowOut,
)
from keel.outcomes.selectors import WorklistFilters, WorklistRow

router = Router()

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS = {k: v for k, v in ERROR_RESPONSES.items() if k != 409}


def _row_out(row: WorklistRow) -> WorklistRowOut:
    top = row.alerts.most_severe
    scores = []
    for cell in row.scores.values():
        if cell is None:
            continue
        outcome = cell.outcome
        scores.append(
            ScoreOut(
                instrument_id=cell.instrument_id,
                total=cell.total,
                taken_on=cell.taken_on,
                baseline_total=cell.baseline_total,
                baseline_source="baseline" if cell.baseline_is_intake else "first rating",
                change=cell.change,
                reduction_pct=(
                    float(outcome.reduction_pct)
                    if outcome is not None and outcome.reduction_pct is not None
                    else None
                ),
                response=outcome.response if outcome is not None else None,
                remission=outcome.remission if outcome is not None else None,
            )
        )
    return WorklistRowOut(
        patient_id=row.patient.pk,
        mrn=row.patient.mrn,
        given_name=row.patient.given_name,
        family_name=row.patient.family_name,
        phase=row.phase,
        scores=scores,
        alerts=AlertSummaryOut(
            counts={severity.value: n for severity, n in row.alerts.count_items},
            most_severe=(
                AlertBriefOut(
                    alert_id=top.alert_id,
                    severity=top.severity.value,
                    category=top.category_label,
                    title=top.title,
                    status=top.status,
                    raised_at=top.raised_at,
                    holds_next_session=top.holds_next_session,
                )
                if top is not None
                else None
            ),
            holds_next_session=row.alerts.holds_next_session,
        ),
        check_ins=[
            CheckInOut(
                instrument_id=c.instrument_id,
                frequency=c.frequency,
                status=c.status,
                due_on=c.due_on,
                days_overdue=c.days_overdue,
                last_completed_on=c.last_completed_on,
            )
            for c in row.check_ins
        ],
        next_session_at=row.next_session_at,
        next_session_number=row.next_session_number,
    )


@router.get("/worklist", response={200: WorklistOut, **ERRORS}, operation_id="worklist_get")
def worklist_get(request: HttpRequest, query: Query[WorklistQuery]) -> WorklistOut:
    """One page (50 patients) of the clinic's worklist, most urgent first by default."""
    filters = WorklistFilters(
        population=query.population,
        sort=query.sort,
        has_open_alerts=query.alerts,
        overdue_only=query.overdue,
        phase=query.phase,
    )
    page = access_worklist(actor=_actor(request), filters=filters, page_number=query.page)
    return WorklistOut(
        count=page.count,
        page=page.page_number,
        page_size=page.page_size,
        rows=[_row_out(row) for row in page.rows],
    )


@router.get(
    "/patients/{patient_id}/life-chart",
    response={200: LifeChartOut, **ERRORS},
    operation_id="life_chart_get",
)
def life_chart_get(request: HttpRequest, patient_id: Id) -> dict[str, Any]:
    """A patient's life chart data: ratings, diary, sessions, alerts, thresholds, outcomes."""
    patient, rows = access_life_chart(actor=_actor(request), patient_id=patient_id)
    return life_chart_data(patient=patient, rows=rows)
