"""One document's way from raw unit to bundle: parse → assemble → validate, in one pure function.

`process(unit, settings)` is the per-document work of the pipeline: the parse stage maps it over every unit with
the executor (in this process, a process pool or a Dask cluster), `renda show` prints what it made of one file,
and the tests call it. What needs the whole corpus (duplicate ids, near-duplicate clusters, the release tables)
stays in the stages.

A document that cannot be parsed, has no body, or whose records fail their models or the checks across them is a
`Reject`, never an exception: one bad capture must not stop a corpus. The reject's `stage` names the step that
refused the document, not the process it ran in: `parse` for `parse_error` and `no_body`, `validate` for
`invalid_record` and `invalid_table` (so a reject reads the same whichever stage runs the checks).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pydantic import ValidationError

from pipeline import rules
from pipeline.dates import parse_date
from pipeline.fields import BODY_KINDS
from pipeline.formats import FORMATS
from pipeline.formats.base import CaptureFormat
from pipeline.issuers import Registry, load_registry, resolve
from pipeline.models import BUNDLE_TABLES, DocumentBundle, RawUnit, Reject, first_error, new_reject
from pipeline.parser import ParsedDocument, Row, document_fields, parse_text
from pipeline.script import conversion_name, detect_script, to_simplified
from pipeline.settings import Settings
from pipeline.templates import Templates, origins_of, template_rows
from pipeline.text import nfc


@dataclass(frozen=True)
class DocumentSettings:
    """What the work on one document reads besides the unit: the curated issuer registry and the in-scope issuer
    types. Read from disk once per run, then shipped with the function to every worker."""

    registry: Registry = field(default_factory=Registry.empty)
    in_scope: tuple[str, ...] = ("people_congress", "government")
    # Page furniture learned from each origin by `renda templates` (none: nothing dropped as `template`).
    templates: Templates = field(default_factory=Templates)

    @classmethod
    def from_settings(cls, settings: Settings, templates: Templates | None = None) -> DocumentSettings:
        registry = load_registry(settings.issuers.registry, settings.snapshot.sources)
        return cls(registry, tuple(settings.issuers.in_scope), templates or Templates())

    def fingerprint(self) -> str:
        """These settings as canonical JSON: part of the cache key of every result `process` makes with them,
        so an edited registry entry or scope re-parses what it could change (everything), and nothing else in
        params.yaml does. The template lines a document is parsed with are keyed per document (`parse_line`)."""
        registry = {
            table: {
                name: entry.model_dump(mode="json") for name, entry in getattr(self.registry, table).items()
            }
            for table in ("by_key", "source_defaults")
        }
        payload = {
            "registry": registry,
            "in_scope": list(self.in_scope),
            "templates": self.templates.settings_json(),
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Processed:
    """What `process` made of a unit, with the parse behind it (None when the parser failed): `renda show`
    prints the lines the parser dropped, which are in no record."""

    result: DocumentBundle | Reject
    parsed: ParsedDocument | None


def process(unit: RawUnit, settings: DocumentSettings | None = None) -> DocumentBundle | Reject:
    """One raw unit → the bundle of its records, validated, or the reject that says why not. Pure."""
    return trace(unit, settings).result


def trace(unit: RawUnit, settings: DocumentSettings | None = None) -> Processed:
    """`process`, keeping the parsed document as well."""
    settings = settings or DocumentSettings()
    try:
        fmt = FORMATS[unit.capture_format]
        doc = parse_text(unit.raw_text, fmt, _template_rows(unit, fmt, settings.templates))
    except Exception as error:  # one bad document must not stop the corpus; the reject names the error
        return Processed(_reject(unit, "parse", "parse_error", f"{type(error).__name__}: {error}"), None)
    if _page_credits(doc, unit.meta.get("title")):
        title = doc.header.get("title") or unit.meta.get("title")
        size = sum(len(p["text"]) for p in doc.body_paragraphs)
        detail = f"titled {title!r}, with {len(doc.body_paragraphs)} paragraph(s) of {size} characters"
        return Processed(_reject(unit, "parse", "page_credits", detail), doc)
    if not doc.body_paragraphs:
        detail = (
            f"no body paragraph found ({len(doc.dropped)} lines dropped as chrome/header, "
            f"{len(doc.credits)} credits)"
        )
        return Processed(_reject(unit, "parse", "no_body", detail), doc)
    try:
        bundle = DocumentBundle.model_validate(assemble(unit, doc, settings), strict=True)
    except ValidationError as error:
        return Processed(_reject(unit, "validate", "invalid_record", first_error(error)), doc)
    problems = table_problems(bundle)
    if problems:
        return Processed(_reject(unit, "validate", "invalid_table", "; ".join(problems[:3])), doc)
    return Processed(bundle, doc)


def _page_credits(doc: ParsedDocument, meta_title: str | None) -> bool:
    """A page's credit block listed as an item: a credit line for a title, a line or two for a text."""
    title = doc.header.get("title") or meta_title or ""
    if not rules.PAGE_CREDITS_TITLE.fullmatch(title.strip()):
        return False
    return sum(len(p["text"]) for p in doc.body_paragraphs) <= rules.PAGE_CREDITS_TEXT_MAX_CHARS


