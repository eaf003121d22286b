"""Per-request audit context: client address, user agent and request id.

Set by ``AuditContextMiddleware`` for web requests; management commands and
tasks run with an empty context (address "-"), which the audit row records.
A context variable, not a thread-local, so it is correct under ASGI too.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    """Where a request came from."""

    client_address: str = "-"
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "keel_audit_request_context", default=None
)


def current() -> RequestContext:
    """Return the active request context (an empty one outside requests)."""
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext(request_id="")


def activate(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    """Make ``ctx`` the active context; returns a token for ``deactivate``."""
    return _current.set(ctx)


def deactivate(token: contextvars.Token[RequestContext | None]) -> None:
    """Restore the context that was active before ``activate``."""
    _current.reset(token)
