"""Patient records and the outside psychiatrists who manage their bipolar disorder."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.accounts.models import Clinic
from keel.common.models import BaseModel

# Plausibility bounds for an adult's recorded weight (input sanity, not a clinical rule).
WEIGHT_KG_MIN = Decimal("25.0")
WEIGHT_KG_MAX = Decimal("350.0")

PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ()./-]{5,30}$", _("Enter a phone number: digits, spaces, + ( ) - . /")
)


class AdministrativeSex(models.TextChoices):
    """FHIR administrative-gender value set."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class PsychiatristOfRecord(BaseModel):
    """The patient's own (outside) psychiatrist; not clinic staff. Maps to FHIR Practitioner."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="psychiatrists")
    name = models.CharField(max_length=200)
    practice = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(blank=True)
    npi = models.CharField(
        _("NPI"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{10}$", _("An NPI has 10 digits."))],
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="psychiatrist_records",
        help_text=_("The psychiatrist's Keel login, if they have one."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Patient(BaseModel):
    """One patient of one clinic; the MRN is unique in that clinic. Maps to FHIR Patient."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField(_("MRN"), max_length=20, editable=False)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    administrative_sex = models.CharField(
        _("administrative sex"), max_length=16, choices=AdministrativeSex.choices
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(WEIGHT_KG_MIN), MaxValueValidator(WEIGHT_KG_MAX)],
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True, max_length=500)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=32, blank=True, validators=[PHONE_VALIDATOR]
    )
    psychiatrist_of_record = models.ForeignKey(
        PsychiatristOfRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("psychiatrist of record"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text=_("The patient's portal login, once invited."),
    )

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic"),
            models.CheckConstraint(
                condition=models.Q(weight_kg__isnull=True)
                | models.Q(weight_kg__gte=WEIGHT_KG_MIN, weight_kg__lte=WEIGHT_KG_MAX),
                name="patient_weight_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(administrative_sex__in=AdministrativeSex.values),
                name="patient_sex_valid",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        """Given name then family name."""
        return f"{self.given_name} {self.family_name}"
