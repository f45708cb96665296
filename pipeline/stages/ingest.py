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

from pipeline.decode import DecodeError, decode_bytes
from pipeline.errors import RendaError
from pipeline.formats import detect_format
from pipeline.jsonl import write_line
from pipeline.settings import Settings
from pipeline.stages.base import SOURCES_FILE, UNITS_FILE, StageReport, prepare_target, reject_unit

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


def ingest_file(relative: str, data: bytes, settings: Settings) -> dict[str, Any]:
    """One raw file → a document unit or a reject unit. Pure: no I/O, so tests call it directly."""
    if any(part.startswith(".") for part in PurePosixPath(relative).parts):
        return reject_unit(relative, None, NAME, "hidden_file", "name starts with '.'")
    for pattern in settings.ingest.exclude:
        if fnmatch(relative, pattern):
            return reject_unit(
                relative, None, NAME, "excluded", f"matches ingest.exclude pattern {pattern!r}"
            )
    try:
        decoded = decode_bytes(data)
    except DecodeError as error:
        return reject_unit(relative, None, NAME, error.reason_code, error.detail)
    fmt = detect_format(decoded.text)
    return {
        "unit": "document",
        "doc_id": doc_id_for(data),
        "source_file": relative,
        "source_row": None,
        "raw_sha256": hashlib.sha256(data).hexdigest(),
        "encoding": decoded.encoding,
        "capture_format": fmt.name,
        "raw_text": decoded.text,
    }


def run(source: Path, target: Path, settings: Settings) -> StageReport:
    if not source.is_dir():
        raise RendaError(f"{source}: raw folder not found")
    prepare_target(target)
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
            unit = ingest_file(relative, data, settings)
            write_line(units, unit)
            if unit["unit"] == "reject":
                report.reject(unit)
            else:
                report.emitted += 1
                formats[unit["capture_format"]] = formats.get(unit["capture_format"], 0) + 1
    report.extra["capture_formats"] = dict(sorted(formats.items()))
    report.save(target)
    return report
