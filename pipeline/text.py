"""Small pure functions for Chinese text: lines with offsets, match keys, sentences.

Offsets are code-point offsets into the decoded raw text and are never recomputed from cleaned text: every
function that trims or splits returns the spans it kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.script import to_simplified

# Whitespace as captures contain it: ASCII, NBSP, ideographic space, zero-width characters and a stray BOM.
EDGE_SPACE = " \t\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
_SPACE_RUN = re.compile(f"[{re.escape(EDGE_SPACE)}\r\n]+")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Chinese print marks a paragraph by indenting it two ideographic spaces. In a capture that lost its line breaks
# (a whole speech on one line), an indent right after a sentence end is still a paragraph boundary: a line
# break of width zero, so offsets stay offsets into the same text.
PARAGRAPH_INDENT = "\u3000"
_LINE_BREAK = re.compile(r"\r\n|\r|\n|(?<=[。！？!?”』」）])(?=\u3000\u3000)")

SENTENCE_END = "。！？!?…"
CLOSING_MARKS = "”’」』）)》】\"'"
CLAUSE_MARKS = "，,、；;：:"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the decoded text: `start`/`end` bound its content with edge whitespace trimmed."""

    number: int
    start: int
    end: int
    text: str
    # The raw line ended in two or more spaces (or a backslash): a markdown hard break.
    hard_break: bool = False
    # The raw line starts with an ideographic-space indent: it opens a paragraph.
    indented: bool = False

    @property
    def is_blank(self) -> bool:
        return self.start == self.end


def split_lines(text: str) -> list[Line]:
    """Lines of `text` split on CRLF, CR, LF and indented paragraph starts after a sentence end (zero width);
    each with its trimmed content span."""
    lines: list[Line] = []
    position = 0
    number = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(trimmed_line(text, number, position, match.start()))
        position = match.end()
        number += 1
    lines.append(trimmed_line(text, number, position, len(text)))
    return lines


def trimmed_line(text: str, number: int, start: int, end: int) -> Line:
    """The line of `text` between `start` and `end` with its edge whitespace trimmed (offsets stay offsets)."""
    raw = text[start:end]
    hard_break = raw.endswith("  ") or raw.endswith("\\")
    indented = raw.startswith(PARAGRAPH_INDENT)
    while start < end and text[start] in EDGE_SPACE:
        start += 1
    while end > start and text[end - 1] in EDGE_SPACE:
        end -= 1
    return Line(number, start, end, text[start:end], hard_break, indented)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Texts up to this long get their key once per process (`match_key` memoized, 8,192 of them): the parser keys a
# line several times (chrome, furniture, tail cut) and format detection and templates key the same lines again;
# on the shared corpus 100,000 of 138,000 such calls repeat one made before, at about 10 µs each.
_MEMO_KEY_CHARS = 256


def match_key(text: str) -> str:
    """Key for comparing against markers: NFKC (full-width ？ equals ASCII ?), no whitespace, casefolded,
    traditional characters simplified (opencc t2s), so one marker matches every variant.

    Only for matching: stored text is never NFKC-normalised or converted.
    """
    return _known_key(text) if len(text) <= _MEMO_KEY_CHARS else _match_key(text)


def _match_key(text: str) -> str:
    return to_simplified(_SPACE_RUN.sub("", unicodedata.normalize("NFKC", text)).casefold())


_known_key = lru_cache(maxsize=8192)(_match_key)


def split_words(text: str) -> list[str]:
    """Split on any run of whitespace, NBSP and ideographic spaces included."""
    return [part for part in _SPACE_RUN.split(text) if part]


def iter_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of sentences: each ends after a run of sentence-final marks and any closing quotes or brackets."""
    start = 0
    index = 0
    length = len(text)
    while index < length:
        if text[index] in SENTENCE_END:
            while index < length and text[index] in SENTENCE_END:
                index += 1
            while index < length and text[index] in CLOSING_MARKS:
                index += 1
            yield start, index
            start = index
        else:
            index += 1
    if start < length:
        yield start, length


def first_sentence(text: str) -> str | None:
    """The first complete sentence of `text` when more text follows it; None otherwise."""
    for start, end in iter_sentences(text):
        if end >= len(text) or text[end - 1] not in SENTENCE_END + CLOSING_MARKS:
            return None
        return text[start:end]
    return None


def ends_sentence(text: str) -> bool:
    """Whether `text` ends like a sentence (final punctuation, possibly inside closing quotes)."""
    stripped = text.rstrip(CLOSING_MARKS)
    return bool(stripped) and stripped[-1] in SENTENCE_END + "；;"


def has_clause_marks(text: str) -> bool:
    return any(mark in text for mark in CLAUSE_MARKS)


def join_wrapped(parts: list[str]) -> str:
    """Join soft-wrapped lines: no space between CJK text, one space between Latin words or numbers, none
    between a single character and a part of at most two (text set one character per line: `C` / `N` / `V`,
    `月1` / `9`)."""
    joined = ""
    previous = ""
    for part in parts:
        spelled_out = min(len(previous), len(part)) == 1 and max(len(previous), len(part)) <= 2
        latin_words = (
            joined
            and part
            and joined[-1].isascii()
            and joined[-1].isalnum()
            and part[0].isascii()
            and part[0].isalnum()
        )
        after_punctuation = (
            joined and part and joined[-1] in ".,;:!?)" and part[0].isascii() and part[0].isalnum()
        )
        if not spelled_out and (latin_words or after_punctuation):
            joined += " "
        joined += part
        previous = part
    return joined
