"""A malformed instrument definition is refused when it is built."""

from __future__ import annotations

import dataclasses

import pytest

from keel.clinical.instruments import Band, Domain, ScaleInstrument
from keel.clinical.instruments.phq9 import Phq9Band
from keel.clinical.tests.helpers import cssrs, scale


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"total_max": 26}, "declared total range 0-26 differs from the computed 0-27"),
        ({"bands": (Band(0, 4, Phq9Band.MINIMAL), Band(6, 27, Phq9Band.MILD))}, "contiguous"),
        ({"bands": (Band(0, 4, Phq9Band.MINIMAL), Band(5, 26, Phq9Band.MILD))}, "must end at 27"),
        ({"domains": (Domain("all", "all", (1, 2, 3)),)}, "cover every item exactly once"),
    ],
)
def test_scale_definition_is_checked(changes: dict[str, object], match: str) -> None:
    """Totals, bands and domains must agree with the items."""
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(scale("phq9"), **changes)  # type: ignore[arg-type]


def test_items_must_be_numbered_in_order() -> None:
    """Item numbers are 1..n in order."""
    inst = scale("gad7")
    items = (inst.items[1], inst.items[0], *inst.items[2:])
    with pytest.raises(ValueError, match=r"numbered 1\.\.n"):
        dataclasses.replace(inst, items=items)


def test_cssrs_definition_is_checked() -> None:
    """A C-SSRS definition must be one of the two versions with its question count."""
    inst = cssrs("cssrs_screen")
    with pytest.raises(ValueError, match="expected 7 questions"):
        dataclasses.replace(inst, items=inst.items[:6])
    with pytest.raises(ValueError, match="not a known C-SSRS"):
        dataclasses.replace(inst, id="cssrs_other")


def test_scale_instrument_type_is_exported() -> None:
    """Every summed scale is a ScaleInstrument."""
    assert isinstance(scale("madrs"), ScaleInstrument)
