"""Arrow schemas from the field dictionary: explicit types, descriptions in field metadata, no inference."""

from __future__ import annotations

import json

import pyarrow as pa

from pipeline.fields import FIELDS, TABLES, is_nullable
from pipeline.logical_types import arrow_type


def arrow_field(table: str, column: str) -> pa.Field:
    spec = FIELDS[column]
    metadata = {"description": spec.description, "description_zh": spec.description_zh}
    if spec.allowed:
        metadata["allowed_values"] = json.dumps(list(spec.allowed), ensure_ascii=False)
    return pa.field(column, arrow_type(spec.type), nullable=is_nullable(table, column), metadata=metadata)


def arrow_schema(table: str, columns: tuple[str, ...] | None = None) -> pa.Schema:
    """The table's schema, or that of `columns` only (in the table's order), as an earlier stage writes it."""
    spec = TABLES[table]
    return pa.schema(
        [arrow_field(table, column) for column in columns or spec.columns],
        metadata={
            "table": table,
            "description": spec.description,
            "primary_key": json.dumps(list(spec.primary_key)),
        },
    )
