"""Text packs: FHIR Questionnaires from ../shared/fhir-examples, checked against the instrument."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditEvent
from keel.clinical.instruments import INSTRUMENTS
from keel.common.exceptions import ValidationFailed
from keel.monitoring.models import TextPack, TextPackStatus
from keel.monitoring.services import assignment_create, text_pack_install
from keel.monitoring.tests.helpers import (
    LFORMS_PHQ9,
    RESEARCHKIT_GAD7,
    SDC_PHQ9,
    US_CORE_PHQ9,
    fhir_example,
    install_phq9_pack,
)
from keel.monitoring.textpacks import parse_questionnaire

PHQ9 = INSTRUMENTS["phq9"]


def _problems(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return " ".join(m for msgs in exc.value.errors.values() for m in msgs)


@pytest.mark.parametrize("name", [US_CORE_PHQ9, LFORMS_PHQ9])
def test_loinc_coded_phq9_files_import_by_item_code(name: str) -> None:
    pack = parse_questionnaire(fhir_example(name))
    assert pack.instrument_id == "phq9"
    assert pack.matched_by == "LOINC item code"
    assert [i.number for i in pack.items] == list(range(1, 10))
    source = fhir_example(name)
    by_code = {item["code"][0]["code"]: item for item in source["item"] if item.get("code")}
    for item, keel_item in zip(pack.items, PHQ9.items, strict=True):
        assert keel_item.loinc is not None
        assert item.text == by_code[keel_item.loinc]["text"]
        assert [v for v, _text in item.answers] == [0, 1, 2, 3]
    # The total (44261-6) and the difficulty question (69722-7) are not items of the scale.
    assert {i.link_id for i in pack.items}.isdisjoint({"/44261-6", "/69722-7"})


def test_lforms_extensions_that_break_fhir_types_are_left_out_with_a_note() -> None:
    pack = parse_questionnaire(fhir_example(LFORMS_PHQ9))
    assert pack.warnings
    assert all(w.startswith("Left out an invalid extension") for w in pack.warnings)


def test_sdc_phq9_without_item_codes_imports_by_numbered_link_id() -> None:
    data = fhir_example(SDC_PHQ9)
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(data)  # no LOINC panel code: the admin must say which scale
    assert "instrument_id" in info.value.errors
    pack = parse_questionnaire(data, instrument_id="phq9")
    assert pack.matched_by == "linkId with the item number"
    assert [i.link_id for i in pack.items] == [f"H1/T1/Q{n}" for n in range(1, 10)]
    assert pack.intro  # the group's instruction
    assert [v for v, _t in pack.items[8].answers] == [0, 1, 2, 3]


def test_gad7_without_codes_fails_with_a_clear_message() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(fhir_example(RESEARCHKIT_GAD7), instrument_id="gad7")
    message = _problems(info)
    assert "could not tell which question is which GAD-7" in message
    assert "7 items" in message and "7 answerable questions" in message
    assert "LOINC item code" in message and "item number" in message


def test_a_questionnaire_coded_for_another_scale_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(fhir_example(US_CORE_PHQ9), instrument_id="gad7")
    assert "coded as PHQ-9" in info.value.errors["instrument_id"][0]


def _us_core() -> dict[str, Any]:
    return copy.deepcopy(fhir_example(US_CORE_PHQ9))


def test_answer_scores_must_match_the_item(world: World) -> None:
    data = _us_core()
    data["item"][2]["answerOption"] = data["item"][2]["answerOption"][:3]
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(data)
    message = _problems(info)
    assert "Item 3" in message and "0, 1, 2" in message and "0-3" in message


def test_an_answer_without_a_score_is_named() -> None:
    data = _us_core()
    option = data["item"][0]["answerOption"][1]
    option["extension"] = []
    option["valueCoding"] = {"system": "http://example.org", "code": "x", "display": "Some days"}
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(data)
    assert "'Some days' has no score" in _problems(info)


def test_loinc_answer_codes_score_without_the_extension() -> None:
    data = _us_core()
    for item in data["item"]:
        for option in item.get("answerOption", []):
            option.pop("extension", None)
    data["item"] = [i for i in data["item"] if i["linkId"] != "/69722-7"]
    pack = parse_questionnaire(data)
    assert [v for v, _t in pack.items[0].answers] == [0, 1, 2, 3]


def test_items_out_of_order_are_refused() -> None:
    data = _us_core()
    data["item"][0], data["item"][1] = data["item"][1], data["item"][0]
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(data)
    assert "not in the order" in _problems(info)


def test_a_missing_item_is_named() -> None:
    data = _us_core()
    data["item"] = [i for i in data["item"] if i["linkId"] != "/44260-8"]
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire(data)
    assert "Item 9 (thoughts of self-harm) is missing" in _problems(info)


def test_not_a_questionnaire_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire({"resourceType": "Patient"})
    assert "not a FHIR Questionnaire" in _problems(info)
    with pytest.raises(ValidationFailed) as info:
        parse_questionnaire({"resourceType": "Questionnaire", "status": "active", "item": 3})
    assert "Not a valid FHIR R4 Questionnaire" in _problems(info)


@pytest.mark.django_db
def test_installing_a_new_pack_retires_the_old_one(world: World) -> None:
    admin = world.actor("clinic_admin_x")
    first = install_phq9_pack(admin, world.clinic_x)
    assert (first.language, first.status) == ("en-US", TextPackStatus.ACTIVE)
    second = text_pack_install(
        actor=admin,
        clinic=world.clinic_x,
        questionnaire=fhir_example(LFORMS_PHQ9),
        source="NLM LHC-Forms PHQ-9",
    )
    first.refresh_from_db()
    assert first.status == TextPackStatus.RETIRED
    assert second.status == TextPackStatus.ACTIVE
    assert second.questionnaire == fhir_example(LFORMS_PHQ9)  # stored as given
    assert "LOINC" in second.licence_note or second.licence_note == ""
    assert TextPack.objects.filter(status="active").count() == 1
    events = AuditEvent.objects.filter(object_type="text_pack", action="create")
    assert events.count() == 2
    assert events.last().detail["retired"] == [first.pk]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_upload_page_for_clinic_admins(world: World) -> None:
    admin = world.client("clinic_admin_x")
    page = reverse("monitoring:text_packs")
    assert admin.get(page).status_code == 200
    upload = io.BytesIO((__import__("json").dumps(fhir_example(SDC_PHQ9))).encode())
    upload.name = "phq9.json"
    response = admin.post(
        page,
        {"questionnaire_file": upload, "instrument_id": "phq9", "source": "HL7 SDC example"},
    )
    assert response.status_code == 302
    assert TextPack.objects.get().instrument_id == "phq9"
    gad = io.BytesIO(__import__("json").dumps(fhir_example(RESEARCHKIT_GAD7)).encode())
    gad.name = "gad7.json"
    refused = admin.post(
        page, {"questionnaire_file": gad, "instrument_id": "gad7", "source": "ResearchKit"}
    )
    assert refused.status_code == 422
    assert "could not tell which question is which" in refused.content.decode()
    not_json = io.BytesIO(b"not json")
    not_json.name = "x.json"
    bad = admin.post(page, {"questionnaire_file": not_json, "source": "x"})
    assert bad.status_code == 422
    assert world.client("nurse_x").get(page).status_code == 403
    assert TextPack.objects.count() == 1


@pytest.mark.django_db
@override_settings(KEEL_DEMO=False)
def test_deploy_check_lists_scheduled_scales_without_a_pack(world: World) -> None:
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="phq9",
        frequency="weekly",
    )
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="diary",
        frequency="daily",
    )
    from keel.monitoring.checks import check_text_packs

    messages = check_text_packs()
    assert [m.id for m in messages] == ["keel.W010"]
    assert "Clinic X" in messages[0].msg and "phq9" in messages[0].msg
    assert "diary" not in messages[0].msg
    with pytest.raises(SystemCheckError):
        call_command(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    install_phq9_pack(world.actor("clinic_admin_x"), world.clinic_x)
    assert check_text_packs() == []


@pytest.mark.django_db
def test_deploy_check_is_quiet_in_the_demo(world: World) -> None:
    from keel.monitoring.checks import check_text_packs

    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="phq9",
        frequency="weekly",
    )
    assert check_text_packs() == []
