"""`renda show FILE`: one capture parsed and printed as a tree, for people checking the parser.

It runs the pipeline's own ingest step (decode, HTML and container reading, format detection) and parser and prints the header fields, each section
with its paragraphs (kind, lead sentence, offsets), credits, related articles, and every dropped line with
the reason it was dropped, in raw-line order.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import RendaError
from pipeline.formats import FORMATS
from pipeline.parser import ParsedDocument, document_fields, parse_text
from pipeline.settings import Settings
from pipeline.stages.ingest import ingest_file

WIDTH = 100


def _clip(text: str, width: int = 80) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(path: Path, text: str, encoding: str, doc: ParsedDocument, dropped: bool = True) -> str:
    fields = document_fields(doc)
    out = [f"{path}  [{doc.capture_format}, {encoding}]", ""]
    for name in (
        "title",
        "column",
        "account",
        "published_date",
        "authors",
        "author_positions",
        "editors",
        "source",
    ):
        out.append(f"  {name:<17} {fields[name]}")
    if doc.header.get("repost_of"):
        out.append(f"  {'repost_of':<17} {doc.header['repost_of']}")
    if doc.header.get("url"):
        out.append(f"  {'url':<17} {doc.header['url']}")
    out.append(
        f"  {'counts':<17} {fields['n_sections']} sections, {fields['n_paragraphs']} body paragraphs, "
        f"{len(doc.credits)} credits, {len(doc.related)} related, {len(doc.dropped)} lines dropped"
    )
    for section in doc.sections:
        heading = section["heading"] if section["heading"] is not None else "(untitled lead)"
        out.append("")
        out.append(f"§{section['section_index']} L{section['level']} {heading}")
        for paragraph in doc.paragraphs:
            if paragraph["section_index"] != section["section_index"]:
                continue
            marker = {"body": "¶", "list_item": "•", "caption": "🖼", "code": "⌨", "table": "▦"}[
                paragraph["kind"]
            ]
            offsets = f"[{paragraph['char_start']}:{paragraph['char_end']}]"
            out.append(
                f"  {marker} {paragraph['paragraph_index']:>3} {offsets:<14} {_clip(paragraph['text'])}"
            )
            if paragraph["lead_sentence"]:
                out.append(f"        lead: {paragraph['lead_sentence']}")
    if doc.credits:
        out.append("")
        out.append("credits:")
        out.extend(f"  {c['role']:<13} {c['label']}: {c['value']}" for c in doc.credits)
    if doc.related:
        out.append("")
        out.append("related:")
        out.extend(f"  {r['position']:>2} 【{r['column']}】{r['title']}" for r in doc.related)
    if dropped and doc.dropped:
        out.append("")
        out.append("dropped lines:")
        out.extend(f"  L{d.line_number + 1:<5} {d.reason:<24} {_clip(d.text, 70)}" for d in doc.dropped)
    return "\n".join(out) + "\n"


def show(path: Path, format_name: str | None = None, dropped: bool = True, row: int | None = None) -> str:
    """The capture as the pipeline reads it (the same ingest step: HTML pages, feeds and table rows included),
    each document parsed and printed; `row` picks one row of a container."""
    if not path.is_file():
        raise RendaError(f"{path}: file not found")
    if format_name is not None and format_name not in FORMATS:
        raise RendaError(f"unknown format {format_name!r}; known: {', '.join(FORMATS)}")
    out: list[str] = []
    for unit in ingest_file(path.name, path.read_bytes(), Settings()):
        if row is not None and unit["source_row"] != row:
            continue
        where = f"{path}#row{unit['source_row']}" if unit["source_row"] is not None else str(path)
        if unit["unit"] == "reject":
            out.append(f"{where}  rejected ({unit['reason_code']}): {unit['detail']}\n")
            continue
        fmt = FORMATS[format_name or unit["capture_format"]]
        doc = parse_text(unit["raw_text"], fmt)
        out.append(render(Path(where), unit["raw_text"], unit["encoding"], doc, dropped))
    if not out:
        raise RendaError(f"{path}: no row {row}")
    return "\n".join(out)
