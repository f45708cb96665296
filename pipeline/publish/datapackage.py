"""`datapackage.json` (Frictionless Data Package v1): every table as a CSV and a Parquet resource.

The CSV resources are tabular resources whose schemas come from the field dictionary: types, required, enums,
patterns, minimums, primary keys, and foreign keys from every table's `doc_id` to `documents`. The Parquet
files are `file` resources checked by bytes and sha256: Frictionless reads Parquet through pandas, which turns
nullable integers into NaN and lists into strings, so a table schema on them would fail on correct data.
`frictionless validate datapackage.json` checks it all.
"""

from __future__ import annotations

from typing import Any

from pipeline.fields import FIELDS, TABLES, is_nullable
from pipeline.logical_types import LOGICAL_TYPES
from pipeline.settings import Settings

# rejects has no usable primary key in Frictionless terms: source_row is null for whole files.
NO_PRIMARY_KEY = {"rejects"}


def table_schema(table: str) -> dict[str, Any]:
    fields = []
    for column in TABLES[table].columns:
        spec = FIELDS[column]
        constraints: dict[str, Any] = {}
        if not is_nullable(table, column):
            constraints["required"] = True
        if spec.allowed:
            constraints["enum"] = list(spec.allowed)
        if spec.pattern:
            constraints["pattern"] = spec.pattern.strip("^$")
        if spec.minimum is not None:
            constraints["minimum"] = spec.minimum
        field: dict[str, Any] = {
            "name": column,
            "type": LOGICAL_TYPES[spec.type].frictionless,
            "description": spec.description,
        }
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table not in NO_PRIMARY_KEY:
        schema["primaryKey"] = list(TABLES[table].primary_key)
    if table not in ("documents", "sources", "rejects") and "doc_id" in TABLES[table].columns:
        schema["foreignKeys"] = [
            {"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}
        ]
    return schema


def datapackage(settings: Settings, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The descriptor; `files` maps release paths to their manifest entries (sha256, bytes)."""
    d = settings.dataset
    resources = []
    for table, spec in TABLES.items():
        schema = table_schema(table)
        csv_path = f"csv/{table}.csv"
        resources.append(
            {
                "name": table,
                "path": csv_path,
                "profile": "tabular-data-resource",
                "title": f"{table} (CSV)",
                "description": spec.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "bytes": files[csv_path]["bytes"],
                "hash": f"sha256:{files[csv_path]['sha256']}",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True, "doubleQuote": True},
                "schema": schema,
            }
        )
        parquet_path = f"{table}.parquet"
        resources.append(
            {
                "name": f"{table}-parquet",
                "type": "file",
                "path": parquet_path,
                "profile": "data-resource",
                "title": f"{table} (Parquet)",
                "description": f"{spec.description} Same rows and columns as `{table}`, typed.",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "bytes": files[parquet_path]["bytes"],
                "hash": f"sha256:{files[parquet_path]['sha256']}",
            }
        )
    return {
        "profile": "data-package",
        "name": d.name,
        "title": d.title,
        "description": d.description,
        "version": d.version,
        "homepage": d.homepage,
        "keywords": d.keywords,
        "licenses": [{"name": d.license, "path": d.license_url, "title": d.license_note}],
        "contributors": [{"title": name, "role": "author"} for name in d.creators],
        "resources": resources,
    }
