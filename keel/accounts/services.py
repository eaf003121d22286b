"""Writes for accounts: choosing the active clinic, API tokens, users."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from keel.accounts.catalogue import ClinicPerm, TokenScope
from keel.accounts.models import ApiToken, Clinic, Membership, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor, membership_get
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed

ACTIVE_CLINIC_SESSION_KEY = "keel_active_clinic_id"
TOKEN_PREFIX = "keel_"  # noqa: S105 - a public marker, not a secret


def hash_token(raw: str) -> str:
    """SHA-256 of a raw token; the only form in which tokens are stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def active_clinic_set(*, request: HttpRequest, user: User, clinic_id: int) -> Clinic:
    """Make ``clinic_id`` the session's active clinic; 404 unless the user is a member."""
    membership = membership_get(user=user, clinic_id=clinic_id)
    if membership is None:
        raise NotFound()
    request.session[ACTIVE_CLINIC_SESSION_KEY] = membership.clinic_id
    return membership.clinic


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: ``raw`` is shown once and never stored."""

    token: ApiToken
    raw: str


def api_token_create(
    *,
    user: User,
    clinic: Clinic,
    name: str,
    scopes: Collection[str],
    days: int,
) -> IssuedToken:
    """Issue a personal access token for ``user`` in ``clinic``, valid for ``days``."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the token a name."]
    unknown = sorted(set(scopes) - {s.value for s in TokenScope})
    if unknown or not scopes:
        errors["scopes"] = [
            f"Choose one or more of {', '.join(s.value for s in TokenScope)}"
            + (f"; unknown: {', '.join(unknown)}." if unknown else ".")
        ]
    max_days = int(settings.KEEL_API_TOKEN_MAX_DAYS)
    if not 1 <= days <= max_days:
        errors["days"] = [f"Must be between 1 and {max_days} days."]
    if membership_get(user=user, clinic_id=clinic.pk) is None:
        raise NotFound()
    if errors:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken(
        user=user,
        clinic=clinic,
        name=name.strip(),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(raw),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, raw=raw)


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent)."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """Return the usable token matching ``raw`` (and stamp its use), else None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "clinic").filter(token_hash=hash_token(raw)).first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    email: str,
    clinic: Clinic,
    role: Role,
) -> User:
    """Create a staff login with a membership in ``clinic``."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        account_type=AccountType.STAFF,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    membership = Membership(user=user, clinic=clinic, role=role)
    membership.full_clean()
    membership.save()
    return user


def clinic_create(
    *, name: str, slug: str, time_zone: str, mrn_prefix: str, phone: str = ""
) -> Clinic:
    """Create a clinic (site configuration, done by an operator)."""
    clinic = Clinic(name=name, slug=slug, time_zone=time_zone, mrn_prefix=mrn_prefix, phone=phone)
    clinic.full_clean()
    clinic.save()
    return clinic


def outside_user_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    email: str,
    account_type: AccountType,
) -> User:
    """Create a login for a psychiatrist of record or a patient (no clinic membership)."""
    if account_type == AccountType.STAFF:
        raise ValueError("staff logins are created with staff_user_create")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        account_type=account_type,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    return user


def membership_psychiatrist_set(
    *, actor: Actor, membership: Membership, is_psychiatrist: bool
) -> Membership:
    """Record whether a physician of the actor's clinic is a psychiatrist (clinic admin).

    Only a psychiatrist's review lifts a red mood-elevation hold (REFERENCE.md
    section 5.2 "pending psychiatrist review"). Only physicians hold the credential
    (409 for other roles); every change is audited.
    """
    if not actor.has(ClinicPerm.MANAGE_STAFF) or actor.clinic_id != membership.clinic_id:
        raise PermissionDenied("Only the clinic admin records clinicians' credentials.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if is_psychiatrist and membership.role != Role.PHYSICIAN:
            raise Conflict("Only a physician can be recorded as a psychiatrist.")
        if membership.is_psychiatrist == is_psychiatrist:
            return membership
        membership.is_psychiatrist = is_psychiatrist
        membership.save(update_fields=["is_psychiatrist"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            clinic_id=membership.clinic_id,
            detail={"user_id": membership.user_id, "is_psychiatrist": is_psychiatrist},
        )
    return membership
