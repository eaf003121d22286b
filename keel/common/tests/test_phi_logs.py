"""No patient name, birth date or MRN in the application log (OWASP ASVS 7.1.1).

The demo clinic is loaded and every demo login signs in for real (password,
then the published TOTP code where the role needs it); each then opens every
page and API read for a sample of patients, searches by name, asks for missing
records, sends invalid input and, twice, meets an unexpected error whose
message quotes a patient. The configured log handler (at DEBUG) must hold none
of the demo patients' identifying values. The browser run does the same check
on its whole log (scripts/check_phi_in_logs.py).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api
from keel.common.log_redaction import WITHHELD, RedactingFormatter
from keel.demo import data as demo
from keel.demo.phi import demo_phi_values, phi_found
from keel.demo.services import demo_load
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
LOGINS = [person.username for person in demo.STAFF] + [demo.PSYCHIATRIST_USERNAME]
SAMPLE = ("Alex", "Drew", "Emery", "Harper")  # cleared, awaiting decision, other psychiatrist
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_API_PARAM = re.compile(r"\{(\w+)\}")


def _page_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith("api/"):
                yield from _page_routes(list(pattern.url_patterns), route)
        elif "logout" not in route:
            yield "/" + route


def _fill(route: str, patient_id: int, pattern: re.Pattern[str]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(patient_id) if match.group(match.lastindex or 0) == "patient_id" else "1"

    return pattern.sub(value, route)


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    """Point Keel's configured log handlers at a buffer, everything at DEBUG."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h.formatter, RedactingFormatter)]
    assert handlers, "LOGGING must use keel.common.log_redaction.RedactingFormatter"
    buffer = io.StringIO()
    streams = [(h, h.setStream(buffer)) for h in handlers if isinstance(h, logging.StreamHandler)]
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream)


def _sign_in(username: str) -> Client:
    """Password, then the published demo TOTP code where the role needs a second factor."""
    from keel.accounts.tests.mfa_support import totp_code

    client = Client(raise_request_exception=False)
    response = client.post(
        "/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    if client.get("/").status_code == 302:
        verified = client.post(
            "/accounts/mfa/verify/", {"method": "totp", "code": totp_code(demo.DEMO_TOTP_SECRET)}
        )
        assert verified.status_code == 302, username
    assert client.get("/api/v1/patients").status_code in {200, 403, 404}, username
    return client


def test_no_patient_data_reaches_the_log(
    log_buffer: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_load(histories=False)
    patients = {p.given_name: p for p in Patient.objects.all()}
    values = demo_phi_values(p.mrn for p in patients.values())
    pages = sorted(set(_page_routes(list(get_resolver().url_patterns))))
    reads = sorted(path for path, ops in api.get_openapi_schema()["paths"].items() if "get" in ops)

    for username in LOGINS:
        with time_machine.travel(T0, tick=True):  # a fresh session clock for each login
            _browse(_sign_in(username), patients, pages, reads)

    # An unexpected error whose message quotes a patient, on a page and in the API.
    alex = patients["Alex"]

    def explode(**_: object) -> None:
        raise RuntimeError(f"{alex.given_name} {alex.family_name} {alex.mrn} {alex.birth_date}")

    monkeypatch.setattr("keel.patients.api.access_patient", explode)
    monkeypatch.setattr("keel.patients.views.access_patient", explode)
    with time_machine.travel(T0, tick=True):
        nurse = _sign_in("dana")
        assert nurse.get(f"/api/v1/patients/{alex.pk}").status_code == 500
        assert nurse.get(f"/patients/{alex.pk}/").status_code == 500

    log = log_buffer.getvalue()
    assert "Not Found: /patients/99999999/" in log  # the log was captured at all
    assert "Unhandled API error on GET" in log and f"RuntimeError: {WITHHELD}" in log
    assert "Internal Server Error" in log
    assert phi_found(log, values) == []


def _browse(
    client: Client, patients: dict[str, Patient], pages: list[str], reads: list[str]
) -> None:
    """Every page and API read for the sample, every record, a name search, errors."""
    for name in SAMPLE:
        pid = patients[name].pk
        for route in pages:
            client.get(_fill(route, pid, _CONVERTER))
        for path in reads:
            client.get(_fill(path, pid, _API_PARAM))
    for patient in patients.values():
        client.get(f"/patients/{patient.pk}/")
        client.get(f"/api/v1/patients/{patient.pk}")
    client.get("/patients/", {"q": "Marlow"})
    client.get("/api/v1/patients", {"q": patients["Alex"].mrn})
    client.get("/patients/99999999/")
    client.get("/api/v1/patients/99999999")
    client.patch(
        f"/api/v1/patients/{patients['Alex'].pk}",
        {"birth_date": "Marlow", "given_name": "x" * 500},
        content_type="application/json",
    )
    client.post("/api/v1/patients", "{not json Tennant", content_type="application/json")
