"""API schemas shared by every router."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """An error: a sentence, and per-field messages for invalid input."""

    detail: str
    errors: dict[str, list[str]] | None = None
