"""Gates for the ledger: the clinic's ledger, and the witness who re-authenticates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from keel.accounts.catalogue import InventoryPerm
from keel.accounts.mfa import mfa_required
from keel.accounts.mfa_services import totp_verify
from keel.accounts.models import User
from keel.accounts.roles import Role
from keel.accounts.selectors import Actor, actor_build
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record, audit_record_many
from keel.common.exceptions import PermissionDenied, ValidationFailed
from keel.inventory.models import LedgerEntry
from keel.inventory.selectors import entry_list

OBJECT_TYPE = "ledger"
#: Roles whose members are licensed clinicians who may witness waste and counts.
WITNESS_ROLES: frozenset[Role] = frozenset({Role.PHYSICIAN, Role.NURSE})


def access_ledger(
    *,
    actor: Actor,
    need: InventoryPerm = InventoryPerm.VIEW_LEDGER,
    action: AuditAction = AuditAction.READ,
) -> int:
    """Return the actor's clinic id if they may ``need`` its ledger; else audit and refuse (403)."""
    # The inventory permission itself.
    allowed = actor.has(need)
    # The ledger is per clinic: only an actor acting in a clinic has one.
    clinic_id = actor.clinic_id if allowed else None
    if clinic_id is None:
        audit_denied(actor=actor, action=action, object_type=OBJECT_TYPE, detail={"need": need})
        raise PermissionDenied("You do not have access to the controlled-substance ledger.")
    return clinic_id


@dataclass(frozen=True)
class Witness:
    """A second licensed clinician who re-authenticated for one witnessed entry."""

    user: User
    authenticated_at: dt.datetime


def _refuse(actor: Actor, field: str, message: str, reason: str) -> ValidationFailed:
    audit_denied(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="ledger_witness",
        detail={"reason": reason},
    )
    return ValidationFailed({field: [message]})


def access_witness(
    *,
    actor: Actor,
    request: HttpRequest,
    username: str,
    password: str,
    otp_code: str = "",
) -> Witness:
    """Authenticate the witness now (password, and TOTP code when they use two-step sign-in).

    The witness must be another person than the actor, hold an active physician
    or nurse membership in the actor's clinic, and hold ``InventoryPerm.WITNESS``.
    Failed passwords count towards django-axes' lockout like a failed login.
    """
    # Both credentials are needed.
    if not username.strip():
        raise ValidationFailed({"witness_username": ["The witness enters their username."]})
    if not password:
        raise ValidationFailed({"witness_password": ["The witness enters their password."]})
    # The witness is a second person.
    if username.strip() == actor.username:
        raise _refuse(actor, "witness_username", "The witness must be a second clinician.", "self")
    try:
        user = authenticate(request, username=username.strip(), password=password)
    except DjangoPermissionDenied as exc:  # django-axes: locked out
        raise _refuse(
            actor, "witness_password", "Too many failed attempts: try later.", "locked"
        ) from exc
    # The password is right (and the account active).
    if not isinstance(user, User):
        raise _refuse(
            actor, "witness_password", "The witness's username or password is wrong.", "password"
        )
    # A licensed clinician of this clinic who may witness.
    witness_actor = actor_build(user=user, clinic_id=actor.clinic_id)
    if (
        witness_actor is None
        or witness_actor.role not in WITNESS_ROLES
        or not witness_actor.has(InventoryPerm.WITNESS)
    ):
        raise _refuse(
            actor,
            "witness_username",
            "The witness must be a physician or nurse of this clinic.",
            "not_a_witness",
        )
    # Their second factor, when they use two-step sign-in.
    if mfa_required(user=user) and not totp_verify(user=user, code=otp_code).ok:
        raise _refuse(
            actor, "witness_otp_code", "Enter the witness's current authenticator code.", "otp"
        )
    return Witness(user=user, authenticated_at=timezone.now())


def access_entries(
    *,
    actor: Actor,
    lot_id: int | None = None,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: AuditAction = AuditAction.READ,
) -> list[LedgerEntry]:
    """The clinic's entries the actor may read, audited: one event for the ledger read,
    and one per entry that names a patient's session (with that patient's id)."""
    clinic_id = access_ledger(actor=actor, action=action)
    entries = list(
        entry_list(
            clinic_id=clinic_id, lot_id=lot_id, kind=kind, date_from=date_from, date_to=date_to
        )
    )
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        clinic_id=clinic_id,
        detail={
            "entries": len(entries),
            "lot_id": lot_id,
            "kind": kind,
            "date_from": date_from,
            "date_to": date_to,
        },
    )
    audit_record_many(
        actor=actor,
        action=action,
        object_type="ledger_entry",
        objects=[(e.pk, e.session.patient_id) for e in entries if e.session is not None],
        clinic_id=clinic_id,
    )
    return entries


def access_ledger_summary(*, actor: Actor) -> int:
    """Gate for lot lists and the report (no patient data); the read is audited."""
    clinic_id = access_ledger(actor=actor)
    audit_record(
        actor=actor, action=AuditAction.READ, object_type="ledger_summary", clinic_id=clinic_id
    )
    return clinic_id
