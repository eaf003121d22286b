"""Drive every route of Keel as every role of the authorization matrix.

Shared by ``test_route_matrix.py`` (statuses, leaks, denied writes) and
``test_audit_completeness.py`` (an audit event for every patient-data access).

Routes come from the URL configuration itself (``get_resolver()``, walked
recursively) and, for the JSON API, from the Ninja operations behind its URL
patterns cross-checked with the OpenAPI document, so a new page or operation
shows up here without anyone listing it. Path parameters are filled with
patient A's objects (built through the services), every request runs in a
savepoint that is rolled back afterwards, so each role meets the same state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import World
from keel.accounts.authz_matrix import API, INFRASTRUCTURE, PAGE_METHODS, PAGES
from keel.accounts.services import api_token_create
from keel.alerts.services import on_call_add
from keel.alerts.tests.helpers import raise_alert
from keel.consent.models import CONSENT_TOPICS, EDUCATION_TOPICS, Consent
from keel.consent.services import (
    consent_template_create_version,
    education_page_approve,
    education_page_create_version,
    education_page_install_sample,
)
from keel.coordination.services import letter_generate
from keel.intake.services import evaluation_start
from keel.monitoring.models import Assignment
from keel.monitoring.services import assignment_create
from keel.treatment.services import session_check_in, session_schedule
from keel.treatment.tests.helpers import scheduled_session

API_NAMESPACE = "api"
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One route and method: a page (by URL name) or an API operation (by operation id)."""

    kind: str  # "page" or "api"
    key: str  # "namespace:name" or the operation id
    method: str
    path: str  # Django route syntax, e.g. "patients/<int:patient_id>/"

    @property
    def label(self) -> str:
        return f"{self.method} {self.key}"

    @property
    def writes(self) -> bool:
        return self.method not in {"GET", "HEAD", "OPTIONS"}

    @property
    def parameters(self) -> list[str]:
        return [m.group("name") for m in _CONVERTER.finditer(self.path)]


@dataclass(frozen=True)
class Objects:
    """Patient A's records in clinic X, reached through the path parameters."""

    patient_id: int
    consent_id: int
    letter_id: int
    session_id: int  # scheduled
    checked_in_session_id: int
    template_draft_id: int
    education_draft_id: int
    token_id: int  # physician X's own API token
    approved_template_id: int  # the consent form version patient A signed
    assignment_id: int = 0  # patient A's daily diary check-in (issue 6)
    alert_id: int = 0  # patient A's open urgent suicidality alert (issue 6)
    on_call_entry_id: int = 0  # clinic X's only on-call entry: nurse X (issue 6)
    membership_id: int = 0  # physician X's membership (not a psychiatrist) (issue 15)


def build_objects(world: World) -> Objects:
    """Take patient A to a scheduled first session and add a letter and document drafts."""
    session = scheduled_session(world)  # evaluation, eligible decision, consent, acknowledgement
    patient = world.patient_a
    nurse = world.actor("nurse_x")
    checked_in = session_schedule(
        actor=nurse, course=session.course, scheduled_for=timezone.now() + dt.timedelta(hours=3)
    )
    session_check_in(
        actor=nurse, session=checked_in, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    evaluation_start(actor=nurse, patient=patient)  # a new draft, for the decision routes
    admin = world.actor("clinic_admin_x")
    letter = letter_generate(actor=world.actor("physician_x"), patient=patient, email=False)
    template = consent_template_create_version(
        actor=admin, title="Consent, revised", body="## Revised\n\nA draft for the matrix."
    )
    page = education_page_install_sample(clinic=world.clinic_x, actor=admin)
    education_page_approve(actor=admin, page=page, topics=[t.code for t in EDUCATION_TOPICS])
    draft_page = education_page_create_version(
        actor=admin, title="Education, revised", body="## Revised\n\nA draft for the matrix."
    )
    token = api_token_create(
        user=world.users["physician_x"],
        clinic=world.clinic_x,
        name="matrix",
        scopes=["patients:read"],
        days=1,
    )
    consent = Consent.objects.get(patient=patient)
    # Activating the course already scheduled the induction defaults, the diary among them.
    diary = Assignment.objects.filter(
        patient=patient, instrument_id="diary", active=True
    ).first() or assignment_create(
        actor=nurse, patient=patient, instrument_id="diary", frequency="daily"
    )
    on_call = on_call_add(actor=admin, user_id=world.users["nurse_x"].pk)
    alert = raise_alert(patient)  # open, urgent, no session hold
    return Objects(
        patient_id=patient.pk,
        consent_id=consent.pk,
        letter_id=letter.pk,
        session_id=session.pk,
        checked_in_session_id=checked_in.pk,
        template_draft_id=template.pk,
        education_draft_id=draft_page.pk,
        token_id=token.token.pk,
        approved_template_id=consent.template_id,
        assignment_id=diary.pk,
        alert_id=alert.pk,
        on_call_entry_id=on_call.pk,
        membership_id=world.users["physician_x"].memberships.get().pk,
    )


# ---------------------------------------------------------------- routes from the URLconf


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern), pattern


