"""Stage 4, release: validated tables → the published layout.

`<table>.parquet` (the validated files, byte for byte), `csv/<table>.csv` (UTF-8 with BOM so Excel shows
Chinese, list columns as JSON), `plots/*.png`, `DATASHEET.md`, `README.md` (a Hugging Face dataset card),
`datapackage.json` (Frictionless), `croissant.json` (Croissant 1.0 + RAI), `CITATION.cff`, `CHANGELOG.md`,
`manifest.json` and `SHA256SUMS`. Nothing here reads a clock, a machine path or a random source: the same
tables and settings give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from pipeline.errors import RendaError
from pipeline.fields import TABLES
from pipeline.jsonl import Streamed, write_json, write_json_streamed
from pipeline.outputs import MARKER, PARTIAL_MARKER, atomic_output
from pipeline.progress import NO_PROGRESS, NO_TASK, Progress, Task
from pipeline.provenance import code_tree_id, package_version, sha256_file
from pipeline.publish.card import bibtex, citation_cff, dataset_card
from pipeline.publish.changelog import changelog
from pipeline.publish.composition import (
    Composition,
    body_paragraph_lengths,
    read_composition,
    scope_line,
    sentence,
)
from pipeline.publish.croissant import croissant
from pipeline.publish.datapackage import datapackage
from pipeline.publish.datasheet import write_datasheet
from pipeline.publish.plots import write_plots
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder
from pipeline.tables import iter_rows, iter_sorted, release_unused, return_freed_memory, row_count

NAME = "release"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
# The output folder's own bookkeeping, not part of the release's content.
WORK_MARKERS = (MARKER, PARTIAL_MARKER)
# Versions recorded in the manifest: the libraries whose versions decide the output bytes or the parse.
RECORDED_PACKAGES = ("pyarrow", "pandas", "pydantic", "opencc", "charset-normalizer", "matplotlib", "dvc")


# Excel keeps at most this many characters in a cell and cuts the rest; a cell starting with one of these
# characters may be taken for a formula. The release keeps every cell verbatim (the text is data) and says
# in the datasheet how many cells are affected and how to open the CSV safely.
EXCEL_CELL_LIMIT = 32_767
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass
class CsvNotes:
    """Cells of the CSV release a spreadsheet would mistreat, counted per `table.column`."""

    over_limit: Counter[str] = field(default_factory=Counter)
    formula_like: Counter[str] = field(default_factory=Counter)

    def count_column(self, table: str, column: str, cells: pa.Array) -> None:
        """Count one column's cells (an Arrow string array without nulls, `csv_cells`) over Excel's cell limit
        and starting like a formula."""
        over = pc.sum(pc.greater(pc.utf8_length(cells), EXCEL_CELL_LIMIT)).as_py() or 0
        formula = pc.sum(pc.match_substring_regex(cells, _FORMULA_PATTERN)).as_py() or 0
        if over:
            self.over_limit[f"{table}.{column}"] += over
        if formula:
            self.formula_like[f"{table}.{column}"] += formula


# A cell starting with one of FORMULA_PREFIXES, as a regex for Arrow.
_FORMULA_PATTERN = "^[" + "".join("\\" + prefix for prefix in FORMULA_PREFIXES) + "]"
# Python's csv writer (QUOTE_MINIMAL, line terminator CRLF) quotes a cell holding any of these characters.
_QUOTED_PATTERN = '[,"\\r\\n]'
# Rows of a table turned into CSV text at once (Arrow arrays of this many cells a column), fewer when their
# Arrow data would exceed CSV_CHUNK_BYTES: formatting holds a few copies of a chunk's text, and one of 2,000 whole
# raw texts (a row group of up to BATCH_CHARS characters) raised the release's peak RSS at 1,000 synthetic
# documents from 258 to 287 MB.
CSV_CHUNK = 2_000
CSV_CHUNK_BYTES = 1 << 20


def csv_cell(value: Any) -> str:
    """CSV text of one value: lists as JSON arrays, dates ISO, null as an empty cell (no string is empty)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:  # not a bool: type() is exact
        return str(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_cells(column: pa.Array) -> pa.Array:
    """The cells of one column as an Arrow string array without nulls: `csv_cell` of every value, computed by
    Arrow for strings, integers, booleans and dates (the same text: decimal integers, ISO dates) and by
    `csv_cell` for the rest (lists as JSON, floats as Python prints them)."""
    kind = column.type
    if pa.types.is_string(kind):
        cells = column
    elif pa.types.is_integer(kind) or pa.types.is_date32(kind):
        cells = pc.cast(column, pa.string())
    elif pa.types.is_boolean(kind):
        cells = pc.if_else(column, "true", "false")
    else:
        return pa.array([csv_cell(value) for value in column.to_pylist()], pa.string())
    return pc.fill_null(cells, "")


def csv_text(cells: list[pa.Array]) -> pa.Buffer | bytes:
    """Rows of cells as CSV, byte for byte what `csv.writer(lineterminator="\\r\\n")` writes: a cell holding a
    comma, a quote or a line break is quoted with its quotes doubled, every other cell is written as it is."""
    quoted = []
    for column in cells:
        needs = pc.match_substring_regex(column, _QUOTED_PATTERN)
        if pc.any(needs).as_py():  # only those cells are rewritten (most columns have none)
            chosen = pc.filter(column, needs)
            chosen = pc.binary_join_element_wise('"', pc.replace_substring(chosen, '"', '""'), '"', "")
            column = pc.replace_with_mask(column, needs, chosen)
        quoted.append(column)
    quoted[-1] = pc.binary_join_element_wise(quoted[-1], "", "\r\n")  # each row ends with the line ending
    lines = pc.binary_join_element_wise(*quoted, ",")
    if len(lines) == 0:
        return b""
    # the rows lie one after another in the array's data (int32 offsets): hand that over as it is
    _, offsets, data = lines.buffers()
    (start,) = struct.unpack_from("<i", offsets, 4 * lines.offset)
    (end,) = struct.unpack_from("<i", offsets, 4 * (lines.offset + len(lines)))
    return data[start:end]


def write_csv(parquet_path: Path, csv_path: Path, notes: CsvNotes | None = None, task: Task = NO_TASK) -> int:
    """Write a table as CSV, cells verbatim; count the cells a spreadsheet would mistreat into `notes`. Returns
    the number of rows (read from the footer this opens anyway: a footer of thousands of row groups is tens of
    MB to parse).

    Each chunk of rows is formatted column by column by Arrow (`csv_cells`, `csv_text`), not cell by cell in
    Python: measured on 16 copies of the shared corpus (474,000 rows, 4.2 million cells), the CSV files took 6.1
    CPU s (of the release's 11) when each cell went through `csv_cell` and `csv.writer`, 2.5 s so. The bytes are
    the same (a test compares them with `csv.writer`'s).
    """
    table = parquet_path.stem
    columns = list(TABLES[table].columns)
    parquet = pq.ParquetFile(parquet_path)
    with csv_path.open("wb") as handle:
        handle.write(("\ufeff" + ",".join(columns) + "\r\n").encode("utf-8"))
        for index in range(parquet.num_row_groups):
            group = parquet.read_row_group(index, columns=columns)
            rows = group.num_rows * CSV_CHUNK_BYTES // max(1, group.nbytes)
            for batch in group.to_batches(max_chunksize=max(1, min(CSV_CHUNK, rows))):
                cells = [csv_cells(batch.column(column)) for column in columns]
                if notes is not None:
                    for column, column_cells in zip(columns, cells, strict=True):
                        notes.count_column(table, column, column_cells)
                handle.write(csv_text(cells))
                task.advance(batch.num_rows)
                del cells
                release_unused()
            del group
            release_unused()
    return parquet.metadata.num_rows


def upstream_lock_sha256(dvc_lock: Path | None) -> str | None:
    """SHA-256 of the dvc.lock entries of every stage before `release` (canonical JSON), or None."""
    if dvc_lock is None or not dvc_lock.is_file():
        return None
    lock = yaml.safe_load(dvc_lock.read_text(encoding="utf-8")) or {}
    stages = {name: entry for name, entry in (lock.get("stages") or {}).items() if name != NAME}
    canonical = json.dumps(stages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _dependencies() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


# A file's SHA-256 by (path, size, modification time): the release lists its files three times (for the
# metadata, the manifest and SHA256SUMS), and the tables and CSV files, most of the bytes, are the same files
# each time (×16 corpus: 157 MB hashed once, not three times).
Digests = dict[tuple[str, int, int], str]


def _entries(
    target: Path, rows: dict[str, int], skip: set[str], digests: Digests | None = None
) -> dict[str, dict[str, Any]]:
    digests = {} if digests is None else digests
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in target.rglob("*") if p.is_file() and p.name not in WORK_MARKERS):
        relative = path.relative_to(target).as_posix()
        if relative in skip:
            continue
        status = path.stat()
        known = (relative, status.st_size, status.st_mtime_ns)
        if known not in digests:
            digests[known] = sha256_file(path)
        entry: dict[str, Any] = {"path": relative, "sha256": digests[known], "bytes": status.st_size}
        table = path.stem if path.suffix in (".parquet", ".csv") else None
        if table in rows:
            entry["table"] = table
            entry["rows"] = rows[table]
        entries[relative] = entry
    return entries


@dataclass(frozen=True)
class DocumentDigests:
    """Every document's `record_sha256` and location (`file` or `file#rowN`), in doc_id order, for the manifest
    and the changelog: read from the documents table and sorted on disk (`tables.iter_sorted`) each time they
    are listed. Holding the table's columns and a sort index instead (a few dozen bytes a document) raised the
    release's peak RSS with the corpus."""

    path: Path
    count: int

    @classmethod
    def read(cls, documents: Path) -> DocumentDigests:
        return cls(documents, row_count(documents))

    def __len__(self) -> int:
        return self.count

    def items(self) -> Iterator[tuple[str, dict[str, str]]]:
        for row in iter_sorted(self.path, "doc_id", ["doc_id", "record_sha256", "source_file", "source_row"]):
            row_number = row["source_row"]
            source = row["source_file"] + (f"#row{row_number}" if row_number is not None else "")
            yield row["doc_id"], {"record_sha256": row["record_sha256"], "source": source}


def described(settings: Settings, composition: Composition) -> Settings:
    """The settings whose dataset description ends with this release's computed composition."""
    dataset = settings.dataset
    description = f"{dataset.description} {sentence(composition)}"
    return settings.model_copy(update={"dataset": dataset.model_copy(update={"description": description})})


def _reject_reasons(target: Path) -> dict[str, dict[str, str]]:
    """Each reject's stage and reason by location (`file` or `file#rowN`), for the next changelog to diff."""
    reasons: dict[str, dict[str, str]] = {}
    for row in iter_rows(target / "rejects.parquet", ["source_file", "source_row", "stage", "reason_code"]):
        where = row["source_file"] + (f"#row{row['source_row']}" if row["source_row"] is not None else "")
        if where in reasons:  # one input rejected at two stages: keep both, told apart by stage
            where = f"{where} ({row['stage']})"
        reasons[where] = {"stage": row["stage"], "reason_code": row["reason_code"]}
    return dict(sorted(reasons.items()))


def changed_tables(source: Path, previous: dict[str, Any]) -> list[str]:
    """Table files (`<table>.parquet`) whose SHA-256 differs from the previous manifest's, or that only one has.

    The Parquet files are the release's content; CSVs, plots and the metadata files are derived from them
    and the settings, so comparing the tables is enough (and cheap: before any file is written).
    """
    files = previous.get("files", [])
    before = {
        entry["path"]: entry.get("sha256")
        for entry in files
        if isinstance(entry, dict) and entry.get("table") and str(entry.get("path", "")).endswith(".parquet")
    }
    now = {f"{table}.parquet": sha256_file(source / f"{table}.parquet") for table in TABLES}
    return sorted(path for path in set(before) | set(now) if before.get(path) != now.get(path))


def check_version(source: Path, settings: Settings) -> str | None:
    """Refuse new content under the version of `release.previous_manifest`; a note when it is allowed.

    A version names bytes: whoever pinned 0.1.0's checksums must not get other tables under 0.1.0. The same
    content under the same version (a rebuild) is fine and returns None.
    """
    path = settings.release.previous_manifest
    if path is None:
        return None
    previous = json.loads(path.read_text(encoding="utf-8"))
    version = settings.dataset.version
    if previous.get("version") != version:
        return None
    differing = changed_tables(source, previous)
    if not differing:
        return None
    what = f"{', '.join(differing)} differ from release.previous_manifest {path}, which is also version {version}"
    if not settings.release.allow_same_version:
        raise RendaError(
            f"dataset.version {version}: {what}; bump dataset.version in params.yaml "
            "(or pass --allow-same-version for a development build)"
        )
    return f"{what} (allowed by --allow-same-version / release.allow_same_version; do not publish this)"


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_input_folder(source, NAME, "enrich", "documents.parquet")
    for table in TABLES:
        if not (source / f"{table}.parquet").is_file():
            raise RendaError(f"{source}: missing {table}.parquet (run `renda enrich` first)")
    note = check_version(source, settings)
    # The bar counts the rows written as CSV (most of the stage's time); the steps after it are named.
    rows = lambda: sum(row_count(source / f"{table}.parquet") for table in TABLES)  # noqa: E731
    with (
        atomic_output(target, "release", [source], option="release") as work,
        progress.task(NAME, rows, "rows") as task,
    ):
        report = _write(source, work, settings, task)
    if note is not None:
        report.problems.append(note)
    return report


def _write(source: Path, target: Path, settings: Settings, task: Task = NO_TASK) -> StageReport:
    previous = settings.release.previous_manifest
    report = StageReport(NAME)
    (target / "csv").mkdir()
    rows: dict[str, int] = {}
    notes = CsvNotes()
    for table in TABLES:
        parquet_path = target / f"{table}.parquet"
        shutil.copyfile(source / f"{table}.parquet", parquet_path)
        rows[table] = write_csv(parquet_path, target / "csv" / f"{table}.csv", notes, task)
        return_freed_memory()
    report.received = rows["documents"] + rows["rejects"]
    report.emitted = rows["documents"]
    provenance = {"package_version": package_version(), "code_tree": code_tree_id()}
    task.describe(f"{NAME}: plots")
    paragraph_lengths = body_paragraph_lengths(target)
    return_freed_memory()
    write_plots(target, paragraph_lengths)
    return_freed_memory()
    composition = read_composition(target, settings.issuers.in_scope)
    settings = described(settings, composition)  # every description below says what this release holds
    report.extra["issuers"] = scope_line(composition)
    task.describe(f"{NAME}: files")
    write_datasheet(
        target / "DATASHEET.md",
        target,
        settings,
        provenance,
        notes.over_limit,
        notes.formula_like,
        composition,
        paragraph_lengths,
        rows,
    )
    digests: Digests = {}
    tables_and_data = _entries(target, rows, skip=set(), digests=digests)
    cite_as = bibtex(settings)
    write_json(target / "datapackage.json", datapackage(settings, tables_and_data))
    write_json(target / "croissant.json", croissant(settings, tables_and_data, cite_as))
    (target / "README.md").write_text(dataset_card(settings, rows, provenance), encoding="utf-8")
    (target / "CITATION.cff").write_text(citation_cff(settings), encoding="utf-8")
    documents = DocumentDigests.read(target / "documents.parquet")
    rejects = _reject_reasons(target)
    d = settings.dataset
    (target / "CHANGELOG.md").write_text(
        changelog(d.version, d.released, documents, rejects, previous), encoding="utf-8"
    )
    files = _entries(target, rows, skip={MANIFEST, CHECKSUMS}, digests=digests)
    write_json_streamed(
        target / MANIFEST,
        {
            "dataset": d.name,
            "version": d.version,
            "released": d.released,
            **provenance,
            "upstream_lock_sha256": upstream_lock_sha256(settings.release.dvc_lock),
            "dependencies": _dependencies(),
            "tables": rows,
            "files": list(files.values()),
            "documents": Streamed(documents.items),
            "rejects": rejects,
        },
    )
    checksums = _entries(target, rows, skip={CHECKSUMS}, digests=digests)
    (target / CHECKSUMS).write_text(
        "".join(f"{entry['sha256']}  {path}\n" for path, entry in checksums.items()), encoding="utf-8"
    )
    report.extra["tables"] = rows
    return report
