"""Text packs: a clinic's licensed wording of a scale, imported from a FHIR R4 Questionnaire.

ARCHITECTURE.md "Clinical wording" and REFERENCE.md §1.0: Keel ships only its
own short labels; the official item text and answer wording of a
patient-facing scale comes from a text pack the clinic installs. The import
parses the Questionnaire with the ``fhir.resources`` R4B models (INTEROP.md
§6) and checks it against Keel's instrument before anything is stored:

- which instrument: the LOINC panel code in ``Questionnaire.code`` (PHQ-9
  44249-1, GAD-7 69737-5; INTEROP.md §2), or the instrument the admin names;
- which question is which item, in this order: the LOINC item code on the
  question (``item.code``), a linkId that carries that LOINC code (``/44250-9``),
  or a linkId ending in the item number (``Q1``, ``H1/T1/Q1``, ``item-1``).
  Every item must be found exactly once and in the instrument's order;
- the answer values of every item: each answer's score comes from the
  ``ordinalValue`` (or ``itemWeight``) extension, or from the LOINC answer
  codes LA6568-5..LA6571-9 (= 0..3, the PHQ-9 / GAD-7 answer list), and the
  scores must be exactly the item's range, each once.

Anything else is refused with a message naming the problem. Scoring never
depends on the pack (REFERENCE.md §1.0): it only supplies the words.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.valueset import ValueSet
from pydantic import ValidationError

from keel.clinical.instruments import INSTRUMENTS, Instrument, Item, Rater
from keel.common.exceptions import ValidationFailed

LOINC_SYSTEM: Final = "http://loinc.org"
#: Extensions that carry an answer's score (FHIR R4 core; the SDC/R5 name).
SCORE_EXTENSIONS: Final = frozenset(
    {
        "http://hl7.org/fhir/StructureDefinition/ordinalValue",
        "http://hl7.org/fhir/StructureDefinition/itemWeight",
    }
)
#: The LOINC answer list of PHQ-9 and GAD-7 items (INTEROP.md §2, REFERENCE.md §1.1).
LOINC_FREQUENCY_ANSWERS: Final = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
LOINC_ANSWER_INSTRUMENTS: Final = frozenset({"phq9", "gad7"})
#: Patient-rated scales a clinic can install wording for (the portal offers these).
PATIENT_SCALES: Final = tuple(i.id for i in INSTRUMENTS.values() if i.rater == Rater.PATIENT)
ANSWERABLE_TYPES: Final = frozenset({"choice", "open-choice"})
MAX_QUESTIONNAIRE_BYTES: Final = 1_000_000
_MAX_REPAIRS: Final = 200
_NUMBERED_LINK_ID: Final = re.compile(r"^[A-Za-z_-]*0*(\d{1,3})$")

FIELD = "questionnaire"


@dataclass(frozen=True, slots=True)
class PackItem:
    """The official wording of one item: its text and the text of each answer value."""

    number: int
    link_id: str
    text: str
    answers: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class ParsedPack:
    """A questionnaire that passed every check, ready to be stored as a text pack."""

    instrument_id: str
    instrument_version: str
    title: str
    language: str
    copyright: str
    intro: str
    matched_by: str
    items: tuple[PackItem, ...]
    warnings: tuple[str, ...]

    def items_json(self) -> dict[str, object]:
        """The pack's wording as stored in ``TextPack.items`` (keys are item numbers)."""
        return {
            "intro": self.intro,
            "matched_by": self.matched_by,
            "warnings": list(self.warnings),
            "items": {
                str(item.number): {
                    "link_id": item.link_id,
                    "text": item.text,
                    "answers": {str(value): text for value, text in item.answers},
                }
                for item in self.items
            },
        }


@dataclass(frozen=True, slots=True)
class _Question:
    """One answerable question of the questionnaire, in document order."""

    position: int
    item: QuestionnaireItem
    intro: str

    @property
    def link_id(self) -> str:
        return str(self.item.linkId or "")

    @property
    def loinc_codes(self) -> frozenset[str]:
        return frozenset(
            str(coding.code)
            for coding in self.item.code or []
            if coding.system == LOINC_SYSTEM and coding.code
        )


def _fail(*messages: str) -> ValidationFailed:
    return ValidationFailed({FIELD: list(messages)})


