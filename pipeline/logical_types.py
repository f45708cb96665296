"""The logical column types, and what each one is in every system the release is read or checked with.

One row per type: the pydantic annotation the record models use, the Arrow type of the Parquet files, the
pandas dtype `load()` gives, the Frictionless type of `datapackage.json` and the schema.org type of
`croissant.json`. A new type is one new row here; no module keeps a map of its own.

Arrow types are built on demand (`arrow_type`): the field dictionary imports this module, and most commands
never need pyarrow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class LogicalType:
    name: str
    # The value as pydantic validates it (strict): int for int32/int64, list[str] for list<string>, …
    python: Any
    # pyarrow factory of the value (of the items, for a list) and, for a list, whether items may be null.
    arrow_scalar: str
    list_items_nullable: bool | None
    # pandas extension dtype of a scalar column (None: lists stay Python lists, dates become datetime64).
    pandas: str | None
    frictionless: str
    croissant: str

    @property
    def is_list(self) -> bool:
        return self.list_items_nullable is not None


_TYPES = (
    LogicalType("string", str, "string", None, "string", "string", "sc:Text"),
    LogicalType("int32", int, "int32", None, "Int32", "integer", "sc:Integer"),
    LogicalType("int64", int, "int64", None, "Int64", "integer", "sc:Integer"),
    LogicalType("float64", float, "float64", None, "Float64", "number", "sc:Float"),
    LogicalType("bool", bool, "bool_", None, "boolean", "boolean", "sc:Boolean"),
    LogicalType("date", dt.date, "date32", None, None, "date", "sc:Date"),
    LogicalType("list<string>", list[str], "string", False, None, "array", "sc:Text"),
    LogicalType("list<string?>", list[str | None], "string", True, None, "array", "sc:Text"),
    LogicalType("list<int32>", list[int], "int32", False, None, "array", "sc:Integer"),
    LogicalType("list<int64>", list[int], "int64", False, None, "array", "sc:Integer"),
)
LOGICAL_TYPES: dict[str, LogicalType] = {t.name: t for t in _TYPES}


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type of a logical type (list items named `item`, as pyarrow and Parquet name them)."""
    import pyarrow as pa

    logical = LOGICAL_TYPES[name]
    value = getattr(pa, logical.arrow_scalar)()
    if not logical.is_list:
        return value
    return pa.list_(pa.field("item", value, nullable=bool(logical.list_items_nullable)))


def pandas_types() -> dict[pa.DataType, Any]:
    """Arrow type → pandas extension dtype for the scalar columns (`to_pandas(types_mapper=…)`)."""
    import pandas as pd

    return {arrow_type(t.name): pd.api.types.pandas_dtype(t.pandas) for t in _TYPES if t.pandas is not None}
