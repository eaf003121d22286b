"""Fuzz Keel's JSON API with schemathesis, as every demo role, against a throwaway server.

    .venv/bin/python scripts/fuzz.py                      # the long run (make fuzz)
    .venv/bin/python scripts/fuzz.py --max-examples 8 --budget 120   # the CI run

Steps: a fresh database (SQLite in a temporary folder unless ``--database-url``
names another, which must be a throwaway one), ``migrate``, ``load_demo``,
``issue_fuzz_tokens`` (a token with every scope per staff role; a session for
the psychiatrist of record), then gunicorn (``config.settings.local`` with
``DEBUG=false``, 2 workers) on a free port of 127.0.0.1, then ``schemathesis
run --checks all`` once per role (and once anonymous) against
``/api/v1/openapi.json``, each bounded by ``--max-examples`` and a share of the
wall-clock ``--budget``. Path and query parameters that name a patient, a
session, an alert and the like take the identifier of a real demo row three
times in four (``KNOWN_OBJECTS``), so requests get past the 404 to the code
behind it; the rest stay made up. Every response is read back from the HAR report:
5xx answers are counted, and every error body (4xx/5xx) is searched for stack
traces and for the demo patients' names and MRNs.

Exit status 0 only when no role saw a 5xx, a schema-conformance failure, any
other failed check, or a leak in an error body. docs/security.md has the figures.
Only 127.0.0.1 is ever targeted; redirects are not followed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CONFIG_FILE = ROOT / "scripts" / "fuzz-schemathesis.toml"
ROLES = ("anonymous", "nurse", "physician", "front_desk", "clinic_admin", "psychiatrist_of_record")

SERVER_ERROR_CODES = {"ST101", "ST102"}
SCHEMA_CODES = {
    "ST103",  # undocumented status code
    "ST104",  # missing Content-Type
    "ST105",  # undocumented Content-Type
    "ST106",  # malformed media type
    "ST107",  # missing required response headers
    "ST108",  # response violates schema
    "ST109",  # JSON deserialization error
    "ST110",  # content deserialization error
    "ST111",  # unknown discriminator value
}
STACK_TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+')


def out(text: str = "") -> None:
    """Print a line (scripts report on stdout)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@dataclass
class RoleResult:
    role: str
    requests: int = 0
    server_errors: int = 0
    schema_failures: int = 0
    other_failures: int = 0
    leaks: list[str] = field(default_factory=list)
    failure_codes: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    exit_code: int = 0
    errors: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.server_errors
            or self.schema_failures
            or self.other_failures
            or self.leaks
            or self.errors
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [str(BIN / "python"), str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1 only
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"fuzz: the server did not answer {url} within {timeout:.0f} s")
        time.sleep(0.25)


def shell_json(env: dict[str, str], code: str) -> Any:
    """What ``code``, run by ``manage.py shell``, prints as JSON on its last line."""
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [str(BIN / "python"), str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def demo_identifiers(env: dict[str, str]) -> list[str]:
    """The demo patients' family names and MRNs: none may appear in an error body."""
    values: list[str] = shell_json(
        env,
        "import json; from keel.patients.models import Patient; "
        "print(json.dumps([v for p in Patient.objects.all() for v in (p.family_name, p.mrn)]))",
    )
    return [v for v in values if v]


#: Dictionary -> (the model whose demo rows' identifiers it holds, the parameters that take them).
#: A bare name is a path or query parameter, ``body.`` a field of a JSON body. Without real
#: identifiers nearly every request to ``/patients/{patient_id}/...`` is a 404 and never
#: reaches the code behind it; with them most are, and a share stays made up.
KNOWN_OBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "patient_id": ("patients.Patient", ("patient_id",)),
    "session_id": ("treatment.TreatmentSession", ("session_id",)),
    "alert_id": ("alerts.Alert", ("alert_id",)),
    "template_id": ("consent.ConsentTemplate", ("template_id", "body.template_id")),
    "consent_id": ("consent.Consent", ("consent_id",)),
    "letter_id": ("coordination.CoordinationLetter", ("letter_id",)),
    "export_id": ("treatment.RemsExport", ("export_id",)),
    "assignment_id": ("monitoring.Assignment", ("assignment_id",)),
    "entry_id": ("alerts.OnCallEntry", ("entry_id",)),
    "lot_id": ("inventory.Lot", ("body.lot_id",)),
    "ledger_entry_id": ("inventory.LedgerEntry", ("body.corrects_entry_id",)),
}
#: How often a parameter above takes a demo row's identifier rather than a generated value.
KNOWN_SHARE = 0.75


