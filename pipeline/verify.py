"""`renda verify RELEASE`: is this folder a complete, untouched release whose records keep their promises?

Three independent checks, each reported as one line per problem so a user can see what is wrong:

1. **Files.** Every file `manifest.json` lists exists with its bytes and SHA-256; `SHA256SUMS` agrees with the
   files (manifest included); no file is present that neither lists, except the output marker.
2. **Accounting.** Every raw file in `sources` ends as documents or rejects, and nothing else does:
   `sources.source_file` = `documents.source_file` ∪ `rejects.source_file`, and no (file, row) is both.
3. **Offsets.** Every paragraph's `text` is rebuilt exactly from its raw span by `span_text`, and every
   section heading from its span, the relation the datasheet documents.

Tables are streamed row group by row group, grouped by `doc_id` (every table is sorted by it), so the check's
memory does not grow with the corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from pipeline.errors import RendaError
from pipeline.fields import TABLES
from pipeline.formats import FORMATS
from pipeline.outputs import MARKER
from pipeline.parser import span_text
from pipeline.provenance import sha256_file
from pipeline.tables import iter_rows

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
# Stop listing one kind of problem after this many lines: a wholly broken folder should not print a million.
MAX_PROBLEMS_PER_CHECK = 20


@dataclass
class Verification:
    files_checked: int = 0
    paragraphs_checked: int = 0
    sources_checked: int = 0
    problems: list[str] = field(default_factory=list)
    _per_check: dict[str, int] = field(default_factory=dict)

    def problem(self, check: str, line: str) -> None:
        count = self._per_check.get(check, 0) + 1
        self._per_check[check] = count
        if count <= MAX_PROBLEMS_PER_CHECK:
            self.problems.append(line)
        elif count == MAX_PROBLEMS_PER_CHECK + 1:
            self.problems.append(f"{check}: more problems not listed")

    @property
    def ok(self) -> bool:
        return not self.problems


def _load_manifest(release: Path) -> dict[str, Any]:
    path = release / MANIFEST
    if not release.is_dir():
        raise RendaError(f"{release}: not a folder")
    if not path.is_file():
        raise RendaError(f"{release}: no {MANIFEST}; not a release folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RendaError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise RendaError(f"{path}: not a release manifest (no files list)")
    return manifest


def check_files(release: Path, manifest: dict[str, Any], result: Verification) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        relative = str(entry.get("path", ""))
        listed[relative] = entry
        path = release / relative
        result.files_checked += 1
        if not path.is_file():
            result.problem("files", f"{relative}: listed in {MANIFEST} but missing")
        elif path.stat().st_size != entry.get("bytes"):
            result.problem(
                "files", f"{relative}: {path.stat().st_size} bytes, {MANIFEST} says {entry.get('bytes')}"
            )
        elif sha256_file(path) != entry.get("sha256"):
            result.problem("files", f"{relative}: SHA-256 differs from {MANIFEST}")
    sums_path = release / CHECKSUMS
    summed: set[str] = set()
    if not sums_path.is_file():
        result.problem("files", f"{CHECKSUMS}: missing")
    else:
        for number, line in enumerate(sums_path.read_text(encoding="utf-8").splitlines(), start=1):
            digest, _, relative = line.partition("  ")
            summed.add(relative)
            path = release / relative
            if not path.is_file():
                result.problem("files", f"{CHECKSUMS} line {number}: {relative} is missing")
            elif sha256_file(path) != digest:
                result.problem("files", f"{relative}: SHA-256 differs from {CHECKSUMS}")
        for relative in sorted((set(listed) | {MANIFEST}) - summed):
            result.problem("files", f"{relative}: not in {CHECKSUMS}")
    known = set(listed) | {MANIFEST, CHECKSUMS, MARKER}
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        relative = path.relative_to(release).as_posix()
        if relative not in known:
            result.problem("files", f"{relative}: present but not part of the release")


def _file_keys(path: Path) -> Iterator[tuple[str, int | None]]:
    for row in iter_rows(path, ["source_file", "source_row"]):
        yield row["source_file"], row["source_row"]


def check_accounting(release: Path, result: Verification) -> None:
    sources = {row["source_file"] for row in iter_rows(release / "sources.parquet", ["source_file"])}
    result.sources_checked = len(sources)
    documents = set(_file_keys(release / "documents.parquet"))
    rejects = set(_file_keys(release / "rejects.parquet"))
    ended = {name for name, _ in documents} | {name for name, _ in rejects}
    for name in sorted(sources - ended):
        result.problem("accounting", f"{name}: in sources but neither a document nor a reject")
    for name in sorted(ended - sources):
        result.problem("accounting", f"{name}: a document or reject with no sources row")
    for name, row in sorted(documents & rejects, key=lambda key: (key[0], key[1] or -1)):
        where = name + (f"#row{row}" if row is not None else "")
        result.problem("accounting", f"{where}: both a document and a reject")


class _Aligned:
    """Rows of a table for each document in turn: every table lists documents in the same order, and a
    document may have no rows in one of them."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self._groups = (
            (doc_id, list(rows))
            for doc_id, rows in groupby(iter_rows(path, columns), key=lambda r: r["doc_id"])
        )
        self._next = next(self._groups, None)

    def take(self, doc_id: str) -> list[dict[str, Any]]:
        if self._next is not None and self._next[0] == doc_id:
            rows = self._next[1]
            self._next = next(self._groups, None)
            return rows
        return []

    @property
    def left_over(self) -> str | None:
        return self._next[0] if self._next is not None else None


