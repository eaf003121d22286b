"""Reads for accounts: who is acting, in which clinic, with which permissions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import QuerySet

from keel.accounts.catalogue import Perm, permissions_for, permissions_for_scopes
from keel.accounts.models import ApiToken, Clinic, Membership, User
from keel.accounts.roles import AccountType, Role


@dataclass(frozen=True)
class Actor:
    """A user acting in one clinic (or as an outside account), with the permissions held.

    Built once per request from the session or the API token. A token's
    scopes narrow the role's permissions; they never widen them.
    """

    user: User
    clinic: Clinic | None
    role: Role | None
    permissions: frozenset[Perm]
    via_token: bool = False

    @property
    def account_type(self) -> AccountType:
        """The user's account type."""
        return AccountType(self.user.account_type)

    @property
    def user_id(self) -> int:
        """Primary key of the acting user (for the audit trail)."""
        return int(self.user.pk)

    @property
    def username(self) -> str:
        """Login name of the acting user (for the audit trail)."""
        return self.user.get_username()

    @property
    def role_label(self) -> str:
        """The role (staff) or account type (outside users) as stored in audit rows."""
        return self.role.value if self.role is not None else self.account_type.value

    @property
    def clinic_id(self) -> int | None:
        """The active clinic's id, if any."""
        return self.clinic.pk if self.clinic is not None else None

    def has(self, perm: Perm) -> bool:
        """True when this actor holds ``perm``."""
        return perm in self.permissions


def membership_list(*, user: User) -> QuerySet[Membership]:
    """Active memberships of ``user``, with their clinics."""
    return Membership.objects.filter(
        user=user, is_active=True, clinic__isnull=False
    ).select_related("clinic")


def membership_get(*, user: User, clinic_id: int | None) -> Membership | None:
    """The user's active membership in ``clinic_id``, or None."""
    if clinic_id is None:
        return None
    return membership_list(user=user).filter(clinic_id=clinic_id).first()


def membership_is_psychiatrist(*, user: User, clinic_id: int | None) -> bool:
    """True when ``user`` holds an active membership in ``clinic_id`` recorded as psychiatrist."""
    membership = membership_get(user=user, clinic_id=clinic_id)
    return membership is not None and membership.is_psychiatrist


def clinic_memberships(*, clinic: Clinic) -> QuerySet[Membership]:
    """Every membership of ``clinic`` (active first), with its user, by name."""
    return (
        Membership.objects.filter(clinic=clinic)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )


def membership_default_clinic_id(*, user: User) -> int | None:
    """The clinic a staff user starts in: their first active membership's clinic."""
    membership = membership_list(user=user).order_by("clinic__name", "pk").first()
    return membership.clinic_id if membership is not None else None


def actor_build(
    *, user: User, clinic_id: int | None, scopes: Collection[str] | None = None
) -> Actor | None:
    """Return the actor for ``user`` in ``clinic_id``; None when the user may not act at all.

    Staff need an active membership; an inactive user never acts.
    """
    if not user.is_active:
        return None
    account_type = AccountType(user.account_type)
    clinic: Clinic | None = None
    role: Role | None = None
    if account_type == AccountType.STAFF:
        membership = membership_get(user=user, clinic_id=clinic_id)
        if membership is None:
            return None
        clinic = membership.clinic
        role = Role(membership.role)
    permissions = permissions_for(role=role, account_type=account_type)
    if scopes is not None:
        permissions = permissions & permissions_for_scopes(frozenset(scopes))
    return Actor(
        user=user, clinic=clinic, role=role, permissions=permissions, via_token=scopes is not None
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first."""
    return ApiToken.objects.filter(user=user).select_related("clinic").order_by("-created_at")
