"""YAML shape checks shared by the protocol parser.

``reject_duplicate_keys`` runs ``yaml.compose`` (node graph only, no object
construction) to refuse a mapping key written twice, which
``yaml.safe_load`` would otherwise resolve silently by keeping the last one.
The other helpers turn a loaded value into text, a date or a mapping, or
raise :class:`ProtocolError` naming the rule and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import yaml

from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol.model import ProtocolError

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (about ten times faster), else the
pure-Python one; both construct only plain YAML types."""


def reject_duplicate_keys(text: str) -> None:
    """Raise ProtocolError for a key repeated in one mapping (naming the rule)."""
    try:
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}") from exc
    if root is None:
        return
    seen: set[int] = set()
    if not isinstance(root, yaml.MappingNode):
        _check_node(root, None, seen)
        return
    _check_unique_keys(root, None)
    for key, value in root.value:
        is_rules = isinstance(key, yaml.ScalarNode) and key.value == "rules"
        if is_rules and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                _check_node(item, _node_id(item), seen)
        else:
            _check_node(value, None, seen)


def _node_id(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id":
                return str(value.value) if isinstance(value, yaml.ScalarNode) else None
    return None


def _check_unique_keys(node: yaml.MappingNode, rule_id: str | None) -> None:
    keys: set[str] = set()
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in keys:
                raise ProtocolError(
                    f"duplicate key {key.value!r} (line {key.start_mark.line + 1})",
                    rule_id=rule_id,
                )
            keys.add(key.value)


def _check_node(node: yaml.Node, rule_id: str | None, seen: set[int]) -> None:
    if id(node) in seen:  # aliases may share or loop back to a node
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        _check_unique_keys(node, rule_id)
        for _key, value in node.value:
            _check_node(value, rule_id, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_node(item, rule_id, seen)


def mapping(raw: object, *, field: str, rule_id: str | None = None) -> Mapping[str, object]:
    """Return ``raw`` if it is a mapping with text keys."""
    if not isinstance(raw, dict):
        raise ProtocolError(
            f"expected a mapping, got {type(raw).__name__}", rule_id=rule_id, field=field
        )
    for key in raw:
        if not isinstance(key, str):
            raise ProtocolError(f"key {key!r} is not text", rule_id=rule_id, field=field)
    return raw


def check_keys(
    raw: Mapping[str, object],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    *,
    field: str | None,
    rule_id: str | None = None,
) -> None:
    """Refuse a missing required key or a key outside required + optional."""
    for key in required:
        if key not in raw:
            raise ProtocolError(f"missing {key!r}", rule_id=rule_id, field=field)
    unknown = sorted(set(raw) - set(required) - set(optional))
    if unknown:
        raise ProtocolError(
            f"unknown field {unknown[0]!r} (allowed: {', '.join(required + optional)})",
            rule_id=rule_id,
            field=field,
        )


def text(raw: object, *, field: str, rule_id: str | None = None) -> str:
    """Return ``raw`` as stripped non-empty text."""
    if not isinstance(raw, str) or not raw.strip():
        raise ProtocolError("must be non-empty text", rule_id=rule_id, field=field)
    return raw.strip()


def optional_text(raw: object, *, field: str) -> str | None:
    """Return ``raw`` as text, or None when absent."""
    return None if raw is None else text(raw, field=field)


def version(raw: object) -> str:
    """Return a protocol version (a positive integer or text) as text."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return str(raw)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    raise ProtocolError(
        f"must be a positive integer or text (quote decimals such as '1.1'), got {raw!r}",
        field="version",
    )


def as_date(raw: object, *, field: str) -> date:
    """Return a date from a YAML date or an ISO string."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ProtocolError(f"must be a date (YYYY-MM-DD), got {raw!r}", field=field)


def optional_date(raw: object, *, field: str) -> date | None:
    """Return a date, or None when absent."""
    return None if raw is None else as_date(raw, field=field)


def review_status(raw: object) -> ReviewStatus:
    """Return the review status."""
    try:
        return ReviewStatus(str(raw))
    except ValueError:
        allowed = ", ".join(status.value for status in ReviewStatus)
        raise ProtocolError(f"{raw!r} is not one of {allowed}", field="review_status") from None
