"""Keel's clinical protocol engine: rules as data, evaluated on plain facts.

Pure Python (no Django, no I/O). The app layer reads a protocol file and
calls::

    from keel.clinical.protocol import evaluate, load_protocol

    protocol = load_protocol(text)  # ProtocolError names the rule on any problem
    findings = evaluate(protocol, facts, params=clinic_overrides)
    for finding in findings:
        finding.rule_id, finding.status, finding.severity, finding.facts_used

See docs/clinical/protocol.md for the file format, the condition vocabulary,
three-valued logic for missing facts and provenance.
"""

from keel.clinical.protocol.engine import (
    evaluate,
    evaluate_rule,
    resolve_params,
    run_examples,
    unset_parameters,
)
from keel.clinical.protocol.facts import (
    DISCHARGE_FACTS,
    ELIGIBILITY_FACTS,
    FACT_CATALOGUE,
    FACT_GROUPS,
    MONITORING_FACTS,
    OPTIONAL_FACTS,
    PRECHECK_FACTS,
    FactCatalogue,
    FactGroup,
    FactSpec,
    FactType,
    FactValue,
    InvalidFactsError,
    facts_for,
    validate_facts,
)
from keel.clinical.protocol.logic import Truth
from keel.clinical.protocol.model import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    ExampleExpectation,
    ExampleFailure,
    Finding,
    FindingStatus,
    Not,
    Op,
    Parameter,
    ParamType,
    Protocol,
    ProtocolError,
    Rule,
    RuleExample,
    RuleKind,
    Severity,
    Value,
)
from keel.clinical.protocol.parse import load_protocol

__all__ = [
    "DISCHARGE_FACTS",
    "ELIGIBILITY_FACTS",
    "FACT_CATALOGUE",
    "FACT_GROUPS",
    "MONITORING_FACTS",
    "OPTIONAL_FACTS",
    "PRECHECK_FACTS",
    "AllOf",
    "AnyOf",
    "Comparison",
    "Condition",
    "ExampleExpectation",
    "ExampleFailure",
    "FactCatalogue",
    "FactGroup",
    "FactSpec",
    "FactType",
    "FactValue",
    "Finding",
    "FindingStatus",
    "InvalidFactsError",
    "Not",
    "Op",
    "ParamType",
    "Parameter",
    "Protocol",
    "ProtocolError",
    "Rule",
    "RuleExample",
    "RuleKind",
    "Severity",
    "Truth",
    "Value",
    "evaluate",
    "evaluate_rule",
    "facts_for",
    "load_protocol",
    "resolve_params",
    "run_examples",
    "unset_parameters",
    "validate_facts",
]
