"""Decoded text + capture format → one structured document (header, sections, paragraphs, credits, related).

The same steps run for every format; the format only supplies data (`pipeline/formats/`). Every line of the
raw text ends in exactly one place: a record (paragraph, heading, credit, related entry), a header field, or
the `dropped` list with the reason it was dropped, which `renda show` prints.

Steps: split lines with offsets → read the head (chrome, title, byline) → read the tail from the end
(chrome, related list, credits) → group the body into blocks → classify blocks as headings or paragraphs →
sections → lead sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline import rules
from pipeline.formats.base import CaptureFormat
from pipeline.text import Line, nfc, split_lines


@dataclass(frozen=True, slots=True)
class Dropped:
    """A raw line that is in no record, and why."""

    line_number: int
    char_start: int
    char_end: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    lines: tuple[Line, ...]
    text: str

    @property
    def char_start(self) -> int:
        return self.lines[0].start

    @property
    def char_end(self) -> int:
        return self.lines[-1].end


@dataclass
class ParsedDocument:
    capture_format: str
    header: dict[str, str] = field(default_factory=dict)
    sections: list[dict[str, Any]] = field(default_factory=list)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def body_paragraphs(self) -> list[dict[str, Any]]:
        return [p for p in self.paragraphs if p["kind"] in ("body", "list_item")]


_DATE = re.compile(r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})")


def parse_date(value: str | None) -> dt.date | None:
    """A calendar date from `2023-12-23`, `2023/12/23` or `2023年12月23日`; None if absent or impossible."""
    if not value:
        return None
    found = _DATE.search(value)
    if found is None:
        return None
    try:
        return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return None


def parse_text(text: str, fmt: CaptureFormat) -> ParsedDocument:
    """Parse one decoded capture with the rules of `fmt`."""
    doc = ParsedDocument(capture_format=fmt.name)
    lines = split_lines(text)
    body_start = _read_head(lines, fmt, doc)
    body_end = _read_tail(lines, body_start, fmt, doc)
    blocks = _blocks(lines[body_start:body_end], fmt, doc)
    blocks = _leading_credits(blocks, doc)
    _structure(blocks, doc)
    doc.dropped.sort(key=lambda d: d.line_number)
    return doc


def _drop(doc: ParsedDocument, line: Line, reason: str) -> None:
    doc.dropped.append(Dropped(line.number, line.start, line.end, reason, line.text))


def _read_head(lines: list[Line], fmt: CaptureFormat, doc: ParsedDocument) -> int:
    """Consume chrome and header lines from the top; return the index of the first body line."""
    unused = list(fmt.header_rules)
    for index, line in enumerate(lines):
        if line.is_blank:
            continue
        if fmt.chrome.where(line.text) in ("head", "anywhere"):
            _drop(doc, line, "chrome")
            continue
        for rule in unused:
            found = rule.match(line.text, doc.header)
            if found is not None:
                doc.header.update(found)
                _drop(doc, line, f"header:{rule.name}")
                # Rules are ordered: once a later rule matched, earlier ones no longer apply.
                unused = unused[unused.index(rule) + 1 :]
                break
        else:
            return index
    return len(lines)


def _read_tail(lines: list[Line], body_start: int, fmt: CaptureFormat, doc: ParsedDocument) -> int:
    """Consume chrome, the related list and credits from the bottom; return the end of the body."""
    seen_tail_chrome = False
    related: list[dict[str, Any]] = []
    credit_lines: list[Line] = []
    for index in range(len(lines) - 1, body_start - 1, -1):
        line = lines[index]
        if line.is_blank:
            continue
        if fmt.chrome.where(line.text) in ("tail", "anywhere"):
            _drop(doc, line, "chrome")
            seen_tail_chrome = True
            continue
        related_match = fmt.related.fullmatch(line.text) if fmt.related is not None else None
        if related_match is not None and seen_tail_chrome and not credit_lines:
            related.append(
                {
                    "column": nfc(related_match["column"]),
                    "title": nfc(related_match["title"].strip()),
                    "char_start": line.start,
                    "char_end": line.end,
                }
            )
            continue
        if _credit_parts(line):
            credit_lines.append(line)
            continue
        body_end = index + 1
        break
    else:
        body_end = body_start
    for line in reversed(credit_lines):
        _add_credits(doc, line)
    doc.related = [{"position": i, **item} for i, item in enumerate(reversed(related))]
    return body_end


def _credit_parts(line: Line) -> list[tuple[int, int, str, str]]:
    """(start, end, label, value) for each credit on the line; [] if the line is not all credits."""
    parts: list[tuple[int, int, str, str]] = []
    offset = 0
    for piece in rules.CREDIT_SPLIT.split(line.text):
        local = line.text.index(piece, offset)
        offset = local + len(piece)
        found = rules.CREDIT_LINE.fullmatch(piece)
        if found is None or len(found["value"]) > rules.CREDIT_VALUE_MAX_CHARS:
            return []
        parts.append((line.start + local, line.start + local + len(piece), found["label"], found["value"]))
    return parts


def _add_credits(doc: ParsedDocument, line: Line) -> None:
    for start, end, label, value in _credit_parts(line):
        doc.credits.append(
            {
                "position": len(doc.credits),
                "role": rules.CREDIT_LABELS[label],
                "label": label,
                "value": nfc(value.strip()),
                "char_start": start,
                "char_end": end,
            }
        )


def _blocks(body: list[Line], fmt: CaptureFormat, doc: ParsedDocument) -> list[Block]:
    """Group body lines into blocks: one per line, or one per run of non-blank lines."""
    blocks: list[Block] = []
    run: list[Line] = []

    def flush() -> None:
        if run:
            blocks.append(Block(tuple(run), nfc(fmt.joiner.join(line.text for line in run))))
            run.clear()

    for line in body:
        if line.is_blank:
            flush()
            continue
        if fmt.chrome.where(line.text) == "anywhere":
            flush()
            _drop(doc, line, "chrome")
            continue
        run.append(line)
        if fmt.block_mode == "line":
            flush()
    flush()
    return blocks


def _leading_credits(blocks: list[Block], doc: ParsedDocument) -> list[Block]:
    """Credit lines standing before the first paragraph (`来源：新华社` under the title) are credits too."""
    index = 0
    while index < len(blocks) and len(blocks[index].lines) == 1 and _credit_parts(blocks[index].lines[0]):
        index += 1
    if index:
        tail_credits = doc.credits
        doc.credits = []
        for block in blocks[:index]:
            _add_credits(doc, block.lines[0])
        for credit in tail_credits:
            doc.credits.append({**credit, "position": len(doc.credits)})
    return blocks[index:]


def _structure(blocks: list[Block], doc: ParsedDocument) -> None:
    """Headings open sections; everything else is a paragraph of the current section."""
    style_levels: dict[str, int] = {}
    for index, block in enumerate(blocks):
        is_last = index == len(blocks) - 1
        style = rules.heading_style(block.text) if len(block.lines) == 1 and not is_last else None
        if style is not None:
            level = style_levels.setdefault(style, len(style_levels) + 1)
            doc.sections.append(
                {
                    "section_index": len(doc.sections),
                    "heading": block.text,
                    "level": level,
                    "char_start": block.char_start,
                    "char_end": block.char_end,
                }
            )
            continue
        if not doc.sections:
            doc.sections.append(
                {"section_index": 0, "heading": None, "level": 0, "char_start": None, "char_end": None}
            )
        doc.paragraphs.append(
            {
                "section_index": doc.sections[-1]["section_index"],
                "paragraph_index": len(doc.paragraphs),
                "kind": "body",
                "text": block.text,
                "lead_sentence": None,
                "char_start": block.char_start,
                "char_end": block.char_end,
            }
        )
    _mark_lead_sentences(doc)


def _mark_lead_sentences(doc: ParsedDocument) -> None:
    by_section: dict[int, list[tuple[dict[str, Any], str]]] = {}
    for paragraph in doc.paragraphs:
        if paragraph["kind"] != "body":
            continue
        candidate = rules.lead_candidate(paragraph["text"])
        if candidate is not None:
            by_section.setdefault(paragraph["section_index"], []).append((paragraph, candidate))
    for candidates in by_section.values():
        if len(candidates) >= rules.LEAD_MIN_PER_SECTION:
            for paragraph, sentence in candidates:
                paragraph["lead_sentence"] = sentence


def document_fields(doc: ParsedDocument) -> dict[str, Any]:
    """Header and credit fields of the `documents` table, from the parsed header and credits."""
    authors: list[str] = []
    positions: list[str | None] = []
    editors: list[str] = []
    source: str | None = None
    for credit in doc.credits:
        if credit["role"] == "author":
            for name, position in rules.split_people(credit["value"]):
                authors.append(name)
                positions.append(position)
        elif credit["role"] == "editor":
            editors.extend(rules.split_names(credit["value"]))
        elif credit["role"] == "source" and source is None:
            source = credit["value"]
    header = doc.header
    body = doc.body_paragraphs
    return {
        "account": nfc(header["account"]) if header.get("account") else None,
        "published_date": parse_date(header.get("date")),
        "column": nfc(header["column"]) if header.get("column") else None,
        "title": nfc(header["title"]) if header.get("title") else None,
        "authors": authors,
        "author_positions": positions,
        "editors": editors,
        "source": source,
        "n_sections": len(doc.sections),
        "n_paragraphs": len(body),
        "n_chars": sum(len(p["text"]) for p in body),
    }
