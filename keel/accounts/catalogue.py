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


class IntakePerm(Perm):
    VIEW_EVALUATION = "intake.view_evaluation"
    EDIT_EVALUATION = "intake.edit_evaluation"
    DECIDE_ELIGIBILITY = "intake.decide_eligibility"


class ConsentPerm(Perm):
    VIEW_CONSENT = "consent.view_consent"
    RECORD_CONSENT = "consent.record_consent"
    WITHDRAW_CONSENT = "consent.withdraw_consent"
    MANAGE_TEMPLATES = "consent.manage_templates"
    APPROVE_TEMPLATES = "consent.approve_templates"


class CoordinationPerm(Perm):
    VIEW_COORDINATION = "coordination.view"
    INVITE_PSYCHIATRIST = "coordination.invite_psychiatrist"
    ACKNOWLEDGE_PLAN = "coordination.acknowledge_plan"
    RECORD_ACK_EXCEPTION = "coordination.record_ack_exception"
    WRITE_LETTER = "coordination.write_letter"


class TreatmentPerm(Perm):
    VIEW_SESSIONS = "treatment.view_sessions"
    RUN_SESSIONS = "treatment.run_sessions"
    PLAN_COURSES = "treatment.plan_courses"
    PHYSICIAN_DECISIONS = "treatment.physician_decisions"


class InventoryPerm(Perm):
    VIEW_LEDGER = "inventory.view_ledger"
    RECORD_ENTRIES = "inventory.record_entries"
    WITNESS = "inventory.witness"


class MonitoringPerm(Perm):
    VIEW_RATINGS = "monitoring.view_ratings"
    RECORD_RATINGS = "monitoring.record_ratings"
    MANAGE_ASSIGNMENTS = "monitoring.manage_assignments"
    INVITE_PATIENT = "monitoring.invite_patient"
    MANAGE_TEXT_PACKS = "monitoring.manage_text_packs"


class AlertPerm(Perm):
    VIEW_ALERTS = "alerts.view_alerts"
    ACKNOWLEDGE = "alerts.acknowledge"
    RESOLVE = "alerts.resolve"
    CLEAR_HOLD = "alerts.clear_hold"
    PSYCHIATRIC_REVIEW = "alerts.psychiatric_review"
    MANAGE_ON_CALL = "alerts.manage_on_call"
    VIEW_REPORTS = "alerts.view_reports"


