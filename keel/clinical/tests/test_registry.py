"""Registry, instrument metadata, provenance and purity of the clinical core."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from datetime import date
from pathlib import Path

import pytest

from keel.clinical.instruments import (
    INSTRUMENT_IDS,
    INSTRUMENTS,
    CssrsInstrument,
    ReviewStatus,
    ScaleInstrument,
    get_instrument,
)
from keel.clinical.instruments.diary import PROVENANCE as DIARY_PROVENANCE
from keel.clinical.params import PARAMETERS

CLINICAL_ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = sorted(CLINICAL_ROOT.rglob("*.py"))
CORE_FILES = [path for path in SOURCE_FILES if "tests" not in path.relative_to(CLINICAL_ROOT).parts]

EXPECTED_IDS = (
    "phq9",
    "gad7",
    "qids_sr16",
    "madrs",
    "ymrs",
    "asrm",
    "cssrs_screen",
    "cssrs_since_last_visit",
    "cadss",
    "moaas",
)

# REFERENCE.md §0: items, rater.
EXPECTED_SHAPE: dict[str, tuple[int, str]] = {
    "phq9": (9, "patient"),
    "gad7": (7, "patient"),
    "qids_sr16": (16, "patient"),
    "madrs": (10, "clinician"),
    "ymrs": (11, "clinician"),
    "asrm": (5, "patient"),
    "cssrs_screen": (7, "clinician"),
    "cssrs_since_last_visit": (6, "clinician"),
    "cadss": (23, "clinician"),
    "moaas": (1, "clinician"),
}

EXPECTED_LOINC: dict[str, tuple[str | None, str | None]] = {
    "phq9": ("44249-1", "44261-6"),
    "gad7": ("69737-5", "70274-6"),
    "cssrs_screen": ("93373-9", None),
}

MODULE_OF = {
    "phq9": "phq9",
    "gad7": "gad7",
    "qids_sr16": "qids_sr16",
    "madrs": "madrs",
    "ymrs": "ymrs",
    "asrm": "asrm",
    "cssrs_screen": "cssrs",
    "cssrs_since_last_visit": "cssrs",
    "cadss": "cadss",
    "moaas": "moaas",
    "diary": "diary",
}

PROVENANCE_HEADINGS = (
    "Provenance",
    "Identity:",
    "Source:",
    "Licence/IP:",
    "Scoring",
    "Safety items:",
    "Review status: unreviewed",
    "2026-11-26",
)

FORBIDDEN_IMPORT_ROOTS = {"django", "ninja", "requests", "httpx", "config"}
IO_MODULES = {
    "os",
    "io",
    "pathlib",
    "socket",
    "subprocess",
    "shutil",
    "sqlite3",
    "urllib",
    "logging",
}
IO_BUILTINS = {"open", "print", "input", "exec", "eval"}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_LABEL_LENGTH = 40


def test_registry_lists_every_instrument_in_order() -> None:
    """INSTRUMENT_IDS is the contract's id list."""
    assert INSTRUMENT_IDS == EXPECTED_IDS
    assert tuple(INSTRUMENTS) == EXPECTED_IDS


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_get_instrument_returns_it(instrument_id: str) -> None:
    """Lookup by id returns an instrument carrying that id."""
    assert get_instrument(instrument_id).id == instrument_id


@pytest.mark.parametrize("bad", ["phq-9", "PHQ9", "", "diary"])
def test_unknown_id_raises_naming_it(bad: str) -> None:
    """An unknown id raises KeyError (also a ValueError) naming the id."""
    with pytest.raises(KeyError, match=re.escape(f"unknown instrument id {bad!r}")):
        get_instrument(bad)
    with pytest.raises(ValueError, match="unknown instrument id"):
        get_instrument(bad)


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_shape_matches_reference(instrument_id: str) -> None:
    """Item count and rater match REFERENCE.md §0."""
    inst = get_instrument(instrument_id)
    count, rater = EXPECTED_SHAPE[instrument_id]
    assert len(inst.items) == count
    assert inst.rater == rater
    assert inst.version == "1"
    assert inst.title
    assert inst.form_version


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_items_are_numbered_keyed_and_labelled(instrument_id: str) -> None:
    """Items are 1..n with unique snake keys and short own-words labels."""
    inst = get_instrument(instrument_id)
    assert [item.number for item in inst.items] == list(range(1, len(inst.items) + 1))
    keys = [item.key for item in inst.items]
    assert len(set(keys)) == len(keys)
    for item in inst.items:
        assert SNAKE.match(item.key), item.key
        assert 0 < len(item.label) <= MAX_LABEL_LENGTH, item.label
        assert item.label[0].islower(), item.label
        assert item.min < item.max
        assert "?" not in item.label  # labels are not questions


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_loinc_codes_only_where_reference_gives_them(instrument_id: str) -> None:
    """Panel/total LOINC codes are set only where REFERENCE.md gives them."""
    inst = get_instrument(instrument_id)
    assert (inst.loinc_panel, inst.loinc_total) == EXPECTED_LOINC.get(instrument_id, (None, None))
    if instrument_id not in EXPECTED_LOINC:
        assert all(item.loinc is None for item in inst.items)


