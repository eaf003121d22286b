"""The life chart's data: one patient's course as JSON, in the spirit of the NIMH life chart.

Depression scales are drawn below the zero line and mania scales above it,
each as a percentage of its scale maximum, so that one picture shows where
the patient's mood has been. The daily diary's mood (-3..+3) shares the zero
line on a second axis; sleep hours have their own panel. Sessions (dose,
route), medicine records, alerts and the protocol's threshold lines are
overlaid. The page draws it with Plotly (keel/static/keel/lifechart.js
fetches this JSON), so the page needs no inline script under the CSP; the
same data is printed as tables under the chart.

Numbers come from the clinic's protocol parameters (REFERENCE.md section 10)
through ``keel.clinical.outcomes``; nothing clinical is decided here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from keel.alerts.models import AlertCategory, AlertStatus
from keel.clinical.instruments import get_instrument
from keel.clinical.outcomes import Outcome, change_from_baseline, thresholds
from keel.clinical.protocol import Protocol, resolve_params
from keel.intake.models import EvaluationStatus
from keel.intake.protocols import protocol_for_clinic
from keel.monitoring.models import AssessmentPurpose
from keel.outcomes.selectors import (
    DEPRESSION_INSTRUMENTS,
    DIARY,
    INSTRUMENT_LABELS,
    MANIA_INSTRUMENTS,
    WORKLIST_INSTRUMENTS,
    LifeChartRows,
    alert_severity,
    antimanic_label,
)
from keel.patients.models import Patient

#: Parameter names (REFERENCE.md section 10) the summary quotes; values come from the protocol.
RESPONSE_PARAM = "response_reduction_min_pct"
REMISSION_PARAMS: Mapping[str, str] = {
    "phq9": "phq9_remission_max",
    "qids_sr16": "qids_remission_max",
    "madrs": "madrs_remission_max",
}
HUNDRED = Decimal(100)


def _pct(total: int | Decimal, maximum: int) -> float:
    """``total`` as a percentage of the scale maximum, one decimal."""
    return float((Decimal(total) * HUNDRED / Decimal(maximum)).quantize(Decimal("0.1")))


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _maximum(instrument_id: str) -> int:
    maximum = get_instrument(instrument_id).total_max
    if not maximum:
        raise ValueError(f"{instrument_id} has no total range")
    return maximum


def _alert_url(alert_id: int) -> str | None:
    """The alert's page, once the alerts app routes it."""
    try:
        return reverse("alerts:detail", args=[alert_id])
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class OutcomeSummary:
    """One depression scale's change from baseline, as numbers and as a sentence."""

    instrument_id: str
    baseline_total: int | None
    baseline_source: str  # "baseline" (a baseline-purpose rating) or "first rating"
    latest_total: int | None
    latest_on: dt.date | None
    outcome: Outcome | None
    remission_max: Decimal | None
    response_min_pct: Decimal | None

    @property
    def label(self) -> str:
        return INSTRUMENT_LABELS[self.instrument_id]

    @property
    def text(self) -> str:
        """E.g. "PHQ-9 baseline 22 -> latest 9: 59 % reduction, response; not in remission (<= 4)"."""
        if self.latest_total is None or self.baseline_total is None:
            return f"{self.label}: no rating yet."
        head = f"{self.label} {self.baseline_source} {self.baseline_total} → latest {self.latest_total}"
        outcome = self.outcome
        if outcome is None or outcome.reduction_pct is None:
            return f"{head}: change from baseline cannot be computed."
        pct = _whole(outcome.reduction_pct)
        change = f"{pct} % reduction" if pct >= 0 else f"{-pct} % increase"
        parts = [change]
        if outcome.response is True:
            parts.append("response")
        elif outcome.response is False:
            needed = (
                f" (≥ {_whole(self.response_min_pct)} % needed)" if self.response_min_pct else ""
            )
            parts.append(f"no response{needed}")
        text = f"{head}: {', '.join(parts)}"
        if outcome.remission is not None:
            limit = f" (≤ {_whole(self.remission_max)})" if self.remission_max is not None else ""
            state = "in remission" if outcome.remission else "not in remission"
            text += f"; {state}{limit}"
        return text + "."


#: How a parameter's name suffix compares (REFERENCE.md section 10).
_COMPARISONS: tuple[tuple[str, str], ...] = (
    ("_min", "≥"),
    ("_max", "≤"),
    ("_below", "<"),
    ("_above", ">"),
)


def _line_label(scale: str, label: str, param: str, value: Decimal) -> str:
    """E.g. "PHQ-9 remission ≤ 4" for ``phq9_remission_max``."""
    sign = next((symbol for suffix, symbol in _COMPARISONS if param.endswith(suffix)), "=")
    return f"{scale} {label} {sign} {value.normalize():f}"


