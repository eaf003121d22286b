"""Every rating body documents each instrument's answers as the instrument library checks them.

The OpenAPI schema of a body with ``instrument_id`` and ``answers`` carries a
``oneOf``, one alternative per instrument it takes, built from the library
(``answers_json_schema``). These tests hold the documentation to the validator:
whatever the library scores the schema allows, and whatever the schema refuses
(a wrong number of answers, an answer outside its item's range) the library
refuses. Rules the schema does not carry (the C-SSRS asks some items only after
a yes) stay the library's, answered with the 422 naming ``answers``.
"""

from __future__ import annotations

from typing import Any, get_args

import jsonschema_rs
import pytest
from pydantic import BaseModel

from keel.clinical.instruments import InvalidAnswers, get_instrument
from keel.common.tests.test_api_fuzz_regressions import _input_models


def _rating_bodies() -> list[type[BaseModel]]:
    return [
        model
        for model in _input_models()
        if {"instrument_id", "answers"} <= set(model.model_fields)
    ]


def _alternatives(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """instrument id -> the documented JSON Schema of its answers."""
    schema = model.model_json_schema()
    return {
        alt["properties"]["instrument_id"]["const"]: alt["properties"]["answers"]
        for alt in schema["oneOf"]
    }


def test_the_walk_finds_every_rating_body() -> None:
    names = {model.__name__ for model in _rating_bodies()}
    assert names == {"PortalRatingIn", "ClinicianRatingIn", "BaselineRatingIn", "SessionRatingIn"}


@pytest.mark.parametrize("model", _rating_bodies(), ids=lambda m: m.__name__)
def test_each_instrument_the_body_takes_is_documented_once(model: type[BaseModel]) -> None:
    taken = get_args(model.model_fields["instrument_id"].annotation)
    assert sorted(_alternatives(model)) == sorted(taken)
    assert len(model.model_json_schema()["oneOf"]) == len(taken)


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (model.__name__, instrument_id, answers)
        for model in _rating_bodies()
        for instrument_id, answers in _alternatives(model).items()
    ]


@pytest.mark.parametrize(
    ("body", "instrument_id", "answers_schema"),
    _cases(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_documented_answers_are_the_ones_the_library_scores(
    body: str, instrument_id: str, answers_schema: dict[str, Any]
) -> None:
    instrument = get_instrument(instrument_id)
    items = instrument.items
    validator = jsonschema_rs.Draft202012Validator(answers_schema)

    lowest = [item.min for item in items]
    highest = [item.max for item in items]
    scored = []
    for answers in (lowest, highest, [None] * len(items), [None, *lowest[1:]]):
        try:
            instrument.score(answers)
        except InvalidAnswers:
            continue  # a rule the schema does not carry (the C-SSRS asks some items only after a yes)
        scored.append(answers)
        assert validator.is_valid(answers), (body, answers)
    assert scored, f"{instrument_id}: no sample the library scores"

    refused = [lowest[:-1], [*lowest, items[-1].min]]
    for position, item in enumerate(items):
        refused.append([*lowest[:position], item.max + 1, *lowest[position + 1 :]])
        if item.min > 0:
            refused.append([*lowest[:position], item.min - 1, *lowest[position + 1 :]])
    for answers in refused:
        assert not validator.is_valid(answers), (body, answers)
        with pytest.raises(InvalidAnswers):
            instrument.score(answers)