def demo_objects(env: dict[str, str]) -> dict[str, list[int | str]]:
    """Per dictionary of ``KNOWN_OBJECTS``, the identifiers of the demo clinic's rows; and
    the demo staff's usernames and the published demo password, for the witness of a
    controlled-substance entry (so that waste and counts can succeed)."""
    labels = {name: label for name, (label, _keys) in KNOWN_OBJECTS.items()}
    found: dict[str, list[int | str]] = shell_json(
        env,
        "import json; from django.apps import apps; "
        "from keel.accounts.models import Membership; from keel.demo.data import DEMO_PASSWORD; "
        f"labels = {labels!r}; "
        "found = {name: sorted(apps.get_model(label).objects.values_list('pk', flat=True)) "
        "for name, label in labels.items()}; "
        "found['witness_username'] = sorted(set(Membership.objects.values_list('user__username', flat=True))); "
        "found['witness_password'] = [DEMO_PASSWORD]; "
        "print(json.dumps(found))",
    )
    return found


#: Dictionary -> (parameters, share) for the witness fields; the password is mostly right
#: (a wrong one is a failed sign-in, and enough of them lock the witness out).
WITNESS = {
    "witness_username": (("body.witness_username",), KNOWN_SHARE),
    "witness_password": (("body.witness_password",), 0.9),
}


def write_config(path: Path, found: dict[str, list[int | str]]) -> Path:
    """``fuzz-schemathesis.toml`` plus dictionaries of the demo rows' identifiers."""
    lines = [CONFIG_FILE.read_text(), "", "# Written by scripts/fuzz.py for this run."]
    uses = {name: (keys, KNOWN_SHARE) for name, (_label, keys) in KNOWN_OBJECTS.items()}
    uses.update(WITNESS)
    bindings = []
    for name, values in sorted(found.items()):
        if not values:
            continue  # the demo has no such row: the parameter stays fully generated
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
        keys, share = uses[name]
        bindings += [
            f'"{key}" = {{ dictionary = "{name}", probability = {share} }}' for key in keys
        ]
    lines += ["[parameters]", *bindings, ""]
    path.write_text("\n".join(lines))
    return path


def credential_headers(credential: dict[str, str] | None) -> list[str]:
    if credential is None:
        return []
    if credential["kind"] == "token":
        return ["-H", f"Authorization: Bearer {credential['token']}"]
    return ["-H", f"Cookie: {credential['cookie']}", "-H", f"X-CSRFToken: {credential['csrf']}"]


def scan_har(path: Path, identifiers: list[str], result: RoleResult) -> None:
    har = json.loads(path.read_text())
    entries: list[dict[str, Any]] = har["log"]["entries"]
    result.requests = len(entries)
    for entry in entries:
        status = int(entry["response"]["status"])
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status >= 500:
            result.server_errors += 1
        if status < 400:
            continue
        body = str(entry["response"].get("content", {}).get("text") or "")
        where = f"{entry['request']['method']} {entry['request']['url']} -> {status}"
        if STACK_TRACE.search(body):
            result.leaks.append(f"stack trace in {where}")
        for value in identifiers:
            if value in body:
                result.leaks.append(f"patient identifier {value!r} in {where}")


def read_report(path: Path, result: RoleResult) -> None:
    report = json.loads(path.read_text())
    for failure in report.get("failures", []):
        code = str(failure.get("code"))
        count = int(failure.get("count", 1))
        result.failure_codes[code] = result.failure_codes.get(code, 0) + count
        if code in SERVER_ERROR_CODES:
            continue  # counted from the responses themselves
        if code in SCHEMA_CODES:
            result.schema_failures += count
        else:
            result.other_failures += count
    result.errors = len(report.get("errors", []))


def run_role(
    *,
    role: str,
    base: str,
    credential: dict[str, str] | None,
    args: argparse.Namespace,
    seconds: float,
    report_dir: Path,
    identifiers: list[str],
) -> RoleResult:
    result = RoleResult(role=role)
    role_dir = report_dir / role
    role_dir.mkdir(parents=True)
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(args.config_file),
        "--no-color",
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--max-time",
        str(max(1, int(seconds))),
        "--max-redirects",
        "0",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--report",
        "har,json",
        "--report-dir",
        str(role_dir),
        "--report-har-path",
        str(role_dir / "responses.har"),
        "--report-json-path",
        str(role_dir / "report.json"),
        # Anonymous requests also try made-up tokens and session cookies; a role
        # keeps the credentials it was given.
        "--generation-with-security-parameters",
        "true" if credential is None else "false",
        *credential_headers(credential),
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    started = time.monotonic()
    log = role_dir / "schemathesis.txt"
    with log.open("w") as handle:
        try:
            completed = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                command,
                cwd=role_dir,  # schemathesis keeps its cache in the working directory
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=seconds + 90,
                check=False,
            )
            result.exit_code = completed.returncode
        except subprocess.TimeoutExpired:
            result.exit_code = -1
            result.errors += 1
    result.seconds = time.monotonic() - started
    har, report = role_dir / "responses.har", role_dir / "report.json"
    if har.exists():
        scan_har(har, identifiers, result)
    if report.exists():
        read_report(report, result)
    else:
        result.errors += 1
    if not result.ok:
        text = log.read_text(errors="replace")
        start = text.find("FAILURES")
        excerpt = text[start:] if start >= 0 else text[-4000:]
        out(f"--- {role}: schemathesis output ({log}) ---")
        out(excerpt[:12000])
    return result


