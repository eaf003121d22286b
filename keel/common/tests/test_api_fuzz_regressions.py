"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest
from django.test import Client
from pydantic import AwareDatetime, BaseModel, ValidationError

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


def _input_models() -> list[type[BaseModel]]:
    """Every pydantic model an API operation reads its input with, nested ones included."""
    import config.urls  # noqa: F401 - mounts the routers
    from config.api import api

    found: dict[str, type[BaseModel]] = {}

    def walk(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            key = f"{annotation.__module__}.{annotation.__qualname__}"
            if key in found:
                return
            found[key] = annotation
            for field in annotation.model_fields.values():
                walk(field.annotation)
        for arg in get_args(annotation):
            walk(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for field in model.model_fields.values():
                        walk(field.annotation)
    return list(found.values())


def _is_date_type(annotation: object) -> bool:
    return _is_type(annotation, dt.date) or _is_type(annotation, dt.datetime)


def _date_fields() -> list[tuple[type[BaseModel], str]]:
    return [
        (model, field.alias or name)
        for model in _input_models()
        for name, field in model.model_fields.items()
        if _is_date_type(field.annotation)
    ]


def test_the_walk_finds_the_date_inputs() -> None:
    """The check below is only as good as the walk: it must reach body and query models."""
    names = {f"{model.__name__}.{field}" for model, field in _date_fields()}
    assert {"PatientCreateIn.birth_date", "AssignmentIn.start_date"} <= names
    assert len(names) >= 15


@pytest.mark.parametrize("value", [0, "0", 1700000000, "1700000000", 1.5, True])
def test_no_date_input_takes_a_number(value: object) -> None:
    """Found by schemathesis (ST201): ``POST .../assignments`` with ``"start_date": 0``
    stored 1970-01-01 (pydantic's lax mode reads numbers, and numeric strings, as Unix
    times). Every date and date-time the API reads must be written out, so a number is
    refused with an error on that field."""
    accepted = []
    for model, field in _date_fields():
        try:
            model.model_validate({field: value})
        except ValidationError as exc:
            if any(error["loc"][:1] == (field,) for error in exc.errors()):
                continue
        accepted.append(f"{model.__name__}.{field}")
    assert accepted == []


def _field_errors(model: type[BaseModel], field: str, value: object) -> list[str]:
    try:
        model.model_validate({field: value})
    except ValidationError as exc:
        return [str(e["msg"]) for e in exc.errors() if e["loc"][:1] == (field,)]
    return []


def test_dates_and_date_times_written_out_are_read() -> None:
    """The refusals above do not refuse the right form: YYYY-MM-DD for a date, an ISO 8601
    date-time with a UTC offset for a date-time."""
    for model, field in _date_fields():
        annotation = model.model_fields[_name(model, field)].annotation
        value = "2026-12-07T09:30:00+01:00" if _is_type(annotation, dt.datetime) else "2026-12-07"
        assert _field_errors(model, field, value) == [], f"{model.__name__}.{field}"


def test_date_times_need_a_utc_offset() -> None:
    """A date-time without an offset would be read in the server's time zone: refused."""
    fields = [
        (model, field)
        for model, field in _date_fields()
        if _is_type(model.model_fields[_name(model, field)].annotation, dt.datetime)
    ]
    assert len(fields) >= 4
    accepted = [
        f"{model.__name__}.{field}"
        for model, field in fields
        if not _field_errors(model, field, "2026-12-07T09:30:00")
    ]
    assert accepted == []


def _name(model: type[BaseModel], alias: str) -> str:
    return next(n for n, f in model.model_fields.items() if (f.alias or n) == alias)


def _is_type(annotation: object, target: type) -> bool:
    # pydantic's AwareDatetime is a class of its own at run time, not an alias of datetime.
    same = annotation is target or (target is dt.datetime and annotation is AwareDatetime)
    return same or any(_is_type(arg, target) for arg in get_args(annotation))


def test_a_number_for_a_start_date_is_refused_and_nothing_is_stored(world: World) -> None:
    """The request schemathesis found, end to end: 422 naming ``start_date``, no assignment."""
    from keel.monitoring.models import Assignment

    url = f"/api/v1/monitoring/patients/{world.patient_a.pk}/assignments"
    for start in (0, "0", "1700000000"):
        response = world.client("nurse_x").post(
            url,
            {"instrument_id": "asrm", "frequency": "daily", "start_date": start},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["start_date"]
    assert not Assignment.objects.filter(patient=world.patient_a).exists()


def test_a_parameter_given_twice_is_refused_unless_it_takes_a_list(world: World) -> None:
    """Found by schemathesis (ST201): ``?patient_id=1&patient_id=2`` was answered with the
    last value, silently. A parameter that takes one value, given twice, is now a 422 that
    names it; a list parameter (``status``) still takes every value."""
    nurse = world.client("nurse_x")
    twice = nurse.get(f"/api/v1/alerts?patient_id={world.patient_a.pk}&patient_id=2")
    assert twice.status_code == 422
    assert list(twice.json()["errors"]) == ["patient_id"]
    category = nurse.get("/api/v1/alerts?category=suicidality&category=mood_elevation")
    assert (category.status_code, list(category.json()["errors"])) == (422, ["category"])
    assert nurse.get("/api/v1/alerts?status=open&status=resolved").status_code == 200
    assert nurse.get(f"/api/v1/alerts?patient_id={world.patient_a.pk}").status_code == 200
