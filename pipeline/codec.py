"""How records travel between stages: the one module that knows their wire format.

The format is JSON Lines for now: one record per line, `{"type": <tag>, "record": {...}}`. The tag names the
record's type (`raw_unit`, `reject`, `bundle`, `source`, `template`); a reader dispatches on it (a pydantic discriminated
union), never on how a line happens to start, and validates the record strictly by its model. An interim file is
an input like any other: a line that is not a valid record of a type the reader expects comes back as
`Unreadable` (where it came from and what is wrong), for the stage to reject, not to stop the run.

Stages see only typed records, file names and `RecordWriter`/`read`, so moving to another format (Arrow) changes
this module alone. Lines are handled as UTF-8 bytes, never as Python text: pydantic reads and writes JSON bytes
itself, and a decoded copy of every line would cost a quarter of the reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from pipeline.errors import RendaError
from pipeline.models import DocumentBundle, RawUnit, Reject, Source, Template, first_error, new_reject
from pipeline.progress import count_lines

# The files a stage writes for the next one: its units (documents, bundles, rejects) and the raw folder's entries.
UNITS_FILE = "units.jsonl"
SOURCES_FILE = "sources.jsonl"
# The page-furniture lines `renda templates` learned: parse reads them and hands them on to validate.
TEMPLATES_FILE = "templates.jsonl"

TAGS: dict[type[BaseModel], str] = {
    RawUnit: "raw_unit",
    Reject: "reject",
    DocumentBundle: "bundle",
    Source: "source",
    Template: "template",
}

Record = Any  # one of the types in TAGS (the models are generated, so their union is not a static type)


def encode(record: BaseModel) -> bytes:
    """One record as one line (without the newline)."""
    tag = TAGS[type(record)].encode()
    return b'{"type":"' + tag + b'","record":' + record.__pydantic_serializer__.to_json(record) + b"}"


class RecordWriter:
    """Writes records to a file, one per line, in the order given."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("wb")

    def write(self, record: BaseModel) -> None:
        self._handle.write(encode(record))
        self._handle.write(b"\n")

    def write_encoded(self, line: bytes) -> None:
        """A record already encoded by `encode` (a cached result), without encoding it again."""
        self._handle.write(line)
        self._handle.write(b"\n")

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._handle.close()


@dataclass(frozen=True)
class Unreadable:
    """A line that is not a valid record of the expected types: the input it stands for and the first error."""

    source_file: str
    source_row: int | None
    detail: str

    def reject(self, stage: str) -> Reject:
        return new_reject(self.source_file, self.source_row, stage, "invalid_record", self.detail)


@cache
def _adapter(types: tuple[type[BaseModel], ...]) -> TypeAdapter[Any]:
    """The validator of a line holding one of `types`, chosen by the line's tag."""
    lines = [
        create_model(  # type: ignore[call-overload]
            f"{TAGS[model]}_line",
            __config__=ConfigDict(extra="forbid", strict=True, frozen=True),
            type=(Literal[TAGS[model]], ...),  # type: ignore[valid-type]
            record=(model, ...),
        )
        for model in types
    ]
    if len(lines) == 1:
        return TypeAdapter(lines[0])
    return TypeAdapter(Annotated[Union[tuple(lines)], Field(discriminator="type")])  # noqa: UP007


def read(path: Path, *types: type[BaseModel]) -> Iterator[Record | Unreadable]:
    """The records of `path` in order, each of one of `types` (validated strictly), or `Unreadable`."""
    for number, line in lines(path):
        yield decode(path, number, line, *types)


def lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The encoded records of `path` with their line numbers, not decoded: a stage that caches its results by
    the input's exact bytes decodes only the lines it has to work on (`decode`)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.isspace():
                yield number, line.rstrip(b"\n")


def decode(path: Path, number: int, line: bytes, *types: type[BaseModel]) -> Record | Unreadable:
    """Line `number` of `path`, one of `types` (validated strictly), or `Unreadable`."""
    try:
        return _adapter(types).validate_json(line, strict=True).record
    except ValidationError as error:
        # where an error is inside the record: after ("record",), or (tag, "record") when the tag chose the type
        return _unreadable(path, number, line, first_error(error, 1 if len(types) == 1 else 2))


def _unreadable(path: Path, number: int, line: bytes, detail: str) -> Unreadable:
    """Where a bad line came from, as far as it says; a line that names no input cannot become a reject."""
    try:
        record = json.loads(line)["record"]
        where = record.get("document", record)
        source_file, source_row = where["source_file"], where.get("source_row")
    except (ValueError, TypeError, KeyError, AttributeError):
        source_file = source_row = None
    if not isinstance(source_file, str) or not source_file:
        raise RendaError(f"{path}: line {number} is not a record ({detail})")
    return Unreadable(source_file, source_row if isinstance(source_row, int) else None, detail)


def count(path: Path) -> int:
    """How many records `path` holds (for a progress bar)."""
    return count_lines(path)
