"""Application-layer exceptions, mapped to HTTP in one place for the API and one for pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApplicationError(Exception):
    """Base of every error the app layer raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, extra: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = dict(extra or {})


class NotFound(ApplicationError):
    """The object does not exist or is outside the user's scope; the two are never told apart."""

    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(ApplicationError):
    """The user may see the object but may not do this to it."""

    status_code = 403


class Conflict(ApplicationError):
    """The request is valid but the object's state does not allow it (e.g. a transition)."""

    status_code = 409


class ValidationFailed(ApplicationError):
    """Input failed validation; ``errors`` maps each field name to its messages."""

    status_code = 422

    def __init__(self, errors: Mapping[str, Sequence[str]], message: str = "") -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        if not message:
            message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(message, extra={"errors": self.errors})
