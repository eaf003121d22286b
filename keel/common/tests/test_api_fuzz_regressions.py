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
