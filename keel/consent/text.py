"""Plain text of consent templates and education pages, split into blocks for display.

The clinic writes plain text, never HTML. A blank line starts a new block;
a block whose lines all start with "- " is a bulleted list; a one-line block
starting with "## " is a heading. Templates render each block's text with
autoescaping, so nothing a user typed can become markup.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

HEADING_PREFIX = "## "
ITEM_PREFIX = "- "
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or bulleted list."""

    kind: Literal["heading", "paragraph", "list"]
    text: str = ""
    items: tuple[str, ...] = field(default=())


def normalise_newlines(text: str) -> str:
    """Use "\\n" line ends and drop trailing spaces, so a text hashes the same everywhere."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def text_blocks(text: str) -> list[Block]:
    """Split plain text into blocks.

    >>> text_blocks("## Risks\\n\\n- sleepiness\\n- nausea")
    [Block(kind='heading', text='Risks', items=()), Block(kind='list', text='', items=('sleepiness', 'nausea'))]
    """
    blocks: list[Block] = []
    for chunk in _BLANK_LINES.split(normalise_newlines(text)):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith(HEADING_PREFIX):
            blocks.append(Block("heading", text=lines[0][len(HEADING_PREFIX) :].strip()))
        elif all(line.startswith(ITEM_PREFIX) for line in lines):
            items = tuple(line[len(ITEM_PREFIX) :].strip() for line in lines)
            blocks.append(Block("list", items=items))
        else:
            blocks.append(Block("paragraph", text=" ".join(lines)))
    return blocks


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 text, as stored with a signature."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name_key(name: str) -> str:
    """Compare names without case, accents' encoding or spacing differences."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
