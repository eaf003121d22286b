"""The controlled-substance ledger: lots and append-only ledger entries (REFERENCE.md section 8).

Sign convention of ``LedgerEntry.quantity_ml`` (millilitres of solution):

- receipt: positive, the quantity received;
- draw: negative, what was drawn up for one session's dose (custody record only);
- administration: negative, the dose volume given (linked to the dose record);
- waste: negative, the quantity wasted in front of a witness;
- count: zero; the entry carries ``expected_ml``, ``counted_ml`` and ``discrepancy_ml``;
- correction: positive or negative, never zero, with a reason and the entry it corrects.

The balance of a lot is the sum of ``quantity_ml`` over its entries *except draws*
(``BALANCE_KINDS``): the administration reduces the balance by the dose volume, so a
draw before it must not reduce it a second time. The balance is never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.accounts.models import Clinic
from keel.treatment.models import DoseAdministration, TreatmentSession


class Drug(models.TextChoices):
    """Controlled substances the ledger holds; values match ``DoseAdministration.drug``."""

    RACEMIC_KETAMINE = "ketamine hydrochloride (racemic)", _("Ketamine hydrochloride (racemic)")
    ESKETAMINE = "esketamine", _("Esketamine")


class Lot(models.Model):
    """One manufacturer's lot of one drug and strength held by a clinic. Maps to FHIR Medication.batch."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    drug = models.CharField(_("drug"), max_length=64, choices=Drug.choices)
    concentration_mg_per_ml = models.DecimalField(
        _("concentration (mg/mL)"), max_digits=6, decimal_places=2
    )
    lot_number = models.CharField(_("lot number"), max_length=64)
    supplier = models.CharField(_("supplier"), max_length=200)
    expires_on = models.DateField(_("expiry date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["drug", "lot_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "lot_number", "drug"], name="inventory_lot_unique_in_clinic"
            ),
            models.CheckConstraint(
                condition=models.Q(concentration_mg_per_ml__gt=0),
                name="inventory_lot_concentration_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.concentration_mg_per_ml} mg/mL lot {self.lot_number}"


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    DRAW = "draw", _("Draw")
    ADMINISTRATION = "administration", _("Administration")
    WASTE = "waste", _("Witnessed waste")
    COUNT = "count", _("Physical count")
    CORRECTION = "correction", _("Correction")


#: Kinds whose quantity moves the balance (a draw does not: the administration does).
BALANCE_KINDS: tuple[str, ...] = (
    EntryKind.RECEIPT,
    EntryKind.ADMINISTRATION,
    EntryKind.WASTE,
    EntryKind.COUNT,
    EntryKind.CORRECTION,
)
WITNESSED_KINDS: tuple[str, ...] = (EntryKind.WASTE, EntryKind.COUNT)


class AppendOnlyError(Exception):
    """A ledger entry was about to be changed or deleted."""


class LedgerEntry(models.Model):
    """One append-only controlled-substance record (DOMAIN.md "ledger entry").

    Corrections are new entries that reference the entry they correct; the
    database refuses UPDATE and DELETE (migration 0002).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(help_text=_("Entry number within the clinic."))
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    quantity_ml = models.DecimalField(_("quantity (mL)"), max_digits=9, decimal_places=2)
    expected_ml = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    counted_ml = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    discrepancy_ml = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dose = models.ForeignKey(
        DoseAdministration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    reference = models.CharField(
        _("invoice or packing slip"), max_length=120, blank=True, default=""
    )
    received_on = models.DateField(_("date received"), null=True, blank=True)
    note = models.TextField(_("reason or note"), max_length=2000, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    witnessed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "sequence"], name="inventory_entry_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["dose"],
                condition=models.Q(kind="administration"),
                name="inventory_one_administration_per_dose",
            ),
            models.CheckConstraint(
                condition=models.Q(witnessed_by__isnull=True)
                | ~models.Q(witnessed_by=models.F("recorded_by")),
                name="inventory_witness_is_a_second_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["waste", "count"])
                | models.Q(witnessed_by__isnull=False, witnessed_at__isnull=False),
                name="inventory_waste_and_count_witnessed",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="receipt") & models.Q(quantity_ml__gt=0))
                | (
                    models.Q(kind__in=["draw", "administration", "waste"])
                    & models.Q(quantity_ml__lt=0)
                )
                | (models.Q(kind="count") & models.Q(quantity_ml=0))
                | (models.Q(kind="correction") & ~models.Q(quantity_ml=0)),
                name="inventory_quantity_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="count")
                | models.Q(
                    expected_ml__isnull=False,
                    counted_ml__isnull=False,
                    discrepancy_ml__isnull=False,
                    counted_ml__gte=0,
                ),
                name="inventory_count_has_figures",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="correction")
                | (models.Q(corrects__isnull=False) & ~models.Q(note="")),
                name="inventory_correction_has_reason_and_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["draw", "administration"])
                | models.Q(dose__isnull=False, session__isnull=False),
                name="inventory_draw_and_administration_link_the_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.quantity_ml} mL (lot {self.lot_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an existing entry is never changed (corrections are new entries)."""
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries are append-only; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: ledger entries are never deleted."""
        raise AppendOnlyError("Ledger entries are append-only and are never deleted.")
