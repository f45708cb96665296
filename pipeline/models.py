"""Pydantic record models, built from the field dictionary so that they cannot drift from it.

Validation is strict (no silent coercion of "1" to 1) and closed (`extra="forbid"`): a record with a column the
dictionary does not describe is an error, not a surprise in the release.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

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


def build_model(
    table: str, columns: tuple[str, ...] | None = None, name: str | None = None, doc: str | None = None
) -> type[BaseModel]:
    """The model of `table`'s rows, or of their `columns` only: a row as a stage hands it on, before the stages
    after it add the columns they own."""
    spec = TABLES[table]
    model = create_model(  # type: ignore[call-overload]
        name or _model_name(table),
        __config__=_STRICT,
        __doc__=doc or spec.description,
        **{column: _annotated(table, FIELDS[column]) for column in columns or spec.columns},
    )
    return model


MODELS: dict[str, type[BaseModel]] = {name: build_model(name) for name in TABLES}

# --- records between stages -----------------------------------------------------------------------------------
# What one stage hands the next, made from the same dictionary. Each column of a table is filled by the stage
# that owns it: the document `parse` makes lacks the columns `validate` and `enrich` add, so no stage writes a
# placeholder for a later one to overwrite. The released `documents` table is `MODELS["documents"]`.
VALIDATE_DOCUMENT_COLUMNS: tuple[str, ...] = ("record_sha256",)
ENRICH_DOCUMENT_COLUMNS: tuple[str, ...] = ("dup_cluster", "is_canonical", "layer_error")
VALIDATED_DOCUMENT_COLUMNS = tuple(c for c in TABLES["documents"].columns if c not in ENRICH_DOCUMENT_COLUMNS)
PARSED_DOCUMENT_COLUMNS = tuple(c for c in VALIDATED_DOCUMENT_COLUMNS if c not in VALIDATE_DOCUMENT_COLUMNS)

BundleDocument = build_model(
    "documents",
    PARSED_DOCUMENT_COLUMNS,
    "BundleDocument",
    "A `documents` row as `parse` makes it: without `record_sha256` (validate) and the corpus-level columns "
    "(enrich).",
)

# One parsed document as it travels from `parse` to `validate`: every record of that document together, so a
# document is accepted or rejected as a whole and the tables never disagree about which documents exist.
BUNDLE_TABLES: tuple[str, ...] = (
    "documents",
    "sections",
    "paragraphs",
    "credits",
    "related",
    "tables",
    "raw_texts",
)
DocumentBundle = create_model(
    "DocumentBundle",
    __config__=_STRICT,
    __doc__="Every record of one parsed document: its row and its sections, paragraphs, credits, related, table "
    "cells, raw text.",
    document=(BundleDocument, ...),
    **{table: (list[MODELS[table]], ...) for table in BUNDLE_TABLES[1:]},  # type: ignore[valid-type]
)

# What `ingest` hands `parse`: one decoded document (a file, or one row of a container) with its provenance.
RAW_UNIT_COLUMNS = ("doc_id", "source_file", "source_row", "raw_sha256", "encoding", "n_replaced_bytes")
RawUnit = create_model(  # type: ignore[call-overload]
    "RawUnit",
    __config__=_STRICT,
    __doc__="One decoded document as ingest found it: provenance, detected capture format, raw text.",
    **{column: _annotated("documents", FIELDS[column]) for column in RAW_UNIT_COLUMNS},
    container=_annotated("documents", FIELDS["container"]),
    capture_format=_annotated("documents", FIELDS["capture_format"]),
    # The container's columns or the page's <meta> by role (title, date, url, account): what the text may not
    # show; the parsed text wins where both exist.
    meta=(dict[str, str], ...),
    # A container row's columns that fill no role, as the `container_fields` JSON object (null when none).
    container_fields=(_annotated("documents", FIELDS["container_fields"])[0], None),
    raw_text=_annotated("raw_texts", FIELDS["raw_text"]),
)

# An input that did not become a document, as it travels between stages: exactly a `rejects` row.
Reject = MODELS["rejects"]
# A raw folder entry, as ingest hands it on to `validate`: exactly a `sources` row.
Source = MODELS["sources"]
# A page-furniture line learned by the `templates` stage, as it travels to `parse` and `validate`: a `templates` row.
Template = MODELS["templates"]


def new_reject(source_file: str, source_row: int | None, stage: str, reason_code: str, detail: str) -> Reject:
    """A reject, its detail on one line (it is printed as one line and read as one CSV cell)."""
    return Reject(
        source_file=source_file,
        source_row=source_row,
        stage=stage,
        reason_code=reason_code,
        detail=" ".join(detail.split()) or reason_code,
    )


def first_error(error: ValidationError, skip: int = 0) -> str:
    """A validation error in one line: where the first problem is (after `skip` outer parts), what, how many."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"][skip:])
    return f"{where + ': ' if where else ''}{first['msg']} ({error.error_count()} errors)"


# Records cross process boundaries (the executor's pool, a Dask cluster): pickle finds a class by its module and
# name, so every generated model is also a name of this module.
globals().update({model.__name__: model for model in MODELS.values()})


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
