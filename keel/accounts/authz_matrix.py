"""The authorization matrix: the expected HTTP status of every route, method and role, as data.

It sits next to the permission catalogue (``catalogue.py``), which decides
*who may do what*; this file states *what each role gets back* from every
page and API operation when it reaches for patient A's records. The test
``tests/security/test_route_matrix.py`` walks the URL configuration and the
OpenAPI document, sends every route x method x role, and fails when

- a route or method has no row here (a new route cannot escape the matrix),
- the status differs from the row,
- patient A's name or MRN appears in any answer to a role outside
  ``SEES_PATIENT_A`` (whatever the status), or
- a refused write changed anything in the database.

The world (``conftest.py``): clinic X with patient A, whose psychiatrist of
record is ``psychiatrist_a``; patient B also in clinic X; clinic Y. Patient A
has an eligible decision, a signed consent, an acknowledged plan, a letter, an
active course with one scheduled and one checked-in session, and a new draft
evaluation; clinic X has draft versions of its consent form and education page.

Conventions the rows follow (STYLE.md, ARCHITECTURE.md):

- anonymous: pages redirect to the login page (302), the API answers 401;
- a record outside your scope answers 404, exactly like a missing one;
- a collection you may not use at all (a list, a "new" form) answers 403;
- a page write that succeeds redirects (302); an API create answers 201;
- 409 is a state that does not allow the change (e.g. signing twice): the
  role got past the gate, which is what the matrix is about;
- 405: the route does not take that method, for everyone.

To add a route: add its row below (copy the nearest one), run
``pytest tests/security -q``, and read the mismatches it prints.
"""

from __future__ import annotations

from collections.abc import Mapping

ROLES: tuple[str, ...] = (
    "anonymous",
    "patient_a",
    "patient_b",
    "physician_x",
    "nurse_x",
    "nurse_y",
    "front_desk_x",
    "clinic_admin_x",
    "psychiatrist_a",
    "psychiatrist_other",
)

#: Roles allowed to see patient A's identity; for every other role, A's name and MRN
#: must never appear in any response body, whatever its status.
SEES_PATIENT_A: frozenset[str] = frozenset(
    {"physician_x", "nurse_x", "front_desk_x", "psychiatrist_a"}
)

#: Methods every page route is tried with (a page that does not take one answers 405).
PAGE_METHODS: tuple[str, ...] = ("GET", "POST")

#: URL names left out of the matrix, each with the reason.
INFRASTRUCTURE: dict[str, str] = {
    "accounts:login": "the public login page (keel/accounts/tests/test_login.py)",
    "api:openapi-json": "the public OpenAPI document; no data",
    "api:openapi-view": "the interactive API docs page; no data",
    "api:api-root": "Ninja's API root: a redirect/404 with no data",
    "favicon": "Keel's site icon, public, no data (keel/common/tests/test_favicon.py)",
    "coordination:accept": (
        "invitation acceptance with a single-use emailed token, no login "
        "(keel/coordination/tests/test_services.py)"
    ),
}

OK, CREATED, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT, INVALID = (
    200,
    201,
    302,
    403,
    404,
    405,
    409,
    422,
)
Row = dict[str, int]

CLINIC_X_CLINICAL = ("physician_x", "nurse_x")
CLINIC_X_FRONT = ("physician_x", "nurse_x", "front_desk_x")
STAFF = ("physician_x", "nurse_x", "nurse_y", "front_desk_x", "clinic_admin_x")
PATIENTS = ("patient_a", "patient_b")
PSYCHIATRISTS = ("psychiatrist_a", "psychiatrist_other")
#: The controlled-substance ledger is per clinic: nurse Y reads and writes clinic Y's own.
LEDGER_READERS = ("physician_x", "nurse_x", "nurse_y", "clinic_admin_x")
LEDGER_RECORDERS = ("physician_x", "nurse_x", "nurse_y")


def _grant(roles: tuple[str, ...] | str, status: int) -> Row:
    names = (roles,) if isinstance(roles, str) else roles
    return dict.fromkeys(names, status)


def page(*grants: Mapping[str, int], deny: int = NOT_FOUND) -> Row:
    """A page: anonymous is sent to the login page; roles not granted get ``deny``."""
    row = dict.fromkeys(ROLES, deny)
    row["anonymous"] = REDIRECT
    for grant in grants:
        row.update(grant)
    return row


