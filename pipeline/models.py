"""Pydantic record models, built from the field dictionary so that they cannot drift from it.

Validation is strict (no silent coercion of "1" to 1) and closed (`extra="forbid"`): a record with a column the
dictionary does not describe is an error, not a surprise in the release.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from pipeline.fields import FIELDS, TABLES, is_nullable
from pipeline.fields import Field as FieldSpec
from pipeline.logical_types import LOGICAL_TYPES

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


def _python_type(spec: FieldSpec) -> Any:
    if spec.allowed is not None:
        return Literal[spec.allowed]  # type: ignore[valid-type]
    return LOGICAL_TYPES[spec.type].python


def _annotated(table: str, spec: FieldSpec) -> tuple[Any, Any]:
    constraints: dict[str, Any] = {"description": spec.description, "examples": [spec.example]}
    if spec.minimum is not None:
        constraints["ge"] = spec.minimum
    if spec.pattern is not None:
        constraints["pattern"] = spec.pattern
    if spec.type == "int32":
        constraints["le"] = 2**31 - 1
    if spec.type == "string":
        # No empty strings anywhere: in the CSV release an empty cell then always means null.
        constraints["min_length"] = 1
    base = _python_type(spec)
    if is_nullable(table, spec.name):
        return (Annotated[base | None, Field(**constraints)], ...)
    return (Annotated[base, Field(**constraints)], ...)


def _model_name(table: str) -> str:
    return "".join(part.capitalize() for part in table.split("_")) + "Record"


def build_model(table: str) -> type[BaseModel]:
    spec = TABLES[table]
    model = create_model(  # type: ignore[call-overload]
        _model_name(table),
        __config__=_STRICT,
        __doc__=spec.description,
        **{name: _annotated(table, FIELDS[name]) for name in spec.columns},
    )
    return model


MODELS: dict[str, type[BaseModel]] = {name: build_model(name) for name in TABLES}

# One parsed document as it travels from `parse` to `validate`: every record of that document together, so a
# document is accepted or rejected as a whole and the tables never disagree about which documents exist.
BUNDLE_TABLES: tuple[str, ...] = ("documents", "sections", "paragraphs", "credits", "related", "raw_texts")

# One parsed document as it travels from `parse` to `validate`: every record of that document together, so a
# document is accepted or rejected as a whole and the tables never disagree about which documents exist.
DocumentBundle = create_model(
    "DocumentBundle",
    __config__=_STRICT,
    document=(MODELS["documents"], ...),
    **{table: (list[MODELS[table]], ...) for table in BUNDLE_TABLES[1:]},  # type: ignore[valid-type]
)


def json_schema(table: str) -> dict[str, Any]:
    """The JSON Schema of one table's records, as committed under `schemas/`."""
    schema = MODELS[table].model_json_schema()
    spec = TABLES[table]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://renda-corpus.invalid/schemas/{table}.json"
    schema["title"] = table
    schema["description"] = spec.description
    schema["x-primary-key"] = list(spec.primary_key)
    return schema
