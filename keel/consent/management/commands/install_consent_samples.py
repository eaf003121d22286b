"""Install Keel's sample consent form and education page in clinics that have none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.accounts.models import Clinic
from keel.consent.services import consent_template_install_sample, education_page_install_sample


class Command(BaseCommand):
    help = (
        "Install Keel's sample consent form and patient education page, marked "
        "'awaiting medical director approval', in every clinic (or one) that has no "
        "version yet. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", help="Slug of one clinic (default: every clinic)")

    def handle(self, *args: Any, **options: Any) -> None:
        clinics = Clinic.objects.order_by("name")
        if options["clinic"]:
            clinics = clinics.filter(slug=options["clinic"])
            if not clinics.exists():
                raise CommandError(f"No clinic with slug {options['clinic']!r}.")
        for clinic in clinics:
            template = consent_template_install_sample(clinic=clinic)
            page = education_page_install_sample(clinic=clinic)
            self.stdout.write(
                f"{clinic.slug}: consent form version {template.version} "
                f"({template.get_status_display().lower()}), education page version "
                f"{page.version} ({page.get_status_display().lower()})"
            )
