"""Session outcomes from protocol findings: go / no-go, stop actions, discharge readiness.

Provenance (STYLE.md section 7)

1. Identity: ``precheck_outcome``, ``stop_actions``, ``discharge_readiness``;
   they read the findings of protocol keel-default v2 (kinds ``precheck``,
   ``stop``, ``discharge``); last checked against REFERENCE.md §1.9, §3.1,
   §5.2, §6, §7 and §10 on 2026-11-26.
2. Source: the rules carry their own sources; this module only combines
   findings. The outcome mapping follows the protocol's severity scale
   (``keel.clinical.protocol.model``): critical or high = no-go (critical:
   not overridable), moderate = needs a physician, low or info = shown
   without changing the outcome.
3. Licence/IP: no third-party text.
4. Logic:
   - Pre-check: no-go if any no-go finding fired and is not overridden; else
     incomplete if a required fact is missing; else needs physician if a
     moderate finding fired and is not acknowledged; else go. A fired finding
     stays fired when missing facts arrive (three-valued logic), so a no-go
     never waits for the checklist to be complete. A finding whose missing
     facts are all optional for the group (``OPTIONAL_FACTS``: MADRS item 10
     and ASRM, not rated at every session) is "not assessed", not missing.
   - Stop: every fired stop rule is an action; most urgent first (severity,
     then protocol order). Missing information is not an action.
   - Discharge: a discharge rule fires when its criterion is NOT met; the
     patient is ready only when every discharge rule is clear, or fired /
     missing and overridden. Overriding a rule the protocol marks not
     overridable (SpO2 baseline, esketamine 120 min, escort) is refused.
5. Safety items: every non-overridable finding is reported by id
   (``hard_rule_ids``); overrides of them raise :class:`OverrideRefused`.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from keel.clinical.protocol import Finding, FindingStatus, RuleKind, Severity
from keel.clinical.protocol.facts import OPTIONAL_FACTS, FactGroup
from keel.clinical.protocol.floors import FLOOR_RULE_IDS, SafetyFloor
from keel.clinical.sessions.params import SessionParams

NO_GO_SEVERITIES: Final = frozenset({Severity.CRITICAL, Severity.HIGH})
"""A fired pre-check finding of these severities is a no-go."""

NEEDS_PHYSICIAN_SEVERITIES: Final = frozenset({Severity.MODERATE})
"""A fired pre-check finding of this severity needs a physician's decision."""

NURSE_VITALS_PARAMETER: Final = "moaas_nurse_bedside_max"
"""A stop finding that reads this parameter sets the closer vital-sign interval."""


class OverrideRefused(ValueError):
    """Raised when an override names a rule that is not overridable or not open.

    ``rule_id`` names the rule; ``floor`` is the safety floor it carries
    (``keel.clinical.protocol.floors``), or None.
    """

    def __init__(self, message: str, *, rule_id: str, floor: SafetyFloor | None = None) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.floor = floor


class PrecheckDecision(StrEnum):
    """The pre-session answer.

    ``incomplete`` is never an answer the treatment app records: it means the
    checklist lacks a required fact, so no decision can be made yet.
    """

    GO = "go"
    NEEDS_PHYSICIAN = "needs_physician"
    NO_GO = "no_go"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class PrecheckOutcome:
    """The go / needs physician / no-go answer and the findings behind it.

    ``drivers`` are the findings that decide ``decision`` (the open no-go
    findings, the missing ones, or the open physician findings; empty for
    go). ``non_overridable`` is True when an open no-go cannot be overridden;
    ``hard_rule_ids`` names those rules.
    """

    decision: PrecheckDecision
    drivers: tuple[Finding, ...]
    non_overridable: bool
    hard_rule_ids: tuple[str, ...]
    no_go: tuple[Finding, ...]
    needs_physician: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    missing: tuple[Finding, ...]
    not_assessed: tuple[Finding, ...]
    overridden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StopAction:
    """One fired stop rule: the action to take now, most urgent first."""

    rule_id: str
    title: str
    action: str
    severity: Severity
    overridable: bool
    finding: Finding
    vitals_every_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class DischargeReadiness:
    """Whether the discharge action may proceed, and what stands in the way.

    ``unmet`` holds the discharge findings that are fired (criterion not
    met) or missing information, and not overridden. ``overridable_rule_ids``
    and ``hard_rule_ids`` split them by whether a physician may override.
    """

    ready: bool
    unmet: tuple[Finding, ...]
    overridable_rule_ids: tuple[str, ...]
    hard_rule_ids: tuple[str, ...]
    overridden: tuple[str, ...]


