"""Download a published release: read its manifest.json over HTTP, fetch files with pooch into a cache,
verify every SHA-256, and copy only verified files into the destination.

A file whose bytes do not match the manifest is refused with a one-line error, and nothing of it is left in
the cache or the destination (pooch downloads to a temporary file and keeps it only if the hash matches).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import pooch

from pipeline.errors import RendaError
from pipeline.fields import TABLES
from pipeline.jsonl import write_json
from pipeline.provenance import sha256_file

MANIFEST = "manifest.json"
# Files that describe the release; always fetched with the tables.
METADATA_FILES = (
    "manifest.json",
    "SHA256SUMS",
    "DATASHEET.md",
    "README.md",
    "datapackage.json",
    "croissant.json",
    "CITATION.cff",
    "CHANGELOG.md",
)
FORMATS = ("parquet", "csv", "all")


def default_cache() -> Path:
    return Path(pooch.os_cache("renda-corpus"))


def _base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _fetch(url: str, folder: Path, name: str, known_hash: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return Path(pooch.retrieve(url, known_hash=known_hash, path=folder, fname=name, progressbar=False))
    except ValueError as error:
        if "hash" in str(error).lower():
            raise RendaError(f"{url}: SHA-256 does not match the manifest; refused, nothing kept") from None
        raise RendaError(f"{url}: {error}") from None
    except Exception as error:  # requests' HTTP and connection errors: one line, no traceback
        raise RendaError(f"{url}: download failed ({type(error).__name__}: {error})") from None


def read_manifest(base_url: str, cache: Path, manifest_sha256: str | None = None) -> dict[str, Any]:
    """The release's manifest, always fetched afresh (a cached one could be an older release)."""
    with tempfile.TemporaryDirectory(dir=cache if cache.exists() else None) as tmp:
        known = f"sha256:{manifest_sha256}" if manifest_sha256 else None
        path = _fetch(_base(base_url) + MANIFEST, Path(tmp), MANIFEST, known)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RendaError(f"{_base(base_url)}{MANIFEST}: not a release manifest (not JSON)") from None


def select_files(
    manifest: dict[str, Any], tables: list[str] | None, file_format: str
) -> list[dict[str, Any]]:
    wanted_tables = tables or list(manifest.get("tables", {}))
    unknown = sorted(set(wanted_tables) - set(TABLES))
    if unknown:
        raise RendaError(f"unknown tables: {', '.join(unknown)} (known: {', '.join(TABLES)})")
    if file_format not in FORMATS:
        raise RendaError(f"--format must be one of {', '.join(FORMATS)}")
    chosen = []
    for entry in manifest.get("files", []):
        path = entry["path"]
        table = entry.get("table")
        is_parquet = path.endswith(".parquet")
        if table is not None:
            if table in wanted_tables and (file_format == "all" or (file_format == "parquet") == is_parquet):
                chosen.append(entry)
        elif path in METADATA_FILES or path.startswith("plots/"):
            chosen.append(entry)
    return chosen


def download(
    base_url: str,
    dest: Path,
    tables: list[str] | None = None,
    file_format: str = "parquet",
    cache: Path | None = None,
    manifest_sha256: str | None = None,
) -> list[Path]:
    """Fetch a release (or some tables of it) into `dest`; return the files written there."""
    pooch.get_logger().setLevel(logging.WARNING)  # pooch keeps its own logger object
    cache = cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(base_url, cache, manifest_sha256)
    if "files" not in manifest or "version" not in manifest:
        raise RendaError(f"{_base(base_url)}{MANIFEST}: not a release manifest (no files or version)")
    version_cache = cache / str(manifest.get("dataset", "renda-corpus")) / str(manifest["version"])
    verified: list[tuple[str, Path]] = []
    for entry in select_files(manifest, tables, file_format):
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts:
            raise RendaError(f"{entry['path']}: unsafe path in the manifest; refused")
        local = _fetch(
            _base(base_url) + relative.as_posix(),
            version_cache / relative.parent,
            relative.name,
            f"sha256:{entry['sha256']}",
        )
        verified.append((relative.as_posix(), local))
    written = []
    for relative, local in verified:
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(local, partial)
        expected = next(e["sha256"] for e in manifest["files"] if e["path"] == relative)
        if sha256_file(partial) != expected:
            partial.unlink()
            raise RendaError(f"{target}: copy does not match the manifest; removed")
        partial.replace(target)
        written.append(target)
    write_json(dest / MANIFEST, manifest)  # the same bytes as the published manifest.json
    return written
