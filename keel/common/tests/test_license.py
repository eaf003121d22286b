"""The repository's LICENSE names the licence pyproject.toml declares (issue 18 §4)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_license_file_names_the_declared_licence_holder_and_official_text() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert f"SPDX-License-Identifier: {declared}" in text
    assert "The Keel contributors" in text
    assert "https://www.gnu.org/licenses/agpl-3.0.html" in text
    # A summary in Keel's words that points to the official text, not a copy of it.
    assert "TERMS AND CONDITIONS" not in text and len(text) < 4000
