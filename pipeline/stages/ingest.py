"""Stage 1, ingest: raw folder → decoded documents with hashes and a detected capture format, or rejects.

Files are read in sorted path order, one at a time. Every file becomes raw units (`RawUnit`: one per file, or
one per container row) or a `Reject`, and one `Source` row (path, size, sha256).

With a cache folder (`execution.cache`), what a file became is stored under the SHA-256 of its path, its bytes'
hash, the code id and the ingest settings (`pipeline.cache`): a rebuild still reads and hashes every file (the
`sources` table needs the hash) but decodes and splits only the files it has not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline import codec
from pipeline.cache import Cache, CacheStats, open_cache, warning
from pipeline.codec import SOURCES_FILE, UNITS_FILE, RecordWriter
from pipeline.containers import (
    HTML_TEXT_KINDS,
    ContainerError,
    cell_text,
    container_kind,
    iter_rows,
    other_fields,
    resolve_columns,
    row_bytes,
)
from pipeline.decode import DecodeError, decode_bytes
from pipeline.errors import RendaError
from pipeline.executor import ordered_map
from pipeline.formats import FORMATS, detect_format
from pipeline.html import looks_like_html, read_page, render
from pipeline.models import RawUnit, Reject, Source, new_reject
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.rawfiles import RawEntry, iter_raw_entries
from pipeline.settings import LimitSettings, Settings
from pipeline.snapshot import SNAPSHOT_FOLDER, read_origins
from pipeline.stages.base import StageReport, check_capture_folder, run_atomic

NAME = "ingest"
# Saved web pages: read by lxml, their main element rendered as paragraphs (capture_format `html`).
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
HTML_FORMAT = FORMATS["html"].name


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def ingest_file(relative: str, data: bytes, settings: Settings) -> Iterator[RawUnit | Reject]:
    """One raw file → raw units (one per container row) or rejects. Pure: no I/O.

    Whatever goes wrong inside is a reject of this file (`ingest_error`, naming the exception), never a stopped
    build: the units yielded before the error stand, and the error is the file's last unit.
    """
    emitted_file_reject = False
    try:
        for unit in _ingest_file(relative, data, settings):
            emitted_file_reject = isinstance(unit, Reject) and unit.source_row is None
            yield unit
    except Exception as error:  # the guard: one hostile input must not stop the corpus
        if not emitted_file_reject:
            yield new_reject(relative, None, NAME, "ingest_error", f"{type(error).__name__}: {error}")


def _too_large(text: str, limits: LimitSettings) -> str | None:
    """Why a document's text is over a limit, or None."""
    if len(text) > limits.max_document_chars:
        return f"{len(text)} characters (ingest.limits.max_document_chars = {limits.max_document_chars})"
    lines = text.count("\n") + 1
    if lines > limits.max_document_lines:
        return f"{lines} lines (ingest.limits.max_document_lines = {limits.max_document_lines})"
    return None


def _ingest_file(relative: str, data: bytes, settings: Settings) -> Iterator[RawUnit | Reject]:
    if any(part.startswith(".") for part in PurePosixPath(relative).parts):
        yield new_reject(relative, None, NAME, "hidden_file", "name starts with '.'")
        return
    for pattern in settings.ingest.exclude:
        if fnmatch(relative, pattern):
            yield new_reject(relative, None, NAME, "excluded", f"matches ingest.exclude pattern {pattern!r}")
            return
    kind = container_kind(relative)
    if kind == "parquet" and data[:4] == b"PAR1":
        yield from _container_units(relative, data, None, kind, settings)
        return
    try:
        decoded = decode_bytes(data)
    except DecodeError as error:
        yield new_reject(relative, None, NAME, error.reason_code, error.detail)
        return
    if kind is None and (problem := _too_large(decoded.text, settings.ingest.limits)) is not None:
        yield new_reject(relative, None, NAME, "too_large", problem)
        return
    if kind is None and (
        PurePosixPath(relative).suffix.lower() in HTML_SUFFIXES or looks_like_html(decoded.text)
    ):
        page = read_page(decoded.text)
        if not page.text.strip():
            yield new_reject(
                relative, None, NAME, "blank_file", "an HTML page with no text in its main element"
            )
            return
        yield _document_unit(
            relative, None, data, page.text, decoded.encoding, None, page.meta,
            n_replaced_bytes=decoded.n_replaced_bytes, capture_format=HTML_FORMAT,
        )  # fmt: skip
        return
    if kind is not None and kind != "parquet":
        yield from _container_units(
            relative, data, decoded.text, kind, settings, decoded.encoding, decoded.n_replaced_bytes
        )
        return
    yield _document_unit(
        relative,
        None,
        data,
        decoded.text,
        decoded.encoding,
        None,
        {},
        n_replaced_bytes=decoded.n_replaced_bytes,
    )


