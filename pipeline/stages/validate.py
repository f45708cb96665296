"""Stage 3, validate: bundles → typed Parquet tables, checked record by record and as tables.

Each bundle is read strictly by its model (`models.DocumentBundle`, through `pipeline.codec`), then checked by
the table checks that pydantic cannot express (keys, references, offsets, counts), the ones `process` ran when it
made the bundle: the tables stay consistent whoever wrote the file read here. Then what needs the corpus: a
document seen before is a `duplicate_document`. A failing document becomes one reject row and none of its records
reach the tables. This stage fills `record_sha256`; `documents` leaves it without enrich's columns. Metrics for
`dvc metrics show` are computed while streaming.

With a cache folder (`execution.cache`), what a line becomes on its own (its checks, rows and digest; the
duplicate check needs the corpus and runs every time) is stored under the SHA-256 of the line and the code id
(`pipeline.cache`), so a rebuild decodes and checks only the bundles it has not seen; the tables are written
whole every time.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import sqlite3
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from pipeline import codec
from pipeline.arrow import arrow_schema
from pipeline.cache import Cache, CacheStats, open_cache, warning
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
from pipeline.tables import TableWriter, text_chars, text_columns

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


@dataclass(frozen=True)
class Checked:
    """What one line of the parsed units is on its own, before the corpus-wide duplicate check: an earlier
    stage's reject passed on, this stage's reject, or an accepted bundle: its document row (with
    `record_sha256`) and its rows of the other tables, as dicts (`records`, as checked) or in Arrow (`rows`,
    with each row's `tables.text_chars`, as the cache keeps them and the table writers take them whole). A table
    the document has no rows of is absent."""

    earlier: Reject | None = None
    refused: Reject | None = None
    document: dict[str, Any] | None = None
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rows: dict[str, pa.RecordBatch] = field(default_factory=dict)
    chars: dict[str, list[int]] = field(default_factory=dict)

    def in_arrow(self) -> Checked:
        """The same, its rows in Arrow."""
        rows = {
            table: pa.RecordBatch.from_pylist(dicts, schema=_schema(table))
            for table, dicts in self.records.items()
        }
        chars = {
            table: [text_chars(row, _text_columns(table)) for row in dicts]
            for table, dicts in self.records.items()
        }
        return Checked(
            self.earlier, self.refused, self.document, {}, {**self.rows, **rows}, {**self.chars, **chars}
        )

    def dump(self) -> Any:
        """What the cache pickles of it (in Arrow): the rows as Arrow IPC messages, read back without a Python
        object per row."""
        arrow = self.in_arrow() if self.records else self
        batches = {table: batch.serialize().to_pybytes() for table, batch in arrow.rows.items()}
        return (self.earlier, self.refused, self.document, batches, arrow.chars)

    @staticmethod
    def from_dump(dumped: Any) -> Checked:
        earlier, refused, document, batches, chars = dumped
        rows = {
            table: ipc.read_record_batch(pa.py_buffer(data), _schema(table))
            for table, data in batches.items()
        }
        return Checked(earlier, refused, document, {}, rows, chars)


@cache
def _schema(table: str) -> pa.Schema:
    return arrow_schema(table)


@cache
def _text_columns(table: str) -> tuple[str, ...]:
    return text_columns(_schema(table))


def check_line(path: Path, number: int, line: bytes) -> Checked:
    """One line decoded strictly, checked as a table and dumped to rows. Pure."""
    unit = codec.decode(path, number, line, DocumentBundle, Reject)
    if isinstance(unit, Reject):
        return Checked(earlier=unit)
    if isinstance(unit, Unreadable):
        return Checked(refused=unit.reject(NAME))
    problems = table_problems(unit)
    if problems:
        document = unit.document
        detail = "; ".join(problems[:3])
        return Checked(
            refused=new_reject(document.source_file, document.source_row, NAME, "invalid_table", detail)
        )
    records = unit.model_dump()
    document = {**records["document"], "record_sha256": record_digest(records)}
    return Checked(document=document, records={t: records[t] for t in BUNDLE_TABLES[1:] if records[t]})


@dataclass(frozen=True)
class Identity:
    """What the duplicate check reads of an accepted document: its id and where it was found."""

    doc_id: str
    source_file: str
    source_row: int | None


def identity(checked: Checked) -> Identity | None:
    """The identity of an accepted line's document, None for a reject."""
    document = checked.document
    if document is None:
        return None
    return Identity(document["doc_id"], document["source_file"], document["source_row"])


# What a cache entry holds after the identity of a line that was a duplicate when it was checked: no rows (they
# were never needed; a later build in which it is no duplicate checks it again).
IDENTITY_ONLY = "identity only"


def checked_line(
    path: Path, number: int, line: bytes, cache: Cache | None, seen: SeenDocuments | None = None
) -> Checked:
    """`check_line`, from the cache when it holds the line's key (an entry that does not load is corrupt:
    recomputed and replaced).

    An entry is the line's `Identity` pickled before its `Checked` (in Arrow), so that a line whose document was
    accepted before (in `seen`) becomes its `duplicate_document` reject without its rows being read: measured on
    16 copies of the shared corpus, 16,000 of 20,557 lines are such duplicates, and unpickling their rows was
    1.6 of validate's 9 CPU s in the +1 % rebuild. For the same reason a duplicate's rows are never turned into
    Arrow nor stored, and an accepted line's rows are read back as Arrow batches that the table writers take
    whole (1.1 of validate's 6 CPU s in the +1 % rebuild)."""
    if cache is None:
        return check_line(path, number, line)
    key = cache.key(line)
    payload = cache.get(key)
    if payload is not None:
        stream = io.BytesIO(payload)
        try:
            found = pickle.load(stream)
            if found is None or isinstance(found, Identity):
                duplicate = _duplicate(found, seen) if found is not None and seen is not None else None
                if duplicate is not None:
                    cache.stats.hits += 1
                    return Checked(refused=duplicate)
                rest = pickle.load(stream)
                if rest != IDENTITY_ONLY:
                    checked = Checked.from_dump(rest)
                    cache.stats.hits += 1
                    return checked
                payload = None  # checked before as a duplicate only: a miss
        except Exception:  # passed its checksum but does not load (a class renamed since it was written)
            pass
        if payload is not None:
            cache.stats.corrupt += 1
    checked = check_line(path, number, line)
    cache.stats.misses += 1
    found = identity(checked)
    duplicate = _duplicate(found, seen) if found is not None and seen is not None else None
    if duplicate is not None:
        cache.put(key, pickle.dumps(found, protocol=5) + pickle.dumps(IDENTITY_ONLY, protocol=5))
        return Checked(refused=duplicate)
    checked = checked.in_arrow()
    cache.put(key, pickle.dumps(found, protocol=5) + pickle.dumps(checked.dump(), protocol=5))
    return checked


def _write(
    source: Path, target: Path, settings: Settings, metrics_path: Path | None, progress: Progress
) -> StageReport:
    report = StageReport(NAME)
    formats: Counter[str] = Counter()
    with_field: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    stats = CacheStats()
    cache = open_cache(settings.execution.cache, NAME)
    if cache is not None:
        cache = replace(cache, stats=stats)
    with ExitStack() as stack:
        seen = stack.enter_context(SeenDocuments())
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
        for number, line in codec.lines(source / UNITS_FILE):
            task.advance()
            report.received += 1
            checked = checked_line(source / UNITS_FILE, number, line, cache, seen)
            if checked.earlier is not None:
                writers["rejects"].write(checked.earlier.model_dump())
                rows["rejects"] += 1
                continue
            document = checked.document
            found = identity(checked)
            reject = checked.refused or (_duplicate(found, seen) if found is not None else None)
            if reject is not None or document is None:
                assert reject is not None
                report.reject(reject)
                writers["rejects"].write(reject.model_dump())
                rows["rejects"] += 1
                continue
            seen.add(
                document["doc_id"],
                document["source_file"]
                + (f"#row{document['source_row']}" if document["source_row"] is not None else ""),
            )
            report.emitted += 1
            formats[document["capture_format"]] += 1
            for field_name in COVERAGE_FIELDS:
                with_field[field_name] += document[field_name] not in (None, [])
            writers["documents"].write(document)
            rows["documents"] += 1
            for table, batch in checked.rows.items():
                writers[table].write_batch(batch, checked.chars[table])
                rows[table] += batch.num_rows
            for table, table_rows in checked.records.items():
                for row in table_rows:
                    writers[table].write(row)
                rows[table] += len(table_rows)
    if cache is not None:
        report.cache = stats.as_dict()
        if (message := warning(cache.folder, stats)) is not None:
            report.problems.append(message)
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


class SeenDocuments:
    """doc_id → where it was first accepted, for the duplicate check. Every document must be remembered, so
    they are kept in a temporary SQLite file: its page cache (a few MiB) is all it holds in memory, however
    many documents pass."""

    # inserts per transaction: a commit per document would cost a write each
    COMMIT_EVERY = 10_000

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="renda-validate-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.sqlite")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE seen (doc_id TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID")
        self._pending = 0

    def get(self, doc_id: str) -> str | None:
        found = self._db.execute("SELECT location FROM seen WHERE doc_id = ?", (doc_id,)).fetchone()
        return found[0] if found is not None else None

    def add(self, doc_id: str, location: str) -> None:
        self._db.execute("INSERT INTO seen VALUES (?, ?)", (doc_id, location))
        self._pending += 1
        if self._pending >= self.COMMIT_EVERY:
            self._db.commit()
            self._pending = 0

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def __enter__(self) -> SeenDocuments:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _duplicate(document: Identity, seen: SeenDocuments) -> Reject | None:
    """The reject of a document seen before (by doc_id), else None."""
    first = seen.get(document.doc_id)
    if first is None:
        return None
    return new_reject(
        document.source_file,
        document.source_row,
        NAME,
        "duplicate_document",
        f"same content as {first} (doc_id {document.doc_id})",
    )
