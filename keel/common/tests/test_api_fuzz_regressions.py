"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/coordination/patients/{id}/letters"),
        ("POST", "/api/v1/patients"),
    ],
)
def test_multipart_without_boundary_is_400_not_500(world: World, method: str, path: str) -> None:
    """Found by schemathesis: a session request with ``Content-Type: multipart/form-data``
    and no boundary crashed while the CSRF check read the form (500)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["nurse_x"])
    client.cookies["csrftoken"] = "a" * 32  # the check then reads the form for the token
    url = path.format(id=world.patient_a.pk)
    response = client.generic(method, url, b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json() == {"detail": "Malformed request body."}


def test_every_operation_documents_the_401_it_gives_anonymous_callers() -> None:
    """Found by schemathesis (ST103): ``GET /api/v1/ping`` answered an anonymous caller 401
    without documenting it. Every operation of the API requires authentication, so every
    operation must declare 401 in the OpenAPI document."""
    schema = Client().get("/api/v1/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "401" not in operation["responses"]
    ]
    assert missing == []
    assert Client().get("/api/v1/ping").status_code == 401


def _schema_classes(base: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_schema_classes(sub))
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    """Found by schemathesis (ST108): the coordination and the portal invitation answers
    were both called ``InvitationOut``; the OpenAPI document keeps one component per name,
    so the psychiatrist invitation was documented with the portal's fields (the session
    rating and the check-in rating shared ``RatingOut`` the same way)."""
    from ninja import Schema

    Client().get("/api/v1/openapi.json")  # every router (and its schemas) is imported
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith(("keel.", "config.")) and not cls.__name__.startswith("_"):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert shared == {}


def test_the_psychiatrist_invitation_is_documented_with_its_own_fields() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/coordination/patients/{patient_id}/invitation"]["post"]
    ref = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert sorted(component["required"]) == ["email", "expires_at", "id"]
