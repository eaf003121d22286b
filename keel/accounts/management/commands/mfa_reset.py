"""manage.py mfa_reset USERNAME: remove a user's second factor (lost phone and recovery codes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.accounts.mfa_services import mfa_reset
from keel.accounts.models import User
from keel.audit.models import AuditAction
from keel.audit.services import audit_record


class Command(BaseCommand):
    help = (
        "Remove every second-factor device of a user. Their open sessions lose their "
        "second factor; a role that needs one enrols a new authenticator at the next sign-in. "
        "Check the person's identity first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        removed = mfa_reset(user=user)
        audit_record(
            actor=None,
            action=AuditAction.DELETE,
            object_type="mfa_devices",
            object_id=user.pk,
            detail={"removed": removed, "via": "manage.py mfa_reset"},
        )
        self.stdout.write(f"Removed {removed} second-factor device(s) of {user.get_username()}.")