def _template_rows(
    unit: RawUnit, fmt: CaptureFormat, templates: Templates
) -> Callable[[list[Row]], list[int]] | None:
    """What the parser drops first in this unit: its origins' template lines, never its own title."""
    furniture = templates.of(origins_of(unit.source_file, unit.source_row))
    if not furniture:
        return None
    return partial(
        template_rows,
        fmt=fmt,
        furniture=furniture,
        window=templates.window,
        max_chars=templates.max_line_chars,
        keep=(unit.meta.get("title", ""),),
    )


def _reject(unit: RawUnit, stage: str, reason_code: str, detail: str) -> Reject:
    return new_reject(unit.source_file, unit.source_row, stage, reason_code, detail)


def assemble(unit: RawUnit, doc: ParsedDocument, settings: DocumentSettings) -> dict[str, Any]:
    """The records of one parsed document, as the fields of a `DocumentBundle` (validated by the caller)."""
    keyed = {"doc_id": unit.doc_id}
    fields = with_container_fields(document_fields(doc), doc.header.get("url"), unit.meta)
    issuer = resolve(fields["account"], unit.source_file, settings.registry)
    script = detect_script(unit.raw_text)
    convert = to_simplified if script == "traditional" else _none
    return {
        "document": {
            **keyed,
            "source_file": unit.source_file,
            "source_row": unit.source_row,
            "container": unit.container,
            "container_fields": unit.container_fields,
            "capture_format": unit.capture_format,
            "raw_sha256": unit.raw_sha256,
            "encoding": unit.encoding,
            "n_replaced_bytes": unit.n_replaced_bytes,
            **fields,
            **issuer.columns(settings.in_scope),
            "title_simplified": convert(fields["title"]),
            "script": script,
            "conversion": conversion_name() if script == "traditional" else None,
            "repost_of": doc.header.get("repost_of"),
        },
        "sections": [{**keyed, **row, "heading_simplified": convert(row["heading"])} for row in doc.sections],
        "paragraphs": [{**keyed, **row, "text_simplified": convert(row["text"])} for row in doc.paragraphs],
        "credits": [{**keyed, **row} for row in doc.credits],
        "related": [{**keyed, **row} for row in doc.related],
        "tables": [{**keyed, **row} for row in doc.tables],
        "raw_texts": [
            {
                **keyed,
                "source_file": unit.source_file,
                "source_row": unit.source_row,
                "encoding": unit.encoding,
                "raw_text": unit.raw_text,
            }
        ],
    }


def _none(text: str | None) -> None:
    return None


# A title given as `[01版：要闻] 标题` or `【栏目】标题` (feeds, page titles): the bracketed tag is the column.
TAGGED_TITLE = re.compile(r"^\s*[\[【]\s*(?P<column>[^\]】]{1,30}?)\s*[\]】]\s*(?P<title>\S.*)$")


