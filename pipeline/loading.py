"""`pipeline.load(table)`: one release table as a pandas DataFrame with sensible dtypes.

Strings are pandas strings, dates are datetime64, integers are nullable integers, list columns hold Python
lists, and closed or low-cardinality columns (capture_format, kind, role, account, …) are categories. The
table comes from a local release folder, or is downloaded (and verified) from the configured base URL.

A local folder with a `manifest.json` is held to it before the table is read: the file's size always (cheap,
catches most edits), its SHA-256 when asked (`verify=True`) or when the file was modified after the manifest
was written (a same-size edit, such as one changed character of a title, shows up only in the hash).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.errors import RendaError
from pipeline.fields import FIELDS, TABLES
from pipeline.logical_types import LOGICAL_TYPES, pandas_types
from pipeline.provenance import sha256_file

LOCAL_RELEASE = Path("data/release")
MANIFEST = "manifest.json"


def to_dataframe(table: str, arrow: pa.Table) -> pd.DataFrame:
    frame = arrow.to_pandas(types_mapper=pandas_types().get, date_as_object=False)
    for column in frame.columns:
        spec = FIELDS[column]
        if LOGICAL_TYPES[spec.type].is_list:
            frame[column] = pd.Series(arrow.column(column).to_pylist(), index=frame.index, dtype=object)
        elif spec.allowed is not None:
            # the full vocabulary, so the dtype is the same in every release
            frame[column] = frame[column].astype(pd.CategoricalDtype(list(spec.allowed)))
        elif spec.is_category:
            frame[column] = frame[column].astype("category")
    return frame


def _manifest_entry(manifest_path: Path, relative: str) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RendaError(f"{manifest_path}: not a readable release manifest ({error})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        raise RendaError(f"{manifest_path}: not a release manifest (no files list)")
    for entry in files:
        if isinstance(entry, dict) and entry.get("path") == relative:
            return entry
    raise RendaError(f"{manifest_path}: does not list {relative}; not this release's file")


def check_against_manifest(path: Path, verify: bool = False) -> None:
    """Refuse a table file that differs from its folder's manifest.json (no manifest: nothing to check).

    The size is compared always; the SHA-256 when `verify` or when the file is newer than the manifest.
    """
    manifest_path = path.parent / MANIFEST
    if not manifest_path.is_file():
        return
    entry = _manifest_entry(manifest_path, path.name)
    stat = path.stat()
    if stat.st_size != entry.get("bytes"):
        raise RendaError(
            f"{path}: {stat.st_size} bytes, {MANIFEST} says {entry.get('bytes')}; "
            "changed since the release (rebuild or download it again)"
        )
    if (verify or stat.st_mtime_ns > manifest_path.stat().st_mtime_ns) and sha256_file(path) != entry.get(
        "sha256"
    ):
        raise RendaError(
            f"{path}: SHA-256 differs from {MANIFEST}; changed since the release (rebuild or download it again)"
        )


def load(
    table: str,
    release: str | Path | None = None,
    columns: list[str] | None = None,
    base_url: str | None = None,
    verify: bool = False,
    in_scope: bool = False,
) -> pd.DataFrame:
    """Read `table` from `release` (a folder), else ./data/release, else download it from `base_url`
    (default: `distribution.base_url` in params.yaml) into the cache.

    A folder's table is checked against its manifest.json first (see `check_against_manifest`); `verify=True`
    always compares the SHA-256, not only when the file is newer than the manifest. `in_scope=True` keeps the
    rows of documents whose issuer is in the dataset's scope (`documents.in_scope`); a table without `doc_id`
    (`sources`, `rejects`) cannot be filtered so and is an error.
    """
    if table not in TABLES:
        raise RendaError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    if in_scope and "doc_id" not in TABLES[table].columns:
        raise RendaError(f"{table} has no doc_id: in_scope=True filters tables of documents only")
    folder = Path(release) if release is not None else LOCAL_RELEASE
    path = folder / f"{table}.parquet"
    if not path.is_file():
        if release is not None:
            raise RendaError(f"{path}: not found")
        from pipeline.remote import default_cache, download, no_base_url
        from pipeline.settings import Settings, load_settings

        settings = load_settings(Path("params.yaml")) if Path("params.yaml").is_file() else Settings()
        url = base_url or settings.distribution.base_url
        if not url:
            error = no_base_url("base_url=")
            raise RendaError(f"{path}: not found, and {error}") from None
        target = default_cache() / "loaded"
        download(url, target, tables=sorted({table, "documents"} if in_scope else {table}))
        path = target / f"{table}.parquet"
    check_against_manifest(path, verify)
    if not in_scope:
        return to_dataframe(table, pq.read_table(path, columns=columns))
    documents = path.parent / "documents.parquet"
    check_against_manifest(documents, verify)
    chosen = pq.read_table(documents, columns=["doc_id"], filters=[("in_scope", "==", True)]).column("doc_id")
    wanted = None if columns is None else list(dict.fromkeys([*columns, "doc_id"]))
    rows = pq.read_table(path, columns=wanted)
    rows = rows.filter(pc.is_in(rows.column("doc_id"), value_set=chosen))
    if columns is not None:
        rows = rows.select(columns)
    return to_dataframe(table, rows)