def test_phq9_item9_loinc_code() -> None:
    """PHQ-9 item 9 carries 44260-8, the safety-alert item."""
    assert get_instrument("phq9").items[8].loinc == "44260-8"


def test_cssrs_screen_risk_level_code() -> None:
    """The lifetime/recent screener records its risk-level LOINC code."""
    inst = get_instrument("cssrs_screen")
    assert isinstance(inst, CssrsInstrument)
    assert inst.loinc_level == "93374-7"


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_every_instrument_has_provenance_data(instrument_id: str) -> None:
    """Provenance is exposed as data: citation, licence note, review status."""
    prov = get_instrument(instrument_id).provenance
    assert prov.citation.strip()
    assert prov.licence_note.strip()
    assert prov.scoring_source.strip()
    assert prov.review_status is ReviewStatus.UNREVIEWED
    assert str(prov.review_status) == "unreviewed"
    assert prov.last_checked == date(2026, 11, 26)
    assert "text pack" in prov.licence_note


def test_diary_has_provenance_data() -> None:
    """The diary record carries provenance too."""
    assert DIARY_PROVENANCE.citation.strip()
    assert DIARY_PROVENANCE.review_status == "unreviewed"


@pytest.mark.parametrize("module_name", sorted(set(MODULE_OF.values())))
def test_module_docstring_has_provenance_block(module_name: str) -> None:
    """Every instrument module opens with a STYLE.md section 7 provenance block."""
    module = importlib.import_module(f"keel.clinical.instruments.{module_name}")
    doc = module.__doc__ or ""
    for heading in PROVENANCE_HEADINGS:
        assert heading in doc, f"{module_name}: missing {heading!r}"


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_params_are_declared_section_10_defaults(instrument_id: str) -> None:
    """Every parameter an instrument accepts is declared in keel.clinical.params."""
    for spec in get_instrument(instrument_id).params:
        assert PARAMETERS[spec.name] is spec


@pytest.mark.parametrize("instrument_id", EXPECTED_IDS)
def test_definitions_and_scores_are_frozen(instrument_id: str) -> None:
    """Instruments, items and scores cannot be mutated."""
    inst = get_instrument(instrument_id)
    score = inst.score([None] * len(inst.items))
    with pytest.raises(dataclasses.FrozenInstanceError):
        score.total = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.items[0].max = 99  # type: ignore[misc]
    assert isinstance(inst, ScaleInstrument | CssrsInstrument)
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.title = "x"  # type: ignore[misc]


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            roots.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in {"import_module", "__import__"}
        ):
            roots.update(
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return roots


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: str(p.relative_to(CLINICAL_ROOT)))
def test_no_django_or_keel_app_import(path: Path) -> None:
    """No module under keel/clinical imports Django, a web framework or a Keel app."""
    for name in _imported_roots(ast.parse(path.read_text(encoding="utf-8"))):
        root = name.split(".")[0]
        assert root not in FORBIDDEN_IMPORT_ROOTS, f"{path.name} imports {name}"
        if root == "keel":
            assert name == "keel.clinical" or name.startswith("keel.clinical."), (
                f"{path.name} imports {name}"
            )


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CLINICAL_ROOT)))
def test_core_does_no_io(path: Path) -> None:
    """Core modules (not tests) import no I/O modules and call no I/O builtins."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in _imported_roots(tree):
        assert name.split(".")[0] not in IO_MODULES, f"{path.name} imports {name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in IO_BUILTINS, f"{path.name} calls {node.func.id}()"


def test_scan_found_the_sources() -> None:
    """The purity scans really looked at the package."""
    names = {path.name for path in CORE_FILES}
    assert {"_base.py", "phq9.py", "cssrs.py", "diary.py", "params.py"} <= names
