"""Plain-text blocks, name matching and the template filters (no database)."""

from __future__ import annotations

import pytest

from keel.consent.templatetags.consent_tags import css_string, tel_href
from keel.consent.text import Block, name_key, normalise_newlines, text_blocks, text_sha256


def test_blocks_split_on_blank_lines_with_headings_and_lists() -> None:
    text = "## Risks\r\n\r\nFirst line\ncontinues.\n  \n- one\n- two\n\n\n\nLast."
    assert text_blocks(text) == [
        Block("heading", text="Risks"),
        Block("paragraph", text="First line continues."),
        Block("list", items=("one", "two")),
        Block("paragraph", text="Last."),
    ]


def test_a_mixed_block_stays_a_paragraph() -> None:
    assert text_blocks("- one\nnot an item") == [Block("paragraph", text="- one not an item")]


def test_empty_text_has_no_blocks() -> None:
    assert text_blocks(" \n\n \n") == []


def test_line_ends_do_not_change_the_fingerprint() -> None:
    assert normalise_newlines("a  \r\nb\r") == "a\nb"
    assert text_sha256(normalise_newlines("a\r\nb")) == text_sha256("a\nb")


@pytest.mark.parametrize(
    ("typed", "recorded", "same"),
    [
        ("ainsley zephyrine", "Ainsley Zephyrine", True),
        ("  Ainsley \t ZEPHYRINE ", "Ainsley Zephyrine", True),
        ("Zoë Ng", "Zoe\u0308 Ng", True),
        ("Zephyrine Ainsley", "Ainsley Zephyrine", False),
        ("Ainsley", "Ainsley Zephyrine", False),
    ],
)
def test_names_compare_without_case_or_spacing(typed: str, recorded: str, same: bool) -> None:
    assert (name_key(typed) == name_key(recorded)) is same


def test_css_string_cannot_close_the_string_or_the_style_element() -> None:
    escaped = css_string('Dr "Q" \\ </style><script>\n')
    for dangerous in ('"', "<", ">", "\n"):
        assert dangerous not in escaped
    assert escaped.startswith("Dr \\22 Q\\22  \\5c  \\3c /style")


def test_tel_href_keeps_digits_and_the_plus() -> None:
    assert tel_href("+1 (555) 0100-999") == "tel:+15550100999"
    assert tel_href("555 0100") == "tel:5550100"