def _threshold_value(lines: Sequence[Any], param: str) -> Decimal | None:
    for line in lines:
        if getattr(line, "param", None) == param:
            return Decimal(str(line.value))
    return None


def _param_decimal(params: Mapping[str, object], name: str) -> Decimal | None:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _outcome_summaries(
    rows: LifeChartRows, params: Mapping[str, object], tz: dt.tzinfo
) -> list[OutcomeSummary]:
    summaries = []
    for instrument_id in DEPRESSION_INSTRUMENTS:
        scored = [
            r
            for r in rows.ratings
            if r["instrument_id"] == instrument_id and r["total"] is not None
        ]
        if not scored:
            continue
        baselines = [r for r in scored if r["purpose"] == AssessmentPurpose.BASELINE]
        baseline = baselines[-1] if baselines else scored[0]
        settled = [r for r in scored if not r["acute_post_dose"]]
        latest = settled[-1] if settled else None
        outcome = (
            change_from_baseline(instrument_id, baseline["total"], latest["total"], params)
            if latest is not None
            else None
        )
        lines = thresholds(instrument_id, params)
        remission_param = REMISSION_PARAMS[instrument_id]
        remission = _threshold_value(lines, remission_param)
        if remission is None:
            remission = _param_decimal(params, remission_param)
        summaries.append(
            OutcomeSummary(
                instrument_id=instrument_id,
                baseline_total=baseline["total"],
                baseline_source="baseline" if baselines else "first rating",
                latest_total=latest["total"] if latest is not None else None,
                latest_on=timezone.localtime(latest["taken_at"], tz).date() if latest else None,
                outcome=outcome,
                remission_max=remission,
                response_min_pct=_param_decimal(params, RESPONSE_PARAM),
            )
        )
    return summaries


def _iso(value: dt.datetime, tz: dt.tzinfo) -> str:
    return timezone.localtime(value, tz).isoformat()


def _when(value: dt.datetime, tz: dt.tzinfo) -> str:
    """Clinic-local date and time for tables, e.g. "2026-03-02 09:30"."""
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")


def life_chart_params(patient: Patient) -> tuple[Protocol, Mapping[str, object]]:
    """The protocol governing the patient's clinic and its parameter values."""
    protocol = protocol_for_clinic(patient.clinic_id)
    return protocol, resolve_params(protocol)


