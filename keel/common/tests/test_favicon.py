"""/favicon.ico answers with Keel's own icon, signed in or not (issue 18 §4)."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import World

pytestmark = pytest.mark.django_db


def test_favicon_is_keels_own_svg_for_everyone(world: World) -> None:
    for client in (Client(), world.client("nurse_x"), world.client("patient_a")):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        body = response.content.decode()
        assert body.startswith("<svg") and "<title>Keel</title>" in body
        assert "<script" not in body and "href" not in body  # nothing to run, nothing fetched


def test_pages_link_the_icon(world: World) -> None:
    for client, path in ((world.client("nurse_x"), "/"), (world.client("patient_a"), "/portal/")):
        html = client.get(path, follow=True).content.decode()
        assert 'rel="icon" href="/static/keel/favicon.svg"' in html
