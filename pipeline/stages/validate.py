"""Stage 3, validate: bundles → typed Parquet tables, checked record by record and as tables.

Each bundle is read strictly by its model (`models.DocumentBundle`, through `pipeline.codec`), then checked by
the table checks that pydantic cannot express (keys, references, offsets, counts), the ones `process` ran when it
made the bundle: the tables stay consistent whoever wrote the file read here. Then what needs the corpus: a
document seen before is a `duplicate_document`. A failing document becomes one reject row and none of its records
reach the tables. This stage fills `record_sha256`; `documents` leaves it without enrich's columns. Metrics for
`dvc metrics show` are computed while streaming.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pipeline import codec
from pipeline.checks import file_to_write
from pipeline.codec import SOURCES_FILE, TEMPLATES_FILE, UNITS_FILE, Unreadable
from pipeline.errors import RendaError
from pipeline.fields import CORE_TABLES, COVERAGE_FIELDS
from pipeline.jsonl import dumps_pretty, json_default
from pipeline.models import (
    BUNDLE_TABLES,
    VALIDATED_DOCUMENT_COLUMNS,
    DocumentBundle,
    Reject,
    Source,
    Template,
    new_reject,
)
from pipeline.outputs import write_file_atomic
from pipeline.process import table_problems
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.tables import TableWriter

NAME = "validate"
TABLE_FILES = CORE_TABLES
assert (*BUNDLE_TABLES, "sources", "rejects", "templates") == TABLE_FILES, (
    "a bundle holds every core table but three"
)


# Where a document was found, not what it says: a container's `raw_sha256` is the whole file's hash, so one
# edited row would otherwise change every other row's digest, and a renamed file every digest in it. The
# changelog reports such documents as moved, not changed.
LOCATION_FIELDS = frozenset({"source_file", "source_row", "raw_sha256", "container"})


def record_digest(records: dict[str, Any]) -> str:
    """SHA-256 of the document's parsed records (a `DocumentBundle` dumped): raw text and location fields
    excluded (the bundle has neither the digest itself nor enrich's columns).

    Equal digests mean the same records whatever file or row they came from, so that CHANGELOG.md can call a
    document changed only when its records changed.
    """
    document = {k: v for k, v in records["document"].items() if k not in LOCATION_FIELDS}
    payload = {**{k: v for k, v in records.items() if k != "raw_texts"}, "document": document}
    canonical = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=json_default
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
        columns = {"documents": VALIDATED_DOCUMENT_COLUMNS}  # enrich adds the rest
        writers = {
            t: stack.enter_context(TableWriter(t, target / f"{t}.parquet", columns.get(t)))
            for t in TABLE_FILES
        }
        for source_row in codec.read(source / SOURCES_FILE, Source):
            if isinstance(source_row, Unreadable):
                raise RendaError(f"{source / SOURCES_FILE}: {source_row.source_file}: {source_row.detail}")
            writers["sources"].write(source_row.model_dump())
        if (source / TEMPLATES_FILE).is_file():  # a parse run without `--templates` learned nothing
            for template in codec.read(source / TEMPLATES_FILE, Template):
                if isinstance(template, Unreadable):
                    raise RendaError(f"{source / TEMPLATES_FILE}: {template.source_file}: {template.detail}")
                writers["templates"].write(template.model_dump())
                rows["templates"] += 1
        task = stack.enter_context(progress.task(NAME, lambda: codec.count(source / UNITS_FILE), "docs"))
        for unit in codec.read(source / UNITS_FILE, DocumentBundle, Reject):
            task.advance()
            report.received += 1
            if isinstance(unit, Reject):  # an earlier stage's
                writers["rejects"].write(unit.model_dump())
                rows["rejects"] += 1
                continue
            reject = unit.reject(NAME) if isinstance(unit, Unreadable) else _refused(unit, seen)
            if reject is not None:
                report.reject(reject)
                writers["rejects"].write(reject.model_dump())
                rows["rejects"] += 1
                continue
            bundle, document = unit, unit.document
            seen[document.doc_id] = document.source_file + (
                f"#row{document.source_row}" if document.source_row is not None else ""
            )
            report.emitted += 1
            formats[document.capture_format] += 1
            for field_name in COVERAGE_FIELDS:
                with_field[field_name] += getattr(document, field_name) not in (None, [])
            records = bundle.model_dump()
            writers["documents"].write({**records["document"], "record_sha256": record_digest(records)})
            rows["documents"] += 1
            for table in BUNDLE_TABLES[1:]:
                for row in records[table]:
                    writers[table].write(row)
                rows[table] += len(records[table])
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


def _refused(bundle: DocumentBundle, seen: dict[str, str]) -> Reject | None:
    """The reject of a bundle whose records disagree, or whose document was seen before; else None."""
    document = bundle.document
    problems = table_problems(bundle)
    if problems:
        return new_reject(
            document.source_file, document.source_row, NAME, "invalid_table", "; ".join(problems[:3])
        )
    if document.doc_id in seen:
        return new_reject(
            document.source_file,
            document.source_row,
            NAME,
            "duplicate_document",
            f"same content as {seen[document.doc_id]} (doc_id {document.doc_id})",
        )
    return None
