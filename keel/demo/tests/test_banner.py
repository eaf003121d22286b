"""The startup banner lists every demo login, the patients' portal logins too (issue 18 §4)."""

from __future__ import annotations

import io

from django.core.management import call_command

from keel.demo import data


def test_the_banner_lists_staff_psychiatrist_and_patient_logins() -> None:
    out = io.StringIO()
    call_command("demo_banner", "--url", "http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text and data.DEMO_PASSWORD in text
    for person in data.STAFF:
        assert f"  {person.username} " in text
    assert f"  {data.PSYCHIATRIST_USERNAME} " in text
    assert data.PORTAL_LOGINS  # the demo has patients with a portal login
    for name in data.PORTAL_LOGINS:
        assert f"  {data.portal_username(name)} " in text and "(patient)" in text
