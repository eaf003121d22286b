"""API schemas shared by every router."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _date_written_out(value: object) -> object:
    """Only "YYYY-MM-DD" (or a date object) reaches the date parser.

    pydantic's lax mode reads a number, or a string of digits, as a Unix time: the
    integer 0 would be stored as 1970-01-01 (found by the API fuzzer, ST201).
    """
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _date_time_written_out(value: object) -> object:
    """Only an ISO 8601 date-time (or a datetime object) reaches the date-time parser."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_TIME.match(value):
        return value
    raise ValueError(
        "must be a date and time written YYYY-MM-DDTHH:MM with a UTC offset, "
        "e.g. 2026-12-07T09:30:00+00:00"
    )


#: A date an API caller sends: "YYYY-MM-DD", never a number.
IsoDate = Annotated[dt.date, BeforeValidator(_date_written_out)]
#: A moment an API caller sends: ISO 8601 with a UTC offset ("Z" or "+01:00"), never a
#: number and never without the offset (it would be read in the server's time zone).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_date_time_written_out)]


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
