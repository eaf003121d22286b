"""Treatment-session helpers: go / no-go, stop actions, discharge, schedule and dose.

Pure Python (no Django, no I/O, no clock). The treatment app evaluates the
protocol's session rules and hands the findings, times and parameters here::

    from keel.clinical.protocol import evaluate
    from keel.clinical.sessions import (
        compute_dose, discharge_readiness, monitoring_schedule, precheck_outcome,
        session_params, stop_actions,
    )

    params = session_params(protocol, clinic_values)
    found = evaluate(protocol, facts, params=clinic_values, kinds=["precheck"])
    outcome = precheck_outcome(found)
    dose = compute_dose(course.route, DosePlan(course.dose_mg_per_kg), weight, params)
    schedule = monitoring_schedule(course.route, dose_started_at, infusion_ended_at, params)
    actions = stop_actions(evaluate(protocol, readings, kinds=["stop"]), params)
    readiness = discharge_readiness(evaluate(protocol, facts, kinds=["discharge"]))

See docs/clinical/protocol.md ("Session rules" and "Session helpers").
"""

from keel.clinical.routes import Route
from keel.clinical.sessions.dose import (
    ESKETAMINE_DEVICE_INTERVAL_MINUTES,
    ESKETAMINE_DEVICE_MG,
    ESKETAMINE_DOSES_MG,
    DoseCalculation,
    DoseError,
    DosePlan,
    compute_dose,
)
from keel.clinical.sessions.outcomes import (
    DischargeReadiness,
    OverrideRefused,
    PrecheckDecision,
    PrecheckOutcome,
    StopAction,
    discharge_readiness,
    precheck_outcome,
    stop_actions,
)
from keel.clinical.sessions.params import HELPER_PARAMETERS, SessionParams, session_params
from keel.clinical.sessions.schedule import (
    VITAL_SIGNS,
    Checkpoint,
    CheckpointState,
    CheckpointStatus,
    Measure,
    ScheduleError,
    acute_post_dose,
    bp_recheck_rested,
    checkpoint_status,
    monitoring_schedule,
)

__all__ = [
    "ESKETAMINE_DEVICE_INTERVAL_MINUTES",
    "ESKETAMINE_DEVICE_MG",
    "ESKETAMINE_DOSES_MG",
    "HELPER_PARAMETERS",
    "VITAL_SIGNS",
    "Checkpoint",
    "CheckpointState",
    "CheckpointStatus",
    "DischargeReadiness",
    "DoseCalculation",
    "DoseError",
    "DosePlan",
    "Measure",
    "OverrideRefused",
    "PrecheckDecision",
    "PrecheckOutcome",
    "Route",
    "ScheduleError",
    "SessionParams",
    "StopAction",
    "acute_post_dose",
    "bp_recheck_rested",
    "checkpoint_status",
    "compute_dose",
    "discharge_readiness",
    "monitoring_schedule",
    "precheck_outcome",
    "session_params",
    "stop_actions",
]
