"""Roles and account types (ARCHITECTURE.md, accounts)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A staff member's role in one clinic (a ``Membership``)."""

    PHYSICIAN = "physician", _("Physician")
    NURSE = "nurse", _("Nurse")
    FRONT_DESK = "front_desk", _("Front desk")
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")


class AccountType(models.TextChoices):
    """What kind of person a login belongs to."""

    STAFF = "staff", _("Clinic staff")
    PSYCHIATRIST_OF_RECORD = "psychiatrist_of_record", _("Psychiatrist of record")
    PATIENT = "patient", _("Patient")