def _ninja_operations(pattern: URLPattern) -> list[Any]:
    """The Ninja operations behind one API URL pattern (empty for docs and schema views)."""
    closure = getattr(pattern.callback, "__closure__", None) or ()
    for cell in closure:
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return list(operations)
    return []


def _openapi_ids() -> dict[tuple[str, str], str]:
    from config.api import api

    schema = api.get_openapi_schema()
    ids: dict[tuple[str, str], str] = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            ids[(method.upper(), path)] = operation["operationId"]
    return ids


def discover_routes() -> tuple[list[Route], list[str]]:
    """Every page route x {GET, POST} and every API operation x its methods.

    Returns the routes and the problems found on the way (an API operation
    hidden from the OpenAPI document, an unknown kind of URL pattern).
    """
    routes: list[Route] = []
    problems: list[str] = []
    openapi = _openapi_ids()
    seen_api: set[tuple[str, str]] = set()
    for name, path, pattern in _walk(get_resolver().url_patterns, "", None):
        if name in INFRASTRUCTURE:
            continue
        if name.split(":")[0] == API_NAMESPACE:
            operations = _ninja_operations(pattern)
            if not operations:
                problems.append(f"{name} ({path}) is neither an API operation nor infrastructure")
            openapi_path = "/" + _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", path)
            for operation in operations:
                for method in operation.methods:
                    key = (method.upper(), openapi_path)
                    if key in seen_api:
                        continue
                    seen_api.add(key)
                    operation_id = openapi.get(key)
                    if operation_id is None:
                        problems.append(f"{method} {openapi_path} is not in the OpenAPI document")
                        continue
                    routes.append(Route("api", operation_id, method.upper(), path))
            continue
        routes.extend(Route("page", name, method, path) for method in PAGE_METHODS)
    missing_from_urls = sorted(set(openapi) - seen_api)
    problems.extend(
        f"{m} {p} is in the OpenAPI document but not routed" for m, p in missing_from_urls
    )
    return routes, problems


def declared(route: Route) -> dict[str, int] | None:
    """The matrix row for ``route``: role -> expected status (None when undeclared)."""
    table = PAGES if route.kind == "page" else API
    return table.get(route.key, {}).get(route.method)


# ---------------------------------------------------------------- requests

# Which object each path parameter names, per route where the name alone is ambiguous.
# Chairside routes act on the checked-in session; check-in and abort on the scheduled one.
_NEEDS_CHECKED_IN = {
    "vitals_record",
    "vitals_list",
    "session_start_prechecks",
    "session_rating_record",
    "precheck_record",
    "precheck_physician_decide",
    "dose_prepare",
    "dose_verify",
    "dose_start",
    "dose_stop",
    "session_discharge",
    "treatment:vitals",
    "treatment:rating",
    "treatment:checkpoints",
}
_DOCUMENT_OF = {
    "consent:education_page": "education_draft_id",
    "consent:template": "template_draft_id",
}