def precheck_outcome(
    findings: Sequence[Finding], *, overridden: Collection[str] = ()
) -> PrecheckOutcome:
    """Return the pre-session outcome of the ``precheck`` findings among ``findings``.

    ``overridden`` names fired no-go or needs-physician rules a physician has
    overridden or acknowledged with a written reason. Raises
    :class:`OverrideRefused` for a rule that is not overridable or not fired,
    and ``ValueError`` when ``findings`` has no pre-check finding. Example::

        findings = evaluate(protocol, facts, kinds=["precheck"])
        outcome = precheck_outcome(findings)
        outcome.decision, [f.rule_id for f in outcome.drivers]
    """
    own = _of_kind(findings, RuleKind.PRECHECK)
    fired = [f for f in own if f.status is FindingStatus.FIRED]
    open_no_go = [f for f in fired if f.severity in NO_GO_SEVERITIES]
    open_physician = [f for f in fired if f.severity in NEEDS_PHYSICIAN_SEVERITIES]
    done = _check_overrides(overridden, (*open_no_go, *open_physician), what="fired pre-check")
    no_go = tuple(f for f in open_no_go if f.rule_id not in done)
    physician = tuple(f for f in open_physician if f.rule_id not in done)
    notes = tuple(
        f for f in fired if f.severity not in NO_GO_SEVERITIES | NEEDS_PHYSICIAN_SEVERITIES
    )
    optional = OPTIONAL_FACTS[FactGroup.PRECHECK]
    unknown = [f for f in own if f.status is FindingStatus.MISSING_INFORMATION]
    missing = tuple(f for f in unknown if not set(f.missing_facts) <= optional)
    not_assessed = tuple(f for f in unknown if set(f.missing_facts) <= optional)
    hard = tuple(f.rule_id for f in no_go if not f.overridable)
    if no_go:
        decision, drivers = PrecheckDecision.NO_GO, no_go
    elif missing:
        decision, drivers = PrecheckDecision.INCOMPLETE, missing
    elif physician:
        decision, drivers = PrecheckDecision.NEEDS_PHYSICIAN, physician
    else:
        decision, drivers = PrecheckDecision.GO, ()
    return PrecheckOutcome(
        decision=decision,
        drivers=drivers,
        non_overridable=bool(hard),
        hard_rule_ids=hard,
        no_go=no_go,
        needs_physician=physician,
        notes=notes,
        missing=missing,
        not_assessed=not_assessed,
        overridden=tuple(sorted(done)),
    )


def stop_actions(
    findings: Sequence[Finding], params: SessionParams | None = None
) -> list[StopAction]:
    """Return the action of every fired ``stop`` rule, most urgent first.

    Urgency is the rule's severity (critical: emergency response), then its
    order in the protocol. With ``params``, the nurse-at-the-bedside action
    carries ``moaas_nurse_vitals_interval_minutes`` as
    ``vitals_every_minutes``. Raises ``ValueError`` when ``findings`` has no
    stop finding. Example::

        actions = stop_actions(evaluate(protocol, facts, kinds=["stop"]), params)
        actions[0].action  # the first thing to do
    """
    own = _of_kind(findings, RuleKind.STOP)
    ordered = sorted(
        (f for f in own if f.status is FindingStatus.FIRED),
        key=lambda finding: -finding.severity.rank,
    )
    return [
        StopAction(
            rule_id=finding.rule_id,
            title=finding.title,
            action=finding.message,
            severity=finding.severity,
            overridable=finding.overridable,
            finding=finding,
            vitals_every_minutes=(
                params.moaas_nurse_vitals_interval_minutes
                if params is not None and NURSE_VITALS_PARAMETER in finding.params_used
                else None
            ),
        )
        for finding in ordered
    ]


def discharge_readiness(
    findings: Sequence[Finding], *, overridden: Collection[str] = ()
) -> DischargeReadiness:
    """Return whether every discharge criterion is met (or overridden).

    A ``discharge`` rule fires when its criterion is not met; a criterion
    whose facts are missing is not met either. ``overridden`` names unmet
    criteria a physician has overridden with a reason; overriding a rule
    marked not overridable raises :class:`OverrideRefused`. Raises
    ``ValueError`` when ``findings`` has no discharge finding. Example::

        readiness = discharge_readiness(evaluate(protocol, facts, kinds=["discharge"]))
        readiness.ready, readiness.hard_rule_ids
    """
    own = _of_kind(findings, RuleKind.DISCHARGE)
    open_findings = [f for f in own if f.status is not FindingStatus.CLEAR]
    done = _check_overrides(overridden, open_findings, what="unmet discharge")
    unmet = tuple(f for f in open_findings if f.rule_id not in done)
    return DischargeReadiness(
        ready=not unmet,
        unmet=unmet,
        overridable_rule_ids=tuple(f.rule_id for f in unmet if f.overridable),
        hard_rule_ids=tuple(f.rule_id for f in unmet if not f.overridable),
        overridden=tuple(sorted(done)),
    )


def _of_kind(findings: Sequence[Finding], kind: RuleKind) -> list[Finding]:
    own = [f for f in findings if f.kind is kind]
    if not own:
        raise ValueError(
            f"no {kind.value} findings: evaluate the protocol with kinds=[{kind.value!r}]"
        )
    return own


def _check_overrides(
    overridden: Collection[str], candidates: Sequence[Finding], *, what: str
) -> frozenset[str]:
    """Return the overridden ids, refusing a hard rule or a rule that is not open."""
    by_id = {f.rule_id: f for f in candidates}
    for rule_id in overridden:
        finding = by_id.get(rule_id)
        if finding is None:
            raise OverrideRefused(
                f"rule {rule_id}: not a {what} finding; nothing to override", rule_id=rule_id
            )
        if not finding.overridable:
            floor = FLOOR_RULE_IDS.get(rule_id)
            if floor is not None:
                raise OverrideRefused(
                    f"rule {rule_id} ({finding.title}): safety floor {floor.title!r} - "
                    f"{floor.limit}; it is not overridable, the facts must change",
                    rule_id=rule_id,
                    floor=floor,
                )
            raise OverrideRefused(
                f"rule {rule_id}: the protocol marks it not overridable; the facts must change",
                rule_id=rule_id,
            )
    return frozenset(overridden)
