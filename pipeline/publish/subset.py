"""Descriptors of a partial download: the release's `datapackage.json` and `croissant.json` cut to its files.

A download of some tables, or of one format, must not leave descriptors that name files it did not fetch
(`frictionless validate` fails on a missing resource, Croissant readers on a missing FileObject). The
published descriptors are the source: they are verified against the manifest like every file, then cut, so
every title, licence, description and schema stays the release's own; nothing is regenerated from the
downloader's settings.

- Data Package: the resources whose `path` was fetched; a foreign key to a resource that was not is dropped
  (the rows still carry the `doc_id`, but the check would fail on a table that is not there).
- Croissant: the release describes the Parquet files. A table fetched as Parquet keeps its FileObject and
  RecordSet; a table fetched only as CSV gets a FileObject for `csv/<table>.csv` (its SHA-256 and size from
  the manifest) and its RecordSet reads that file, list columns as the JSON text the CSV holds.
"""

from __future__ import annotations

import copy
from typing import Any

CSV_LIST_NOTE = " In the CSV: a JSON array as text."


def subset_datapackage(package: dict[str, Any], fetched: set[str]) -> dict[str, Any]:
    """The Data Package descriptor with only the resources whose file is in `fetched` (release paths)."""
    result = copy.deepcopy(package)
    resources = [r for r in result["resources"] if r["path"] in fetched]
    names = {resource["name"] for resource in resources}
    for resource in resources:
        schema = resource.get("schema")
        if isinstance(schema, dict) and "foreignKeys" in schema:
            keys = [key for key in schema["foreignKeys"] if key["reference"]["resource"] in names | {""}]
            if keys:
                schema["foreignKeys"] = keys
            else:
                del schema["foreignKeys"]
    result["resources"] = resources
    return result


def _csv_record_set(record_set: dict[str, Any], parquet_id: str, csv_id: str) -> dict[str, Any]:
    result = copy.deepcopy(record_set)
    for field in result["field"]:
        if field["source"]["fileObject"]["@id"] == parquet_id:
            field["source"]["fileObject"]["@id"] = csv_id
        if field.pop("repeated", False):
            field["dataType"] = "sc:Text"
            field["description"] = field.get("description", "") + CSV_LIST_NOTE
    return result


def _sources(record_set: dict[str, Any]) -> set[str]:
    return {field["source"]["fileObject"]["@id"] for field in record_set["field"]}


def subset_croissant(metadata: dict[str, Any], fetched: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The Croissant metadata describing only the fetched files; `fetched` maps release paths to manifest
    entries (sha256, bytes)."""
    result = copy.deepcopy(metadata)
    distribution: list[dict[str, Any]] = []
    moved: dict[str, str] = {}  # Parquet FileObject @id → the CSV FileObject that replaces it
    for file_object in result["distribution"]:
        path = file_object["contentUrl"]
        if path in fetched:
            distribution.append(file_object)
            continue
        table = path.removesuffix(".parquet")
        csv_path = f"csv/{table}.csv"
        if path.endswith(".parquet") and csv_path in fetched:
            entry = fetched[csv_path]
            moved[file_object["@id"]] = csv_path
            distribution.append(
                {
                    **file_object,
                    "@id": csv_path,
                    "name": csv_path,
                    "contentUrl": csv_path,
                    "contentSize": f"{entry['bytes']} B",
                    "encodingFormat": "text/csv",
                    "sha256": entry["sha256"],
                }
            )
    kept = {file_object["@id"] for file_object in distribution}
    record_sets = []
    for record_set in result["recordSet"]:
        for parquet_id, csv_id in moved.items():
            if parquet_id in _sources(record_set):
                record_set = _csv_record_set(record_set, parquet_id, csv_id)
        if _sources(record_set) <= kept:
            record_sets.append(record_set)
    result["distribution"] = distribution
    result["recordSet"] = record_sets
    return result
