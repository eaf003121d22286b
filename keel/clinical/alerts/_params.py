"""Typed reads of resolved protocol parameter values (``resolve_params`` output)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from keel.clinical.protocol.facts import to_decimal


def _value(params: Mapping[str, object], name: str) -> object:
    try:
        return params[name]
    except KeyError:
        raise KeyError(
            f"parameter {name!r} is missing: pass resolve_params(protocol, overrides)"
        ) from None


def integer(params: Mapping[str, object], name: str) -> int:
    """Return the integer parameter ``name``."""
    value = _value(params, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"parameter {name}: expected an integer, got {value!r}")
    return value


def number(params: Mapping[str, object], name: str) -> Decimal:
    """Return the numeric parameter ``name`` as a Decimal."""
    value = to_decimal(_value(params, name))
    if value is None:
        raise ValueError(f"parameter {name}: expected a number")
    return value


def boolean(params: Mapping[str, object], name: str) -> bool:
    """Return the boolean parameter ``name``."""
    value = _value(params, name)
    if not isinstance(value, bool):
        raise ValueError(f"parameter {name}: expected true or false, got {value!r}")
    return value


def text(params: Mapping[str, object], name: str) -> str:
    """Return the text parameter ``name``."""
    value = _value(params, name)
    if not isinstance(value, str):
        raise ValueError(f"parameter {name}: expected text, got {value!r}")
    return value
