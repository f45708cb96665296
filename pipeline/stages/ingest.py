"""Stage 1, ingest: raw folder → decoded documents with hashes and a detected capture format, or rejects.

Files are read in sorted path order, one at a time. Every file becomes exactly one line of `units.jsonl` (a
document or a reject) and one line of `sources.jsonl` (path, size, sha256).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.containers import (
    ContainerError,
    cell_text,
    container_kind,
    iter_rows,
    resolve_columns,
    row_bytes,
)
from pipeline.decode import DecodeError, decode_bytes
from pipeline.errors import RendaError
from pipeline.formats import detect_format
from pipeline.jsonl import write_line
from pipeline.settings import Settings
from pipeline.stages.base import SOURCES_FILE, UNITS_FILE, StageReport, reject_unit, run_atomic

NAME = "ingest"


def iter_raw_files(raw_dir: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file below `raw_dir`, sorted by relative path."""
    found = [
        (PurePosixPath(path.relative_to(raw_dir).as_posix()).as_posix(), path)
        for path in raw_dir.rglob("*")
        if path.is_file()
    ]
    yield from sorted(found)


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def ingest_file(relative: str, data: bytes, settings: Settings) -> Iterator[dict[str, Any]]:
    """One raw file → document units (one per container row) or reject units. Pure: no I/O."""
    if any(part.startswith(".") for part in PurePosixPath(relative).parts):
        yield reject_unit(relative, None, NAME, "hidden_file", "name starts with '.'")
        return
    for pattern in settings.ingest.exclude:
        if fnmatch(relative, pattern):
            yield reject_unit(relative, None, NAME, "excluded", f"matches ingest.exclude pattern {pattern!r}")
            return
    kind = container_kind(relative)
    if kind == "parquet" and data[:4] == b"PAR1":
        yield from _container_units(relative, data, None, kind, settings)
        return
    try:
        decoded = decode_bytes(data)
    except DecodeError as error:
        yield reject_unit(relative, None, NAME, error.reason_code, error.detail)
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
) -> dict[str, Any]:
    return {
        "unit": "document",
        "doc_id": doc_id_for(own_bytes),
        "source_file": relative,
        "source_row": row,
        "raw_sha256": file_sha256 or hashlib.sha256(own_bytes).hexdigest(),
        "encoding": encoding,
        "n_replaced_bytes": n_replaced_bytes,
        "container": container,
        "capture_format": detect_format(text).name,
        "meta": meta,
        "raw_text": text,
    }


def _container_units(
    relative: str,
    data: bytes,
    text: str | None,
    kind: str,
    settings: Settings,
    encoding: str = "parquet",
    n_replaced_bytes: int = 0,
) -> Iterator[dict[str, Any]]:
    """Rows of a container as units; a row's replaced bytes are the file's U+FFFD marks that fall in its cell."""
    file_sha256 = hashlib.sha256(data).hexdigest()
    try:
        rows = iter_rows(kind, text, data)
        columns: dict[str, str] | None = None
        n_rows = 0
        for row in rows:
            n_rows += 1
            if row.error is not None:
                yield reject_unit(relative, row.index, NAME, "malformed_row", row.error)
                continue
            if columns is None:
                columns = resolve_columns(list(row.cells), settings.ingest.columns)
            cell = cell_text(row.cells.get(columns["text"]))
            if cell is None:
                yield reject_unit(
                    relative,
                    row.index,
                    NAME,
                    "empty_row",
                    f"text column {columns['text']!r} has no text (blank, null or a missing marker such as nan)",
                )
                continue
            meta = {
                role: value
                for role, column in columns.items()
                if role != "text" and (value := cell_text(row.cells.get(column))) is not None
            }
            replaced = min(n_replaced_bytes, cell.count("\ufffd")) if n_replaced_bytes else 0
            yield _document_unit(
                relative, row.index, row_bytes(row.cells), cell, encoding, kind, meta, file_sha256, replaced
            )
        if n_rows == 0:
            yield reject_unit(relative, None, NAME, "empty_container", f"{kind} file has no data rows")
    except ContainerError as error:
        yield reject_unit(relative, None, NAME, error.reason_code, error.detail)


def run(source: Path, target: Path, settings: Settings) -> StageReport:
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings))


def _write(source: Path, target: Path, settings: Settings) -> StageReport:
    if not source.is_dir():
        raise RendaError(f"{source}: raw folder not found")
    report = StageReport(NAME)
    formats: dict[str, int] = {}
    with (
        (target / UNITS_FILE).open("w", encoding="utf-8") as units,
        (target / SOURCES_FILE).open("w", encoding="utf-8") as sources,
    ):
        for relative, path in iter_raw_files(source):
            try:
                data = path.read_bytes()
            except OSError as error:
                raise RendaError(f"{path}: cannot read ({error.strerror})") from None
            report.received += 1
            write_line(
                sources,
                {
                    "source_file": relative,
                    "raw_sha256": hashlib.sha256(data).hexdigest(),
                    "n_bytes": len(data),
                },
            )
            for unit in ingest_file(relative, data, settings):
                write_line(units, unit)
                if unit["unit"] == "reject":
                    report.reject(unit)
                else:
                    report.emitted += 1
                    formats[unit["capture_format"]] = formats.get(unit["capture_format"], 0) + 1
    report.extra["capture_formats"] = dict(sorted(formats.items()))
    report.save(target)
    return report
