"""``manage.py check_protocol`` and the app-layer protocol loader."""

from __future__ import annotations

import os
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from keel.clinical.protocol import Protocol, ProtocolError
from keel.clinical.protocol.floors import SAFETY_FLOORS, SafetyFloor
from keel.intake import protocols
from keel.intake.management.commands.check_protocol import Command
from keel.intake.protocols import default_protocol_path, load_protocol_file, protocol_for_clinic


def shipped() -> dict[str, object]:
    """Return the shipped protocol as plain YAML data, for breaking copies."""
    data = yaml.safe_load(default_protocol_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def rule_of(data: dict[str, object], rule_id: str) -> dict[str, object]:
    """Return the rule ``rule_id`` of ``data`` (for editing in place)."""
    rules = data["rules"]
    assert isinstance(rules, list)
    return next(rule for rule in rules if rule["id"] == rule_id)


def write(tmp_path: Path, data: dict[str, object]) -> Path:
    """Write ``data`` as a protocol file and return its path."""
    path = tmp_path / "clinic-protocol.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str) -> str:
    """Run check_protocol and return its standard output."""
    out = StringIO()
    call_command("check_protocol", *args, stdout=out)
    return out.getvalue()


def test_shipped_default_passes() -> None:
    """The shipped protocol validates and every example passes."""
    protocol = load_protocol_file(default_protocol_path())
    expected = (
        f"{protocol.label}: {len(protocol.rules)} rules, "
        f"{protocol.example_count} examples, all passed; "
        f"{len(SAFETY_FLOORS)} safety floors hold"
    )
    assert run().strip() == expected
    assert run(str(default_protocol_path())).strip() == expected


def test_round_tripped_copy_passes(tmp_path: Path) -> None:
    """A faithful copy passes too, so the broken copies below fail for their break only."""
    assert "all passed" in run(str(write(tmp_path, shipped())))


def break_unknown_fact(data: dict[str, object]) -> str:
    """Point a rule at a fact that is not in the catalogue."""
    rule_of(data, "eligibility.age.below_adult")["when"] = {
        "fact": "agee_years",
        "op": "lt",
        "param": "eligibility_age_below",
    }
    return "eligibility.age.below_adult"


def break_condition(data: dict[str, object]) -> str:
    """Write a condition outside the vocabulary."""
    rule_of(data, "eligibility.pregnancy.pregnant")["when"] = {"pregnant": True}
    return "eligibility.pregnancy.pregnant"


def break_source(data: dict[str, object]) -> str:
    """Remove a rule's source."""
    del rule_of(data, "eligibility.psychosis.history")["source"]
    return "eligibility.psychosis.history"


def break_example(data: dict[str, object]) -> str:
    """Make a rule's example expect the wrong outcome."""
    examples = rule_of(data, "eligibility.lithium.level_below_fail")["examples"]
    assert isinstance(examples, list)
    examples[0]["expect"] = "does_not_fire"
    return "eligibility.lithium.level_below_fail"


@pytest.mark.parametrize(
    ("breaker", "problem"),
    [
        (break_unknown_fact, "unknown fact 'agee_years'"),
        (break_condition, "malformed condition"),
        (break_source, "missing 'source'"),
        (break_example, "examples[0]: expected does_not_fire, got fires"),
    ],
)
def test_broken_copy_fails_naming_the_rule(
    tmp_path: Path, breaker: Callable[[dict[str, object]], str], problem: str
) -> None:
    """Each broken copy exits non-zero with the rule id and the problem in the message."""
    data = shipped()
    rule_id = breaker(data)
    path = write(tmp_path, data)
    with pytest.raises(CommandError) as caught:
        run(str(path))
    message = str(caught.value)
    assert f"rule {rule_id}" in message
    assert problem in message
    assert str(path) in message


def test_failing_example_exits_with_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From the command line the failure is a non-zero exit status."""
    data = shipped()
    rule_id = break_example(data)
    path = write(tmp_path, data)
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "check_protocol", str(path)])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert rule_id in err
    assert "1 failed" in err


def test_missing_file_is_reported(tmp_path: Path) -> None:
    """An unreadable path is a clear error, not a traceback."""
    with pytest.raises(CommandError, match="cannot read the file"):
        run(str(tmp_path / "absent.yaml"))


def test_protocol_for_clinic_is_the_default_and_cached() -> None:
    """Every clinic gets keel-default for now; the parsed protocol is reused."""
    first = protocol_for_clinic(1)
    assert isinstance(first, Protocol)
    assert first.label == f"keel-default v{first.version}"
    assert first.version == "4"
    assert protocol_for_clinic(2) is first


def test_cache_reloads_when_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer modification time re-reads the file."""
    data = shipped()
    path = write(tmp_path, data)
    monkeypatch.setattr(protocols, "default_protocol_path", lambda: path)
    before = protocol_for_clinic(None)
    assert protocol_for_clinic(None) is before
    data["title"] = "Clinic-tuned protocol"
    write(tmp_path, data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = protocol_for_clinic(None)
    assert after.title == "Clinic-tuned protocol"
    assert after is not before


# ---------------------------------------------------------------- safety floors (issue 15)


def parameter_of(data: dict[str, object], name: str) -> dict[str, object]:
    """Return the parameter ``name`` of ``data`` (for editing in place)."""
    parameters = data["parameters"]
    assert isinstance(parameters, dict)
    entry = parameters[name]
    assert isinstance(entry, dict)
    return entry


def make_overridable(data: dict[str, object], rule_id: str) -> None:
    """Mark a floor rule overridable (severity high, as the other overridable rules)."""
    rule = rule_of(data, rule_id)
    rule.pop("overridable")
    rule["severity"] = "high"


def loosen_bp_hold(data: dict[str, object]) -> None:
    parameter_of(data, "predose_bp_hold_systolic_min")["default"] = 190


def loosen_spo2_emergency(data: dict[str, object]) -> None:
    make_overridable(data, "precheck.spo2.below_emergency_level")


def loosen_sedation(data: dict[str, object]) -> None:
    make_overridable(data, "discharge.sedation.moaas")


def loosen_dissociation(data: dict[str, object]) -> None:
    parameter_of(data, "discharge_cadss_max")["default"] = 8


def loosen_spo2_baseline(data: dict[str, object]) -> None:
    parameter_of(data, "discharge_spo2_min")["default"] = -1


def loosen_observation(data: dict[str, object]) -> None:
    parameter_of(data, "esketamine_min_observation_minutes")["default"] = 90


def loosen_escort(data: dict[str, object]) -> None:
    parameter_of(data, "escort_required")["default"] = False


def loosen_no_driving(data: dict[str, object]) -> None:
    """Remove the no-driving rule altogether."""
    rules = data["rules"]
    assert isinstance(rules, list)
    rules[:] = [rule for rule in rules if rule["id"] != "discharge.instructions.no_driving"]


FLOOR_BREAKERS: dict[str, Callable[[dict[str, object]], None]] = {
    "predose_bp_hard_hold": loosen_bp_hold,
    "predose_spo2_emergency": loosen_spo2_emergency,
    "discharge_sedation": loosen_sedation,
    "discharge_dissociation": loosen_dissociation,
    "discharge_spo2_baseline": loosen_spo2_baseline,
    "minimum_observation": loosen_observation,
    "escort_at_hand_off": loosen_escort,
    "no_driving_instruction": loosen_no_driving,
}


def test_every_floor_has_a_breaking_copy_below() -> None:
    """The parametrised test below loosens each floor in the core's list."""
    assert set(FLOOR_BREAKERS) == {floor.id for floor in SAFETY_FLOORS}


@pytest.mark.parametrize("floor", SAFETY_FLOORS, ids=lambda floor: floor.id)
def test_a_copy_that_loosens_a_floor_fails_naming_it(tmp_path: Path, floor: SafetyFloor) -> None:
    """check_protocol refuses a copy of keel-default with one floor loosened, naming the floor."""
    data = shipped()
    FLOOR_BREAKERS[floor.id](data)
    path = write(tmp_path, data)
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert floor.title in str(caught.value)
    with pytest.raises(ProtocolError, match="safety floor"):
        load_protocol_file(path)
