"""``manage.py check_protocol [PATH]``: validate a protocol file and run its examples."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from keel.clinical.protocol import ProtocolError, run_examples
from keel.clinical.protocol.floors import SAFETY_FLOORS, check_floors
from keel.intake.protocols import default_protocol_path, load_protocol_file


class Command(BaseCommand):
    # A file check needs no database and must run even when unrelated parts
    # of the configuration raise system-check errors.
    requires_system_checks: list[str] = []
    help = (
        "Validate a protocol file (YAML) and run every rule's examples. Prints a summary; "
        "exits non-zero naming the rule on any error or failing example."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=None,
            help="Protocol file to check (default: the shipped keel-default protocol).",
        )

    def handle(self, *args: object, **options: object) -> None:
        raw = options["path"]
        path = default_protocol_path() if raw is None else Path(str(raw))
        try:
            protocol = load_protocol_file(path)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
        except ProtocolError as exc:
            raise CommandError(f"{path}: invalid protocol: {exc}") from exc
        failures = run_examples(protocol)
        summary = (
            f"{protocol.label}: {len(protocol.rules)} rules, {protocol.example_count} examples"
        )
        if failures:
            lines = "\n".join(f"  {failure}" for failure in failures)
            raise CommandError(f"{path}: {summary}, {len(failures)} failed:\n{lines}")
        violations = check_floors(protocol)
        if violations:
            lines = "\n".join(f"  {violation}" for violation in violations)
            raise CommandError(
                f"{path}: {summary}: loosens {len(violations)} safety floor(s):\n{lines}"
            )
        self.stdout.write(f"{summary}, all passed; {len(SAFETY_FLOORS)} safety floors hold")
