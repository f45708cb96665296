"""Stage 3, validate: bundles → typed Parquet tables, checked record by record and as tables.

Each bundle is validated strictly by pydantic (`models.DocumentBundle`), then by table checks that pydantic
cannot express (keys, references, offsets, counts). A failing document becomes one reject row and none of
its records reach the tables. Metrics for `dvc metrics show` are computed while streaming.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.checks import file_to_write
from pipeline.fields import BODY_KINDS, CORE_TABLES, COVERAGE_FIELDS
from pipeline.jsonl import dumps_pretty, read_lines, read_records
from pipeline.models import BUNDLE_TABLES, DocumentBundle
from pipeline.outputs import write_file_atomic
from pipeline.progress import NO_PROGRESS, Progress, count_lines
from pipeline.settings import Settings
from pipeline.stages.base import (
    SOURCES_FILE,
    UNITS_FILE,
    StageReport,
    check_input_folder,
    reject_unit,
    run_atomic,
)
from pipeline.tables import TableWriter

NAME = "validate"
TABLE_FILES = CORE_TABLES
assert (*BUNDLE_TABLES, "sources", "rejects") == TABLE_FILES, "a bundle holds every core table but two"


def table_problems(bundle: Any) -> list[str]:
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
        if [r.position for r in getattr(bundle, name)] != list(range(len(getattr(bundle, name)))):
            problems.append(f"{name} position not consecutive from 0")
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


# Where a document was found, not what it says: a container's `raw_sha256` is the whole file's hash, so one
# edited row would otherwise change every other row's digest, and a renamed file every digest in it. The
# changelog reports such documents as moved, not changed.
LOCATION_FIELDS = frozenset({"source_file", "source_row", "raw_sha256", "container"})
# Set later by `enrich`, or the digest itself.
LATER_FIELDS = frozenset({"record_sha256", "dup_cluster", "is_canonical", "layer_error"})


def record_digest(bundle: Any) -> str:
    """SHA-256 of the document's parsed records: raw text, location fields and enrich's fields excluded.

    Equal digests mean the same records whatever file or row they came from, so that CHANGELOG.md can call a
    document changed only when its records changed.
    """
    excluded = set(LOCATION_FIELDS | LATER_FIELDS)
    payload = bundle.model_dump(mode="json", exclude={"raw_texts": True, "document": excluded})
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']} ({error.error_count()} errors)"


def run(
    source: Path,
    target: Path,
    settings: Settings,
    metrics_path: Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> StageReport:
    check_input_folder(source, NAME, "parse", UNITS_FILE)
    if metrics_path is not None:
        file_to_write(metrics_path, "--metrics")  # written last: a bad path must not cost the whole stage
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, metrics_path, progress))


def _write(
    source: Path, target: Path, settings: Settings, metrics_path: Path | None, progress: Progress
) -> StageReport:
    report = StageReport(NAME)
    seen: dict[str, str] = {}
    formats: Counter[str] = Counter()
    with_field: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    with ExitStack() as stack:
        writers = {t: stack.enter_context(TableWriter(t, target / f"{t}.parquet")) for t in TABLE_FILES}
        for source_row in read_records(source / SOURCES_FILE):
            writers["sources"].write(source_row)
        task = stack.enter_context(progress.task(NAME, lambda: count_lines(source / UNITS_FILE), "docs"))
        for line in read_lines(source / UNITS_FILE):
            task.advance()
            report.received += 1
            if line.startswith('{"unit":"reject"'):
                unit = read_one(line)
                writers["rejects"].write({k: v for k, v in unit.items() if k != "unit"})
                rows["rejects"] += 1
                continue
            reject = None
            try:
                bundle = DocumentBundle.model_validate_json(_strip_unit(line), strict=True)
            except ValidationError as error:
                unit = read_one(line)["document"]
                reject = reject_unit(
                    unit["source_file"], unit.get("source_row"), NAME, "invalid_record", _first_error(error)
                )
            else:
                document = bundle.document
                problems = table_problems(bundle)
                if problems:
                    reject = reject_unit(
                        document.source_file,
                        document.source_row,
                        NAME,
                        "invalid_table",
                        "; ".join(problems[:3]),
                    )
                elif document.doc_id in seen:
                    reject = reject_unit(
                        document.source_file,
                        document.source_row,
                        NAME,
                        "duplicate_document",
                        f"same content as {seen[document.doc_id]} (doc_id {document.doc_id})",
                    )
            if reject is not None:
                report.reject(reject)
                writers["rejects"].write({k: v for k, v in reject.items() if k != "unit"})
                rows["rejects"] += 1
                continue
            document = document.model_copy(update={"record_sha256": record_digest(bundle)})
            bundle = bundle.model_copy(update={"document": document})
            seen[document.doc_id] = document.source_file + (
                f"#row{document.source_row}" if document.source_row is not None else ""
            )
            report.emitted += 1
            formats[document.capture_format] += 1
            for field_name in COVERAGE_FIELDS:
                with_field[field_name] += getattr(document, field_name) not in (None, [])
            for table in BUNDLE_TABLES:
                records = [bundle.document] if table == "documents" else getattr(bundle, table)
                for record in records:
                    writers[table].write(record.model_dump())
                    rows[table] += 1
    documents = report.emitted
    metrics = {
        "documents": documents,
        "rejects": rows["rejects"],
        "rows": {t: rows[t] for t in (*BUNDLE_TABLES, "rejects")},
        "capture_formats": dict(sorted(formats.items())),
        "field_coverage": {
            k: round(v / documents, 4) if documents else 0.0 for k, v in sorted(with_field.items())
        },
        "paragraphs_per_document": round(rows["paragraphs"] / documents, 2) if documents else 0.0,
    }
    report.extra["metrics"] = metrics
    if metrics_path is not None:
        write_file_atomic(metrics_path, dumps_pretty(metrics))
    report.save(target)
    return report


def read_one(line: str) -> dict[str, Any]:
    return json.loads(line)


def _strip_unit(line: str) -> str:
    """The bundle JSON without its leading `"unit":"bundle",` tag (the model forbids unknown keys)."""
    prefix = '{"unit":"bundle",'
    return "{" + line[len(prefix) :] if line.startswith(prefix) else line