def api(*grants: Mapping[str, int], deny: int = NOT_FOUND) -> Row:
    """An API operation: anonymous gets 401; roles not granted get ``deny``."""
    row = dict.fromkeys(ROLES, deny)
    row["anonymous"] = 401
    for grant in grants:
        row.update(grant)
    return row


def everyone(status: int) -> Row:
    """The same status for every role (405 for a method the route does not take)."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> Row:
    """Every signed-in role gets ``status``; anonymous goes to the login page."""
    return page(_grant(ROLES[1:], status))


GET_ONLY = {"POST": everyone(NOT_ALLOWED)}


def post_only(row: Row) -> dict[str, Row]:
    return {"GET": everyone(NOT_ALLOWED), "POST": row}


# ---------------------------------------------------------------- pages, by URL name

PAGES: dict[str, dict[str, Row]] = {
    # Home: staff and psychiatrists land here; patients are sent on to their portal.
    "home": {
        "GET": page(_grant(ROLES[1:], OK), _grant(PATIENTS, REDIRECT)),
        "POST": page(_grant(ROLES[1:], OK), _grant(PATIENTS, REDIRECT)),
    },
    # Own account: every signed-in role, never anyone else's data.
    "accounts:logout": post_only(signed_in(REDIRECT)),
    "accounts:clinic_switch": post_only(page(deny=NOT_FOUND)),  # clinic 0 is nobody's
    "accounts:api_tokens": {"GET": signed_in(OK), "POST": signed_in(OK)},
    # The clinic's staff and the psychiatrist credential (ClinicPerm.MANAGE_STAFF): the
    # clinic admin only; everyone else signed in gets 403 (issue 15).
    "accounts:staff": {"GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN), **GET_ONLY},
    "accounts:staff_psychiatrist": post_only(
        page(_grant("clinic_admin_x", REDIRECT), deny=FORBIDDEN)
    ),
    # Physician X's own token: only its owner can revoke it.
    "accounts:api_token_revoke": post_only(page(_grant("physician_x", REDIRECT))),
    "accounts:security": {"GET": signed_in(OK), "POST": signed_in(OK)},
    "accounts:mfa_setup": {"GET": signed_in(OK), "POST": signed_in(OK)},
    "accounts:mfa_verify": {"GET": everyone(REDIRECT), "POST": everyone(REDIRECT)},
    "accounts:mfa_recovery_codes_new": post_only(
        page(
            _grant(ROLES[1:], REDIRECT),
            # Roles that must use a second factor have recovery codes to renew.
            _grant(("physician_x", "clinic_admin_x", *PSYCHIATRISTS), OK),
        )
    ),
    "accounts:mfa_disable": post_only(page(_grant(ROLES[1:], INVALID))),
    # Patients (PatientPerm): clinic X's clinical staff and front desk; psychiatrist A reads.
    "patients:list": {
        "GET": page(
            _grant((*STAFF, *PSYCHIATRISTS), OK),
            _grant("clinic_admin_x", FORBIDDEN),
            deny=FORBIDDEN,
        ),
        **GET_ONLY,
    },
    "patients:create": {
        "GET": page(_grant((*CLINIC_X_FRONT, "nurse_y"), OK), deny=FORBIDDEN),
        "POST": page(_grant((*CLINIC_X_FRONT, "nurse_y"), REDIRECT), deny=FORBIDDEN),
    },
    "patients:detail": {"GET": page(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK)), **GET_ONLY},
    "patients:edit": {
        "GET": page(_grant(CLINIC_X_FRONT, OK)),
        "POST": page(_grant(CLINIC_X_FRONT, REDIRECT)),
    },
    # Audit trail (AuditPerm): clinic admins only.
    "audit:list": {"GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN), **GET_ONLY},
    # Intake (IntakePerm): physicians and nurses edit, physicians decide, psychiatrist A reads.
    "intake:overview": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    "intake:evaluation": {
        "GET": page(_grant(CLINIC_X_CLINICAL, OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    "intake:rating": {
        "GET": page(_grant(CLINIC_X_CLINICAL, OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    "intake:decision": {
        "GET": page(_grant("physician_x", OK)),
        "POST": page(_grant("physician_x", REDIRECT)),
    },
    # The clinic's protocol, read-only (no patient data): every staff member of a clinic.
    "intake:protocol": {"GET": page(_grant(STAFF, OK)), **GET_ONLY},
    # Consent documents (ConsentPerm.MANAGE/APPROVE_TEMPLATES): clinic admins only.
    "consent:template_list": {
        "GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN),
        **GET_ONLY,
    },
    # A draft is open, so "new" sends the admin to it (GET) or refuses a second one (409).
    "consent:template_create": {
        "GET": page(_grant("clinic_admin_x", REDIRECT), deny=FORBIDDEN),
        "POST": page(_grant("clinic_admin_x", CONFLICT), deny=FORBIDDEN),
    },
    "consent:template_detail": {"GET": page(_grant("clinic_admin_x", OK)), **GET_ONLY},
    "consent:template_edit": {
        "GET": page(_grant("clinic_admin_x", OK)),
        "POST": page(_grant("clinic_admin_x", REDIRECT)),
    },
    "consent:template_submit": post_only(page(_grant("clinic_admin_x", REDIRECT))),
    "consent:template_approve": post_only(page(_grant("clinic_admin_x", REDIRECT))),
    "consent:template_pdf": {"GET": page(_grant("clinic_admin_x", OK)), **GET_ONLY},
    "consent:text_preview": post_only(page(_grant("clinic_admin_x", OK), deny=FORBIDDEN)),
    "consent:education_page_list": {
        "GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN),
        **GET_ONLY,
    },
    "consent:education_page_create": {
        "GET": page(_grant("clinic_admin_x", REDIRECT), deny=FORBIDDEN),
        "POST": page(_grant("clinic_admin_x", CONFLICT), deny=FORBIDDEN),
    },
    "consent:education_page_detail": {"GET": page(_grant("clinic_admin_x", OK)), **GET_ONLY},
    "consent:education_page_edit": {
        "GET": page(_grant("clinic_admin_x", OK)),
        "POST": page(_grant("clinic_admin_x", REDIRECT)),
    },
    "consent:education_page_submit": post_only(page(_grant("clinic_admin_x", REDIRECT))),
    "consent:education_page_approve": post_only(page(_grant("clinic_admin_x", REDIRECT))),
    # The approved education page: the clinic's staff and patients; no psychiatrist.
    "consent:education": {"GET": page(_grant((*STAFF, *PATIENTS), OK)), **GET_ONLY},
    # A patient's consent: clinical staff record it; front desk and psychiatrist A read it.
    # Patient A already signed the approved version, so signing again is a conflict.
    "consent:patient": {"GET": page(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK)), **GET_ONLY},
    "consent:patient_sign": post_only(page(_grant(CLINIC_X_CLINICAL, CONFLICT))),
    "consent:patient_withdraw": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "consent:consent_pdf": {
        "GET": page(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    # Coordination (CoordinationPerm): clinical staff; psychiatrist A reads and acknowledges.
    "coordination:my_patients": {"GET": page(_grant(PSYCHIATRISTS, OK)), **GET_ONLY},
    "coordination:patient": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    # Psychiatrist A already has a login: the invitation is refused with a message (302).
    "coordination:invite": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "coordination:acknowledge": post_only(page(_grant("psychiatrist_a", REDIRECT))),
    "coordination:exception": post_only(page(_grant("physician_x", REDIRECT))),
    "coordination:letter_create": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "coordination:letter_pdf": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    # Treatment (TreatmentPerm): physicians plan, physicians and nurses run sessions.
    "treatment:course": {
        "GET": page(_grant(CLINIC_X_CLINICAL, OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    "treatment:session": {"GET": page(_grant(CLINIC_X_CLINICAL, OK)), **GET_ONLY},
    "treatment:vitals": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "treatment:action": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "treatment:rating": {
        "GET": page(_grant(CLINIC_X_CLINICAL, OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    "treatment:checkpoints": {"GET": page(_grant(CLINIC_X_CLINICAL, OK)), **GET_ONLY},
    # Exit check and adverse events on the scheduled session: the matrix posts empty forms
    # (422, nothing written); with no exit check, the decision goes back with the reason.
    "treatment:exit_check": post_only(page(_grant(CLINIC_X_CLINICAL, INVALID))),
    "treatment:exit_check_decide": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "treatment:adverse_event": post_only(page(_grant(CLINIC_X_CLINICAL, INVALID))),
    # REMS form and vitals chart on the scheduled IV session: printing the form is refused
    # (not esketamine, not discharged: redirect back with the reason); no export exists, so
    # the download is 404 for everyone; the chart JSON reads like the session page.
    "treatment:rems_export_create": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "treatment:rems_export_pdf": {"GET": page(), **GET_ONLY},
    "treatment:vitals_chart": {"GET": page(_grant(CLINIC_X_CLINICAL, OK)), **GET_ONLY},
    # The discharge summary of the scheduled session: not discharged yet, so clinicians are
    # sent back to the session page (302); everyone else gets 404.
    "treatment:summary": {"GET": page(_grant(CLINIC_X_CLINICAL, REDIRECT)), **GET_ONLY},
    # Controlled-substance ledger (InventoryPerm): the clinic's physicians, nurses and admins
    # read it; physicians and nurses record. The matrix posts empty forms: 422, nothing written.
    "inventory:ledger": {"GET": page(_grant(LEDGER_READERS, OK), deny=FORBIDDEN), **GET_ONLY},
    "inventory:receipt": post_only(page(_grant(LEDGER_RECORDERS, INVALID), deny=FORBIDDEN)),
    "inventory:waste": post_only(page(_grant(LEDGER_RECORDERS, INVALID), deny=FORBIDDEN)),
    "inventory:count": post_only(page(_grant(LEDGER_RECORDERS, INVALID), deny=FORBIDDEN)),
    "inventory:correction": post_only(page(_grant(LEDGER_RECORDERS, INVALID), deny=FORBIDDEN)),
    "inventory:report": {"GET": page(_grant(LEDGER_READERS, OK), deny=FORBIDDEN), **GET_ONLY},
    "inventory:export": {"GET": page(_grant(LEDGER_READERS, OK), deny=FORBIDDEN), **GET_ONLY},
    # ---- monitoring: portal, diary, check-ins, assignments, text packs (issue 6) ----
    # The portal: a patient reaches only their own record (no address names a patient), so
    # patient B gets their own pages; staff and psychiatrists may not use it (403). "Get help
    # now" is open to everyone, signed in or not. The matrix posts a valid diary and ASRM.
    "portal:today": {"GET": page(_grant(PATIENTS, OK), deny=FORBIDDEN), **GET_ONLY},
    "portal:help": {"GET": everyone(OK), **GET_ONLY},
    "portal:diary": {
        "GET": page(_grant(PATIENTS, OK), deny=FORBIDDEN),
        "POST": page(_grant(PATIENTS, OK), deny=FORBIDDEN),
    },
    "portal:scale": {
        "GET": page(_grant(PATIENTS, OK), deny=FORBIDDEN),
        "POST": page(_grant(PATIENTS, OK), deny=FORBIDDEN),
    },
    # No invitation has the matrix's token: one calm "this link no longer works" page (404).
    "portal:invitation": {"GET": everyone(NOT_FOUND), "POST": everyone(NOT_FOUND)},
    # Portal access (MonitoringPerm.INVITE_PATIENT, front desk too). Patient A already has a
    # login, so an invitation is refused with a message (302, nothing written).
    "monitoring:portal": {"GET": page(_grant(CLINIC_X_FRONT, OK)), **GET_ONLY},
    "monitoring:portal_invite": post_only(page(_grant(CLINIC_X_FRONT, REDIRECT))),
    "monitoring:portal_revoke": post_only(page(_grant(CLINIC_X_FRONT, REDIRECT))),
    # Why not invited (refused with a message: patient A has a login) and the course page's
    # "Check-ins and portal" panel (issue 18): the same people as portal access.
    "monitoring:portal_not_invited": post_only(page(_grant(CLINIC_X_FRONT, REDIRECT))),
    "monitoring:treatment_start": {"GET": page(_grant(CLINIC_X_FRONT, OK)), **GET_ONLY},
    # Check-ins: clinic X's clinicians and psychiatrist A see them; physicians and nurses
    # schedule them and record ratings at visits.
    "monitoring:check_ins": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    "monitoring:defaults": post_only(page(_grant(CLINIC_X_CLINICAL, REDIRECT))),
    "monitoring:rating": {
        "GET": page(_grant(CLINIC_X_CLINICAL, OK)),
        "POST": page(_grant(CLINIC_X_CLINICAL, REDIRECT)),
    },
    # Text packs (MANAGE_TEXT_PACKS): clinic admins; the matrix posts an empty form (422).
    "monitoring:text_packs": {
        "GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN),
        "POST": page(_grant("clinic_admin_x", INVALID), deny=FORBIDDEN),
    },
    # ---- alerts: list, detail, lifecycle, on-call rota, reports (issue 6) ----
    # AlertPerm + VIEW_CLINICAL: clinic X's clinicians and psychiatrist A (own patients) see
    # patient A's open urgent alert; nurse Y and the other psychiatrist get their own (empty)
    # list. Acknowledging succeeds; resolving the open alert and clearing its (absent) hold are
    # conflicts (302 back with the reason); a step the role may not take is 403.
    "alerts:list": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "nurse_y", *PSYCHIATRISTS), OK), deny=FORBIDDEN),
        **GET_ONLY,
    },
    "alerts:detail": {"GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)), **GET_ONLY},
    # The patient page's open-alerts panel: patient A's clinicians and psychiatrist; a role
    # that may see A's clinical record but not alerts would get 403 (none today); else 404.
    "alerts:patient_panel": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    # The psychiatrist of record sees and reviews her patients' alerts; clinic staff
    # acknowledge and resolve them (issue 15): 403 for her.
    "alerts:acknowledge": post_only(
        page(_grant(CLINIC_X_CLINICAL, REDIRECT), _grant("psychiatrist_a", FORBIDDEN))
    ),
    "alerts:resolve": post_only(
        page(_grant(CLINIC_X_CLINICAL, REDIRECT), _grant("psychiatrist_a", FORBIDDEN))
    ),
    "alerts:contact": post_only(
        page(_grant(CLINIC_X_CLINICAL, REDIRECT), _grant("psychiatrist_a", FORBIDDEN))
    ),
    # Only a psychiatrist reviews: the psychiatrist of record, or a clinic physician the
    # clinic admin recorded as one (physician X is not) (issue 15).
    "alerts:review": post_only(
        page(_grant("psychiatrist_a", REDIRECT), _grant(CLINIC_X_CLINICAL, FORBIDDEN))
    ),
    # The same-day assessment before a dose: a physician of the clinic (issue 15).
    "alerts:dosing_assessment": post_only(
        page(_grant("physician_x", REDIRECT), _grant(("nurse_x", "psychiatrist_a"), FORBIDDEN))
    ),
    "alerts:clear_hold": post_only(
        page(_grant("physician_x", REDIRECT), _grant(("nurse_x", "psychiatrist_a"), FORBIDDEN))
    ),
    # The on-call rota (MANAGE_ON_CALL) and the report (VIEW_REPORTS, figures only): 403 for
    # the rest. The matrix posts an empty rota form (422); moving the only entry down is
    # refused with a message (302).
    "alerts:on_call": {
        "GET": page(_grant("clinic_admin_x", OK), deny=FORBIDDEN),
        "POST": page(_grant("clinic_admin_x", INVALID), deny=FORBIDDEN),
    },
    "alerts:on_call_remove": post_only(page(_grant("clinic_admin_x", REDIRECT), deny=FORBIDDEN)),
    "alerts:on_call_move": post_only(page(_grant("clinic_admin_x", REDIRECT), deny=FORBIDDEN)),
    "alerts:report": {
        "GET": page(_grant(("physician_x", "clinic_admin_x"), OK), deny=FORBIDDEN),
        **GET_ONLY,
    },
    # ---- worklist and life chart (issue 6) ----
    # The worklist (AlertPerm.VIEW_ALERTS + PatientPerm.VIEW_CLINICAL) lists the active clinic's
    # patients to its physicians and nurses (nurse Y sees clinic Y's); everyone else 403.
    "outcomes:worklist": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "nurse_y"), OK), deny=FORBIDDEN),
        **GET_ONLY,
    },
    # The life chart (MonitoringPerm.VIEW_RATINGS + VIEW_CLINICAL): clinic X's clinicians and
    # patient A's psychiatrist of record; the page and its JSON are gated alike.
    "outcomes:life_chart": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
    "outcomes:life_chart_data": {
        "GET": page(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK)),
        **GET_ONLY,
    },
}

# ---------------------------------------------------------------- the JSON API, by operation id

API: dict[str, dict[str, Row]] = {
    # The authenticated no-op (benchmark baseline): every signed-in role, no patient data.
    "auth_ping": {"GET": api(_grant(ROLES[1:], OK))},
    "patient_list": {
        "GET": api(
            _grant((*STAFF, *PSYCHIATRISTS), OK),
            _grant("clinic_admin_x", FORBIDDEN),
            deny=FORBIDDEN,
        )
    },
    "patient_create": {"POST": api(_grant((*CLINIC_X_FRONT, "nurse_y"), CREATED), deny=FORBIDDEN)},
    "patient_get": {"GET": api(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK))},
    "patient_update": {"PATCH": api(_grant(CLINIC_X_FRONT, OK))},
    "audit_event_list": {"GET": api(_grant("clinic_admin_x", OK), deny=FORBIDDEN)},
    "intake_get": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    "evaluation_update": {"PATCH": api(_grant(CLINIC_X_CLINICAL, OK))},
    "baseline_rating_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "eligibility_decide": {"POST": api(_grant("physician_x", CREATED))},
    "consent_template_list": {"GET": api(_grant("clinic_admin_x", OK), deny=FORBIDDEN)},
    "consent_template_approve": {"POST": api(_grant("clinic_admin_x", OK))},
    "consent_status": {"GET": api(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK))},
    "consent_sign": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "consent_withdraw": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    "consent_pdf": {"GET": api(_grant((*CLINIC_X_FRONT, "psychiatrist_a"), OK))},
    "clearance_get": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    # Psychiatrist A already has a login; the plan is already acknowledged.
    "psychiatrist_invite": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "plan_acknowledge": {"POST": api(_grant("psychiatrist_a", CONFLICT))},
    "plan_ack_exception": {"POST": api(_grant("physician_x", CONFLICT))},
    "letter_generate": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "letter_pdf": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    # A course is open already (409); nurses may see it but not plan (403).
    "course_create": {"POST": api(_grant("physician_x", CONFLICT), _grant("nurse_x", FORBIDDEN))},
    "course_get": {"GET": api(_grant(CLINIC_X_CLINICAL, OK))},
    "course_activate": {"POST": api(_grant("physician_x", CONFLICT), _grant("nurse_x", FORBIDDEN))},
    "session_schedule": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "session_get": {"GET": api(_grant(CLINIC_X_CLINICAL, OK))},
    "session_check_in": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    "session_start_prechecks": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    "session_abort": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    "session_cancel": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    # The scheduled session has no dose yet: a physician's hand-off is refused (409, abort
    # instead); nurses may not record one (403).
    "session_hand_off": {
        "POST": api(_grant("physician_x", CONFLICT), _grant("nurse_x", FORBIDDEN))
    },
    "vitals_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "vitals_list": {"GET": api(_grant(CLINIC_X_CLINICAL, OK))},
    # Chairside steps on the checked-in session. Pre-checks are started but not recorded,
    # so the checklist, the dose and the discharge are out of order (409); with no checklist
    # and no dose yet, the override, verification and start find nothing (404 for everyone).
    "session_rating_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "precheck_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "precheck_physician_decide": {"POST": api()},
    "dose_prepare": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "dose_verify": {"POST": api()},
    "dose_start": {"POST": api()},
    "dose_stop": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    # No stop event with that id on the session (none fired): 404 for everyone.
    "stop_event_act": {"POST": api()},
    "session_discharge": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    # Exit check and adverse events on the scheduled session: not in recovery / not dosed
    # (409); no exit check to read or decide on (404 for everyone).
    "exit_check_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "exit_check_get": {"GET": api()},
    "exit_check_physician_decide": {"POST": api()},
    "adverse_event_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "adverse_event_list": {"GET": api(_grant(CLINIC_X_CLINICAL, OK))},
    # The scheduled IV session: no REMS form (409); no export exists to download (404).
    "rems_export_create": {"POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT))},
    "rems_export_pdf": {"GET": api()},
    # Controlled-substance ledger: reads for its readers (403 for the rest). The matrix posts
    # empty bodies, which Ninja refuses (422) for every signed-in role before the gate runs;
    # keel/inventory/tests/test_api.py sends valid bodies for the role checks.
    "inventory_lot_list": {"GET": api(_grant(LEDGER_READERS, OK), deny=FORBIDDEN)},
    "ledger_entry_list": {"GET": api(_grant(LEDGER_READERS, OK), deny=FORBIDDEN)},
    "ledger_report_csv": {"GET": api(_grant(LEDGER_READERS, OK), deny=FORBIDDEN)},
    "receipt_record": {"POST": api(_grant(ROLES[1:], INVALID))},
    "waste_record": {"POST": api(_grant(ROLES[1:], INVALID))},
    "count_record": {"POST": api(_grant(ROLES[1:], INVALID))},
    "correction_record": {"POST": api(_grant(ROLES[1:], INVALID))},
    # ---- monitoring: portal, diary, check-ins, assignments, text packs (issue 6) ----
    # The patient's own check-ins (/me/...): patients only, each their own; others 403.
    "portal_due_list": {"GET": api(_grant(PATIENTS, OK), deny=FORBIDDEN)},
    "portal_diary_submit": {"POST": api(_grant(PATIENTS, CREATED), deny=FORBIDDEN)},
    "portal_rating_submit": {"POST": api(_grant(PATIENTS, CREATED), deny=FORBIDDEN)},
    # Staff, by MonitoringPerm: clinic X's clinicians (psychiatrist A reads); patient A has a
    # daily diary assignment to end; patient A already has a portal login (409).
    "monitoring_rating_list": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    "clinician_rating_record": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "monitoring_diary_list": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    "assignment_list": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    "assignment_create": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "assignment_defaults_apply": {"POST": api(_grant(CLINIC_X_CLINICAL, CREATED))},
    "assignment_end": {"POST": api(_grant(CLINIC_X_CLINICAL, OK))},
    "portal_status_get": {"GET": api(_grant(CLINIC_X_FRONT, OK))},
    "portal_invite": {"POST": api(_grant(CLINIC_X_FRONT, CONFLICT))},
    "portal_invitations_revoke": {"POST": api(_grant(CLINIC_X_FRONT, OK))},
    # Text packs: clinic admins; the matrix sends a questionnaire without items (422).
    "text_pack_list": {"GET": api(_grant("clinic_admin_x", OK), deny=FORBIDDEN)},
    "text_pack_install": {"POST": api(_grant("clinic_admin_x", INVALID), deny=FORBIDDEN)},
    # ---- alerts: list, detail, lifecycle, on-call rota, reports (issue 6) ----
    # As the pages; the API answers a state conflict with 409. The matrix posts an empty
    # on-call body, which Ninja refuses (422) for every signed-in role before the gate.
    "alert_list": {
        "GET": api(_grant((*CLINIC_X_CLINICAL, "nurse_y", *PSYCHIATRISTS), OK), deny=FORBIDDEN)
    },
    "alert_get": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
    "alert_acknowledge": {
        "POST": api(_grant(CLINIC_X_CLINICAL, OK), _grant("psychiatrist_a", FORBIDDEN))
    },
    "alert_resolve": {
        "POST": api(_grant(CLINIC_X_CLINICAL, CONFLICT), _grant("psychiatrist_a", FORBIDDEN))
    },
    "alert_contact": {
        "POST": api(_grant(CLINIC_X_CLINICAL, OK), _grant("psychiatrist_a", FORBIDDEN))
    },
    "alert_psychiatric_review": {
        "POST": api(_grant("psychiatrist_a", OK), _grant(CLINIC_X_CLINICAL, FORBIDDEN))
    },
    "alert_dosing_assessment": {
        "POST": api(
            _grant("physician_x", CREATED), _grant(("nurse_x", "psychiatrist_a"), FORBIDDEN)
        )
    },
    "alert_clear_hold": {
        "POST": api(
            _grant("physician_x", CONFLICT), _grant(("nurse_x", "psychiatrist_a"), FORBIDDEN)
        )
    },
    "on_call_list": {"GET": api(_grant("clinic_admin_x", OK), deny=FORBIDDEN)},
    "on_call_create": {"POST": api(_grant(ROLES[1:], INVALID))},
    "on_call_delete": {"DELETE": api(_grant("clinic_admin_x", 204), deny=FORBIDDEN)},
    "alert_report": {"GET": api(_grant(("physician_x", "clinic_admin_x"), OK), deny=FORBIDDEN)},
    # ---- worklist and life chart (issue 6) ----
    "worklist_get": {"GET": api(_grant((*CLINIC_X_CLINICAL, "nurse_y"), OK), deny=FORBIDDEN)},
    "life_chart_get": {"GET": api(_grant((*CLINIC_X_CLINICAL, "psychiatrist_a"), OK))},
}

#: Alert routes about the clinic, not a patient: the on-call rota and the report (figures).
ALERT_CLINIC_PAGES: frozenset[str] = frozenset(
    {"alerts:on_call", "alerts:on_call_remove", "alerts:on_call_move", "alerts:report"}
)
ALERT_CLINIC_API: frozenset[str] = frozenset(
    {"on_call_list", "on_call_create", "on_call_delete", "alert_report"}
)
#: Routes that read or write patient data: each success must leave an audit event with
#: every required field, naming the patient (tests/security/test_audit_completeness.py).
PATIENT_DATA_PAGES: frozenset[str] = frozenset(
    name
    for name in PAGES
    if name.split(":")[0] in {"patients", "intake", "coordination", "treatment"}
    or name in {"consent:patient", "consent:patient_sign", "consent:patient_withdraw"}
    or name == "consent:consent_pdf"
    or name.startswith("outcomes:")
    or (name.startswith("alerts:") and name not in ALERT_CLINIC_PAGES)
    or (
        name.split(":")[0] in {"monitoring", "portal"}
        and name not in {"monitoring:text_packs", "portal:help", "portal:invitation"}
    )
)
#: The ledger's operations: clinic stock records, audited per read (entries naming a session
#: carry the patient's id), but no patient record is reached through them.
LEDGER_API: frozenset[str] = frozenset(
    {
        "inventory_lot_list",
        "ledger_entry_list",
        "ledger_report_csv",
        "receipt_record",
        "waste_record",
        "count_record",
        "correction_record",
    }
)
PATIENT_DATA_API: frozenset[str] = (
    frozenset(API)
    - LEDGER_API
    - ALERT_CLINIC_API
    - {
        "auth_ping",
        "audit_event_list",
        "consent_template_list",
        "consent_template_approve",
        "text_pack_list",
        "text_pack_install",
    }
)
#: Lists: audited once per patient shown, so only a role that sees patient A must leave one.
LISTS: frozenset[str] = frozenset(
    {
        "patients:list",
        "coordination:my_patients",
        "patient_list",
        "outcomes:worklist",
        "worklist_get",
        "alerts:list",
        "alert_list",
    }
)
#: (route, method) pairs on patient-data routes that show no patient data (an empty form).
NO_PATIENT_DATA: frozenset[tuple[str, str]] = frozenset(
    {
        ("patients:create", "GET"),
        ("intake:protocol", "GET"),  # the clinic's protocol: rules and values, no patient
    }
)
#: Page writes that this world refuses as a state conflict: the page redirects back with
#: the reason (the API answers 409) and nothing is written, so nothing is audited as done.
PAGE_CONFLICTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("coordination:invite", "POST"),  # psychiatrist A already has a login
        ("coordination:acknowledge", "POST"),  # the plan is already acknowledged
        ("coordination:exception", "POST"),  # ditto
        ("treatment:rems_export_create", "POST"),  # an IV session that is not discharged
        ("treatment:exit_check_decide", "POST"),  # no exit check recorded on the session
        ("monitoring:portal_invite", "POST"),  # patient A already has a portal login
        ("monitoring:portal_not_invited", "POST"),  # ditto
        ("alerts:resolve", "POST"),  # patient A's alert is open: acknowledge first
        ("alerts:clear_hold", "POST"),  # patient A's alert holds no session
    }
)
