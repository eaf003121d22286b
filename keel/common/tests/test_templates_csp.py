"""Templates keep to the Content-Security-Policy: no inline script, style or event handlers.

The policy (config/settings/base.py) allows scripts and styles only from Keel's
own files, so inline code would be blocked in the browser anyway; this test
catches it at review time instead, naming the file and line. It reads every
``*.html`` under ``keel/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

KEEL = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(KEEL.rglob("*.html"))
# Rendered to PDF by WeasyPrint on the server and never sent to a browser, so
# an embedded <style> sheet is fine there (every other rule still applies).
PDF_ONLY = re.compile(r"/templates/[^/]+/pdf/")

_SCRIPT = re.compile(r"<script\b[^>]*>(?P<body>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
# Attributes inside a tag; Django tags and variables may sit between them.
_TAG = re.compile(r"<[a-zA-Z][^<>]*(?:\{[{%][^}]*[}%]\}[^<>]*)*>", re.DOTALL)
_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_HANDLER_ATTR = re.compile(r"\s(on[a-z]+)\s*=", re.IGNORECASE)
# htmx evaluates hx-on* attributes as script: an inline handler by another name.
_HX_ON_ATTR = re.compile(r"\s(hx-on[\w:.-]*)\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"javascript\s*:", re.IGNORECASE)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def template_violations(path: Path) -> list[str]:
    """Every CSP problem in one template, as 'file:line: what'."""
    return violations(
        path.read_text(encoding="utf-8"),
        name=path.relative_to(KEEL.parent).as_posix(),
        pdf_only=bool(PDF_ONLY.search(path.as_posix())),
    )


def violations(text: str, *, name: str, pdf_only: bool = False) -> list[str]:
    """Every CSP problem in a template's source, as 'name:line: what', in source order."""
    problems = [
        (m.start(), "inline <script> with a body")
        for m in _SCRIPT.finditer(text)
        if m.group("body").strip()
    ]
    if not pdf_only:
        problems += [(m.start(), "inline <style> element") for m in _STYLE_ELEMENT.finditer(text)]
    for tag in _TAG.finditer(text):
        source = tag.group(0)
        if _STYLE_ATTR.search(source):
            problems.append((tag.start(), "style= attribute"))
        problems += [
            (tag.start(), f"{h.group(1)}= event handler") for h in _HANDLER_ATTR.finditer(source)
        ]
        problems += [
            (tag.start(), f"{h.group(1)}= (htmx script)") for h in _HX_ON_ATTR.finditer(source)
        ]
    problems += [(m.start(), "javascript: URL") for m in _JS_URL.finditer(text)]
    return [f"{name}:{_line(text, offset)}: {what}" for offset, what in sorted(problems)]


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20
    assert KEEL / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(KEEL).as_posix())
def test_template_has_no_inline_script_style_or_handlers(path: Path) -> None:
    assert template_violations(path) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("<script>alert(1)</script>", "inline <script> with a body"),
        ('<script type="text/javascript">\n  x()\n</script>', "inline <script> with a body"),
        ('<div style="color: red">', "style= attribute"),
        ('<p class="a"\n   STYLE = "x">', "style= attribute"),
        ('<button onclick="go()">', "onclick= event handler"),
        ("<img src=x onerror='y()'>", "onerror= event handler"),
        ('<a href="{% url \'home\' %}" onmouseover="z()">', "onmouseover= event handler"),
        ('<a href="javascript:void(0)">', "javascript: URL"),
        ('<form hx-on::after-request="x()">', "hx-on::after-request= (htmx script)"),
        ("<style>p { color: red }</style>", "inline <style> element"),
    ],
)
def test_the_checker_catches(source: str, problem: str) -> None:
    found = violations(f"<p>before</p>\n{source}\n", name="probe.html")
    assert found and found[0] == f"probe.html:2: {problem}", found


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'vendor/htmx/htmx.min.js' %}\" defer></script>",
        "<p>Reply on=time is text, not a handler</p>",
        '<input name="onboarding" data-on="x">',
        '<a href="{% url \'home\' %}" class="usa-link">Home</a>',
    ],
)
def test_the_checker_allows(source: str) -> None:
    assert violations(source, name="probe.html") == []


def test_pdf_templates_may_embed_a_style_sheet_but_nothing_else() -> None:
    assert violations("<style>p {}</style>", name="x.html", pdf_only=True) == []
    assert violations('<p style="x">', name="x.html", pdf_only=True) != []
