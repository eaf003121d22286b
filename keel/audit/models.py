"""The audit trail: append-only, hash-chained events (docs/audit.md).

Rows are written only through ``keel.audit.services`` (which chains them in
``keel.audit.chain``). The database refuses UPDATE and DELETE on the table
with triggers (migration 0002); the model and queryset refuse them too, as a
second line that fails early and with a clear message.

``detail`` holds structured context such as changed field names, a rule id or
a reason code. It never holds patient names, dates of birth, medical record
numbers or any other identifying or clinical free text: the event already
points at the patient through ``patient_id``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What was done (ASTM E2147 "type of action")."""

    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    EXPORT = "export", _("Export")
    SEARCH = "search", _("Search")


class AuditOutcome(models.TextChoices):
    """How the attempt ended."""

    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    ERROR = "error", _("Error")


class AuditAppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


_APPEND_ONLY = "audit events are append-only"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Queries over audit events; bulk changes and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(f"{_APPEND_ONLY}: queryset update() is not allowed")

    def delete(self) -> NoReturn:
        raise AuditAppendOnlyError(f"{_APPEND_ONLY}: queryset delete() is not allowed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(f"{_APPEND_ONLY}: bulk_update() is not allowed")


class AuditEvent(models.Model):
    """One audited action: who did what to which record, when, from where, and the outcome.

    ``sequence`` is the append order (1, 2, 3 ... without gaps); ``hash``
    chains each row to the previous one. Ids of users, clinics and patients
    are plain integers, deliberately without foreign keys, so that no cascade
    can ever reach an audit row and the trail outlives the rows it names.
    """

    sequence = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=32)
    clinic_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=128, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    client_address = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        # Nobody adds, changes or deletes audit rows through Django's
        # permission system; only viewing is a grantable permission.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["clinic_id", "occurred_at"], name="audit_clinic_time_idx"),
            models.Index(fields=["patient_id"], name="audit_patient_idx"),
            models.Index(fields=["actor_user_id"], name="audit_actor_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="audit_sequence_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=AuditOutcome.values), name="audit_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        target = f"{self.object_type}:{self.object_id}" if self.object_id else self.object_type
        return f"#{self.sequence} {self.action} {target} by {self.actor_username} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a chained event; an existing event is never saved again."""
        if not self._state.adding or kwargs.get("force_update"):
            raise AuditAppendOnlyError(f"{_APPEND_ONLY}: an existing event cannot be saved")
        if not self.hash or not self.prev_hash or self.sequence is None:
            raise AuditAppendOnlyError(
                "audit events are written through keel.audit.services.audit_record, "
                "which chains them"
            )
        super().save(*args, **kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> NoReturn:
        raise AuditAppendOnlyError(f"{_APPEND_ONLY}: an event cannot be deleted")
