"""Property tests (hypothesis) over every summed scale and both C-SSRS versions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.instruments import CssrsLevel, ScaleInstrument
from keel.clinical.instruments.cssrs import LEVELS
from keel.clinical.tests.helpers import (
    CSSRS_IDS,
    SCALE_IDS,
    SUICIDE_SCALE_IDS,
    Answers,
    blank,
    cssrs,
    scale,
)

EXAMPLES = 150
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)


@st.composite
def complete_form(
    draw: st.DrawFn, ids: tuple[str, ...] = SCALE_IDS
) -> tuple[ScaleInstrument, list[int]]:
    """Draw a scale and a complete, valid answer list for it."""
    inst = scale(draw(st.sampled_from(ids)))
    values = [draw(st.integers(item.min, item.max)) for item in inst.items]
    return inst, values


@st.composite
def incomplete_form(
    draw: st.DrawFn, ids: tuple[str, ...] = SCALE_IDS
) -> tuple[ScaleInstrument, Answers]:
    """Draw a scale and a valid answer list with at least one None."""
    inst = scale(draw(st.sampled_from(ids)))
    values: Answers = [draw(st.none() | st.integers(item.min, item.max)) for item in inst.items]
    values[draw(st.integers(0, len(values) - 1))] = None
    return inst, values


def expected_band(inst: ScaleInstrument, total: int) -> str | None:
    """Look the band up in the instrument's table by hand."""
    matches = [band.label for band in inst.bands if band.low <= total <= band.high]
    assert len(matches) <= 1
    return matches[0] if matches else None


@PROPERTY_SETTINGS
@given(complete_form())
def test_total_within_range_and_band_matches_table(case: tuple[ScaleInstrument, list[int]]) -> None:
    """A complete form's total lies in [total_min, total_max] and its band is the table's."""
    inst, values = case
    score = inst.score(values)
    assert score.complete is True
    assert score.total is not None
    assert inst.total_min <= score.total <= inst.total_max
    assert score.band == expected_band(inst, score.total)
    if inst.bands:
        assert score.band is not None


@PROPERTY_SETTINGS
@given(complete_form(), st.data())
def test_total_is_monotone_in_each_item(
    case: tuple[ScaleInstrument, list[int]], data: st.DataObject
) -> None:
    """Raising any one item never lowers the total."""
    inst, values = case
    index = data.draw(st.integers(0, len(values) - 1))
    item = inst.items[index]
    raised = list(values)
    raised[index] = data.draw(st.integers(values[index], item.max))
    before = inst.score(values).total
    after = inst.score(raised).total
    assert before is not None
    assert after is not None
    assert after >= before


@PROPERTY_SETTINGS
@given(complete_form())
def test_plain_sum_scales_total_is_the_sum(case: tuple[ScaleInstrument, list[int]]) -> None:
    """Every scale except QIDS-SR16 is a plain sum of its items."""
    inst, values = case
    if not inst.domains:
        assert inst.score(values).total == sum(values)


@PROPERTY_SETTINGS
@given(incomplete_form())
def test_incomplete_forms_have_no_total(case: tuple[ScaleInstrument, Answers]) -> None:
    """Any None item -> total None, band None, complete False."""
    inst, values = case
    score = inst.score(values)
    assert (score.total, score.band, score.complete) == (None, None, False)


@PROPERTY_SETTINGS
@given(incomplete_form(SUICIDE_SCALE_IDS))
def test_suicide_flags_equal_those_of_the_item_alone(case: tuple[ScaleInstrument, Answers]) -> None:
    """On an incomplete form the flags depend on the suicide item only."""
    inst, values = case
    rule = inst.suicide_item
    assert rule is not None
    number = rule.item_number
    alone = inst.score(blank(inst, {number: values[number - 1]}))
    assert inst.score(values).flags == alone.flags
    if values[number - 1] is not None:
        filled = [value if value is not None else 0 for value in values]
        assert inst.score(filled).flags == alone.flags


@PROPERTY_SETTINGS
@given(complete_form(SUICIDE_SCALE_IDS))
def test_suicide_flags_nest_by_tier(case: tuple[ScaleInstrument, list[int]]) -> None:
    """A higher tier flag never appears without the lower ones."""
    inst, values = case
    flags = inst.score(values).flags
    if "suicidal_ideation_tier3" in flags:
        assert "suicidal_ideation_tier2" in flags
    if "suicidal_ideation_tier2" in flags:
        assert "suicidal_ideation" in flags
    assert "suicide_item_unanswered" not in flags


YES_NO_BLANK = st.sampled_from([0, 1, None])


@st.composite
def cssrs_case(draw: st.DrawFn) -> tuple[str, Answers]:
    """Draw a C-SSRS version and a form that respects its skip rules."""
    instrument_id = draw(st.sampled_from(CSSRS_IDS))
    q1, q2 = draw(YES_NO_BLANK), draw(YES_NO_BLANK)
    q3_to_q5 = [None, None, None] if q2 == 0 else [draw(YES_NO_BLANK) for _ in range(3)]
    q6 = draw(YES_NO_BLANK)
    form: Answers = [q1, q2, *q3_to_q5, q6]
    if len(cssrs(instrument_id).items) > len(form):
        form.append(None if q6 == 0 else draw(YES_NO_BLANK))
    return instrument_id, form


def rank(level: object) -> int:
    """Rank a level; None (undetermined) ranks below 'none'."""
    return -1 if level is None else LEVELS.index(CssrsLevel(str(level)))


@PROPERTY_SETTINGS
@given(cssrs_case(), st.data())
def test_cssrs_answering_yes_never_lowers_the_level(
    case: tuple[str, Answers], data: st.DataObject
) -> None:
    """Turning any 'no' into 'yes' never lowers the triage level (fail safe)."""
    instrument_id, form = case
    inst = cssrs(instrument_id)
    noes = [index for index, value in enumerate(form) if value == 0]
    if not noes:
        return
    index = data.draw(st.sampled_from(noes))
    flipped = list(form)
    flipped[index] = 1
    assert rank(inst.score(flipped).band) >= rank(inst.score(form).band)


@PROPERTY_SETTINGS
@given(cssrs_case())
def test_cssrs_level_is_never_none_when_anything_is_yes(case: tuple[str, Answers]) -> None:
    """'none' only for complete all-no forms; None only for incomplete forms with no yes."""
    instrument_id, form = case
    score = cssrs(instrument_id).score(form)
    assert score.total is None
    any_yes = 1 in form
    if any_yes:
        assert score.band not in (None, CssrsLevel.NONE)
    elif score.complete:
        assert score.band == CssrsLevel.NONE
    else:
        assert score.band is None
    assert ("cssrs_incomplete" in score.flags) is (not score.complete)