def summary(results: list[RoleResult], seconds: float) -> None:
    header = (
        f"{'role':<24}{'requests':>9}{'2xx':>6}{'5xx':>6}{'schema':>8}{'other':>7}"
        f"{'leaks':>7}{'time s':>8}"
    )
    out()
    out(header)
    out("-" * len(header))
    for r in results:
        succeeded = sum(n for status, n in r.statuses.items() if 200 <= status < 300)
        out(
            f"{r.role:<24}{r.requests:>9}{succeeded:>6}{r.server_errors:>6}{r.schema_failures:>8}"
            f"{r.other_failures + r.errors:>7}{len(r.leaks):>7}{r.seconds:>8.0f}"
        )
    total = RoleResult(role="total")
    for r in results:
        total.requests += r.requests
        total.server_errors += r.server_errors
        total.schema_failures += r.schema_failures
        total.other_failures += r.other_failures + r.errors
        total.leaks += r.leaks
    out("-" * len(header))
    total_ok = sum(n for r in results for s, n in r.statuses.items() if 200 <= s < 300)
    out(
        f"{'total':<24}{total.requests:>9}{total_ok:>6}{total.server_errors:>6}"
        f"{total.schema_failures:>8}"
        f"{total.other_failures:>7}{len(total.leaks):>7}{seconds:>8.0f}"
    )
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    out("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    codes = {code for r in results for code in r.failure_codes}
    if codes:
        out("failure codes: " + ", ".join(sorted(codes)) + " (st explain CODE)")
    for r in results:
        for leak in r.leaks[:20]:
            out(f"LEAK [{r.role}] {leak}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=60, help="per operation and phase")
    parser.add_argument("--budget", type=float, default=900, help="wall-clock seconds for fuzzing")
    parser.add_argument("--min-requests", type=int, default=0, help="fail if fewer were sent")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated subset")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed (reproducible)")
    parser.add_argument("--database-url", default="", help="a throwaway database (default: SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise SystemExit(f"fuzz: unknown roles {unknown}; choose from {', '.join(ROLES)}")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="keel-fuzz-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'fuzz.sqlite3'}",
        "ALLOWED_HOSTS": HOST,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    out(f"fuzz: preparing a throwaway database in {work}")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    creds_file = work / "credentials.json"
    manage(env, "issue_fuzz_tokens", "--out", str(creds_file))
    credentials: dict[str, dict[str, str]] = json.loads(creds_file.read_text())
    identifiers = demo_identifiers(env)
    args.config_file = write_config(work / "schemathesis.toml", demo_objects(env))

    port = free_port()
    base = f"http://{HOST}:{port}"
    server_log = work / "gunicorn.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                # Every URL reaches Keel, however long: production's gunicorn answers a
                # request line over 4094 bytes with its own 414 before Keel sees it, which
                # would hide how Keel handles long, repeated query parameters.
                "--limit-request-line",
                "0",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    results: list[RoleResult] = []
    try:
        wait_for(f"{base}/api/v1/openapi.json", timeout=60)
        setup_seconds = time.monotonic() - started
        out(f"fuzz: gunicorn pid {server.pid} on {base} (setup {setup_seconds:.0f} s)")
        deadline = time.monotonic() + args.budget
        for index, role in enumerate(roles):
            left = deadline - time.monotonic()
            share = left / (len(roles) - index)
            if share < 5:
                out(f"fuzz: budget spent, {role} skipped")
                results.append(RoleResult(role=role, errors=1))
                continue
            out(f"fuzz: {role} (up to {share:.0f} s)")
            results.append(
                run_role(
                    role=role,
                    base=base,
                    credential=None if role == "anonymous" else credentials[role],
                    args=args,
                    seconds=share,
                    report_dir=work / "reports",
                    identifiers=identifiers,
                )
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    logged = server_log.read_text(errors="replace")
    logged_tracebacks = logged.count("Traceback (most recent call last)")
    summary(results, time.monotonic() - started)
    out(f"server log: {logged_tracebacks} tracebacks logged ({server_log})")
    total_requests = sum(r.requests for r in results)
    failed = [r.role for r in results if not r.ok]
    if total_requests < args.min_requests:
        out(f"fuzz: FAILED: {total_requests} requests, fewer than {args.min_requests}")
        failed.append("min-requests")
    if logged_tracebacks:
        failed.append("server-tracebacks")
    if failed:
        out(f"fuzz: FAILED ({', '.join(failed)}); reports kept in {work}")
        return 1
    out(f"fuzz: passed, {total_requests} requests")
    if args.keep:
        out(f"fuzz: reports kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
