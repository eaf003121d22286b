"""API schemas shared by every router."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """An error: a sentence, and per-field messages for invalid input."""

    detail: str
    errors: dict[str, list[str]] | None = None


# The error answers an operation that changes state can give (declared in its OpenAPI).
ERROR_RESPONSES: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