PERMISSION_LABELS: dict[Perm, str] = {
    PatientPerm.VIEW_DEMOGRAPHICS: "See patients' names, contact details and demographics",
    PatientPerm.VIEW_CLINICAL: "See patients' clinical records",
    PatientPerm.CREATE: "Register new patients",
    PatientPerm.EDIT_DEMOGRAPHICS: "Change patients' demographics and contacts",
    AuditPerm.VIEW_AUDIT: "View and filter the clinic's audit trail",
    ClinicPerm.MANAGE_STAFF: "Manage the clinic's staff memberships",
    IntakePerm.VIEW_EVALUATION: "See intake evaluations and eligibility decisions",
    IntakePerm.EDIT_EVALUATION: "Fill in and change intake evaluations",
    IntakePerm.DECIDE_ELIGIBILITY: "Record the eligibility decision (physicians)",
    ConsentPerm.VIEW_CONSENT: "See whether a patient has a current signed consent",
    ConsentPerm.RECORD_CONSENT: "Take a patient's signature on a consent",
    ConsentPerm.WITHDRAW_CONSENT: "Record that a patient withdrew consent",
    ConsentPerm.MANAGE_TEMPLATES: "Write consent templates and patient education pages",
    ConsentPerm.APPROVE_TEMPLATES: "Approve consent templates and education pages for use",
    CoordinationPerm.VIEW_COORDINATION: "See coordination with the psychiatrist of record",
    CoordinationPerm.INVITE_PSYCHIATRIST: "Invite a psychiatrist of record to Keel",
    CoordinationPerm.ACKNOWLEDGE_PLAN: "Acknowledge a treatment plan (psychiatrist of record)",
    CoordinationPerm.RECORD_ACK_EXCEPTION: "Record why the psychiatrist's acknowledgement was impossible",
    CoordinationPerm.WRITE_LETTER: "Generate coordination letters",
    TreatmentPerm.VIEW_SESSIONS: "See treatment courses and sessions",
    TreatmentPerm.RUN_SESSIONS: "Record sessions: check-in, checks, vitals, doses, discharge",
    TreatmentPerm.PLAN_COURSES: "Plan and activate treatment courses (physicians)",
    TreatmentPerm.PHYSICIAN_DECISIONS: "Override a no-go or a discharge criterion with a reason",
    InventoryPerm.VIEW_LEDGER: "See the controlled-substance ledger and reports",
    InventoryPerm.RECORD_ENTRIES: "Record receipts, draws, administrations, waste and counts",
    InventoryPerm.WITNESS: "Witness waste and counts as the second licensed clinician",
    MonitoringPerm.VIEW_RATINGS: "See ratings, diaries, check-in schedules and the life chart",
    MonitoringPerm.RECORD_RATINGS: "Record clinician ratings (MADRS, YMRS) at visits",
    MonitoringPerm.MANAGE_ASSIGNMENTS: "Schedule check-ins (instruments and frequencies)",
    MonitoringPerm.INVITE_PATIENT: "Invite a patient to the patient portal",
    MonitoringPerm.MANAGE_TEXT_PACKS: "Install licensed questionnaire wording (text packs)",
    AlertPerm.VIEW_ALERTS: "See alerts and the clinician worklist",
    AlertPerm.ACKNOWLEDGE: "Acknowledge an alert",
    AlertPerm.RESOLVE: "Resolve an alert with the action taken",
    AlertPerm.CLEAR_HOLD: "Clear an amber mood-elevation hold (physicians)",
    AlertPerm.PSYCHIATRIC_REVIEW: "Record the psychiatrist review that lifts a red hold",
    AlertPerm.MANAGE_ON_CALL: "Keep the clinic's on-call rota",
    AlertPerm.VIEW_REPORTS: "See alert response-time reports",
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.PHYSICIAN: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.VIEW_CLINICAL,
            PatientPerm.CREATE,
            PatientPerm.EDIT_DEMOGRAPHICS,
            IntakePerm.VIEW_EVALUATION,
            IntakePerm.EDIT_EVALUATION,
            IntakePerm.DECIDE_ELIGIBILITY,
            ConsentPerm.VIEW_CONSENT,
            ConsentPerm.RECORD_CONSENT,
            ConsentPerm.WITHDRAW_CONSENT,
            CoordinationPerm.VIEW_COORDINATION,
            CoordinationPerm.INVITE_PSYCHIATRIST,
            CoordinationPerm.RECORD_ACK_EXCEPTION,
            CoordinationPerm.WRITE_LETTER,
            TreatmentPerm.VIEW_SESSIONS,
            TreatmentPerm.RUN_SESSIONS,
            TreatmentPerm.PLAN_COURSES,
            TreatmentPerm.PHYSICIAN_DECISIONS,
            InventoryPerm.VIEW_LEDGER,
            InventoryPerm.RECORD_ENTRIES,
            InventoryPerm.WITNESS,
            MonitoringPerm.VIEW_RATINGS,
            MonitoringPerm.RECORD_RATINGS,
            MonitoringPerm.MANAGE_ASSIGNMENTS,
            MonitoringPerm.INVITE_PATIENT,
            AlertPerm.VIEW_ALERTS,
            AlertPerm.ACKNOWLEDGE,
            AlertPerm.RESOLVE,
            AlertPerm.CLEAR_HOLD,
            AlertPerm.PSYCHIATRIC_REVIEW,
            AlertPerm.VIEW_REPORTS,
        }
    ),
    Role.NURSE: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.VIEW_CLINICAL,
            PatientPerm.CREATE,
            PatientPerm.EDIT_DEMOGRAPHICS,
            IntakePerm.VIEW_EVALUATION,
            IntakePerm.EDIT_EVALUATION,
            ConsentPerm.VIEW_CONSENT,
            ConsentPerm.RECORD_CONSENT,
            ConsentPerm.WITHDRAW_CONSENT,
            CoordinationPerm.VIEW_COORDINATION,
            CoordinationPerm.INVITE_PSYCHIATRIST,
            CoordinationPerm.WRITE_LETTER,
            TreatmentPerm.VIEW_SESSIONS,
            TreatmentPerm.RUN_SESSIONS,
            InventoryPerm.VIEW_LEDGER,
            InventoryPerm.RECORD_ENTRIES,
            InventoryPerm.WITNESS,
            MonitoringPerm.VIEW_RATINGS,
            MonitoringPerm.RECORD_RATINGS,
            MonitoringPerm.MANAGE_ASSIGNMENTS,
            MonitoringPerm.INVITE_PATIENT,
            AlertPerm.VIEW_ALERTS,
            AlertPerm.ACKNOWLEDGE,
            AlertPerm.RESOLVE,
        }
    ),
    # Front desk registers patients, keeps contacts current and sees whether
    # consent is in place (for scheduling); no clinical record.
    Role.FRONT_DESK: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.CREATE,
            PatientPerm.EDIT_DEMOGRAPHICS,
            ConsentPerm.VIEW_CONSENT,
            MonitoringPerm.INVITE_PATIENT,
        }
    ),
    # Clinic admins run the clinic; minimum necessary: no patient records.
    Role.CLINIC_ADMIN: frozenset(
        {
            AuditPerm.VIEW_AUDIT,
            ClinicPerm.MANAGE_STAFF,
            ConsentPerm.MANAGE_TEMPLATES,
            ConsentPerm.APPROVE_TEMPLATES,
            InventoryPerm.VIEW_LEDGER,
            MonitoringPerm.MANAGE_TEXT_PACKS,
            AlertPerm.MANAGE_ON_CALL,
            AlertPerm.VIEW_REPORTS,
        }
    ),
}