def _value(route: Route, parameter: str, objects: Objects) -> str:
    if parameter == "document_id":
        for prefix, attribute in _DOCUMENT_OF.items():
            if route.key.startswith(prefix):
                return str(getattr(objects, attribute))
    if parameter == "template_id":
        return str(objects.template_draft_id)
    if parameter == "instrument_id":
        return "asrm"
    if parameter == "action":
        return "check-in"
    if parameter == "session_id" and route.key in _NEEDS_CHECKED_IN:
        return str(objects.checked_in_session_id)
    simple = {
        "patient_id": objects.patient_id,
        "consent_id": objects.consent_id,
        "letter_id": objects.letter_id,
        "session_id": objects.session_id,
        "token_id": objects.token_id,
        # No REMS export exists in this world (its sessions are IV): an id nobody has.
        "export_id": 2_000_000_000,
        # No stop rule has fired in this world: a stop event nobody has.
        "event_id": 2_000_000_000,
        "assignment_id": objects.assignment_id,
        # No portal invitation has this token: the calm "link no longer works" page.
        "token": "matrix-no-such-invitation",
        "alert_id": objects.alert_id,
        "entry_id": objects.on_call_entry_id,
        "membership_id": objects.membership_id,
    }
    if parameter not in simple:
        raise KeyError(f"{route.label}: no value for path parameter {parameter!r}")
    return str(simple[parameter])


def url_of(route: Route, objects: Objects) -> str:
    return "/" + _CONVERTER.sub(lambda m: _value(route, m.group("name"), objects), route.path)


def _soon() -> str:
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


# A valid body for every write, by route key; a write not listed sends an empty form / object.
_SIGN = {"signed_name": "Ainsley Zephyrine", "confirmed": True, "staff_attested": True}
_VITALS = {
    "context": "pre_dose",
    "systolic_bp": 126,
    "diastolic_bp": 82,
    "heart_rate": 70,
    "spo2": 98,
    "idempotency_key": "matrix-1",
}
_CHECKLIST = {
    "weight_kg": "70.0",
    "open_mood_alert": "none",
    "escort_confirmed": True,
    "fasting_confirmed": True,
    "pregnancy_status": "not_applicable",
    "med_change_benzodiazepine": False,
    "med_change_lamotrigine_dose": False,
    "med_change_stimulant": False,
    "med_change_maoi": False,
    "adverse_event_since_last": False,
    "acute_intoxication": False,
}
_DOCUMENT = {"title": "Matrix title", "body": "Matrix body.", "send": "1"}
# Check-ins (issue 6): a valid diary and ASRM from the patient, a schedule and a visit rating
# from staff; the text pack has no items, so the admin is told what is missing (422).
_MONITORING_API: dict[str, dict[str, Any]] = {
    "portal_diary_submit": {
        "mood": 0,
        "sleep_hours": 7.5,
        "felt_less_need_for_sleep": False,
        "irritability": 0,
        "energy": 0,
        "medication_taken_as_prescribed": True,
        "idempotency_key": "matrix-diary",
    },
    "portal_rating_submit": {
        "instrument_id": "asrm",
        "answers": [0, 1, 0, 1, 0],
        "idempotency_key": "matrix-rating",
    },
    "clinician_rating_record": {
        "instrument_id": "ymrs",
        "answers": [0] * 11,
        "purpose": "pre_session",
    },
    "assignment_create": {"instrument_id": "gad7", "frequency": "fortnightly"},
    "assignment_defaults_apply": {"phase": "induction"},
    "text_pack_install": {
        "questionnaire": {"resourceType": "Questionnaire", "status": "active"},
        "instrument_id": "phq9",
        "source": "Matrix",
    },
}
_MONITORING_PAGES: dict[str, dict[str, Any]] = {
    "portal:diary": {
        "mood": "0",
        "sleep_hours": "7.5",
        "felt_less_need_for_sleep": "no",
        "irritability": "0",
        "energy": "0",
        "medication_taken_as_prescribed": "yes",
        "idempotency_key": "matrix-diary-page",
    },
    "portal:scale": {
        "instrument": "asrm",
        **{f"item_{n}": "0" for n in range(1, 6)},
        "idempotency_key": "matrix-scale-page",
    },
    "monitoring:check_ins": {"form": "add", "instrument_id": "gad7", "frequency": "fortnightly"},
    "monitoring:defaults": {"phase": "induction"},
    "monitoring:rating": {"purpose": "pre_session", **{f"item_{n}": "0" for n in range(1, 6)}},
}


