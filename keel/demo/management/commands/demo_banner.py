"""manage.py demo_banner: print where Keel runs and the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keel.accounts.mfa import MFA_REQUIRED_ROLES
from keel.demo import data


class Command(BaseCommand):
    help = "Print the demo URL and logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"]
        lines = [
            "",
            "=" * 64,
            f"Keel demo is starting at {url}",
            f"Every demo login uses the password: {data.DEMO_PASSWORD}",
        ]
        lines.extend(
            f"  {person.username:<8} {person.first_name} {person.last_name} ({person.role.label})"
            for person in data.STAFF
        )
        lines.append(
            f"  {data.PSYCHIATRIST_USERNAME:<8} Dr {data.PSYCHIATRIST_FIRST} "
            f"{data.PSYCHIATRIST_LAST} (psychiatrist of record)"
        )
        family = {p.given_name: p.family_name for p in data.PATIENTS}
        lines.append("Patient portal logins (the same password; sign in at the same address):")
        lines.extend(
            f"  {data.portal_username(name):<8} {name} {family[name]} (patient)"
            for name in data.PORTAL_LOGINS
        )
        with_mfa = [p.username for p in data.STAFF if p.role in MFA_REQUIRED_ROLES]
        with_mfa.append(data.PSYCHIATRIST_USERNAME)
        lines += [
            f"{', '.join(with_mfa)} also need two-step sign-in. Their authenticator secret",
            f"(published, demo only): {data.DEMO_TOTP_SECRET}",
            "Add it to any TOTP app, or run: oathtool --totp -b " + data.DEMO_TOTP_SECRET,
            "Stop with Ctrl+C.",
            "=" * 64,
            "",
        ]
        self.stdout.write("\n".join(lines))
