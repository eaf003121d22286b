"""Writes for treatment: courses and session transitions, and the chairside steps."""

from keel.treatment.services.chairside import (
    CHECKLIST_FACTS,
    SESSION_RATINGS,
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_physician_decide,
    precheck_record,
    session_discharge,
    session_rating_record,
    stop_rules_check,
    vitals_record_checked,
)
from keel.treatment.services.sessions import (
    TRANSITIONS,
    course_activate,
    course_create,
    session_abort,
    session_check_in,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)

__all__ = [
    "CHECKLIST_FACTS",
    "SESSION_RATINGS",
    "TRANSITIONS",
    "course_activate",
    "course_create",
    "dose_prepare",
    "dose_start",
    "dose_stop",
    "dose_verify",
    "precheck_physician_decide",
    "precheck_record",
    "session_abort",
    "session_check_in",
    "session_discharge",
    "session_rating_record",
    "session_schedule",
    "session_start_prechecks",
    "stop_rules_check",
    "vitals_record",
    "vitals_record_checked",
]
