"""The permission catalogue: every permission, its label, and who holds it, as data.

Gates (``<app>/permissions.py``) ask for one of these members; nothing else
decides access. The role -> permission mapping below is the single place to
change who may do what (STYLE.md section 3). The authorization tests read it
to build their expectations, so a change here changes the tests too.
"""

from __future__ import annotations

from enum import StrEnum

from keel.accounts.roles import AccountType, Role


class Perm(StrEnum):
    """Base for permission enums: the value is the permission's code."""

    @property
    def label(self) -> str:
        """Human label shown in the staff admin and docs."""
        return PERMISSION_LABELS[self]


class PatientPerm(Perm):
    VIEW_DEMOGRAPHICS = "patients.view_demographics"
    VIEW_CLINICAL = "patients.view_clinical"
    CREATE = "patients.create"
    EDIT_DEMOGRAPHICS = "patients.edit_demographics"


class AuditPerm(Perm):
    VIEW_AUDIT = "audit.view_audit"


class ClinicPerm(Perm):
    MANAGE_STAFF = "accounts.manage_staff"


PERMISSION_LABELS: dict[Perm, str] = {
    PatientPerm.VIEW_DEMOGRAPHICS: "See patients' names, contact details and demographics",
    PatientPerm.VIEW_CLINICAL: "See patients' clinical records",
    PatientPerm.CREATE: "Register new patients",
    PatientPerm.EDIT_DEMOGRAPHICS: "Change patients' demographics and contacts",
    AuditPerm.VIEW_AUDIT: "View and filter the clinic's audit trail",
    ClinicPerm.MANAGE_STAFF: "Manage the clinic's staff memberships",
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.PHYSICIAN: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.VIEW_CLINICAL,
            PatientPerm.CREATE,
            PatientPerm.EDIT_DEMOGRAPHICS,
        }
    ),
    Role.NURSE: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.VIEW_CLINICAL,
            PatientPerm.CREATE,
            PatientPerm.EDIT_DEMOGRAPHICS,
        }
    ),
    # Front desk registers patients and keeps contacts current; no clinical record.
    Role.FRONT_DESK: frozenset(
        {PatientPerm.VIEW_DEMOGRAPHICS, PatientPerm.CREATE, PatientPerm.EDIT_DEMOGRAPHICS}
    ),
    # Clinic admins run the clinic; minimum necessary: no patient records.
    Role.CLINIC_ADMIN: frozenset({AuditPerm.VIEW_AUDIT, ClinicPerm.MANAGE_STAFF}),
}

# Outside accounts hold permissions only over their own patients (psychiatrist of
# record) or their own record (patient); the selectors narrow the rows.
ACCOUNT_TYPE_PERMISSIONS: dict[AccountType, frozenset[Perm]] = {
    AccountType.PSYCHIATRIST_OF_RECORD: frozenset(
        {PatientPerm.VIEW_DEMOGRAPHICS, PatientPerm.VIEW_CLINICAL}
    ),
    AccountType.PATIENT: frozenset(),
    AccountType.STAFF: frozenset(),
}

ALL_PERMISSIONS: tuple[Perm, ...] = (*PatientPerm, *AuditPerm, *ClinicPerm)


def permissions_for(*, role: Role | None, account_type: AccountType) -> frozenset[Perm]:
    """Return the permissions a role (staff) or account type (outside users) holds."""
    if account_type == AccountType.STAFF:
        return ROLE_PERMISSIONS[role] if role is not None else frozenset()
    return ACCOUNT_TYPE_PERMISSIONS[account_type]


class TokenScope(StrEnum):
    """What a personal access token may be used for; a token never exceeds its owner's role."""

    PATIENTS_READ = "patients:read"
    PATIENTS_WRITE = "patients:write"
    AUDIT_READ = "audit:read"


SCOPE_PERMISSIONS: dict[TokenScope, frozenset[Perm]] = {
    TokenScope.PATIENTS_READ: frozenset({PatientPerm.VIEW_DEMOGRAPHICS, PatientPerm.VIEW_CLINICAL}),
    TokenScope.PATIENTS_WRITE: frozenset({PatientPerm.CREATE, PatientPerm.EDIT_DEMOGRAPHICS}),
    TokenScope.AUDIT_READ: frozenset({AuditPerm.VIEW_AUDIT}),
}


def permissions_for_scopes(scopes: frozenset[str]) -> frozenset[Perm]:
    """Return the permissions a set of token scopes allows (unknown scopes allow nothing)."""
    allowed: set[Perm] = set()
    for scope in TokenScope:
        if scope.value in scopes:
            allowed |= SCOPE_PERMISSIONS[scope]
    return frozenset(allowed)
