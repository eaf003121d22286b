"""Hypothesis properties of the session helpers on the shipped protocol."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.protocol import FACT_CATALOGUE, RuleKind
from keel.clinical.protocol.facts import FactSpec, FactType, facts_for
from keel.clinical.protocol.tests.test_properties import value_strategy
from keel.clinical.sessions import (
    VITAL_SIGNS,
    CheckpointStatus,
    DoseError,
    DosePlan,
    Measure,
    PrecheckDecision,
    Route,
    SessionParams,
    checkpoint_status,
    compute_dose,
    discharge_readiness,
    monitoring_schedule,
    precheck_outcome,
)
from keel.clinical.sessions.tests.helpers import DOSE_START, findings, params

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)

RANK = {
    PrecheckDecision.GO: 0,
    PrecheckDecision.NEEDS_PHYSICIAN: 1,
    PrecheckDecision.INCOMPLETE: 2,
    PrecheckDecision.NO_GO: 3,
}

BP_FACTS = (
    "predose_systolic_bp",
    "predose_diastolic_bp",
    "recheck_systolic_bp",
    "recheck_diastolic_bp",
)


def _spec(name: str) -> FactSpec:
    spec = FACT_CATALOGUE.get(name)
    assert spec is not None
    return spec


def _session_value(spec: FactSpec) -> st.SearchStrategy[object]:
    if spec.type is FactType.INT and spec.maximum is None:
        return st.integers(0, 260)
    return value_strategy(spec)


COMPLETE_PRECHECK = st.fixed_dictionaries(
    {name: _session_value(_spec(name)) for name in facts_for("precheck")}
)
"""A complete pre-session checklist (re-check values always present)."""

PARTIAL_PRECHECK = st.fixed_dictionaries(
    {},
    optional={name: st.none() | _session_value(_spec(name)) for name in facts_for("precheck")},
)

COMPLETE_DISCHARGE = st.fixed_dictionaries(
    {name: _session_value(_spec(name)) for name in facts_for("discharge")}
)


# ---------------------------------------------------------------- dose


@PROPERTY_SETTINGS
@given(
    mg_per_kg=st.decimals(Decimal("0.01"), Decimal("1.5"), places=2),
    weight=st.decimals(Decimal("30"), Decimal("200"), places=1),
    step=st.sampled_from([Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1)]),
)
def test_dose_never_exceeds_the_maximum(mg_per_kg: Decimal, weight: Decimal, step: Decimal) -> None:
    """Accepted iff mg/kg x weight <= maximum; an accepted dose is a step multiple <= maximum."""
    tuned = replace(params(), dose_rounding_mg=step)
    maximum = tuned.iv_ketamine_max_mg_per_kg_per_session * weight
    try:
        calc = compute_dose(Route.IV_RACEMIC_KETAMINE, DosePlan(mg_per_kg), weight, tuned)
    except DoseError as error:
        assert mg_per_kg * weight > maximum or "rounds to" in str(error)
        return
    assert mg_per_kg * weight <= maximum
    assert calc.dose_mg <= maximum
    assert calc.dose_mg > 0
    assert calc.dose_mg % step == 0
    assert abs(calc.dose_mg - mg_per_kg * weight) < step
    if calc.dose_mg + step / 2 <= maximum:
        assert abs(calc.dose_mg - mg_per_kg * weight) <= step / 2


# ---------------------------------------------------------------- pre-check


@PROPERTY_SETTINGS
@given(
    facts=COMPLETE_PRECHECK,
    lowered=st.sampled_from(BP_FACTS),
    by=st.integers(1, 120),
)
def test_lowering_a_blood_pressure_never_worsens_the_outcome(
    facts: dict[str, object], lowered: str, by: int
) -> None:
    """Lowering any BP reading never turns go into no-go (nor adds a hard hold)."""
    before = precheck_outcome(findings(RuleKind.PRECHECK, facts))
    value = facts[lowered]
    assert isinstance(value, int)
    after = precheck_outcome(findings(RuleKind.PRECHECK, facts, **{lowered: max(value - by, 0)}))
    assert RANK[after.decision] <= RANK[before.decision]
    assert set(after.hard_rule_ids) <= set(before.hard_rule_ids)


@PROPERTY_SETTINGS
@given(facts=COMPLETE_PRECHECK)
def test_a_complete_checklist_always_gets_an_answer(facts: dict[str, object]) -> None:
    """Every pre-check fact present: go, needs physician or no-go - never incomplete."""
    outcome = precheck_outcome(findings(RuleKind.PRECHECK, facts))
    assert outcome.decision is not PrecheckDecision.INCOMPLETE
    assert outcome.missing == ()
    assert outcome.non_overridable is bool(outcome.hard_rule_ids)
    if outcome.decision is PrecheckDecision.GO:
        assert outcome.no_go == () and outcome.needs_physician == ()


@PROPERTY_SETTINGS
@given(complete=COMPLETE_PRECHECK, dropped=st.sets(st.sampled_from(facts_for("precheck"))))
def test_a_no_go_on_part_of_the_checklist_stays_a_no_go(
    complete: dict[str, object], dropped: set[str]
) -> None:
    """A no-go found before the checklist is complete holds on every completion."""
    partial = {name: value for name, value in complete.items() if name not in dropped}
    before = precheck_outcome(findings(RuleKind.PRECHECK, partial))
    after = precheck_outcome(findings(RuleKind.PRECHECK, complete))
    if before.decision is PrecheckDecision.NO_GO:
        assert after.decision is PrecheckDecision.NO_GO
        assert set(before.hard_rule_ids) <= set(after.hard_rule_ids)
    if before.decision is PrecheckDecision.GO:
        assert {f.rule_id for f in after.no_go} == set()


@PROPERTY_SETTINGS
@given(facts=PARTIAL_PRECHECK)
def test_go_is_never_given_with_a_required_fact_missing(facts: dict[str, object]) -> None:
    """On any partial checklist, go means no rule is left open by a required fact."""
    outcome = precheck_outcome(findings(RuleKind.PRECHECK, facts))
    if outcome.decision is PrecheckDecision.GO:
        assert outcome.missing == ()
        assert {"cssrs_since_last_visit_level", "ymrs_total_predose"} <= set(facts)


# ---------------------------------------------------------------- discharge


@PROPERTY_SETTINGS
@given(facts=COMPLETE_DISCHARGE, extra=st.integers(0, 240))
def test_waiting_longer_never_makes_a_ready_patient_unready(
    facts: dict[str, object], extra: int
) -> None:
    """More minutes since the dose and the infusion end never un-ready a discharge."""
    before = discharge_readiness(findings(RuleKind.DISCHARGE, facts))
    later = {}
    for name in ("minutes_since_dose_start", "minutes_since_infusion_end"):
        value = facts[name]
        assert isinstance(value, int)
        later[name] = value + extra
    after = discharge_readiness(findings(RuleKind.DISCHARGE, facts, **later))
    if before.ready:
        assert after.ready
    assert set(after.hard_rule_ids) <= set(before.hard_rule_ids)


@PROPERTY_SETTINGS
@given(facts=COMPLETE_DISCHARGE)
def test_ready_means_every_criterion_is_clear(facts: dict[str, object]) -> None:
    """Without overrides, ready iff no discharge rule fired."""
    found = findings(RuleKind.DISCHARGE, facts)
    readiness = discharge_readiness(found)
    assert readiness.ready is (not any(f.fired for f in found))
    assert set(readiness.hard_rule_ids) | set(readiness.overridable_rule_ids) == {
        f.rule_id for f in readiness.unmet
    }


# ---------------------------------------------------------------- schedule

SCHEDULE_PARAMS = st.builds(
    lambda moaas, infusion_step, post_step, iv_obs, esk_obs, cadss, bp40: replace(
        params(),
        moaas_interval_minutes=moaas,
        iv_bp_interval_infusion_minutes=infusion_step,
        iv_bp_interval_post_infusion_minutes=post_step,
        iv_ketamine_min_observation_minutes=iv_obs,
        esketamine_min_observation_minutes=esk_obs,
        cadss_post_dose_minutes=cadss,
        esketamine_bp_post_dose_minutes=bp40,
    ),
    st.integers(1, 30),
    st.integers(1, 20),
    st.integers(1, 30),
    st.integers(1, 180),
    st.integers(1, 240),
    st.integers(1, 240),
    st.integers(1, 240),
)


@PROPERTY_SETTINGS
@given(
    route=st.sampled_from(list(Route)),
    infusion=st.integers(1, 120),
    session=SCHEDULE_PARAMS,
)
def test_schedule_shape(route: Route, infusion: int, session: SessionParams) -> None:
    """Pre-dose first; times strictly increase; MOAA/S gaps <= interval; ends before discharge."""
    end = DOSE_START + timedelta(minutes=infusion) if route is Route.IV_RACEMIC_KETAMINE else None
    schedule = monitoring_schedule(route, DOSE_START, end, session)
    assert schedule[0].pre_dose is True
    assert all(not c.pre_dose for c in schedule[1:])
    minutes = [c.minutes for c in schedule[1:]]
    assert minutes == sorted(set(minutes))
    last = schedule[-1]
    assert set(last.measures) == {*VITAL_SIGNS, Measure.MOAAS, Measure.CADSS}
    assert last.minutes >= session.moaas_min_duration_minutes
    if route is Route.INTRANASAL_ESKETAMINE:
        assert last.minutes >= session.esketamine_min_observation_minutes
    if route is Route.IV_RACEMIC_KETAMINE:
        assert last.minutes >= infusion + session.iv_ketamine_min_observation_minutes
    moaas = [0] + [c.minutes for c in schedule if Measure.MOAAS in c.measures]
    assert all(b - a <= session.moaas_interval_minutes for a, b in itertools.pairwise(moaas))


@PROPERTY_SETTINGS
@given(route=st.sampled_from(list(Route)), late=st.integers(0, 600))
def test_recording_every_checkpoint_on_time_leaves_nothing_open(route: Route, late: int) -> None:
    """Every measure recorded at its checkpoint's time: all done, whatever the clock says."""
    schedule = monitoring_schedule(route, DOSE_START, None, params())
    recorded: dict[Measure | str, list[datetime]] = {}
    for checkpoint in schedule:
        for measure in checkpoint.measures:
            taken = checkpoint.at - timedelta(minutes=1) if checkpoint.pre_dose else checkpoint.at
            recorded.setdefault(measure, []).append(taken)
    now = DOSE_START + timedelta(minutes=late)
    states = checkpoint_status(schedule, recorded, now)
    assert {state.status for state in states} == {CheckpointStatus.DONE}
