"""Role x route over every consent route, with the expected status as data.

Clinic X: consent form v1 (retired), v2 (approved), v3 (draft); education page
v1 (approved), v2 (draft). Patient A signed v1, so signing v2 and withdrawing
both succeed for a role that may do them. Routes that create a version first
remove the open draft (a clinic writes one version at a time). A 2xx where the
table says deny is a leak; a denied write must change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditEvent, AuditOutcome
from keel.consent.models import Consent, ConsentTemplate, DocumentStatus, EducationPage
from keel.consent.tests.factories import (
    ALL_CONSENT_TOPICS,
    ALL_EDUCATION_TOPICS,
    ConsentFactory,
    ConsentTemplateFactory,
    EducationPageFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "physician_x",
    "nurse_x",
    "front_desk_x",
    "clinic_admin_x",
    "nurse_y",
    "psychiatrist_a",
    "psychiatrist_other",
    "patient_a",
)


@dataclass
class State:
    patient_id: int
    consent_id: int
    signable_id: int
    template_draft_id: int
    page_draft_id: int


@pytest.fixture
def state(world: World) -> State:
    # Factories, not services: the state is the same and the 270 cases stay fast.
    clinic = world.clinic_x
    v1 = ConsentTemplateFactory(clinic=clinic, version=1, status=DocumentStatus.RETIRED)
    consent = ConsentFactory(patient=world.patient_a, template=v1)
    v2 = ConsentTemplateFactory(clinic=clinic, version=2, title="v2")
    v3 = ConsentTemplateFactory(clinic=clinic, version=3, title="v3", status=DocumentStatus.DRAFT)
    EducationPageFactory(clinic=clinic, version=1)
    page_draft = EducationPageFactory(
        clinic=clinic, version=2, title="Education v2", status=DocumentStatus.DRAFT
    )
    return State(world.patient_a.pk, consent.pk, v2.pk, v3.pk, page_draft.pk)


def _drop_open_drafts(state: State) -> None:
    ConsentTemplate.objects.filter(status=DocumentStatus.DRAFT).delete()
    EducationPage.objects.filter(status=DocumentStatus.DRAFT).delete()


DOCUMENT = {"title": "Matrix title", "body": "Matrix body.", "send": "1"}
SIGN = {
    "signed_name": "Ainsley Zephyrine",
    "confirmed": True,
    "staff_attested": True,
}


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    method: str
    url: Callable[[State], str]
    data: Callable[[State], dict[str, object]] = field(default=lambda s: {})
    arrange: Callable[[State], None] | None = None
    writes: bool = False


def _page(name: str, attr: str | None = None) -> Callable[[State], str]:
    return lambda s: reverse(f"consent:{name}", args=[getattr(s, attr)] if attr else [])


def _all_topics(codes: list[str]) -> Callable[[State], dict[str, object]]:
    return lambda s: {"topics": codes}


ROUTES: dict[str, Route] = {
    # Consent form versions.
    "template_list": Route("page", "GET", _page("template_list")),
    "template_create_form": Route(
        "page", "GET", _page("template_create"), arrange=_drop_open_drafts
    ),
    "template_create": Route(
        "page",
        "POST",
        _page("template_create"),
        lambda s: DOCUMENT,
        arrange=_drop_open_drafts,
        writes=True,
    ),
    "template_detail": Route("page", "GET", _page("template_detail", "template_draft_id")),
    "template_edit_form": Route("page", "GET", _page("template_edit", "template_draft_id")),
    "template_edit": Route(
        "page",
        "POST",
        _page("template_edit", "template_draft_id"),
        lambda s: DOCUMENT,
        writes=True,
    ),
    "template_submit": Route(
        "page", "POST", _page("template_submit", "template_draft_id"), writes=True
    ),
    "template_approve": Route(
        "page",
        "POST",
        _page("template_approve", "template_draft_id"),
        _all_topics(ALL_CONSENT_TOPICS),
        writes=True,
    ),
    "template_pdf": Route("page", "GET", _page("template_pdf", "template_draft_id")),
    "text_preview": Route("page", "POST", _page("text_preview"), lambda s: {"body": "## Hi"}),
    # Education page versions.
    "education_page_list": Route("page", "GET", _page("education_page_list")),
    "education_page_create_form": Route(
        "page", "GET", _page("education_page_create"), arrange=_drop_open_drafts
    ),
    "education_page_create": Route(
        "page",
        "POST",
        _page("education_page_create"),
        lambda s: DOCUMENT,
        arrange=_drop_open_drafts,
        writes=True,
    ),
    "education_page_detail": Route("page", "GET", _page("education_page_detail", "page_draft_id")),
    "education_page_edit_form": Route("page", "GET", _page("education_page_edit", "page_draft_id")),
    "education_page_edit": Route(
        "page",
        "POST",
        _page("education_page_edit", "page_draft_id"),
        lambda s: DOCUMENT,
        writes=True,
    ),
    "education_page_submit": Route(
        "page", "POST", _page("education_page_submit", "page_draft_id"), writes=True
    ),
    "education_page_approve": Route(
        "page",
        "POST",
        _page("education_page_approve", "page_draft_id"),
        _all_topics(ALL_EDUCATION_TOPICS),
        writes=True,
    ),
    # The approved education page, for readers.
    "education": Route("page", "GET", _page("education")),
    # A patient's consent.
    "patient": Route("page", "GET", _page("patient", "patient_id")),
    "patient_sign": Route(
        "page",
        "POST",
        _page("patient_sign", "patient_id"),
        lambda s: {**SIGN, "template_id": s.signable_id},
        writes=True,
    ),
    "patient_withdraw": Route(
        "page",
        "POST",
        _page("patient_withdraw", "patient_id"),
        lambda s: {"reason": "Matrix"},
        writes=True,
    ),
    "consent_pdf": Route("page", "GET", _page("consent_pdf", "consent_id")),
    # The API.
    "api_template_list": Route("api", "GET", lambda s: "/api/v1/consent/templates"),
    "api_template_approve": Route(
        "api",
        "POST",
        lambda s: f"/api/v1/consent/templates/{s.template_draft_id}/approve",
        _all_topics(ALL_CONSENT_TOPICS),
        writes=True,
    ),
    "api_status": Route("api", "GET", lambda s: f"/api/v1/consent/patients/{s.patient_id}"),
    "api_sign": Route(
        "api",
        "POST",
        lambda s: f"/api/v1/consent/patients/{s.patient_id}/sign",
        lambda s: {**SIGN, "template_id": s.signable_id},
        writes=True,
    ),
    "api_withdraw": Route(
        "api",
        "POST",
        lambda s: f"/api/v1/consent/patients/{s.patient_id}/withdraw",
        lambda s: {"reason": "Matrix"},
        writes=True,
    ),
    "api_pdf": Route("api", "GET", lambda s: f"/api/v1/consent/consents/{s.consent_id}/pdf"),
}

DOCUMENT_ROUTES = {
    name
    for name in ROUTES
    if name.startswith(("template", "education_page", "text_preview", "api_template"))
}
PATIENT_ROUTES = {
    "patient",
    "patient_sign",
    "patient_withdraw",
    "consent_pdf",
    "api_status",
    "api_sign",
    "api_withdraw",
    "api_pdf",
}
# Collections answer 403 to a role without the permission; objects answer 404.
COLLECTIONS = {
    "template_list",
    "template_create_form",
    "template_create",
    "text_preview",
    "education_page_list",
    "education_page_create_form",
    "education_page_create",
    "api_template_list",
}

DOCUMENTS_ALLOWED = {
    "template_list": 200,
    "template_create_form": 200,
    "template_create": 302,
    "template_detail": 200,
    "template_edit_form": 200,
    "template_edit": 302,
    "template_submit": 302,
    "template_approve": 302,
    "template_pdf": 200,
    "text_preview": 200,
    "education_page_list": 200,
    "education_page_create_form": 200,
    "education_page_create": 302,
    "education_page_detail": 200,
    "education_page_edit_form": 200,
    "education_page_edit": 302,
    "education_page_submit": 302,
    "education_page_approve": 302,
    "api_template_list": 200,
    "api_template_approve": 200,
}
DOCUMENTS_DENIED = {name: 403 if name in COLLECTIONS else 404 for name in DOCUMENT_ROUTES}
PATIENT_WRITER = {
    "patient": 200,
    "patient_sign": 302,
    "patient_withdraw": 302,
    "consent_pdf": 200,
    "api_status": 200,
    "api_sign": 201,
    "api_withdraw": 200,
    "api_pdf": 200,
}
PATIENT_READER = {
    **PATIENT_WRITER,
    "patient_sign": 404,
    "patient_withdraw": 404,
    "api_sign": 404,
    "api_withdraw": 404,
}
PATIENT_DENIED = dict.fromkeys(PATIENT_ROUTES, 404)


def _expect(documents: dict[str, int], patients: dict[str, int], education: int) -> dict[str, int]:
    return {**documents, **patients, "education": education}


EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": {name: (401 if r.kind == "api" else 302) for name, r in ROUTES.items()},
    "physician_x": _expect(DOCUMENTS_DENIED, PATIENT_WRITER, 200),
    "nurse_x": _expect(DOCUMENTS_DENIED, PATIENT_WRITER, 200),
    "front_desk_x": _expect(DOCUMENTS_DENIED, PATIENT_READER, 200),
    "clinic_admin_x": _expect(DOCUMENTS_ALLOWED, PATIENT_DENIED, 200),
    "nurse_y": _expect(DOCUMENTS_DENIED, PATIENT_DENIED, 200),
    "psychiatrist_a": _expect(DOCUMENTS_DENIED, PATIENT_READER, 404),
    "psychiatrist_other": _expect(DOCUMENTS_DENIED, PATIENT_DENIED, 404),
    "patient_a": _expect(DOCUMENTS_DENIED, PATIENT_DENIED, 200),
}


def test_the_matrix_covers_every_route_for_every_role() -> None:
    from keel.consent import urls

    page_names = {p.name for p in urls.urlpatterns}
    covered = {name.removesuffix("_form") for name, r in ROUTES.items() if r.kind == "page"}
    assert page_names == covered
    for role in ROLES:
        assert set(EXPECTED[role]) == set(ROUTES), role


def _send(client: Client, route: Route, state: State) -> tuple[int, str]:
    url = route.url(state)
    data = route.data(state)
    if route.method == "GET":
        response = client.get(url)
    elif route.kind == "api":
        response = client.post(url, json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data)
    return response.status_code, response.content.decode(errors="replace")


def _snapshot() -> tuple[object, ...]:
    return (
        list(
            ConsentTemplate.objects.order_by("pk").values_list(
                "pk", "status", "title", "updated_at"
            )
        ),
        list(
            EducationPage.objects.order_by("pk").values_list("pk", "status", "title", "updated_at")
        ),
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at", "updated_at")),
    )


@pytest.mark.parametrize("route_name", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_consent_route_outcome_matches_the_matrix(
    world: World, state: State, role: str, route_name: str
) -> None:
    """Each role gets exactly the declared status; a denial leaks nothing and writes nothing."""
    route = ROUTES[route_name]
    if route.arrange is not None:
        route.arrange(state)
    expected = EXPECTED[role][route_name]
    before = _snapshot()

    status, body = _send(world.client(role), route, state)

    assert status == expected, f"{role} {route.method} {route_name}: {status} != {expected}"
    if expected >= 400 or role == "anonymous":
        assert world.patient_a.family_name not in body
        assert _snapshot() == before
    elif route.writes:
        assert _snapshot() != before


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r != "anonymous" and EXPECTED[r]["api_status"] == 404]
)
def test_denied_consent_reads_are_audited_as_denied(world: World, state: State, role: str) -> None:
    """Every refused consent read leaves a denied audit event of type "consent"."""
    world.client(role).get(f"/api/v1/consent/patients/{state.patient_id}")
    event = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, object_type="consent").get()
    assert event.actor_username == world.users[role].username


def test_another_clinics_admin_cannot_reach_clinic_x_documents(world: World, state: State) -> None:
    """A clinic admin elsewhere gets 404 for clinic X's versions, exactly like a missing one."""
    from keel.accounts.roles import Role
    from keel.accounts.tests.factories import staff_member

    staff_member(clinic=world.clinic_y, role=Role.CLINIC_ADMIN, username="clinic_admin_y")
    from keel.accounts.tests.mfa_support import mark_session_verified

    admin_y = world.users["nurse_y"].__class__.objects.get(username="clinic_admin_y")
    client = Client()
    client.force_login(admin_y)
    mark_session_verified(client, admin_y)  # clinic admins sign in with a second factor
    detail = client.get(reverse("consent:template_detail", args=[state.template_draft_id]))
    missing = client.get(reverse("consent:template_detail", args=[987654321]))
    assert detail.status_code == missing.status_code == 404
    approve = client.post(
        reverse("consent:template_approve", args=[state.template_draft_id]),
        {"topics": ALL_CONSENT_TOPICS},
    )
    assert approve.status_code == 404
    assert client.get(reverse("consent:template_list")).status_code == 200
    # Clinic Y has no versions: none of clinic X's shows up (a bare "v3" could also match a
    # random CSRF token, so check the page's own empty-state sentence).
    assert "No versions yet" in client.get(reverse("consent:template_list")).content.decode()
