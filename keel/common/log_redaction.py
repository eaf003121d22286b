"""Keep patient data out of the logs (OWASP ASVS 7.1.1).

Keel's own log messages carry ids, never names, birth dates or MRNs. Two
things outside Keel's control could still carry them, and are handled here:

- An exception's *message* may quote stored values (PostgreSQL's DETAIL line
  does, e.g. ``Key (mrn)=(HB000001) already exists``). ``RedactingFormatter``
  logs an exception's type and every frame of its traceback, but withholds the
  message; reproduce the case from the method and path that are logged.
- A request line's *query string* may hold what someone typed into the patient
  search. ``QueryStringFilter`` drops it from the development server's
  ``django.server`` log lines.
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType

WITHHELD = "(message withheld: it may quote patient data)"
_CAUSE = "\n\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\n\nDuring handling of the above exception, another exception occurred:\n\n"
_QUERY = re.compile(r"\?[^\s\"]*")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exception and its causes, oldest first, each with the text that joins it to the next."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__suppress_context__:
            current = None
        else:
            current, link = current.__context__, _CONTEXT
    return list(reversed(chain))


def exception_without_messages(exc: BaseException) -> str:
    """A traceback (with chained causes) whose exception lines name only the type."""
    text = ""
    for item, link_to_next in _chain(exc):
        frames = "".join(traceback.format_tb(item.__traceback__))
        kind = type(item)
        name = kind.__qualname__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        text += f"Traceback (most recent call last):\n{frames}{name}: {WITHHELD}{link_to_next}"
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose tracebacks never include exception messages."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802 - logging API
        exc = ei[1]
        if exc is None:
            return ""
        return exception_without_messages(exc)

    def format(self, record: logging.LogRecord) -> str:
        # Never reuse a traceback text another formatter cached on the record.
        record.exc_text = None
        return super().format(record)


class QueryStringFilter(logging.Filter):
    """Drop query strings from request lines (``GET /patients/?q=... HTTP/1.1``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _QUERY.sub("?[query withheld]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = _QUERY.sub("?[query withheld]", record.msg)
        return True
