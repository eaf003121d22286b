"""Fail when a log file holds a demo patient's name, MRN or birth date.

Usage: python scripts/check_phi_in_logs.py test-artifacts/e2e.log [more.log ...]

`make test-browser` writes the whole log of the browser run (which loads the
demo clinic and signs in as every role) to test-artifacts/e2e.log and then runs
this. Exit 1 names each value found with the first line it is on; exit 2 when
a log is missing or empty (a check that read nothing proves nothing).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keel.demo.phi import demo_phi_values, phi_found


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)  # noqa: T201 - a command-line tool
        return 2
    values = demo_phi_values()
    status = 0
    for name in paths:
        path = Path(name)
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if not text.strip():
            print(f"{name}: missing or empty; nothing was checked")  # noqa: T201
            return 2
        found = phi_found(text, values)
        lines = text.count("\n")
        if not found:
            print(f"{name}: {lines} lines, none of {len(values)} demo patient values found")  # noqa: T201
            continue
        status = 1
        for value in found:
            line = next(i for i, row in enumerate(text.splitlines(), 1) if value in row)
            print(f"{name}:{line}: patient data in the log: {value!r}")  # noqa: T201
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
