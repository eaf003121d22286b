"""/api/v1/patients: thin adapters over the gates and services."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import PatientPerm
from keel.audit.models import AuditAction
from keel.common.schemas import ErrorOut
from keel.patients.models import Patient
from keel.patients.permissions import access_patient, access_patient_list
from keel.patients.schemas import (
    PatientCreateIn,
    PatientListOut,
    PatientOut,
    PatientUpdateIn,
)
from keel.patients.services import patient_create, patient_update

router = Router()

MAX_ID = 2**63 - 1
PatientId = Annotated[int, Path(ge=1, le=MAX_ID)]

ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class PatientListQuery(Schema):
    """Search and paging for the patient list."""

    q: str = Field("", max_length=100, description="Name or MRN")
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=100)


@router.get("", response={200: PatientListOut, **ERRORS}, operation_id="patient_list")
def patient_list_api(request: HttpRequest, filters: Query[PatientListQuery]) -> PatientListOut:
    """List the patients you may see (one page)."""
    page = access_patient_list(
        actor=_actor(request), query=filters.q, offset=filters.offset, limit=filters.limit
    )
    return PatientListOut(
        count=page.count,
        offset=page.offset,
        limit=page.limit,
        items=[PatientOut.model_validate(p, from_attributes=True) for p in page.items],
    )


@router.post("", response={201: PatientOut, **ERRORS}, operation_id="patient_create")
def patient_create_api(request: HttpRequest, payload: PatientCreateIn) -> Status[Patient]:
    """Register a patient in your active clinic."""
    patient = patient_create(actor=_actor(request), fields=payload.model_dump())
    return Status(201, patient)


@router.get("/{patient_id}", response={200: PatientOut, **ERRORS}, operation_id="patient_get")
def patient_get_api(request: HttpRequest, patient_id: PatientId) -> Patient:
    """One patient's record."""
    return access_patient(actor=_actor(request), patient_id=patient_id)


@router.patch("/{patient_id}", response={200: PatientOut, **ERRORS}, operation_id="patient_update")
def patient_update_api(
    request: HttpRequest, patient_id: PatientId, payload: PatientUpdateIn
) -> Patient:
    """Change some of a patient's demographics and contacts."""
    actor = _actor(request)
    patient = access_patient(
        actor=actor,
        patient_id=patient_id,
        need=PatientPerm.EDIT_DEMOGRAPHICS,
        action=AuditAction.UPDATE,
    )
    return patient_update(
        actor=actor, patient=patient, fields=payload.model_dump(exclude_unset=True)
    )
