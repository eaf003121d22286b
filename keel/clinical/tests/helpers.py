"""Helpers that build answer lists so tests never spell them out by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from keel.clinical.instruments import (
    INSTRUMENT_IDS,
    CssrsInstrument,
    ScaleInstrument,
    get_instrument,
)

Answers = list[int | None]


def scale(instrument_id: str) -> ScaleInstrument:
    """Return the registered summed scale ``instrument_id``."""
    inst = get_instrument(instrument_id)
    assert isinstance(inst, ScaleInstrument)
    return inst


def cssrs(instrument_id: str) -> CssrsInstrument:
    """Return the registered C-SSRS version ``instrument_id``."""
    inst = get_instrument(instrument_id)
    assert isinstance(inst, CssrsInstrument)
    return inst


SCALE_IDS: tuple[str, ...] = tuple(
    i for i in INSTRUMENT_IDS if isinstance(get_instrument(i), ScaleInstrument)
)
CSSRS_IDS: tuple[str, ...] = tuple(
    i for i in INSTRUMENT_IDS if isinstance(get_instrument(i), CssrsInstrument)
)
SUICIDE_SCALE_IDS: tuple[str, ...] = tuple(
    i for i in SCALE_IDS if scale(i).suicide_item is not None
)


def answers(
    inst: ScaleInstrument | CssrsInstrument,
    values: Mapping[int, int | None] | None = None,
    *,
    fill: int | None = 0,
) -> Answers:
    """Return one answer per item: ``fill`` everywhere, ``values`` by item number."""
    out: Answers = [fill] * len(inst.items)
    for number, value in (values or {}).items():
        out[number - 1] = value
    return out


def blank(inst: ScaleInstrument | CssrsInstrument, values: Mapping[int, int | None]) -> Answers:
    """Return a form with only ``values`` answered (every other item None)."""
    return answers(inst, values, fill=None)


def domain_heads(inst: ScaleInstrument) -> tuple[int, ...]:
    """Return one item number per domain (each item for a plain sum)."""
    if inst.domains:
        return tuple(domain.items[0] for domain in inst.domains)
    return tuple(item.number for item in inst.items)


def answers_with_total(inst: ScaleInstrument, total: int) -> Answers:
    """Return a complete form whose total is ``total`` (one item per domain filled)."""
    remaining = total - inst.total_min
    out: Answers = [item.min for item in inst.items]
    for number in domain_heads(inst):
        item = inst.items[number - 1]
        step = min(item.max - item.min, remaining)
        out[number - 1] = item.min + step
        remaining -= step
    assert remaining == 0, f"{inst.id}: cannot reach total {total}"
    return out


def cssrs_form(
    *,
    q1: int | None = 0,
    q2: int | None = 0,
    q3: int | None = None,
    q4: int | None = None,
    q5: int | None = None,
    q6: int | None = 0,
    recent: int | None = None,
    since_last_visit: bool = False,
) -> Answers:
    """Return C-SSRS answers; ``recent`` is the 3-month follow-up (screen only)."""
    base: Answers = [q1, q2, q3, q4, q5, q6]
    return base if since_last_visit else [*base, recent]


def flatten(
    table: Mapping[str, Sequence[tuple[int, str | None]]],
) -> list[tuple[str, int, str | None]]:
    """Turn ``{id: [(total, band), ...]}`` into parametrize rows."""
    return [(inst_id, total, band) for inst_id, rows in table.items() for total, band in rows]
