"""Stage 2, parse: decoded documents → one bundle of records per document (or a reject).

A bundle holds the document's rows for every table, so `validate` accepts or rejects a document whole. A
parser error on one document becomes a `parse_error` reject for that document, never a failed run.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.dates import parse_date
from pipeline.executor import ordered_map
from pipeline.formats import FORMATS
from pipeline.issuers import Registry, load_registry, resolve
from pipeline.jsonl import read_records, write_line
from pipeline.parser import document_fields, parse_text
from pipeline.progress import NO_PROGRESS, Progress, count_lines
from pipeline.script import conversion_name, detect_script, to_simplified
from pipeline.settings import Settings
from pipeline.stages.base import (
    SOURCES_FILE,
    UNITS_FILE,
    StageReport,
    check_input_folder,
    reject_unit,
    run_atomic,
)
from pipeline.text import nfc

NAME = "parse"


@dataclass(frozen=True)
class IssuerScope:
    """What the issuer columns are resolved against: the curated registry and the in-scope issuer types."""

    registry: Registry = field(default_factory=Registry.empty)
    in_scope: tuple[str, ...] = ("people_congress", "government")

    @classmethod
    def from_settings(cls, settings: Settings) -> IssuerScope:
        registry = load_registry(settings.issuers.registry, settings.snapshot.sources)
        return cls(registry, tuple(settings.issuers.in_scope))


def parse_unit(unit: dict[str, Any], issuers: IssuerScope | None = None) -> dict[str, Any]:
    """One ingested document → a bundle unit, or a reject unit. Pure."""
    issuers = issuers or IssuerScope()
    fmt = FORMATS[unit["capture_format"]]
    try:
        doc = parse_text(unit["raw_text"], fmt)
    except Exception as error:  # one bad document must not stop the corpus; the reject names the error
        return reject_unit(
            unit["source_file"], unit["source_row"], NAME, "parse_error", f"{type(error).__name__}: {error}"
        )
    if not doc.body_paragraphs:
        dropped = len(doc.dropped)
        return reject_unit(
            unit["source_file"],
            unit["source_row"],
            NAME,
            "no_body",
            f"no body paragraph found ({dropped} lines dropped as chrome/header, {len(doc.credits)} credits)",
        )
    doc_id = unit["doc_id"]
    keyed = {"doc_id": doc_id}
    fields = with_container_fields(document_fields(doc), doc.header.get("url"), unit["meta"])
    issuer = resolve(fields["account"], unit["source_file"], issuers.registry)
    script = detect_script(unit["raw_text"])
    convert = to_simplified if script == "traditional" else _none
    return {
        "unit": "bundle",
        "document": {
            **keyed,
            "source_file": unit["source_file"],
            "source_row": unit["source_row"],
            "container": unit["container"],
            "capture_format": unit["capture_format"],
            "raw_sha256": unit["raw_sha256"],
            "encoding": unit["encoding"],
            "n_replaced_bytes": unit["n_replaced_bytes"],
            **fields,
            **issuer.columns(issuers.in_scope),
            "title_simplified": convert(fields["title"]),
            "script": script,
            "conversion": conversion_name() if script == "traditional" else None,
            "record_sha256": "0" * 64,  # filled by `validate`, over the validated records
            "repost_of": doc.header.get("repost_of"),
            # corpus-level: `enrich` sets them once every document is known
            "dup_cluster": doc_id,
            "is_canonical": True,
            "layer_error": None,  # set by `enrich` if the layers fail for this document
        },
        "sections": [{**keyed, **row, "heading_simplified": convert(row["heading"])} for row in doc.sections],
        "paragraphs": [{**keyed, **row, "text_simplified": convert(row["text"])} for row in doc.paragraphs],
        "credits": [{**keyed, **row} for row in doc.credits],
        "related": [{**keyed, **row} for row in doc.related],
        "raw_texts": [
            {
                **keyed,
                "source_file": unit["source_file"],
                "source_row": unit["source_row"],
                "encoding": unit["encoding"],
                "raw_text": unit["raw_text"],
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
    return {"url": filled_url, **filled}


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_input_folder(source, NAME, "ingest", UNITS_FILE)
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress))


def parse_or_pass(unit: dict[str, Any], issuers: IssuerScope | None = None) -> dict[str, Any]:
    """A document unit parsed; an earlier reject passed on unchanged (the function the executor maps)."""
    return unit if unit["unit"] == "reject" else parse_unit(unit, issuers)


def _write(source: Path, target: Path, settings: Settings, progress: Progress) -> StageReport:
    report = StageReport(NAME)
    passed_on = 0
    units = read_records(source / UNITS_FILE)
    work = partial(parse_or_pass, issuers=IssuerScope.from_settings(settings))
    with (
        (target / UNITS_FILE).open("w", encoding="utf-8") as out,
        progress.task(NAME, lambda: count_lines(source / UNITS_FILE), "docs") as task,
    ):
        for result in ordered_map(work, units, settings.execution.jobs, settings.execution.scheduler):
            task.advance()
            report.received += 1
            if result["unit"] == "reject" and result["stage"] != NAME:
                write_line(out, result)
                passed_on += 1
                continue
            write_line(out, result)
            if result["unit"] == "reject":
                report.reject(result)
            else:
                report.emitted += 1
    report.extra["earlier_rejects_passed_on"] = passed_on
    shutil.copyfile(source / SOURCES_FILE, target / SOURCES_FILE)
    report.save(target)
    return report
