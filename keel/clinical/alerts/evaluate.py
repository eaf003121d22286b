"""Evaluate the protocol's alert rules for one trigger and describe what fired.

Provenance (STYLE.md section 7)

1. Identity: ``evaluate_alerts`` for the alert rules (kind ``alert``) of
   protocol keel-default v3; last checked against REFERENCE.md §5.2, §7 and
   §10 on 2026-11-26.
2. Source: each rule carries its source; this module applies the rule's
   ``alert:`` metadata (category, priority, level, hold, notification,
   crisis display, response-time parameter, evidence).
3. Licence/IP: no third-party text.
4. Logic:
   - Only FIRED rules become :class:`AlertFinding` objects (a rule whose
     facts are missing for this trigger is simply not raised).
   - A rule reading ``scale_days_overdue`` is evaluated once per overdue
     assignment (one alert per overdue scale).
   - ``ack_due_at``: now + the rule's minutes or hours parameter, or now
     plus business days (Saturdays and Sundays skipped in the clinic's time
     zone, local time of day kept; 0 = end of the business day).
   - ``switch_risk_modifier_escalation`` (default false): with any §5.2
     risk modifier present, an amber finding is handled as red (level and
     hold red, priority urgent, acknowledged within
     ``urgent_alert_ack_minutes``).
   - ``switch_amber_blocks_next_session`` false: amber findings hold nothing.
   - ``evidence_key``: from the rule's ``alert.evidence`` (the triggering
     ref, the first day of a diary run, the first rating of a persistent
     run, the ASRM read with short sleep, the suicide-signal rating of mixed
     features, the first missed diary day, the overdue scale and its due
     day, the end-of-induction MADRS).
5. Safety items: every ``suicide.*`` rule and every red mood rule.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from keel.clinical.alerts import _params as p
from keel.clinical.alerts.facts import BUILDER_PARAMETERS, BuiltFacts, build_facts
from keel.clinical.alerts.history import AlertFinding, DueItem, PatientHistory, Trigger
from keel.clinical.alerts.timing import add_business_days
from keel.clinical.protocol import (
    FactValue,
    Finding,
    Protocol,
    Rule,
    RuleKind,
    Value,
    evaluate_rule,
    resolve_params,
)
from keel.clinical.protocol.model import (
    AckUnit,
    AlertCategory,
    AlertEvidence,
    AlertLevel,
    AlertPriority,
    AlertSpec,
)

ESCALATION_PARAMETER: Final = "switch_risk_modifier_escalation"
AMBER_HOLD_PARAMETER: Final = "switch_amber_blocks_next_session"
URGENT_ACK_PARAMETER: Final = "urgent_alert_ack_minutes"
OVERDUE_FACT: Final = "scale_days_overdue"

ALERT_HELPER_PARAMETERS: Final[tuple[str, ...]] = (
    *BUILDER_PARAMETERS,
    ESCALATION_PARAMETER,
    AMBER_HOLD_PARAMETER,
    URGENT_ACK_PARAMETER,
)
"""Parameters read by the alert code (facts and evaluation) rather than compared by a rule."""


def alert_rules(protocol: Protocol) -> tuple[Rule, ...]:
    """Return the protocol's alert rules, in file order."""
    return tuple(rule for rule in protocol.rules if rule.kind is RuleKind.ALERT)


def evaluate_alerts(
    protocol: Protocol,
    history: PatientHistory,
    trigger: Trigger,
    *,
    now: datetime,
    tz: tzinfo,
    params: Mapping[str, object] | None = None,
) -> tuple[AlertFinding, ...]:
    """Return the alert rules that fire for ``trigger``, in rule order.

    ``params`` are the clinic's overrides (validated by ``resolve_params``;
    ``ProtocolError`` names a bad one). Rating rules look at the triggering
    rating only; clock rules (missed check-ins, non-response) fire on a
    ``Trigger("clock", "clock")`` only. Example::

        evaluate_alerts(protocol, history, Trigger("rating", "assessment:42"),
                        now=now, tz=ZoneInfo("America/New_York"))
    """
    values = resolve_params(protocol, params)
    built = build_facts(history, trigger, now=now, tz=tz, params=values)
    base = protocol.catalogue.validate(built.facts)
    findings: list[AlertFinding] = []
    for rule in alert_rules(protocol):
        spec = rule.alert
        if spec is None:  # pragma: no cover - the parser requires it on alert rules
            continue
        for facts, item in _fact_sets(rule, protocol, base, built):
            finding = evaluate_rule(protocol, rule, facts, values)
            if finding.fired:
                findings.append(
                    _describe(rule, spec, finding, history, trigger, built, item, now, tz, values)
                )
    return tuple(findings)