def _document_unit(
    relative: str,
    row: int | None,
    own_bytes: bytes,
    text: str,
    encoding: str,
    container: str | None,
    meta: dict[str, str],
    file_sha256: str | None = None,
    n_replaced_bytes: int = 0,
    capture_format: str | None = None,
    container_fields: str | None = None,
) -> RawUnit:
    return RawUnit(
        doc_id=doc_id_for(own_bytes),
        source_file=relative,
        source_row=row,
        raw_sha256=file_sha256 or hashlib.sha256(own_bytes).hexdigest(),
        encoding=encoding,
        n_replaced_bytes=n_replaced_bytes,
        container=container,
        capture_format=capture_format or detect_format(text).name,
        meta=meta,
        container_fields=container_fields,
        raw_text=text,
    )


def _container_units(
    relative: str,
    data: bytes,
    text: str | None,
    kind: str,
    settings: Settings,
    encoding: str = "parquet",
    n_replaced_bytes: int = 0,
) -> Iterator[RawUnit | Reject]:
    """Rows of a container as units; a row's replaced bytes are the file's U+FFFD marks that fall in its cell."""
    file_sha256 = hashlib.sha256(data).hexdigest()
    try:
        limits = settings.ingest.limits
        rows = iter_rows(
            kind, text, data, limits.max_json_depth, limits.max_container_bytes, limits.max_inflation
        )
        columns: dict[str, str] | None = None
        n_rows = 0
        for row in rows:
            n_rows += 1
            if row.error is not None:
                yield new_reject(relative, row.index, NAME, "malformed_row", row.error)
                continue
            if columns is None:
                columns = resolve_columns(list(row.cells), settings.ingest.columns)
            cell = cell_text(row.cells.get(columns["text"]))
            if cell is not None and kind in HTML_TEXT_KINDS:
                cell = render(cell) or None
            if cell is None:
                yield new_reject(
                    relative,
                    row.index,
                    NAME,
                    "empty_row",
                    f"text column {columns['text']!r} has no text (blank, null or a missing marker such as nan)",
                )
                continue
            if (problem := _too_large(cell, limits)) is not None:
                yield new_reject(relative, row.index, NAME, "too_large", problem)
                continue
            meta = {
                role: value
                for role, column in columns.items()
                if role != "text" and (value := cell_text(row.cells.get(column))) is not None
            }
            replaced = min(n_replaced_bytes, cell.count("\ufffd")) if n_replaced_bytes else 0
            yield _document_unit(
                relative, row.index, row_bytes(row.cells), cell, encoding, kind, meta, file_sha256, replaced,
                capture_format=HTML_FORMAT if kind in HTML_TEXT_KINDS else None,
                container_fields=other_fields(row.cells, columns),
            )  # fmt: skip
        if n_rows == 0:
            yield new_reject(relative, None, NAME, "empty_container", f"{kind} file has no data rows")
    except ContainerError as error:
        yield new_reject(relative, None, NAME, error.reason_code, error.detail)


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_capture_folder(source, NAME)
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress))


def _source_row(
    entry: RawEntry, data: bytes | None, n_bytes: int | None, sha256: str | None
) -> dict[str, Any]:
    return {
        "source_file": entry.relative,
        "entry_kind": entry.kind,
        "raw_sha256": hashlib.sha256(data).hexdigest() if data is not None else sha256,
        "n_bytes": len(data) if data is not None else n_bytes,
    }


ORIGIN_COLUMNS = ("origin_source", "origin_url", "origin_path", "origin_commit")


def origin_columns(origin: dict[str, Any] | None) -> dict[str, Any]:
    """The origin_* columns of a `sources` row: from `renda snapshot`'s record of the file, else null."""
    return {column: (origin or {}).get(column) for column in ORIGIN_COLUMNS}


