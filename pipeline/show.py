"""`renda show FILE`: one capture parsed and printed as a tree, for people checking the parser.

The file goes the pipeline's own way: ingest's reading of it (limits, decoding, HTML and container reading,
format detection: a container shows each row) and `pipeline.process` for each document. For each one it prints
the header fields, each section with its paragraphs (kind, lead sentence, offsets), credits, related articles,
and every line the parser dropped with the reason, in raw-line order; a reject is one line with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import RendaError
from pipeline.formats import FORMATS
from pipeline.models import DocumentBundle, Reject
from pipeline.parser import Dropped
from pipeline.process import trace
from pipeline.rawfiles import RawEntry
from pipeline.settings import Settings
from pipeline.stages.ingest import read_units

WIDTH = 100

# One mark per paragraph kind of the field dictionary (`fields.PARAGRAPH_KINDS`; a test keeps them in step).
KIND_MARKERS = {"body": "¶", "list_item": "•", "caption": "🖼", "code": "⌨", "table": "▦", "signature": "✍"}


def _clip(text: str, width: int = 80) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(where: str, bundle: DocumentBundle, dropped_lines: Sequence[Dropped], dropped: bool = True) -> str:
    document = bundle.document
    out = [f"{where}  [{document.capture_format}, {document.encoding}]", ""]
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
        out.append(f"  {name:<17} {getattr(document, name)}")
    if document.repost_of:
        out.append(f"  {'repost_of':<17} {document.repost_of}")
    if document.url:
        out.append(f"  {'url':<17} {document.url}")
    out.append(
        f"  {'counts':<17} {document.n_sections} sections, {document.n_paragraphs} body paragraphs, "
        f"{len(bundle.credits)} credits, {len(bundle.related)} related, {len(dropped_lines)} lines dropped"
    )
    for section in bundle.sections:
        heading = section.heading if section.heading is not None else "(untitled lead)"
        out.append("")
        out.append(f"§{section.section_index} L{section.level} {heading}")
        for paragraph in bundle.paragraphs:
            if paragraph.section_index != section.section_index:
                continue
            marker = KIND_MARKERS[paragraph.kind]
            offsets = f"[{paragraph.char_start}:{paragraph.char_end}]"
            out.append(f"  {marker} {paragraph.paragraph_index:>3} {offsets:<14} {_clip(paragraph.text)}")
            if paragraph.lead_sentence:
                out.append(f"        lead: {paragraph.lead_sentence}")
    if bundle.credits:
        out.append("")
        out.append("credits:")
        out.extend(f"  {c.role:<13} {c.label}: {c.value}" for c in bundle.credits)
    if bundle.related:
        out.append("")
        out.append("related:")
        out.extend(f"  {r.item_index:>2} 【{r.column}】{r.title}" for r in bundle.related)
    if dropped and dropped_lines:
        out.append("")
        out.append("dropped lines:")
        out.extend(f"  L{d.line_number + 1:<5} {d.reason:<24} {_clip(d.text, 70)}" for d in dropped_lines)
    return "\n".join(out) + "\n"


def show(path: Path, format_name: str | None = None, dropped: bool = True, row: int | None = None) -> str:
    """The capture as the pipeline reads and processes it (HTML pages, feeds and table rows included), each
    document printed; `row` picks one row of a container."""
    if not path.is_file():
        raise RendaError(f"{path}: file not found")
    if format_name is not None and format_name not in FORMATS:
        raise RendaError(f"unknown format {format_name!r}; known: {', '.join(FORMATS)}")
    out: list[str] = []
    _, units = read_units(RawEntry(path.name, path, "file"), Settings())
    for unit in units:
        if row is not None and unit.source_row != row:
            continue
        where = f"{path}#row{unit.source_row}" if unit.source_row is not None else str(path)
        if isinstance(unit, Reject):
            out.append(_rejected(where, unit))
            continue
        if format_name is not None:
            unit = unit.model_copy(update={"capture_format": format_name})
        processed = trace(unit)
        if isinstance(processed.result, Reject):
            out.append(_rejected(where, processed.result))
            continue
        assert processed.parsed is not None  # a bundle comes from a parse
        out.append(render(where, processed.result, processed.parsed.dropped, dropped))
    if not out:
        raise RendaError(f"{path}: no row {row}")
    return "\n".join(out)


def _rejected(where: str, reject: Reject) -> str:
    return f"{where}  rejected at {reject.stage} ({reject.reason_code}): {reject.detail}\n"