# Outside accounts hold permissions only over their own patients (psychiatrist of
# record) or their own record (patient); the selectors narrow the rows.
ACCOUNT_TYPE_PERMISSIONS: dict[AccountType, frozenset[Perm]] = {
    AccountType.PSYCHIATRIST_OF_RECORD: frozenset(
        {
            PatientPerm.VIEW_DEMOGRAPHICS,
            PatientPerm.VIEW_CLINICAL,
            IntakePerm.VIEW_EVALUATION,
            ConsentPerm.VIEW_CONSENT,
            CoordinationPerm.VIEW_COORDINATION,
            CoordinationPerm.ACKNOWLEDGE_PLAN,
            MonitoringPerm.VIEW_RATINGS,
            # She sees her patients' alerts and records the psychiatrist's review; clinic
            # staff acknowledge and resolve them (issue 15, REFERENCE.md section 5.2).
            AlertPerm.VIEW_ALERTS,
            AlertPerm.PSYCHIATRIC_REVIEW,
        }
    ),
    AccountType.PATIENT: frozenset(),
    AccountType.STAFF: frozenset(),
}

ALL_PERMISSIONS: tuple[Perm, ...] = (
    *PatientPerm,
    *AuditPerm,
    *ClinicPerm,
    *IntakePerm,
    *ConsentPerm,
    *CoordinationPerm,
    *TreatmentPerm,
    *InventoryPerm,
    *MonitoringPerm,
    *AlertPerm,
)


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
    INTAKE_READ = "intake:read"
    INTAKE_WRITE = "intake:write"
    CONSENT_READ = "consent:read"
    CONSENT_WRITE = "consent:write"
    COORDINATION_READ = "coordination:read"
    COORDINATION_WRITE = "coordination:write"
    TREATMENT_READ = "treatment:read"
    TREATMENT_WRITE = "treatment:write"
    MONITORING_READ = "monitoring:read"
    MONITORING_WRITE = "monitoring:write"
    ALERTS_READ = "alerts:read"
    ALERTS_WRITE = "alerts:write"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"


