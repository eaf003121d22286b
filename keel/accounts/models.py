"""Users, clinics, memberships and API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.roles import AccountType, Role

__all__ = ["ApiToken", "Clinic", "Membership", "TotpAuthenticator", "User", "validate_time_zone"]


def validate_time_zone(value: str) -> None:
    """Accept only IANA time zone names."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A login. Staff act through memberships; outside accounts have their own type."""

    account_type = models.CharField(
        max_length=32, choices=AccountType.choices, default=AccountType.STAFF
    )

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Clinic(models.Model):
    """One site running the program (DOMAIN.md)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    mrn_prefix = models.CharField(
        max_length=6,
        validators=[RegexValidator(r"^[A-Z]{1,6}$", _("Use 1 to 6 capital letters."))],
        help_text=_("Letters that start every medical record number in this clinic."),
    )
    phone = models.CharField(max_length=32, blank=True, help_text=_("Shown to patients."))
    check_in_review_note = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "When clinic staff read patients' check-in answers (shown to patients; Keel "
            "never implies real-time monitoring), e.g. 'on weekdays between 9 am and 5 pm'."
        ),
    )
    next_mrn = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["mrn_prefix"], name="clinic_unique_mrn_prefix")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """The clinic's time zone."""
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A user's role in one clinic (a staff member)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    is_psychiatrist = models.BooleanField(
        default=False,
        help_text=_(
            "A psychiatrist: may record the psychiatrist's review that lifts a red hold "
            "(REFERENCE.md section 5.2). Set by the clinic admin."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="membership_one_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.clinic}"


class ApiToken(models.Model):
    """A personal access token for an API client, stored only as a SHA-256 hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text=_("First characters, to recognise the token.")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_usable(self) -> bool:
        """True when neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > timezone.now()
