"""Run the clinic's protocol over an evaluation and turn findings into stored data.

Shared by the selectors (showing findings) and the services (recording a
decision), so both see exactly the same findings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from keel.clinical.protocol import FactType, Finding, FindingStatus, Protocol, RuleKind, evaluate

# Rule kinds whose findings decide eligibility (the others inform).
BLOCKING_KINDS = frozenset({RuleKind.EXCLUSION, RuleKind.REQUIREMENT})


def jsonable(value: object) -> object:
    """Convert findings, facts and parameters to JSON-safe values (Decimals as text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return value


# A caution whose message asks for something "before eligibility is decided" (the protocol's
# own words) needs the physician's recorded note on what was done, whatever the decision.
DECIDE_AFTER_PHRASE = "before eligibility is decided"


@dataclass(frozen=True)
class Review:
    """Findings of one protocol run, grouped the way the decision page shows them."""

    protocol: Protocol
    facts: Mapping[str, object]
    findings: tuple[Finding, ...]

    def _of(
        self, *, status: FindingStatus, kinds: frozenset[RuleKind] | None = None
    ) -> list[Finding]:
        return [
            f for f in self.findings if f.status == status and (kinds is None or f.kind in kinds)
        ]

    @property
    def blocking(self) -> list[Finding]:
        """Fired exclusions and unmet requirements."""
        return self._of(status=FindingStatus.FIRED, kinds=BLOCKING_KINDS)

    @property
    def hard_stops(self) -> list[Finding]:
        """Blocking findings that no one may override."""
        return [f for f in self.blocking if not f.overridable]

    @property
    def overridable(self) -> list[Finding]:
        """Blocking findings a physician may override with a written reason."""
        return [f for f in self.blocking if f.overridable]

    @property
    def cautions(self) -> list[Finding]:
        """Fired findings of every other kind (cautions, alerts)."""
        return [f for f in self._of(status=FindingStatus.FIRED) if f.kind not in BLOCKING_KINDS]

    @property
    def cautions_before_deciding(self) -> list[Finding]:
        """Fired cautions that ask for something before eligibility is decided (a note needed)."""
        return [f for f in self.cautions if DECIDE_AFTER_PHRASE in " ".join(f.message.split())]

    @property
    def missing(self) -> list[Finding]:
        """Rules that could not be decided for lack of information."""
        return self._of(status=FindingStatus.MISSING_INFORMATION)

    @property
    def missing_blocking(self) -> list[Finding]:
        """Blocking rules that could not be decided: the evaluation is not finished."""
        return self._of(status=FindingStatus.MISSING_INFORMATION, kinds=BLOCKING_KINDS)

    @property
    def fired_rule_ids(self) -> list[str]:
        """Ids of every rule that fired, in protocol order."""
        return [f.rule_id for f in self._of(status=FindingStatus.FIRED)]


ELIGIBILITY_KINDS: Sequence[RuleKind] = (RuleKind.EXCLUSION, RuleKind.REQUIREMENT, RuleKind.CAUTION)


def review_run(*, protocol: Protocol, facts: Mapping[str, object]) -> Review:
    """Evaluate the eligibility rules of ``protocol`` on ``facts``."""
    findings = evaluate(protocol, facts, kinds=frozenset(ELIGIBILITY_KINDS))
    return Review(protocol=protocol, facts=facts, findings=findings)


def facts_from_json(protocol: Protocol, data: Mapping[str, object]) -> dict[str, object]:
    """Turn stored facts back into the values the protocol takes (numbers were stored as text)."""
    facts: dict[str, object] = {}
    for name, value in data.items():
        spec = protocol.catalogue.get(name)
        if spec is not None and spec.type is FactType.NUMBER and isinstance(value, str):
            facts[name] = Decimal(value)
        else:
            facts[name] = value
    return facts
