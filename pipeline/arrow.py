"""Arrow schemas from the field dictionary: explicit types, descriptions in field metadata, no inference."""

from __future__ import annotations

import json

import pyarrow as pa

from pipeline.fields import FIELDS, TABLES, is_nullable

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "list<string>": pa.list_(pa.field("item", pa.string(), nullable=False)),
    "list<string?>": pa.list_(pa.field("item", pa.string(), nullable=True)),
    "list<int32>": pa.list_(pa.field("item", pa.int32(), nullable=False)),
    "list<int64>": pa.list_(pa.field("item", pa.int64(), nullable=False)),
}


def arrow_field(table: str, column: str) -> pa.Field:
    spec = FIELDS[column]
    metadata = {"description": spec.description, "description_zh": spec.description_zh}
    if spec.allowed:
        metadata["allowed_values"] = json.dumps(list(spec.allowed), ensure_ascii=False)
    return pa.field(column, _ARROW_TYPES[spec.type], nullable=is_nullable(table, column), metadata=metadata)


def arrow_schema(table: str) -> pa.Schema:
    spec = TABLES[table]
    return pa.schema(
        [arrow_field(table, column) for column in spec.columns],
        metadata={
            "table": table,
            "description": spec.description,
            "primary_key": json.dumps(list(spec.primary_key)),
        },
    )