def check_offsets(release: Path, result: Verification) -> None:
    markdown = {
        row["doc_id"]: FORMATS[row["capture_format"]].markdown
        for row in iter_rows(release / "documents.parquet", ["doc_id", "capture_format"])
        if row["capture_format"] in FORMATS
    }
    sections = _Aligned(
        release / "sections.parquet", ["doc_id", "section_index", "heading", "char_start", "char_end"]
    )
    paragraphs = _Aligned(
        release / "paragraphs.parquet",
        ["doc_id", "paragraph_index", "kind", "text", "char_start", "char_end"],
    )
    for raw_row in iter_rows(release / "raw_texts.parquet", ["doc_id", "raw_text"]):
        doc_id, raw = raw_row["doc_id"], raw_row["raw_text"]
        is_markdown = markdown.get(doc_id, False)
        for row in paragraphs.take(doc_id):
            result.paragraphs_checked += 1
            if span_text(raw, row["char_start"], row["char_end"], is_markdown, row["kind"]) != row["text"]:
                result.problem(
                    "offsets",
                    f"paragraphs {doc_id}#{row['paragraph_index']}: text differs from its raw span "
                    f"[{row['char_start']}, {row['char_end']})",
                )
        for row in sections.take(doc_id):
            if row["heading"] is None:
                continue
            if span_text(raw, row["char_start"], row["char_end"], is_markdown) != row["heading"]:
                result.problem(
                    "offsets", f"sections {doc_id}#{row['section_index']}: heading differs from its raw span"
                )
    for table, aligned in (("paragraphs", paragraphs), ("sections", sections)):
        if aligned.left_over is not None:
            result.problem(
                "offsets", f"{table}: rows of {aligned.left_over} out of document order or without raw text"
            )


def verify_release(release: Path) -> Verification:
    """Run every check on `release`; a problem is a line in the result, never an exception."""
    manifest = _load_manifest(release)
    result = Verification()
    check_files(release, manifest, result)
    missing = [table for table in TABLES if not (release / f"{table}.parquet").is_file()]
    if missing:
        result.problem("tables", f"missing tables: {', '.join(missing)}; records not checked")
        return result
    check_accounting(release, result)
    check_offsets(release, result)
    return result
