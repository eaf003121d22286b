"""Shared builders for protocol tests: the shipped protocol, tiny protocols, personas."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

import keel.clinical.protocol.protocols as shipped
from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol import (
    Condition,
    Parameter,
    Protocol,
    Rule,
    RuleKind,
    Severity,
    Value,
    load_protocol,
)

DEFAULT_PATH = Path(shipped.__file__).parent / shipped.DEFAULT_PROTOCOL_FILE


@functools.cache
def default_text() -> str:
    """Return the text of the shipped keel-default protocol."""
    return DEFAULT_PATH.read_text(encoding="utf-8")


@functools.cache
def default_protocol() -> Protocol:
    """Return the shipped keel-default protocol, parsed once per test run."""
    return load_protocol(default_text())


def one_rule(
    when: Condition,
    *,
    params: Mapping[str, Value] | None = None,
    kind: RuleKind = RuleKind.CAUTION,
    rule_id: str = "test.rule",
) -> Protocol:
    """Return a protocol with one rule on ``when``, built without the parser."""
    parameters = {
        name: Parameter(name=name, default=value, unit="", basis="test", convention=False)
        for name, value in (params or {}).items()
    }
    rule = Rule(
        id=rule_id,
        title="Test rule",
        kind=kind,
        when=when,
        severity=Severity.LOW,
        message="message",
        source="source",
        rationale="rationale",
        examples=(),
    )
    return Protocol(
        id="test",
        version="1",
        effective_from=date(2026, 11, 26),
        review_status=ReviewStatus.UNREVIEWED,
        title="Test protocol",
        parameters=MappingProxyType(parameters),
        rules=(rule,),
    )


SMALL_PROTOCOL = """\
id: small
version: 3
effective_from: 2026-11-26
review_status: unreviewed
title: Small protocol for parser tests
parameters:
  age_below:
    default: 18
    unit: years
    basis: project convention
    convention: true
  level_fail_below:
    default: 0.4
    unit: mmol/L
    basis: Nolen 2019 [src]
    convention: true
  agents:
    default: [Lithium, valproate]
    unit: medicine list
    basis: REFERENCE.md §10
    convention: false
rules:
  - id: test.age.minor
    title: Minor
    kind: exclusion
    overridable: false
    severity: critical
    when: {fact: age_years, op: lt, param: age_below}
    message: Too young.
    source: program scope (project convention)
    rationale: Adults only.
    examples:
      - {expect: fires, facts: {age_years: 17}}
      - {expect: does_not_fire, facts: {age_years: 18}}
      - {expect: missing, facts: {}}
  - id: test.lithium.low
    title: Low lithium
    kind: requirement
    severity: high
    when:
      all:
        - {fact: antimanic_agents, op: intersects, param: agents}
        - {fact: lithium_level_mmol_l, op: lt, param: level_fail_below}
    message: Lithium too low.
    source: Nolen 2019 [src]
    rationale: Protection.
    examples:
      - {expect: fires, facts: {antimanic_agents: [lithium], lithium_level_mmol_l: 0.3}}
      - {expect: does_not_fire, facts: {antimanic_agents: [lithium], lithium_level_mmol_l: 0.5}}
      - {expect: fires, facts: {antimanic_agents: [lithium], lithium_level_mmol_l: 0.5}, params: {level_fail_below: 0.6}}
"""
"""A valid two-rule protocol that the parser tests break one field at a time."""


ALEX: Mapping[str, object] = MappingProxyType(
    {
        "age_years": 38,
        "bipolar_diagnosis_confirmed": True,
        "bipolar_type": "bipolar_ii",
        "icd10_code": "F31.81",
        "current_episode": "depressed",
        "aneurysmal_vascular_disease": False,
        "arteriovenous_malformation": False,
        "intracerebral_haemorrhage_history": False,
        "ketamine_hypersensitivity": False,
        "bp_or_icp_rise_serious_risk": False,
        "recent_cardiovascular_event": False,
        "hypertensive_encephalopathy_history": False,
        "hyperthyroidism_uncontrolled": False,
        "preeclampsia_or_eclampsia": False,
        "raised_icp_or_eye_risk": False,
        "liver_disease_significant": False,
        "hypertension_diagnosed": False,
        "hypertension_controlled": None,
        "resting_systolic_bp": 122,
        "resting_diastolic_bp": 78,
        "psychosis_history": False,
        "psychosis_current": False,
        "switch_on_antidepressant_history": False,
        "suicide_attempt_history": False,
        "antimanic_agents": ["lithium"],
        "current_medications": ["lithium"],
        "lithium_level_mmol_l": 0.8,
        "lithium_level_age_days": 9,
        "valproate_level_ug_ml": None,
        "valproate_level_age_days": None,
        "pregnant": False,
        "breastfeeding": False,
        "pregnancy_planned": False,
        "substance_use_disorder_active": False,
        "ketamine_misuse_history": False,
        "madrs_total": 34,
        "madrs_item10": 1,
        "ymrs_total": 3,
        "phq9_total": 18,
        "phq9_item9": 0,
        "qids_total": 16,
        "asrm_total": 2,
        "cssrs_level": "none",
    }
)
"""A complete intake for the demo persona Alex: bipolar II, depressed, lithium 0.8 mmol/L."""


def persona(**changes: object) -> dict[str, object]:
    """Return Alex's facts with ``changes`` applied (a value of None marks a missing fact)."""
    return {**ALEX, **changes}
