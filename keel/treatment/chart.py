"""The session vitals chart's data: the series and the protocol's threshold lines, as JSON.

The page draws it with Plotly (served by Keel, keel/static/keel/session-chart.js
fetches this JSON), so the page needs no inline script under the CSP.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.clinical.protocol import resolve_params
from keel.treatment.clinical import session_protocol
from keel.treatment.models import TreatmentSession

#: (protocol parameter, series it applies to, label) for each threshold line.
THRESHOLDS: tuple[tuple[str, str, str], ...] = (
    ("predose_bp_review_systolic_above", "systolic", "Pre-dose review prompt (systolic)"),
    ("predose_bp_review_diastolic_above", "diastolic", "Pre-dose review prompt (diastolic)"),
    ("intrasession_pause_systolic_min", "systolic", "Pause: systolic"),
    ("intrasession_pause_diastolic_min", "diastolic", "Pause: diastolic"),
    ("intrasession_pause_hr_min", "heart_rate", "Pause: heart rate"),
    ("hypertensive_urgency_systolic_above", "systolic", "Hypertensive urgency (systolic)"),
    ("hypertensive_urgency_diastolic_above", "diastolic", "Hypertensive urgency (diastolic)"),
)


def vitals_chart_data(session: TreatmentSession) -> dict[str, Any]:
    """Readings in time order (clinic time, ISO 8601) and the threshold lines."""
    protocol, _params = session_protocol(session)
    values = resolve_params(protocol)
    tz = session.patient.clinic.tzinfo
    readings = list(session.vitals.order_by("taken_at", "pk"))
    return {
        "time_zone": session.patient.clinic.time_zone,
        "dose_started_at": (
            timezone.localtime(session.dose_started_at, tz).isoformat()
            if session.dose_started_at
            else None
        ),
        "series": {
            "time": [timezone.localtime(v.taken_at, tz).isoformat() for v in readings],
            "systolic": [v.systolic_bp for v in readings],
            "diastolic": [v.diastolic_bp for v in readings],
            "heart_rate": [v.heart_rate for v in readings],
            "spo2": [v.spo2 for v in readings],
        },
        "thresholds": [
            {"parameter": name, "series": series, "label": label, "value": int(str(values[name]))}
            for name, series, label in THRESHOLDS
            if name in values
        ],
        "protocol": {"id": protocol.id, "version": str(protocol.version)},
    }