def _streamed_sha256(path: Path) -> str | None:
    """SHA-256 of a file too large to hold, read in 1 MiB chunks; None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def read_entry(entry: RawEntry, limits: LimitSettings) -> tuple[dict[str, Any], bytes | Reject]:
    """An entry's `sources` row, and its bytes or the reject it becomes (never reading past the limit)."""
    if entry.reason_code is not None:
        return _source_row(entry, None, None, None), new_reject(
            entry.relative, None, NAME, entry.reason_code, entry.detail or entry.reason_code
        )
    try:
        size = entry.path.stat().st_size
        if size > limits.max_file_bytes:
            detail = f"{size} bytes (ingest.limits.max_file_bytes = {limits.max_file_bytes}); not read"
            return _source_row(entry, None, size, _streamed_sha256(entry.path)), new_reject(
                entry.relative, None, NAME, "too_large", detail
            )
        with entry.path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        return _source_row(entry, None, None, None), new_reject(
            entry.relative, None, NAME, "unreadable", f"cannot read: {error.strerror or error}"
        )
    if len(data) > limits.max_file_bytes:  # it grew while we looked
        detail = f"more than {limits.max_file_bytes} bytes (ingest.limits.max_file_bytes); not read"
        return _source_row(entry, None, None, None), new_reject(
            entry.relative, None, NAME, "too_large", detail
        )
    return _source_row(entry, data, None, None), data


def read_units(entry: RawEntry, settings: Settings) -> tuple[dict[str, Any], Iterator[RawUnit | Reject]]:
    """An entry's `sources` row and the units it becomes: what ingest does with every entry (and `renda show`
    with its one file)."""
    source_row, read = read_entry(entry, settings.ingest.limits)
    if isinstance(read, bytes):
        return source_row, ingest_file(entry.relative, read, settings)
    return source_row, iter([read])


def raw_entries(raw: Path, snapshots: Path | None) -> list[RawEntry]:
    """The raw folder's entries, then the snapshot folder's as `snapshots/<name>/…` (when there is one)."""
    if snapshots is None or not snapshots.is_dir():
        return list(iter_raw_entries(raw))
    if (raw / SNAPSHOT_FOLDER).exists():
        raise RendaError(
            f"{raw / SNAPSHOT_FOLDER}: the name is reserved for the snapshot folder ({snapshots}); rename it"
        )
    return [*iter_raw_entries(raw), *iter_raw_entries(snapshots, prefix=f"{SNAPSHOT_FOLDER}/")]


# Encoded units of one file kept for its cache entry; a file that makes more (a huge container) is not cached,
# so memory stays bounded whatever the file.
CACHE_ENTRY_BYTES = 64 * 1024 * 1024
# A cached file's lines: each is a tag, then the encoded record (a unit's tag carries its capture format).
UNIT_TAG, REJECT_TAG = b"u", b"r"


@dataclass(frozen=True)
class Produced:
    """One unit or reject as written: its encoded line, the reject (for the report) or the unit's format."""

    line: bytes
    reject: Reject | None
    capture_format: str | None


def _encoded(units: Iterable[RawUnit | Reject]) -> Iterator[Produced]:
    for unit in units:
        if isinstance(unit, Reject):
            yield Produced(codec.encode(unit), unit, None)
        else:
            yield Produced(codec.encode(unit), None, unit.capture_format)


def _from_entry(payload: bytes, source: Path) -> list[Produced] | None:
    """A cached file's units, or None when the entry does not read back (then the file is ingested again)."""
    produced = []
    for number, line in enumerate(payload.split(b"\n"), 1):
        if line.startswith(UNIT_TAG):
            capture_format, _, encoded = line[1:].partition(b" ")
            produced.append(Produced(encoded, None, capture_format.decode("ascii")))
        elif line.startswith(REJECT_TAG):
            reject = codec.decode(source, number, line[1:], Reject)
            if not isinstance(reject, Reject):
                return None
            produced.append(Produced(line[1:], reject, None))
        else:
            return None
    return produced


def cached_units(
    relative: str, data: bytes, sha256: str, settings: Settings, cache: Cache | None, stats: CacheStats
) -> Iterator[Produced]:
    """What `ingest_file` makes of a file, encoded: from the cache when it holds the file's key, else computed
    and stored (unless the file made more than `CACHE_ENTRY_BYTES`)."""
    if cache is None:
        yield from _encoded(ingest_file(relative, data, settings))
        return
    cache = replace(cache, stats=stats)
    key = cache.key(relative + "\0" + sha256)
    payload = cache.get(key)
    if payload is not None and (produced := _from_entry(payload, Path(relative))) is not None:
        stats.hits += 1
        yield from produced
        return
    stats.misses += 1
    lines: list[bytes] | None = []
    size = 0
    for item in _encoded(ingest_file(relative, data, settings)):
        if lines is not None:
            tag = (
                REJECT_TAG
                if item.reject is not None
                else UNIT_TAG + (item.capture_format or "").encode() + b" "
            )
            lines.append(tag + item.line)
            size += len(item.line)
            if size > CACHE_ENTRY_BYTES:
                lines = None
        yield item
    if lines is not None:
        cache.put(key, b"\n".join(lines))


