"""Research layers read from the parsed records: terms, citations, figures, officials, near-duplicates.

Each module is pure text logic with its rules as data; `pipeline/stages/enrich.py` streams the documents and
writes one table per layer. Every row points back to its paragraph (`paragraph_index`, `text_start`,
`text_end` into `paragraphs.text`) and, where the paragraph's text is its raw span verbatim, to the raw text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """What the layers read of a body paragraph: its index, text and raw span."""

    paragraph_index: int
    text: str
    char_start: int
    char_end: int


def raw_offsets(paragraph: Paragraph, raw_text: str, start: int, end: int) -> tuple[int | None, int | None]:
    """Raw-text offsets of text[start:end], when the paragraph's text is its raw span verbatim."""
    if raw_text[paragraph.char_start : paragraph.char_end] == paragraph.text:
        return paragraph.char_start + start, paragraph.char_start + end
    needle = paragraph.text[start:end]
    span = raw_text[paragraph.char_start : paragraph.char_end]
    if span.count(needle) == 1:  # unambiguous even though the paragraph was cleaned
        found = span.index(needle)
        return paragraph.char_start + found, paragraph.char_start + found + len(needle)
    return None, None
