"""API schemas for intake (separate In and Out)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, create_model

from keel.common.schemas import IsoDate
from keel.intake.forms import EVALUATION_FIELDS
from keel.intake.models import AntimanicAgent, Evaluation
from keel.monitoring.schemas import Answer, answers_per_instrument

TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _literal(values: tuple[str, ...]) -> Any:
    """``Literal[values...]`` built at run time from a model's choices."""
    return Literal.__getitem__(values)


def _bounds(field: models.Field[Any, Any]) -> tuple[Any, Any]:
    low = next((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), None)
    return low, high


def _field_type(field: models.Field[Any, Any]) -> Any:
    """The pydantic type of one evaluation field (every field optional: a PATCH)."""
    if field.name == "antimanic_agents":
        agent = _literal(tuple(AntimanicAgent.values))
        return list[agent] | None  # type: ignore[valid-type]  # run-time Literal
    if isinstance(field, models.BooleanField):
        return StrictBool | None
    if field.choices:
        return _literal(tuple(str(v) for v, _label in field.choices)) | None
    if isinstance(field, models.DecimalField):
        low, high = _bounds(field)
        return (
            Annotated[Decimal, Field(ge=low, le=high, decimal_places=field.decimal_places)] | None
        )
    if isinstance(field, models.DateField):
        return IsoDate | None
    if isinstance(field, models.PositiveSmallIntegerField):
        low, high = _bounds(field)
        return Annotated[int, Field(ge=low or 0, le=high or 32767, strict=True)] | None
    if field.name == "icd10_code":
        return Annotated[str, Field(max_length=8, pattern=r"^(|F31(\.[0-9]{1,2})?)$")] | None
    return Annotated[str, Field(max_length=field.max_length or 4000, pattern=TEXT_PATTERN)] | None


def _model_field(name: str) -> models.Field[Any, Any]:
    field = Evaluation._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(name)
    return field


class _ClosedSchema(Schema):
    """Ninja's schema config, refusing unknown fields."""

    model_config = ConfigDict(extra="forbid")


# Built from the model so the API and the page accept exactly the same answers.
EvaluationUpdateIn: type[Schema] = create_model(  # type: ignore[call-overload]
    "EvaluationUpdateIn",
    __base__=_ClosedSchema,
    __doc__="Change some evaluation answers; null means 'not asked yet'.",
    **{name: (_field_type(_model_field(name)), None) for name in EVALUATION_FIELDS},
)


class EvaluationOut(Schema):
    """The evaluation's answers (null: not asked yet) and its state."""

    id: int
    status: str
    answers: dict[str, Any]
    updated_at: dt.datetime


class SectionOut(Schema):
    title: str
    answered: int
    total: int
    missing: list[str]


class FindingOut(Schema):
    """What one protocol rule says about the patient's facts."""

    rule_id: str
    title: str
    kind: str
    severity: str
    overridable: bool
    status: str
    message: str
    source: str
    rationale: str
    missing_facts: list[str]


class DecisionIn(Schema):
    """The physician's decision."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["eligible", "not_eligible", "deferred"]
    overrides: dict[
        Annotated[str, Field(max_length=120)], Annotated[str, Field(max_length=2000)]
    ] = {}
    note: Annotated[str, Field(max_length=4000, pattern=TEXT_PATTERN)] = ""
    treatment_plan: Annotated[str, Field(max_length=4000, pattern=TEXT_PATTERN)] = ""
    mood_stabilizer_plan: Annotated[str, Field(max_length=2000, pattern=TEXT_PATTERN)] = ""


class DecisionOut(Schema):
    """A recorded decision with its provenance."""

    id: int
    outcome: str
    note: str
    treatment_plan: str
    mood_stabilizer_plan: str
    overrides: dict[str, str]
    protocol_id: str
    protocol_version: str
    fired_rule_ids: list[str]
    facts: dict[str, Any]
    decided_by: str
    decided_at: dt.datetime


class IntakeOut(Schema):
    """Where the patient stands in intake."""

    patient_id: int
    evaluation: EvaluationOut | None
    progress: list[SectionOut]
    protocol_id: str | None
    protocol_version: str | None
    findings: list[FindingOut]
    decisions: list[DecisionOut]


BaselineScale = Literal["madrs", "ymrs", "phq9", "qids_sr16", "asrm", "cssrs_screen"]


class BaselineRatingIn(Schema):
    """A clinician-entered baseline rating: one integer (or null) per item."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=answers_per_instrument(BaselineScale)
    )

    instrument_id: BaselineScale
    answers: list[Answer] = Field(max_length=40)


class AssessmentOut(Schema):
    """A scored rating."""

    id: int
    instrument_id: str
    instrument_version: str
    total: int | None
    band: str
    complete: bool
    flags: list[str]
    taken_at: dt.datetime