# Files up to this size are ingested on the process pool, their units coming back as one list; a larger file (a
# big container) is ingested here in the parent, its units streamed, so memory stays bounded whatever the file.
POOL_FILE_BYTES = 1024 * 1024
# Files in flight per process: with `POOL_FILE_BYTES` this bounds what the pool holds at once (a few MB a file).
POOL_WINDOW_PER_JOB = 16
# Container kinds always ingested in the parent, whatever their size: a compressed container's units may be
# many times its size (`ingest.limits.max_inflation`), too many to come back from a worker as one list.
STREAMED_KINDS = frozenset({"parquet"})


@dataclass(frozen=True)
class Ingested:
    """What became of one entry on the pool: its `sources` row and units (None and none when the file is too
    large for the pool: the parent ingests it, streaming), and what the cache did for it."""

    source_row: dict[str, Any] | None
    produced: list[Produced]
    stats: CacheStats


LEFT_TO_PARENT = Ingested(None, [], CacheStats())


def ingest_entry(entry: RawEntry, settings: Settings, cache: Cache | None) -> Ingested:
    """One entry read, decoded, detected and split into units, encoded: the function the executor maps. A file
    over `POOL_FILE_BYTES`, or a compressed container, is left to the caller (`LEFT_TO_PARENT`), which streams
    its units."""
    if entry.reason_code is None:
        if container_kind(entry.relative) in STREAMED_KINDS:
            return LEFT_TO_PARENT
        try:
            if entry.path.stat().st_size > POOL_FILE_BYTES:
                return LEFT_TO_PARENT
        except OSError:
            pass  # `read_entry` turns it into the file's reject
    stats = CacheStats()
    source_row, produced = _ingested(entry, settings, cache, stats)
    return Ingested(source_row, list(produced), stats)


def _ingested(
    entry: RawEntry, settings: Settings, cache: Cache | None, stats: CacheStats
) -> tuple[dict[str, Any], Iterator[Produced]]:
    """An entry's `sources` row and its units, encoded, streamed."""
    source_row, read = read_entry(entry, settings.ingest.limits)
    if isinstance(read, bytes):
        return source_row, cached_units(
            entry.relative, read, source_row["raw_sha256"], settings, cache, stats
        )
    return source_row, _encoded([read])


def _write(source: Path, target: Path, settings: Settings, progress: Progress) -> StageReport:
    report = StageReport(NAME)
    formats: dict[str, int] = {}
    cache = open_cache(settings.execution.cache, NAME, settings.ingest.model_dump_json())
    stats = CacheStats()
    origins = read_origins(settings.snapshot.origins)
    # the walks sort their entries, so they are held in memory already: the count for the bar is free
    entries = raw_entries(source, settings.snapshot.folder)
    # entries are read on `execution.jobs` local processes (never on a Dask cluster: its workers may not see
    # this folder) and written here in their order, so the output does not depend on the number of processes
    work = partial(ingest_entry, settings=settings, cache=cache)
    with (
        RecordWriter(target / UNITS_FILE) as units,
        RecordWriter(target / SOURCES_FILE) as sources,
        progress.task(NAME, len(entries), "files") as task,
    ):
        done = ordered_map(work, entries, settings.execution.jobs, window_per_job=POOL_WINDOW_PER_JOB)
        for entry, ingested in zip(entries, done, strict=True):
            task.advance()
            report.received += 1
            if ingested.source_row is None:
                source_row, produced = _ingested(entry, settings, cache, stats)
            else:
                source_row, produced = ingested.source_row, iter(ingested.produced)
                stats.add(ingested.stats)
            sources.write(Source(**source_row, **origin_columns(origins.get(entry.relative))))
            for item in produced:
                units.write_encoded(item.line)
                if item.reject is not None:
                    report.reject(item.reject)
                else:
                    report.emitted += 1
                    name = item.capture_format or ""
                    formats[name] = formats.get(name, 0) + 1
    report.extra["capture_formats"] = dict(sorted(formats.items()))
    if cache is not None:
        report.cache = stats.as_dict()
        if (line := warning(cache.folder, stats)) is not None:
            report.problems.append(line)
    report.save(target)
    return report
