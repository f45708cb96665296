"""Small pure functions for Chinese text: lines with offsets, match keys, sentences.

Offsets are code-point offsets into the decoded raw text and are never recomputed from cleaned text: every
function that trims or splits returns the spans it kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

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
        lines.append(_trimmed_line(text, number, position, match.start()))
        position = match.end()
        number += 1
    lines.append(_trimmed_line(text, number, position, len(text)))
    return lines


def _trimmed_line(text: str, number: int, start: int, end: int) -> Line:
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


def match_key(text: str) -> str:
    """Key for comparing against markers: NFKC (full-width ？ equals ASCII ?), no whitespace, casefolded,
    traditional characters simplified (opencc t2s), so one marker matches every variant.

    Only for matching: stored text is never NFKC-normalised or converted.
    """
    return to_simplified(_SPACE_RUN.sub("", unicodedata.normalize("NFKC", text)).casefold())


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


# --- markdown -------------------------------------------------------------------------------------------------
_MD_HEADING = re.compile(r"(#{1,6})(?:\s+|$)")
_BULLET = re.compile(r"(?:[-*+•·]|\d{1,2}[.)])\s+")
_EMPTY_EMPHASIS = re.compile(r"\*{4,}|_{4,}")


def _drop_empty_emphasis(match: re.Match[str]) -> str:
    """`****` is an empty bold run; `******` is a closing `**` followed by one."""
    run = match.group(0)
    return run[0] * (len(run) % 4) if run[0] == "*" else ""


_EMPHASIS = re.compile(r"\*\*|__")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_URL = re.compile(r"(https?://[^\s)）]+)")
_BOLD_RUNS = re.compile(r"(?:\*\*[^*]+?\*\*\s*)+|(?:__[^_]+?__\s*)+")


@dataclass(frozen=True, slots=True)
class Markdown:
    """What markdown markup says about one trimmed line, and its text with the markup removed."""

    text: str
    heading_level: int | None = None
    bullet: bool = False
    quote: bool = False
    bold_only: bool = False
    bold_lead: str | None = None
    fence: bool = False
    inline_image: bool = False


def read_markdown(line: str) -> Markdown:
    """Strip markdown decoration from one line: `>`, bullets, `#`, emphasis, images, links, escapes."""
    rest = line.strip(EDGE_SPACE)
    if rest.startswith("```"):
        return Markdown("", fence=True)
    quote = False
    while rest.startswith(">"):
        quote = True
        rest = rest[1:].lstrip(EDGE_SPACE)
    bullet = False
    found = _BULLET.match(rest)
    if found and not rest.startswith(("**", "__")):
        bullet = rest[:1] in "-*+•·"
        if bullet:
            rest = rest[found.end() :]
    level = None
    heading = _MD_HEADING.match(rest)
    if heading:
        level = len(heading.group(1))
        rest = rest[heading.end() :]
    rest = _EMPTY_EMPHASIS.sub(_drop_empty_emphasis, rest).strip(EDGE_SPACE)
    bold_only = bool(rest) and _BOLD_RUNS.fullmatch(rest) is not None
    bold_lead = None
    lead = re.match(r"\*\*([^*]+?)\*\*", rest)
    if lead and not bold_only:
        bold_lead = lead.group(1).strip(EDGE_SPACE)
    inline_image = bool(_IMAGE.search(rest)) and bool(_IMAGE.sub("", rest).strip(EDGE_SPACE))
    cleaned = _IMAGE.sub("", rest)
    cleaned = _LINK.sub(lambda m: m.group(1), cleaned)
    cleaned = "".join(
        part if index % 2 else _EMPHASIS.sub("", part) for index, part in enumerate(_URL.split(cleaned))
    )
    cleaned = _ESCAPE.sub(r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip(EDGE_SPACE)
    return Markdown(cleaned, level, bullet, quote, bold_only, bold_lead, inline_image=inline_image)


def join_wrapped(parts: list[str]) -> str:
    """Join soft-wrapped lines: no space between CJK text, one space between Latin words or numbers."""
    joined = ""
    for part in parts:
        if (
            joined
            and part
            and joined[-1].isascii()
            and joined[-1].isalnum()
            and part[0].isascii()
            and part[0].isalnum()
        ) or (joined and part and joined[-1] in ".,;:!?)" and part[0].isascii() and part[0].isalnum()):
            joined += " "
        joined += part
    return joined