def _fact_sets(
    rule: Rule, protocol: Protocol, base: Mapping[str, FactValue | None], built: BuiltFacts
) -> Iterator[tuple[Mapping[str, FactValue | None], DueItem | None]]:
    """Yield the fact sets to evaluate ``rule`` on: one, or one per overdue scale."""
    if OVERDUE_FACT not in rule.facts:
        yield base, None
        return
    for item in built.overdue:
        yield protocol.catalogue.validate({**base, OVERDUE_FACT: item.days_overdue}), item


def _describe(
    rule: Rule,
    spec: AlertSpec,
    finding: Finding,
    history: PatientHistory,
    trigger: Trigger,
    built: BuiltFacts,
    item: DueItem | None,
    now: datetime,
    tz: tzinfo,
    values: Mapping[str, Value],
) -> AlertFinding:
    level, hold, priority = spec.level, spec.hold, spec.priority
    ack_param, ack_unit = spec.ack_param, spec.ack_unit
    facts: dict[str, object] = {name: _json(value) for name, value in finding.facts_used.items()}
    escalated = (
        level is AlertLevel.AMBER
        and bool(history.risk_modifiers)
        and p.boolean(values, ESCALATION_PARAMETER)
    )
    if escalated:
        level, hold, priority = AlertLevel.RED, AlertLevel.RED, AlertPriority.URGENT
        ack_param, ack_unit = URGENT_ACK_PARAMETER, AckUnit.MINUTES
        facts["escalated_by_risk_modifier"] = True
        facts["risk_modifiers"] = sorted(history.risk_modifiers)
    elif hold is AlertLevel.AMBER and not p.boolean(values, AMBER_HOLD_PARAMETER):
        hold = AlertLevel.NONE
    params_used: dict[str, object] = {
        name: _json(value) for name, value in finding.params_used.items()
    }
    params_used[ack_param] = _json(values[ack_param])
    if spec.response_param is not None:
        params_used[spec.response_param] = _json(values[spec.response_param])
    facts["params_used"] = params_used
    facts["trigger"] = {"kind": trigger.kind, "ref": trigger.ref}
    facts["in_post_session_watch"] = built.facts.get("in_post_session_watch")
    if item is not None:
        facts["scale_instrument_id"] = item.instrument_id
        facts["scale_due_on"] = None if item.due_on is None else item.due_on.isoformat()
    return AlertFinding(
        rule_id=rule.id,
        protocol_id=finding.protocol_id,
        protocol_version=finding.protocol_version,
        category=AlertCategory(spec.category).value,
        priority=priority.value,
        level=level.value,
        hold=hold.value,
        title=rule.title,
        action=rule.message,
        notify_psychiatrist=spec.notify_psychiatrist,
        show_crisis=spec.show_crisis,
        ack_due_at=_ack_due(now, tz, ack_unit, p.integer(values, ack_param)),
        evidence_key=_evidence_key(spec.evidence, built, trigger, item),
        facts=MappingProxyType(facts),
    )


def _ack_due(now: datetime, tz: tzinfo, unit: AckUnit, amount: int) -> datetime:
    if unit is AckUnit.MINUTES:
        return now + timedelta(minutes=amount)
    if unit is AckUnit.HOURS:
        return now + timedelta(hours=amount)
    return add_business_days(now, amount, tz)


def _evidence_key(
    evidence: AlertEvidence, built: BuiltFacts, trigger: Trigger, item: DueItem | None
) -> str:
    if evidence is AlertEvidence.SCALE_OVERDUE and item is not None:
        due = "" if item.due_on is None else item.due_on.isoformat()
        return f"scale-overdue:{item.instrument_id}:{due}"
    key = built.evidence.get(evidence)
    if key is not None:
        return key
    # A fired rule always has its evidence; fall back to the trigger, never to nothing.
    return trigger.ref


def _json(value: object) -> object:
    """Return a fact or parameter value in JSON form (Decimal as text, tuple as list)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value
