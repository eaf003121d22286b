"""Consent templates, signed consents and the patient education page.

Templates and education pages are clinic-editable, versioned documents: a
version is written (draft), optionally sent for approval, approved by a
clinic admin (who confirms the required topics are covered), and retired
when a newer version is approved. An approved version never changes; a
change is a new version. Maps to FHIR: ``Consent`` -> Consent (with the
template as its source document); templates and pages -> DocumentReference.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keel.accounts.models import Clinic
from keel.common.models import BaseModel
from keel.patients.models import Patient

TITLE_MAX = 200
BODY_MAX = 30_000
SIGNED_NAME_MAX = 201
REASON_MAX = 1000
SHA256_HEX = 64


class DocumentStatus(models.TextChoices):
    """Where a version of a consent template or education page stands."""

    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting medical director approval")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


#: Versions that can still be changed; a clinic has at most one of them.
OPEN_STATUSES: tuple[str, ...] = (DocumentStatus.DRAFT, DocumentStatus.AWAITING_APPROVAL)
#: Versions that were approved once (their text is frozen).
FROZEN_STATUSES: tuple[str, ...] = (DocumentStatus.APPROVED, DocumentStatus.RETIRED)


class SignedVia(models.TextChoices):
    """Where the patient signed."""

    CLINIC = "clinic", _("In the clinic")
    PORTAL = "portal", _("In the patient portal")


@dataclass(frozen=True)
class Topic:
    """A subject the approver confirms the text covers; ``code`` is the API name."""

    code: str
    label: str | Promise

    @property
    def field(self) -> str:
        """The model's boolean field for this topic."""
        return f"covers_{self.code}"


#: What a consent template must cover before it may be approved (issue text).
CONSENT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "off_label",
        _("Ketamine is not FDA-approved for bipolar depression: this is off-label use"),
    ),
    Topic(
        "risks",
        _(
            "The known risks: dissociation, raised blood pressure, sedation, "
            "mood elevation or mania, and misuse"
        ),
    ),
    Topic(
        "escort_no_driving",
        _("An adult takes the patient home; no driving until the next day, after restful sleep"),
    ),
    Topic(
        "alongside_mood_care",
        _(
            "Treatment continues alongside the patient's mood-stabilizing medicine "
            "and their own psychiatrist's care"
        ),
    ),
)

#: What the education page must cover before it may be approved. Keel adds
#: the "general information, not personal advice" notice and the crisis
#: numbers around the page itself, so the clinic cannot remove them.
EDUCATION_TOPICS: tuple[Topic, ...] = (
    Topic("how_it_works", _("Ketamine works differently from the usual antidepressants")),
    Topic("off_label_not_cure", _("It is off-label for bipolar depression and not a cure")),
    Topic(
        "monitoring",
        _("Why mood monitoring and the psychiatrist's involvement matter"),
    ),
    Topic("session", _("What a treatment session is like")),
)


def _document_constraints(prefix: str, topics: tuple[Topic, ...]) -> list[models.BaseConstraint]:
    """Invariants shared by every versioned clinic document."""
    all_topics = models.Q()
    for topic in topics:
        all_topics &= models.Q(**{topic.field: True})
    return [
        models.UniqueConstraint(fields=["clinic", "version"], name=f"{prefix}_version_unique"),
        models.UniqueConstraint(
            fields=["clinic"],
            condition=models.Q(status=DocumentStatus.APPROVED),
            name=f"{prefix}_one_approved_per_clinic",
        ),
        models.UniqueConstraint(
            fields=["clinic"],
            condition=models.Q(status__in=OPEN_STATUSES),
            name=f"{prefix}_one_open_version_per_clinic",
        ),
        models.CheckConstraint(
            condition=models.Q(status__in=DocumentStatus.values), name=f"{prefix}_status_valid"
        ),
        models.CheckConstraint(condition=models.Q(version__gte=1), name=f"{prefix}_version_min"),
        # Approved (and later retired) versions carry the approval and every topic.
        models.CheckConstraint(
            condition=~models.Q(status__in=FROZEN_STATUSES)
            | (models.Q(approved_at__isnull=False) & all_topics),
            name=f"{prefix}_approved_complete",
        ),
        models.CheckConstraint(
            condition=~models.Q(status__in=OPEN_STATUSES) | models.Q(approved_at__isnull=True),
            name=f"{prefix}_open_not_approved",
        ),
    ]


