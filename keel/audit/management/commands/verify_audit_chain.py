"""``manage.py verify_audit_chain``: check the audit trail has not been altered."""

from __future__ import annotations

import re
from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from keel.audit.chain import DEFAULT_BATCH_SIZE, missing_append_only_triggers, verify_chain
from keel.audit.models import AuditEvent

_ANCHOR = re.compile(r"(?P<sequence>[1-9][0-9]*):(?P<hash>[0-9a-f]{64})")


class Command(BaseCommand):
    # An integrity check must run even when unrelated parts of the
    # configuration raise system-check errors.
    requires_system_checks: list[str] = []
    help = (
        "Verify the audit hash chain and the append-only triggers. Exits non-zero "
        "and names the first broken event when a row was altered, deleted or inserted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Events read per query (default %(default)s).",
        )
        parser.add_argument(
            "--expect",
            metavar="SEQUENCE:HASH",
            action="append",
            default=[],
            help=(
                "A head recorded earlier (printed by this command); fails if that event "
                "is missing or its hash differs, which catches a truncated tail. Repeatable."
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        batch_size = options["batch_size"]
        if not isinstance(batch_size, int) or batch_size < 1:
            raise CommandError("--batch-size must be a positive integer")
        report = verify_chain(batch_size=batch_size)
        if not report.ok:
            raise CommandError(
                f"audit chain broken: {report.reason} "
                f"(event id {report.first_bad_id}; {report.checked} events checked)"
            )
        expected = options["expect"]
        if not isinstance(expected, list):
            raise CommandError("--expect must be given as SEQUENCE:HASH")
        for anchor in expected:
            self._check_anchor(str(anchor))
        missing = missing_append_only_triggers()
        if missing:
            raise CommandError(
                f"audit chain intact ({report.checked} events checked), but the append-only "
                f"triggers are missing or disabled: {', '.join(missing)}"
            )
        self.stdout.write(
            f"audit chain intact: {report.checked} events checked "
            f"(head: {report.head_sequence}:{report.head_hash})"
        )

    def _check_anchor(self, anchor: str) -> None:
        match = _ANCHOR.fullmatch(anchor)
        if match is None:
            raise CommandError(f"--expect {anchor!r}: use SEQUENCE:HASH (64 lowercase hex)")
        sequence = int(match["sequence"])
        stored = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
        if stored is None:
            raise CommandError(f"audit chain broken: event {sequence} is missing (tail removed)")
        if stored != match["hash"]:
            raise CommandError(
                f"audit chain broken: event {sequence} does not have the expected hash"
            )
