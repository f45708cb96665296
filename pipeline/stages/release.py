"""Stage 4, release: validated tables → the published layout.

`<table>.parquet` (the validated files, byte for byte), `csv/<table>.csv` (UTF-8 with BOM so Excel shows
Chinese, list columns as JSON), `DATASHEET.md` and `manifest.json`. Nothing here reads a clock, a machine
path or a random source: the same tables give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from pipeline.errors import RendaError
from pipeline.fields import TABLES
from pipeline.jsonl import write_json
from pipeline.provenance import code_tree_id, package_version
from pipeline.publish.datasheet import render_datasheet
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, prepare_target
from pipeline.stages.validate import TABLE_FILES
from pipeline.tables import iter_rows, row_count

NAME = "release"
MANIFEST = "manifest.json"


def csv_cell(value: Any) -> str:
    """CSV text of one value: lists as JSON arrays, dates ISO, null as an empty cell (no string is empty)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(parquet_path: Path, csv_path: Path) -> None:
    columns = list(TABLES[parquet_path.stem].columns)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for row in iter_rows(parquet_path):
            writer.writerow([csv_cell(row[column]) for column in columns])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_target(target: Path) -> None:
    """Raise unless `target` is absent, empty, or an earlier release (it will be replaced)."""
    if target.exists() and not target.is_dir():
        raise RendaError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise RendaError(f"{target}: folder is not empty and is not an earlier release; choose another --out")


def run(source: Path, target: Path, settings: Settings) -> StageReport:
    for table in TABLE_FILES:
        if not (source / f"{table}.parquet").is_file():
            raise RendaError(f"{source}: missing {table}.parquet (run `renda validate` first)")
    # Write beside the target and swap at the end, so a failed run never leaves a half-written release.
    final = target
    prepare_target(final, marker=MANIFEST)
    target = final.parent / f".{final.name}.partial"
    if target.exists():
        shutil.rmtree(target)  # our own leftover from a failed run: the name is reserved for it
    target.mkdir()
    report = StageReport(NAME)
    (target / "csv").mkdir()
    rows: dict[str, int] = {}
    for table in TABLE_FILES:
        parquet_path = target / f"{table}.parquet"
        shutil.copyfile(source / f"{table}.parquet", parquet_path)
        write_csv(parquet_path, target / "csv" / f"{table}.csv")
        rows[table] = row_count(parquet_path)
    report.received = rows["documents"] + rows["rejects"]
    report.emitted = rows["documents"]
    provenance = {"package_version": package_version(), "code_tree": code_tree_id()}
    (target / "DATASHEET.md").write_text(render_datasheet(target, settings, provenance), encoding="utf-8")
    files = []
    for path in sorted(p for p in target.rglob("*") if p.is_file() and p.name != MANIFEST):
        relative = path.relative_to(target).as_posix()
        entry: dict[str, Any] = {"path": relative, "sha256": sha256_file(path), "bytes": path.stat().st_size}
        table = path.stem if path.suffix in (".parquet", ".csv") else None
        if table in rows:
            entry["table"] = table
            entry["rows"] = rows[table]
        files.append(entry)
    write_json(
        target / MANIFEST,
        {
            "dataset": settings.dataset.name,
            "version": settings.dataset.version,
            **provenance,
            "tables": rows,
            "files": files,
        },
    )
    final.rmdir()
    target.rename(final)
    report.extra["tables"] = rows
    return report