# Alerts (issue 6): the alert is open, so resolving and clearing its (absent) hold are
# conflicts; a review and contact succeed; the rota has one entry, so "down" is a conflict.
# Issue 15: the urgent suicidality alert's contact says how; a physician records the
# same-day assessment; the clinic admin records physician X as a psychiatrist.
_ALERTS_API: dict[str, dict[str, Any]] = {
    "alert_resolve": {"action_taken": "Matrix: called the patient."},
    "alert_psychiatric_review": {"note": "Matrix: reviewed."},
    "alert_clear_hold": {"note": "Matrix: reviewed."},
    "alert_contact": {"method": "phone", "reached": True},
    "alert_dosing_assessment": {
        "decision": "dose",
        "reason": "Matrix: C-SSRS none in this visit.",
        "cssrs_level": "none",
    },
}
_ALERTS_PAGES: dict[str, dict[str, Any]] = {
    "alerts:resolve": {"action_taken": "Matrix: called the patient."},
    "alerts:review": {"note": "Matrix: reviewed."},
    "alerts:clear_hold": {"note": "Matrix: reviewed."},
    "alerts:on_call_move": {"direction": "down"},
    "alerts:contact": {"method": "phone", "reached": "yes"},
    "alerts:dosing_assessment": {
        "decision": "dose",
        "reason": "Matrix: C-SSRS none in this visit.",
        "cssrs_level": "none",
    },
    "accounts:staff_psychiatrist": {"is_psychiatrist": "1"},
}


