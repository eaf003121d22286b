"""Helpers for the monitoring tests: the shared FHIR example files, portal posts, a text pack."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.accounts.models import Clinic
from keel.accounts.selectors import Actor
from keel.monitoring.models import TextPack
from keel.monitoring.services import text_pack_install

#: ../shared/fhir-examples next to the repository (never copied into it).
FHIR_EXAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fhir-examples"
US_CORE_PHQ9 = "us-core__Questionnaire-phq-9-example.json"
LFORMS_PHQ9 = "lforms-fhir-app__phq9.json"
SDC_PHQ9 = "sdc__questionnaire-sdc-profile-example-PHQ9.json"
RESEARCHKIT_GAD7 = "researchkitonfhir__GAD-7.json"


def fhir_example(name: str) -> dict[str, Any]:
    """One of the shared FHIR example files, parsed; the test is skipped when it is absent."""
    path = FHIR_EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"shared FHIR example {name} not found at {FHIR_EXAMPLES.resolve()}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def install_phq9_pack(actor: Actor, clinic: Clinic) -> TextPack:
    """Install the US Core PHQ-9 Questionnaire as the clinic's PHQ-9 text pack."""
    return text_pack_install(
        actor=actor,
        clinic=clinic,
        questionnaire=fhir_example(US_CORE_PHQ9),
        source="HL7 US Core PHQ-9 example (LOINC content)",
    )


def form_key(html: str) -> str:
    """The idempotency key a rendered portal form carries."""
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None, "the form carries no idempotency key"
    return found.group(1)


DIARY_OK = {
    "mood": "1",
    "sleep_hours": "7.5",
    "felt_less_need_for_sleep": "no",
    "irritability": "0",
    "energy": "0",
    "medication_taken_as_prescribed": "yes",
}


def post_diary(client: Client, key: str = "diary-key-1", **changes: str) -> Any:
    return client.post(reverse("portal:diary"), {**DIARY_OK, "idempotency_key": key, **changes})


def post_phq9(client: Client, answers: list[int], key: str = "phq9-key-1") -> Any:
    data = {"instrument": "phq9", "idempotency_key": key}
    data.update({f"item_{n}": str(v) for n, v in enumerate(answers, start=1)})
    return client.post(reverse("portal:scale"), data)