def parse_questionnaire(raw: object, *, instrument_id: str = "") -> ParsedPack:
    """Check ``raw`` (a decoded JSON object) against the instrument and return the pack.

    ``instrument_id`` names the instrument when the questionnaire carries no
    LOINC panel code (or must agree with it). Raises ``ValidationFailed``
    naming the field (``questionnaire`` or ``instrument_id``) and the problem.
    """
    if not isinstance(raw, dict) or raw.get("resourceType") != "Questionnaire":
        raise _fail("This is not a FHIR Questionnaire: resourceType must be 'Questionnaire'.")
    questionnaire, warnings = _validated(raw)
    instrument = _instrument(questionnaire, instrument_id)
    questions = list(_questions(questionnaire.item or [], intro=""))
    matched_by, matched = _match(instrument, questions)
    value_sets = _contained_value_sets(questionnaire)
    problems: list[str] = []
    items: list[PackItem] = []
    for item, question in zip(instrument.items, matched, strict=True):
        answers = _answers(instrument, item, question, value_sets, problems)
        text = str(question.item.text or "").strip()
        if not text:
            problems.append(f"{_describe(item)} (linkId {question.link_id!r}) has no text.")
        items.append(
            PackItem(number=item.number, link_id=question.link_id, text=text, answers=answers)
        )
    if problems:
        raise _fail(*problems)
    intros = [q.intro for q in matched if q.intro]
    return ParsedPack(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        title=str(questionnaire.title or questionnaire.name or instrument.title)[:200],
        language=str(questionnaire.language or ""),
        copyright=str(questionnaire.copyright or ""),
        intro=intros[0] if intros else "",
        matched_by=matched_by,
        items=tuple(items),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------- parsing


def _validated(raw: dict[str, Any]) -> tuple[Questionnaire, list[str]]:
    """Parse with the R4B models; extensions that fail their own type are left out, with a note.

    Some published questionnaires (e.g. NLM's LHC-Forms PHQ-9) carry
    extensions whose values break FHIR's datatype rules (an integer where a
    string belongs). Keel uses no extension but the answer scores, so such an
    extension is dropped and reported; an error anywhere else refuses the file.
    """
    data = copy.deepcopy(raw)
    warnings: list[str] = []
    for _attempt in range(_MAX_REPAIRS):
        try:
            return Questionnaire.model_validate(data), warnings
        except ValidationError as exc:
            broken: dict[tuple[object, ...], str] = {}
            others: list[str] = []
            for error in exc.errors():
                loc = tuple(error.get("loc", ()))
                where = _extension_path(loc)
                message = str(error.get("msg", "invalid value"))
                if where is None:
                    others.append(f"{_dotted(loc)}: {message}")
                else:
                    broken.setdefault(where, f"{_dotted(loc)}: {message}")
            if others:
                raise _fail("Not a valid FHIR R4 Questionnaire: " + "; ".join(others[:5])) from exc
            for path, message in sorted(broken.items(), key=_removal_order):
                if _remove(data, path):
                    warnings.append(f"Left out an invalid extension ({message}).")
        except (ValueError, TypeError) as exc:
            raise _fail(f"Not a valid FHIR R4 Questionnaire: {exc}") from exc
    raise _fail("Not a valid FHIR R4 Questionnaire: too many invalid extensions.")


def _extension_path(loc: tuple[object, ...]) -> tuple[object, ...] | None:
    """The path of the innermost extension entry that contains ``loc`` (None: not in one)."""
    for index in range(len(loc) - 2, -1, -1):
        if loc[index] in {"extension", "modifierExtension"} and isinstance(loc[index + 1], int):
            return loc[: index + 2]
    return None


def _removal_order(entry: tuple[tuple[object, ...], str]) -> tuple[object, ...]:
    # Remove higher indexes first so the lower ones keep their place.
    path = entry[0]
    return tuple(-p if isinstance(p, int) else 0 for p in path)


def _remove(data: dict[str, Any], path: tuple[object, ...]) -> bool:
    node: Any = data
    for step in path[:-2]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    key, index = path[-2], path[-1]
    if not isinstance(node, dict) or not isinstance(index, int):
        return False
    entries = node.get(key)
    if not isinstance(entries, list) or not 0 <= index < len(entries):
        return False
    del entries[index]
    if not entries:
        del node[key]
    return True


def _dotted(loc: Sequence[object]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "Questionnaire"


def _instrument(questionnaire: Questionnaire, instrument_id: str) -> Instrument:
    codes = {
        str(coding.code)
        for coding in questionnaire.code or []
        if coding.system == LOINC_SYSTEM and coding.code
    }
    coded = [INSTRUMENTS[i] for i in PATIENT_SCALES if INSTRUMENTS[i].loinc_panel in codes]
    chosen = INSTRUMENTS.get(instrument_id) if instrument_id else None
    if instrument_id and (chosen is None or chosen.id not in PATIENT_SCALES):
        known = ", ".join(PATIENT_SCALES)
        raise ValidationFailed(
            {"instrument_id": [f"{instrument_id!r} is not a patient-rated scale ({known})."]}
        )
    if coded:
        found = coded[0]
        if chosen is not None and chosen.id != found.id:
            raise ValidationFailed(
                {
                    "instrument_id": [
                        f"The questionnaire is coded as {found.title} (LOINC "
                        f"{found.loinc_panel}), not {chosen.title}."
                    ]
                }
            )
        return found
    if chosen is None:
        raise ValidationFailed(
            {
                "instrument_id": [
                    "The questionnaire carries no LOINC panel code Keel knows; "
                    "choose the instrument it contains."
                ]
            }
        )
    return chosen


def _questions(items: Sequence[object], *, intro: str) -> Iterator[_Question]:
    position = 0

    def walk(nodes: Sequence[object], text: str) -> Iterator[_Question]:
        nonlocal position
        for node in nodes:
            if not isinstance(node, QuestionnaireItem):
                continue
            if node.type == "group":
                yield from walk(node.item or [], str(node.text or "") or text)
                continue
            if node.type in ANSWERABLE_TYPES:
                position += 1
                yield _Question(position=position, item=node, intro=text)
            yield from walk(node.item or [], text)

    yield from walk(items, intro)


def _describe(item: Item) -> str:
    return f"Item {item.number} ({item.label})"


# ---------------------------------------------------------------- which question is which item


def _by_item_code(item: Item, question: _Question) -> bool:
    return item.loinc is not None and item.loinc in question.loinc_codes


def _by_link_id_code(item: Item, question: _Question) -> bool:
    return item.loinc is not None and item.loinc in question.link_id


def _by_link_id_number(item: Item, question: _Question) -> bool:
    last = re.split(r"[/.]", question.link_id)[-1]
    found = _NUMBERED_LINK_ID.match(last)
    return found is not None and int(found.group(1)) == item.number


_MODES = (
    ("LOINC item code", _by_item_code),
    ("linkId with the LOINC item code", _by_link_id_code),
    ("linkId with the item number", _by_link_id_number),
)


def _match(instrument: Instrument, questions: list[_Question]) -> tuple[str, list[_Question]]:
    """Pair every instrument item with exactly one question, in order; else explain why not."""
    best: tuple[int, str, list[str]] | None = None
    for mode, matches in _MODES:
        found: list[_Question] = []
        problems: list[str] = []
        for item in instrument.items:
            hits = [q for q in questions if matches(item, q)]
            if len(hits) == 1:
                found.append(hits[0])
            elif hits:
                link_ids = ", ".join(repr(q.link_id) for q in hits)
                problems.append(f"{_describe(item)} matches more than one question ({link_ids}).")
            else:
                problems.append(f"{_describe(item)} is missing.")
        if not problems:
            positions = [q.position for q in found]
            if positions != sorted(positions):
                order = ", ".join(repr(q.link_id) for q in sorted(found, key=lambda q: q.position))
                raise _fail(
                    f"The questions are not in the order of {instrument.title}'s items "
                    f"(matched by {mode}; the questionnaire's order: {order})."
                )
            return mode, found
        if best is None or len(found) > best[0]:
            best = (len(found), mode, problems)
    assert best is not None  # noqa: S101 - _MODES is not empty
    count = len(questions)
    summary = (
        f"Keel could not tell which question is which {instrument.title} item: "
        f"{instrument.title} has {len(instrument.items)} items and the questionnaire has "
        f"{count} answerable question{'s' if count != 1 else ''}. Questions are matched by "
        "LOINC item code (item.code), by a linkId carrying that code, or by a linkId ending "
        "in the item number (e.g. 'Q1'); "
    )
    if best[0] == 0:
        summary += "none of this questionnaire's questions is identified that way."
        raise _fail(summary)
    summary += f"matching by {best[1]} found {best[0]}."
    raise _fail(summary, *best[2][:10])


# ---------------------------------------------------------------- answers and their scores


def _contained_value_sets(questionnaire: Questionnaire) -> dict[str, ValueSet]:
    return {
        f"#{resource.id}": resource
        for resource in questionnaire.contained or []
        if isinstance(resource, ValueSet) and resource.id
    }


def _score_of(extensions: Sequence[object] | None) -> Decimal | None:
    for extension in extensions or []:
        if isinstance(extension, Extension) and extension.url in SCORE_EXTENSIONS:
            value = extension.valueDecimal
            if value is None and extension.valueInteger is not None:
                value = Decimal(int(extension.valueInteger))
            if value is not None:
                return Decimal(str(value))
    return None


def _option_entries(
    instrument: Instrument, option: QuestionnaireItemAnswerOption
) -> tuple[Decimal | None, str]:
    coding = option.valueCoding
    score = _score_of(option.extension)
    if score is None and coding is not None:
        score = _score_of(coding.extension)
    if coding is not None:
        text = str(coding.display or coding.code or "")
        if (
            score is None
            and instrument.id in LOINC_ANSWER_INSTRUMENTS
            and coding.system == LOINC_SYSTEM
            and coding.code in LOINC_FREQUENCY_ANSWERS
        ):
            score = Decimal(LOINC_FREQUENCY_ANSWERS[str(coding.code)])
        return score, text
    if option.valueInteger is not None:
        return (score if score is not None else Decimal(int(option.valueInteger))), str(
            option.valueInteger
        )
    return score, str(option.valueString or "")


def _value_set_entries(value_set: ValueSet) -> list[tuple[Decimal | None, str]]:
    entries: list[tuple[Decimal | None, str]] = []
    compose = value_set.compose
    for include in (compose.include or []) if compose is not None else []:
        entries.extend(
            (_score_of(concept.extension), str(concept.display or concept.code))
            for concept in include.concept or []
        )
    expansion = value_set.expansion
    entries.extend(
        (_score_of(contains.extension), str(contains.display or contains.code))
        for contains in ((expansion.contains or []) if expansion is not None else [])
    )
    return entries


def _answers(
    instrument: Instrument,
    item: Item,
    question: _Question,
    value_sets: dict[str, ValueSet],
    problems: list[str],
) -> tuple[tuple[int, str], ...]:
    where = f"{_describe(item)} (linkId {question.link_id!r})"
    entries: list[tuple[Decimal | None, str]]
    if question.item.answerOption:
        entries = [_option_entries(instrument, option) for option in question.item.answerOption]
    elif question.item.answerValueSet:
        value_set = value_sets.get(str(question.item.answerValueSet))
        if value_set is None:
            problems.append(
                f"{where}: its answers are in {question.item.answerValueSet!r}, which is not "
                "contained in the questionnaire; include the value set."
            )
            return ()
        entries = _value_set_entries(value_set)
    else:
        problems.append(f"{where} lists no answers.")
        return ()
    answers: list[tuple[int, str]] = []
    for score, text in entries:
        if score is None:
            problems.append(
                f"{where}: the answer {text!r} has no score (no ordinalValue extension and "
                "no known LOINC answer code)."
            )
            return ()
        if score != score.to_integral_value():
            problems.append(f"{where}: the answer {text!r} scores {score}, not a whole number.")
            return ()
        answers.append((int(score), text.strip()))
    values = sorted(value for value, _text in answers)
    expected = list(range(item.min, item.max + 1))
    if values != expected:
        shown = ", ".join(str(v) for v in values) or "none"
        problems.append(
            f"{where}: the answer scores are {shown}, but {instrument.title} scores this "
            f"item {item.min}-{item.max}, each value once."
        )
        return ()
    return tuple(sorted(answers))