def with_container_fields(fields: dict[str, Any], url: str | None, meta: dict[str, str]) -> dict[str, Any]:
    """Fill what the text does not show from the container's columns or the page's metadata (the text wins
    where both exist)."""
    filled = dict(fields)
    filled_url = url or meta.get("url")
    meta_title = nfc(meta["title"]) if meta.get("title") else None
    tagged = TAGGED_TITLE.match(meta_title) if meta_title else None
    if tagged is not None:
        meta_title = tagged["title"].strip()
        if filled.get("column") is None:
            filled["column"] = tagged["column"].strip()
    if filled["title"] is None and meta_title:
        filled["title"] = meta_title
    if filled["published_date"] is None:
        filled["published_date"] = parse_date(meta.get("date"))
    if filled["account"] is None and meta.get("account"):
        filled["account"] = nfc(meta["account"])
    if filled.get("source") is None and meta.get("source"):
        filled["source"] = nfc(META_LABEL.sub("", meta["source"]).strip()) or None
    return {"url": filled_url, **filled}


# A page's metadata value printed with its label (`来源：人民网-文化频道`): the label goes.
META_LABEL = re.compile(r"^\s*(?:来源|來源|信息来源|稿件来源)\s*[:：]\s*")


def table_problems(bundle: DocumentBundle) -> list[str]:
    """Checks across the records of one document; each problem is one short sentence."""
    problems: list[str] = []
    document = bundle.document
    doc_id = document.doc_id
    raw_length = len(bundle.raw_texts[0].raw_text) if len(bundle.raw_texts) == 1 else -1
    if raw_length < 0:
        problems.append(f"expected 1 raw_texts row, found {len(bundle.raw_texts)}")
    for table in BUNDLE_TABLES[1:]:
        for record in getattr(bundle, table):
            if record.doc_id != doc_id:
                problems.append(f"{table} row has doc_id {record.doc_id}, document is {doc_id}")
    section_ids = [s.section_index for s in bundle.sections]
    if section_ids != list(range(len(section_ids))):
        problems.append(f"section_index not 0..{len(section_ids) - 1} in order")
    if [p.paragraph_index for p in bundle.paragraphs] != list(range(len(bundle.paragraphs))):
        problems.append("paragraph_index not consecutive from 0")
    for name in ("credits", "related"):
        if [r.item_index for r in getattr(bundle, name)] != list(range(len(getattr(bundle, name)))):
            problems.append(f"{name} item_index not consecutive from 0")
    known_sections = set(section_ids)
    body = 0
    for paragraph in bundle.paragraphs:
        if paragraph.section_index not in known_sections:
            problems.append(f"paragraph {paragraph.paragraph_index} points to missing section")
        if paragraph.lead_sentence is not None and not paragraph.text.startswith(paragraph.lead_sentence):
            problems.append(f"paragraph {paragraph.paragraph_index}: lead_sentence is not a prefix of text")
        body += paragraph.kind in BODY_KINDS
    if body == 0:
        problems.append("no body paragraph")
    problems.extend(_table_cell_problems(bundle))
    if document.n_paragraphs != body or document.n_sections != len(bundle.sections):
        problems.append("document counts disagree with its paragraphs/sections")
    for table in ("sections", "paragraphs", "credits", "related"):
        for record in getattr(bundle, table):
            start, end = record.char_start, record.char_end
            if start is None and end is None:
                continue
            if start is None or end is None or not 0 <= start <= end <= raw_length:
                problems.append(
                    f"{table} offsets [{start}, {end}) outside the raw text (length {raw_length})"
                )
                break
    return problems


def _table_cell_problems(bundle: DocumentBundle) -> list[str]:
    """Every `table` paragraph has cells and every cell row points to one, and the paragraph's text is its cells'
    text, rows by newline and cells by tab."""
    rows: dict[int, dict[int, list[str]]] = {}
    for cell in bundle.tables:
        rows.setdefault(cell.paragraph_index, {}).setdefault(cell.row_index, []).append(cell.text or "")
    problems = []
    for paragraph in bundle.paragraphs:
        if paragraph.kind != "table":
            continue
        cells = rows.pop(paragraph.paragraph_index, None)
        if cells is None:
            problems.append(f"table paragraph {paragraph.paragraph_index} has no cells")
        elif "\n".join("\t".join(row) for _, row in sorted(cells.items())) != paragraph.text:
            problems.append(f"table paragraph {paragraph.paragraph_index}: text is not its cells' text")
    problems.extend(f"tables rows point to paragraph {index}, not a table" for index in sorted(rows))
    return problems