class ClinicDocument(BaseModel):
    """One version of a clinic-editable text (plain text; blank lines part paragraphs)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"), editable=False)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    status = models.CharField(
        _("status"), max_length=32, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    is_sample = models.BooleanField(
        _("Keel's sample text"),
        default=False,
        help_text=_("True while the text is the unchanged sample shipped with Keel."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        """True while the version can still be edited (never approved)."""
        return self.status in OPEN_STATUSES

    @property
    def is_approved(self) -> bool:
        """True for the version patients see and sign now."""
        return self.status == DocumentStatus.APPROVED

    @property
    def approval_marker(self) -> str:
        """The notice shown on every page and printout of this version; "" once approved."""
        if self.status == DocumentStatus.APPROVED:
            return ""
        if self.status == DocumentStatus.RETIRED:
            return gettext("Retired version — no longer in use")
        if self.is_sample:
            return gettext("Sample text — awaiting medical director approval")
        if self.status == DocumentStatus.AWAITING_APPROVAL:
            return gettext("Draft — awaiting medical director approval")
        return gettext("Draft — not approved for use")


class ConsentTemplate(ClinicDocument):
    """One version of a clinic's informed-consent form (FHIR DocumentReference)."""

    covers_off_label = models.BooleanField(default=False)
    covers_risks = models.BooleanField(default=False)
    covers_escort_no_driving = models.BooleanField(default=False)
    covers_alongside_mood_care = models.BooleanField(default=False)

    class Meta:
        ordering = ["clinic_id", "-version"]
        constraints = _document_constraints("consent_template", CONSENT_TOPICS)

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class EducationPage(ClinicDocument):
    """One version of a clinic's patient education page (FHIR DocumentReference)."""

    covers_how_it_works = models.BooleanField(default=False)
    covers_off_label_not_cure = models.BooleanField(default=False)
    covers_monitoring = models.BooleanField(default=False)
    covers_session = models.BooleanField(default=False)

    class Meta:
        ordering = ["clinic_id", "-version"]
        constraints = _document_constraints("education_page", EDUCATION_TOPICS)

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Consent(BaseModel):
    """A patient's signature on one approved consent template version (FHIR Consent)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(_("typed full name"), max_length=SIGNED_NAME_MAX)
    confirmed = models.BooleanField(_("I have read this and agree"))
    signed_at = models.DateTimeField(_("signed at"))
    signed_via = models.CharField(_("signed"), max_length=16, choices=SignedVia.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The staff member who was present (clinic signatures)."),
    )
    staff_attested = models.BooleanField(
        _("staff saw the patient sign"),
        default=False,
        help_text=_("The staff member attests the patient signed in person."),
    )
    body_sha256 = models.CharField(max_length=SHA256_HEX, editable=False)
    pdf = models.BinaryField(editable=False)
    pdf_sha256 = models.CharField(max_length=SHA256_HEX, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("reason"), max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["patient_id", "-signed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(confirmed=True), name="consent_confirmed"),
            models.CheckConstraint(
                condition=models.Q(signed_via__in=SignedVia.values),
                name="consent_signed_via_valid",
            ),
            # In the clinic a staff member was present and attests it; the portal has none.
            models.CheckConstraint(
                condition=models.Q(
                    signed_via=SignedVia.CLINIC,
                    recorded_by__isnull=False,
                    staff_attested=True,
                )
                | models.Q(signed_via=SignedVia.PORTAL, recorded_by__isnull=True),
                name="consent_witness_matches_place",
            ),
            # A withdrawal always has its time and reason; a current consent has neither.
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (models.Q(withdrawn_at__isnull=False) & ~models.Q(withdrawal_reason="")),
                name="consent_withdrawal_complete",
            ),
            # One standing signature per patient and template version.
            models.UniqueConstraint(
                fields=["patient", "template"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_standing_per_version",
            ),
        ]
        indexes = [models.Index(fields=["patient", "signed_at"])]

    def __str__(self) -> str:
        return f"Consent {self.pk} (patient {self.patient_id}, template {self.template_id})"

    @property
    def is_withdrawn(self) -> bool:
        """True once the patient has withdrawn this consent."""
        return self.withdrawn_at is not None