def life_chart_data(*, patient: Patient, rows: LifeChartRows) -> dict[str, Any]:
    """The chart's series, markers, threshold lines and outcome summary, as plain JSON."""
    protocol, params = life_chart_params(patient)
    tz = patient.clinic.tzinfo
    series = []
    for instrument_id in WORKLIST_INSTRUMENTS:
        points = [r for r in rows.ratings if r["instrument_id"] == instrument_id]
        if not points:
            continue
        maximum = _maximum(instrument_id)
        sign = -1 if instrument_id in DEPRESSION_INSTRUMENTS else 1
        series.append(
            {
                "instrument_id": instrument_id,
                "label": INSTRUMENT_LABELS[instrument_id],
                "direction": "depression" if sign < 0 else "mania",
                "max": maximum,
                "time": [_iso(r["taken_at"], tz) for r in points],
                "total": [r["total"] for r in points],
                "y": [
                    sign * _pct(r["total"], maximum) if r["total"] is not None else None
                    for r in points
                ],
                "acute_post_dose": [r["acute_post_dose"] for r in points],
                "purpose": [r["purpose"] for r in points],
                "complete": [r["complete"] for r in points],
            }
        )
    plotted = {s["instrument_id"] for s in series}
    threshold_rows: list[dict[str, Any]] = []
    for instrument_id in WORKLIST_INSTRUMENTS:
        if instrument_id not in plotted:
            continue
        maximum = _maximum(instrument_id)
        sign = -1 if instrument_id in DEPRESSION_INSTRUMENTS else 1
        for line in thresholds(instrument_id, params):
            value = Decimal(str(line.value))
            threshold_rows.append(
                {
                    "instrument_id": instrument_id,
                    "axis": "scales",
                    "parameter": line.param,
                    "label": _line_label(
                        INSTRUMENT_LABELS[instrument_id], line.label, line.param, value
                    ),
                    "value": float(value),
                    "y": sign * _pct(value, maximum),
                }
            )
    if rows.diary:
        for line in thresholds(DIARY, params):
            value = Decimal(str(line.value))
            threshold_rows.append(
                {
                    "instrument_id": DIARY,
                    "axis": "diary",
                    "parameter": line.param,
                    "label": _line_label("Diary mood", line.label, line.param, value),
                    "value": float(value),
                    "y": float(value),
                }
            )
    summaries = _outcome_summaries(rows, params, tz)
    for summary in summaries:
        # The response line: the score that is the required reduction below baseline.
        response_pct = summary.response_min_pct
        if summary.baseline_total is None or response_pct is None:
            continue
        maximum = _maximum(summary.instrument_id)
        value = Decimal(summary.baseline_total) * (HUNDRED - response_pct) / HUNDRED
        threshold_rows.append(
            {
                "instrument_id": summary.instrument_id,
                "axis": "scales",
                "parameter": RESPONSE_PARAM,
                "label": (
                    f"{summary.label} response: ≤ {value.normalize():f} "
                    f"({_whole(response_pct)} % below {summary.baseline_source} "
                    f"{summary.baseline_total})"
                ),
                "value": float(value),
                "y": -_pct(value, maximum),
            }
        )
    diary = [
        {
            "date": d["entry_date"].isoformat(),
            "mood": d["mood"],
            "sleep_hours": float(d["sleep_hours"]),
            "felt_less_need_for_sleep": d["felt_less_need_for_sleep"],
            "irritability": d["irritability"],
            "acute_post_dose": d["acute_post_dose"],
        }
        for d in rows.diary
    ]
    sessions = [
        {
            "id": s["id"],
            "number": s["number"],
            "state": s["state"],
            "state_label": s["state_label"],
            "time": _iso(s["dose_started_at"] or s["scheduled_for"], tz),
            "when": _when(s["dose_started_at"] or s["scheduled_for"], tz),
            "given": s["dose_mg"] is not None and s["dose_started_at"] is not None,
            "dose_mg": float(s["dose_mg"]) if s["dose_mg"] is not None else None,
            "drug": s["drug"],
            "route": s["route"],
            "route_label": s["route_label"],
        }
        for s in rows.sessions
    ]
    alerts = []
    for a in rows.alerts:
        severity = alert_severity(priority=a["priority"], level=a["level"])
        alerts.append(
            {
                "id": a["pk"],
                "time": _iso(a["raised_at"], tz),
                "when": _when(a["raised_at"], tz),
                "severity": severity.value,
                "severity_label": severity.label,
                "category": a["category"],
                "category_label": (
                    str(AlertCategory(a["category"]).label)
                    if a["category"] in AlertCategory.values
                    else a["category"]
                ),
                "title": a["title"],
                "status": a["status"],
                "status_label": str(AlertStatus(a["status"]).label)
                if a["status"] in AlertStatus.values
                else a["status"],
                "url": _alert_url(a["pk"]),
            }
        )
    medicines = []
    previous: tuple[tuple[str, ...], str] | None = None
    for e in rows.evaluations:
        agents = tuple(antimanic_label(str(v)) for v in (e["antimanic_agents"] or []))
        other = tuple(
            line.strip() for line in (e["other_medications"] or "").splitlines() if line.strip()
        )
        if not agents and not other:
            continue
        current = (agents, "\n".join(other))
        medicines.append(
            {
                "time": _iso(e["updated_at"], tz),
                "when": _when(e["updated_at"], tz),
                "evaluation_status": e["status"],
                "draft": e["status"] == EvaluationStatus.DRAFT,
                "antimanic_agents": list(agents),
                "other_medications": list(other),
                "changed": previous is not None and current != previous,
            }
        )
        previous = current
    return {
        "patient_id": patient.pk,
        "time_zone": patient.clinic.time_zone,
        "series": series,
        "mania_instruments": list(MANIA_INSTRUMENTS),
        "depression_instruments": list(DEPRESSION_INSTRUMENTS),
        "diary": diary,
        "sessions": sessions,
        "medicines": medicines,
        "alerts": alerts,
        "thresholds": threshold_rows,
        "outcomes": [
            {
                "instrument_id": s.instrument_id,
                "baseline_total": s.baseline_total,
                "baseline_source": s.baseline_source,
                "latest_total": s.latest_total,
                "latest_on": s.latest_on.isoformat() if s.latest_on else None,
                "reduction_pct": (
                    float(s.outcome.reduction_pct)
                    if s.outcome is not None and s.outcome.reduction_pct is not None
                    else None
                ),
                "response": s.outcome.response if s.outcome is not None else None,
                "remission": s.outcome.remission if s.outcome is not None else None,
                "text": s.text,
            }
            for s in summaries
        ],
        "protocol": {"id": protocol.id, "version": str(protocol.version)},
    }


def rating_table(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every plotted rating as one table row, oldest first (the chart's accessible twin)."""
    purposes = dict(AssessmentPurpose.choices)
    rows = []
    for s in data["series"]:
        for i, time in enumerate(s["time"]):
            rows.append(
                {
                    "time": time,
                    "when": time[:16].replace("T", " "),
                    "label": s["label"],
                    "direction": s["direction"],
                    "total": s["total"][i],
                    "max": s["max"],
                    "y": s["y"][i],
                    "purpose": str(purposes.get(s["purpose"][i], s["purpose"][i])),
                    "acute_post_dose": s["acute_post_dose"][i],
                    "complete": s["complete"][i],
                }
            )
    rows.sort(key=lambda r: (r["time"], r["label"]))
    return rows
