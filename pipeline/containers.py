"""Tabular containers: CSV/TSV, JSONL, JSON and Parquet files holding one article per row.

Which column holds the text, title, date, URL or account is recognised from the column names (candidates below,
as data) or set in params.yaml (`ingest.columns`). Each row becomes its own document with `source_row`; a row
with an empty text cell is a reject, and so is a file in which no text column can be found.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

CONTAINER_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
}

# Column names recognised per role, in order of preference (compared case-insensitively).
COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": (
        "full_text",
        "fulltext",
        "text",
        "content",
        "body",
        "article",
        "markdown",
        "正文",
        "内容",
        "全文",
        "文本",
    ),
    "title": ("title", "headline", "标题", "题目"),
    "date": (
        "publish_date",
        "published_date",
        "pub_date",
        "date",
        "publish_time",
        "发布时间",
        "发布日期",
        "日期",
        "时间",
    ),
    "url": ("source_url", "url", "link", "原文链接", "链接", "网址"),
    "account": ("account", "公众号", "mp_name", "nickname", "site", "网站"),
}
MAX_CSV_FIELD = 1 << 30


class ContainerError(ValueError):
    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True)
class ContainerRow:
    """One data row; `error` says why a row could not be read (the other rows still are)."""

    index: int
    cells: dict[str, Any]
    error: str | None = None


def container_kind(relative: str) -> str | None:
    return CONTAINER_SUFFIXES.get(PurePosixPath(relative).suffix.lower())


def resolve_columns(columns: list[str], overrides: dict[str, str]) -> dict[str, str]:
    """Role → column name: the override if given (it must exist), else the first candidate present."""
    lowered = {c.strip().lower(): c for c in columns}
    resolved: dict[str, str] = {}
    for role, candidates in COLUMN_CANDIDATES.items():
        if role in overrides:
            if overrides[role] not in columns:
                raise ContainerError(
                    "no_text_column" if role == "text" else "malformed_container",
                    f"ingest.columns.{role} = {overrides[role]!r} is not a column (columns: {', '.join(columns)})",
                )
            resolved[role] = overrides[role]
            continue
        for candidate in candidates:
            if candidate.lower() in lowered:
                resolved[role] = lowered[candidate.lower()]
                break
    if "text" not in resolved:
        raise ContainerError(
            "no_text_column",
            f"no text column among {', '.join(columns[:12]) or '(none)'}; set ingest.columns.text in params.yaml",
        )
    return resolved


def iter_rows(kind: str, text: str | None, data: bytes) -> Iterator[ContainerRow]:
    """Rows of a container; `text` is the decoded file for text containers (None for Parquet)."""
    if kind in ("csv", "tsv"):
        yield from _csv_rows(text or "", "\t" if kind == "tsv" else ",")
    elif kind == "jsonl":
        yield from _jsonl_rows(text or "")
    elif kind == "json":
        yield from _json_rows(text or "")
    elif kind == "parquet":
        yield from _parquet_rows(data)


def _csv_rows(text: str, delimiter: str) -> Iterator[ContainerRow]:
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ContainerError("malformed_container", "no header row") from None
    except csv.Error as error:
        raise ContainerError("malformed_container", f"CSV header: {error}") from None
    if len(set(header)) != len(header):
        raise ContainerError("malformed_container", "duplicate column names in the header")
    index = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ContainerError("malformed_container", f"CSV row {index}: {error}") from None
        if len(values) != len(header):
            yield ContainerRow(index, {}, f"{len(values)} cells, the header has {len(header)}")
        else:
            yield ContainerRow(index, dict(zip(header, values, strict=True)))
        index += 1


def _jsonl_rows(text: str) -> Iterator[ContainerRow]:
    index = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield ContainerRow(index, {}, f"line {number} is not JSON ({error.msg})")
        else:
            if isinstance(record, dict):
                yield ContainerRow(index, record)
            else:
                yield ContainerRow(
                    index, {}, f"line {number} is a JSON {type(record).__name__}, not an object"
                )
        index += 1


def _json_rows(text: str) -> Iterator[ContainerRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContainerError(
            "malformed_container", f"not JSON ({error.msg} at line {error.lineno})"
        ) from None
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        if isinstance(record, dict):
            yield ContainerRow(index, record)
        else:
            yield ContainerRow(index, {}, f"item {index} is a JSON {type(record).__name__}, not an object")


def _parquet_rows(data: bytes) -> Iterator[ContainerRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as error:
        raise ContainerError("malformed_container", f"not a readable Parquet file ({error})") from None
    index = 0
    for batch in parquet.iter_batches(batch_size=256):
        for record in batch.to_pylist():
            yield ContainerRow(index, record)
            index += 1


def row_bytes(cells: dict[str, Any]) -> bytes:
    """The row's own bytes for its doc_id: its cells as canonical JSON, in column order."""
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None