SCOPE_PERMISSIONS: dict[TokenScope, frozenset[Perm]] = {
    TokenScope.PATIENTS_READ: frozenset({PatientPerm.VIEW_DEMOGRAPHICS, PatientPerm.VIEW_CLINICAL}),
    TokenScope.PATIENTS_WRITE: frozenset({PatientPerm.CREATE, PatientPerm.EDIT_DEMOGRAPHICS}),
    TokenScope.AUDIT_READ: frozenset({AuditPerm.VIEW_AUDIT}),
    TokenScope.INTAKE_READ: frozenset({PatientPerm.VIEW_CLINICAL, IntakePerm.VIEW_EVALUATION}),
    TokenScope.INTAKE_WRITE: frozenset({IntakePerm.EDIT_EVALUATION, IntakePerm.DECIDE_ELIGIBILITY}),
    TokenScope.CONSENT_READ: frozenset({ConsentPerm.VIEW_CONSENT}),
    TokenScope.CONSENT_WRITE: frozenset(
        {
            ConsentPerm.RECORD_CONSENT,
            ConsentPerm.WITHDRAW_CONSENT,
            ConsentPerm.MANAGE_TEMPLATES,
            ConsentPerm.APPROVE_TEMPLATES,
        }
    ),
    TokenScope.COORDINATION_READ: frozenset({CoordinationPerm.VIEW_COORDINATION}),
    TokenScope.COORDINATION_WRITE: frozenset(
        {
            CoordinationPerm.INVITE_PSYCHIATRIST,
            CoordinationPerm.ACKNOWLEDGE_PLAN,
            CoordinationPerm.RECORD_ACK_EXCEPTION,
            CoordinationPerm.WRITE_LETTER,
        }
    ),
    TokenScope.TREATMENT_READ: frozenset({PatientPerm.VIEW_CLINICAL, TreatmentPerm.VIEW_SESSIONS}),
    TokenScope.TREATMENT_WRITE: frozenset(
        {TreatmentPerm.RUN_SESSIONS, TreatmentPerm.PLAN_COURSES, TreatmentPerm.PHYSICIAN_DECISIONS}
    ),
    TokenScope.MONITORING_READ: frozenset({PatientPerm.VIEW_CLINICAL, MonitoringPerm.VIEW_RATINGS}),
    TokenScope.MONITORING_WRITE: frozenset(
        {
            MonitoringPerm.RECORD_RATINGS,
            MonitoringPerm.MANAGE_ASSIGNMENTS,
            MonitoringPerm.INVITE_PATIENT,
            MonitoringPerm.MANAGE_TEXT_PACKS,
        }
    ),
    TokenScope.ALERTS_READ: frozenset({PatientPerm.VIEW_CLINICAL, AlertPerm.VIEW_ALERTS}),
    TokenScope.ALERTS_WRITE: frozenset(
        {
            AlertPerm.ACKNOWLEDGE,
            AlertPerm.RESOLVE,
            AlertPerm.CLEAR_HOLD,
            AlertPerm.PSYCHIATRIC_REVIEW,
            AlertPerm.MANAGE_ON_CALL,
        }
    ),
    # The controlled-substance ledger. A witnessed entry (waste, count) still needs the
    # second clinician to sign in with their own password (and code) in the request: no
    # scope lets a token witness.
    TokenScope.INVENTORY_READ: frozenset({InventoryPerm.VIEW_LEDGER}),
    TokenScope.INVENTORY_WRITE: frozenset({InventoryPerm.RECORD_ENTRIES}),
}

#: What each scope lets a program do, shown on the token page.
SCOPE_DESCRIPTIONS: dict[TokenScope, str] = {
    TokenScope.PATIENTS_READ: "read patients' details and clinical records",
    TokenScope.PATIENTS_WRITE: "register patients and edit their details",
    TokenScope.AUDIT_READ: "read the audit log",
    TokenScope.INTAKE_READ: "read evaluations and eligibility decisions",
    TokenScope.INTAKE_WRITE: "edit evaluations and record eligibility decisions",
    TokenScope.CONSENT_READ: "read consents",
    TokenScope.CONSENT_WRITE: "record and withdraw consents, keep consent templates",
    TokenScope.COORDINATION_READ: "read coordination with the psychiatrist of record",
    TokenScope.COORDINATION_WRITE: "invite psychiatrists, acknowledge plans, write letters",
    TokenScope.TREATMENT_READ: "read courses and sessions",
    TokenScope.TREATMENT_WRITE: "plan courses and run sessions (starting a dose also needs "
    "inventory:write)",
    TokenScope.MONITORING_READ: "read ratings and check-ins",
    TokenScope.MONITORING_WRITE: "record ratings, schedule check-ins, invite patients",
    TokenScope.ALERTS_READ: "read alerts",
    TokenScope.ALERTS_WRITE: "acknowledge and resolve alerts, keep the on-call rota",
    TokenScope.INVENTORY_READ: "read the controlled-substance ledger: lots, entries, report",
    TokenScope.INVENTORY_WRITE: "record ledger entries, and the dose given when a dose starts "
    "(a witness still signs in as themselves)",
}


def permissions_for_scopes(scopes: frozenset[str]) -> frozenset[Perm]:
    """Return the permissions a set of token scopes allows (unknown scopes allow nothing)."""
    allowed: set[Perm] = set()
    for scope in TokenScope:
        if scope.value in scopes:
            allowed |= SCOPE_PERMISSIONS[scope]
    return frozenset(allowed)