def body_of(route: Route, objects: Objects) -> dict[str, Any]:
    key = route.key
    if route.kind == "api":
        return {
            "patient_create": {
                "given_name": "Matrix",
                "family_name": "Newcomer",
                "birth_date": "1990-05-05",
                "administrative_sex": "male",
            },
            "patient_update": {"phone": "+1 555 0100 999"},
            "evaluation_update": {"psychosis_history": False},
            "baseline_rating_record": {"instrument_id": "asrm", "answers": [0, 1, 0, 1, 0]},
            "eligibility_decide": {
                "outcome": "deferred",
                "note": "Waiting for the discharge letter.",
            },
            "consent_template_approve": {"topics": [t.code for t in CONSENT_TOPICS]},
            "consent_sign": {**_SIGN, "template_id": objects.approved_template_id},
            "consent_withdraw": {"reason": "Matrix"},
            "plan_acknowledge": {"comment": ""},
            "plan_ack_exception": {"reason": "Psychiatrist on long leave until March."},
            "course_create": {
                "route": "iv_racemic_ketamine",
                "dose_mg_per_kg": "0.50",
                "induction_sessions": 6,
            },
            "session_schedule": {"scheduled_for": _soon()},
            "session_check_in": {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"},
            "session_abort": {"reason": "Matrix: patient unwell."},
            "session_cancel": {"reason": "Matrix: patient asked to move it."},
            "session_hand_off": {
                "kind": "emergency_transfer",
                "reason": "Matrix: chest pain, needs emergency care.",
                "destination": "City emergency department",
            },
            "vitals_record": _VITALS,
            "session_rating_record": {"instrument_id": "asrm", "answers": [0, 1, 0, 1, 0]},
            "precheck_record": _CHECKLIST,
            "precheck_physician_decide": {"rule_ids": [], "reason": "Matrix: reviewed in person."},
            "dose_prepare": {"concentration_mg_per_ml": "10.00", "lot": "LOT-1"},
            "session_discharge": {"escort_present": True, "no_driving_acknowledged": True},
            "stop_event_act": {"action": "paused"},
            "exit_check_record": {
                "new_suicidal_ideation": False,
                "mood_elevation": False,
                "perceptual_change": False,
                "walks_steadily": True,
                "nausea_or_dizziness": False,
            },
            "exit_check_physician_decide": {
                "decision": "may_leave",
                "reason": "Matrix: seen at the chair.",
            },
            "adverse_event_record": {
                "category": "nausea_vomiting",
                "description": "Matrix: nausea.",
                "action_taken": "Matrix: none.",
            },
            **_MONITORING_API,
            **_ALERTS_API,
        }.get(key, {})
    return {
        "accounts:clinic_switch": {"clinic_id": "0"},
        "accounts:api_tokens": {"name": "t", "scopes": ["patients:read"], "days": "1"},
        "patients:create": {
            "given_name": "Matrix",
            "family_name": "Newcomer",
            "birth_date": "1990-05-05",
            "administrative_sex": "male",
        },
        "patients:edit": {
            "given_name": "Ainsley",
            "family_name": "Zephyrine",
            "birth_date": "1980-01-01",
            "administrative_sex": "female",
            "phone": "+1 555 0100 999",
        },
        "intake:evaluation": {"psychosis_history": "false"},
        "intake:rating": {
            "item_1": "0",
            "item_2": "1",
            "item_3": "0",
            "item_4": "0",
            "item_5": "0",
        },
        "intake:decision": {"outcome": "deferred", "note": "Waiting for the discharge letter."},
        "consent:template_create": _DOCUMENT,
        "consent:template_edit": _DOCUMENT,
        "consent:template_approve": {"topics": [t.code for t in CONSENT_TOPICS]},
        "consent:text_preview": {"body": "## Hi"},
        "consent:education_page_create": _DOCUMENT,
        "consent:education_page_edit": _DOCUMENT,
        "consent:education_page_approve": {"topics": [t.code for t in EDUCATION_TOPICS]},
        "consent:patient_sign": {**_SIGN, "template_id": str(objects.approved_template_id)},
        "consent:patient_withdraw": {"reason": "Matrix"},
        "coordination:acknowledge": {"confirm": "on"},
        "coordination:exception": {"reason": "Psychiatrist on long leave until March."},
        "treatment:course": {"form": "schedule", "scheduled_for": _soon()},
        "treatment:action": {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"},
        "treatment:vitals": {k: str(v) for k, v in _VITALS.items()},
        "treatment:rating": {f"item_{n}": "0" for n in range(1, 6)},
        **_MONITORING_PAGES,
        **_ALERTS_PAGES,
    }.get(key, {})


@dataclass
class Outcome:
    status: int
    body: str
    content_type: str
    location: str


def send(client: Client, route: Route, objects: Objects) -> Outcome:
    """Send one request; the client's cookies are restored afterwards (a logout stays local)."""
    saved = {key: morsel.value for key, morsel in client.cookies.items()}
    url = url_of(route, objects)
    body = body_of(route, objects)
    if route.method == "GET":
        response = client.get(url)
    elif route.kind == "api":
        response = client.generic(
            route.method, url, json.dumps(body), content_type="application/json"
        )
    else:
        response = client.post(url, body)
    client.cookies = SimpleCookie()
    for key, value in saved.items():
        client.cookies[key] = value
    return Outcome(
        status=response.status_code,
        body=response.content.decode(errors="replace"),
        content_type=response.get("Content-Type", ""),
        location=response.get("Location", ""),
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone afterwards, standing in for the request's own transaction.

    Marked like the blocks of Django's TestCase, so audit events for denied
    attempts are written at once, as in production's autocommit.
    """
    atomic = transaction.atomic()
    atomic._from_testcase = True  # type: ignore[attr-defined]  # see keel.audit.services
    with atomic:
        yield
        transaction.set_rollback(True)


# ---------------------------------------------------------------- database fingerprint

# Tables a denied request may legitimately touch: its own audit event, the
# caller's session (last activity) and login-failure bookkeeping.
_VOLATILE = {"audit.auditevent", "sessions.session", "axes", "accounts.apitoken", "otp_"}


def _volatile(model: type[models.Model]) -> bool:
    label = model._meta.label_lower
    return any(label == v or label.startswith(v) for v in _VOLATILE)


def fingerprint() -> str:
    """A digest of every row of every table a request could change (the volatile ones aside)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if _volatile(model) or model._meta.proxy or not model._meta.managed:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - model table names
            digest.update(table.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()
