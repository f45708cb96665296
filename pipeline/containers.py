"""Tabular containers: CSV/TSV, JSONL, JSON and Parquet files holding one article per row.

Which column holds the text, title, date, URL or account is recognised from the column names (candidates below,
as data) or set in params.yaml (`ingest.columns`). Each row becomes its own document with `source_row`; a row
with an empty text cell is a reject, and so is a file in which no text column can be found.
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pipeline.dates import feed_day
from pipeline.fields import CONTAINER_KINDS

CONTAINER_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
assert set(CONTAINER_SUFFIXES.values()) <= set(CONTAINER_KINDS), "a container kind missing from fields.py"
# Containers whose text cells are HTML (an RSS item's <description>): rendered to paragraphs by lxml.
HTML_TEXT_KINDS = frozenset({"feed"})

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
        "description",
        "summary",
    ),
    "title": ("title", "headline", "标题", "题目"),
    "date": (
        "publish_date",
        "published_date",
        "pub_date",
        "date",
        "publish_time",
        "pubdate",
        "published",
        "updated",
        "发布时间",
        "发布日期",
        "日期",
        "时间",
    ),
    "url": ("source_url", "url", "link", "原文链接", "链接", "网址"),
    "account": ("account", "公众号", "mp_name", "nickname", "site", "网站"),
}
MAX_CSV_FIELD = 1 << 30
# A broken CSV record that swallowed later lines makes the reader start again after its first line. Past this
# many restarts (a file of unbalanced quotes would cost time quadratic in its length) the rest of the file is
# one error row naming the line where reading stopped.
MAX_CSV_RESTARTS = 200
# Cell values that mean "no value" when they are the whole cell (pandas, R and SQL exports write these).
MISSING_CELL_MARKERS = frozenset({"nan", "none", "null", "na", "n/a", "<na>", "nat"})


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


def iter_rows(
    kind: str,
    text: str | None,
    data: bytes,
    max_json_depth: int = 64,
    max_decompressed: int | None = None,
    max_inflation: int | None = None,
) -> Iterator[ContainerRow]:
    """Rows of a container; `text` is the decoded file for text containers (None for Parquet)."""
    if kind in ("csv", "tsv"):
        yield from _csv_rows(text or "", "\t" if kind == "tsv" else ",")
    elif kind == "jsonl":
        yield from _jsonl_rows(text or "", max_json_depth)
    elif kind == "json":
        yield from _json_rows(text or "", max_json_depth)
    elif kind == "parquet":
        yield from _parquet_rows(data, max_decompressed, max_inflation)
    elif kind == "feed":
        yield from _feed_rows(data)


# Between a feed's name and its tagline: ` - `, ` | `, ` — `, `_`.
FEED_TITLE_SEPARATOR = re.compile(r"\s+[-|—–]+\s+|_|｜")


def _local(tag: object) -> str:
    """An element's name without its namespace (`{http://…/content/}encoded` → `encoded`)."""
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _feed_site(root: Any) -> str | None:
    """The feed's own name (RSS `<channel><title>`, Atom `<feed><title>`) up to its first separator: a
    channel titled `人民日报 - 每日全文订阅` is 人民日报's feed. Its items' site when they name none."""
    channel = next((e for e in root if _local(e.tag) == "channel"), root)
    title = next((e for e in channel if _local(e.tag) == "title"), None)
    text = (title.text or "").strip() if title is not None else ""
    return FEED_TITLE_SEPARATOR.split(text, maxsplit=1)[0].strip() or None


def _feed_rows(data: bytes) -> Iterator[ContainerRow]:
    """Items of an RSS 2.0 or Atom feed, one row each (`source_row` = item index), read by lxml's XML parser
    with entities unresolved and no network: a feed is data, never instructions to fetch or expand."""
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as error:
        raise ContainerError("malformed_container", f"not well-formed XML ({error})") from None
    if _local(root.tag) not in ("rss", "feed", "RDF"):
        raise ContainerError(
            "malformed_container", f"XML whose root is <{_local(root.tag)}>, not an RSS or Atom feed"
        )
    items = [e for e in root.iter() if _local(e.tag) in ("item", "entry")]
    site = _feed_site(root)
    for index, item in enumerate(items):
        cells: dict[str, Any] = {"site": site} if site else {}
        for child in item:
            name = _local(child.tag)
            if not name or name in cells:
                continue
            if name == "link" and child.get("href"):
                cells[name] = child.get("href")
                continue
            value = (child.text or "").strip()
            if value:
                cells[name] = (
                    feed_day(value) if name in ("pubDate", "published", "updated", "date") else value
                )
        if "encoded" in cells:  # content:encoded holds the full article where a feed has both
            cells["content"] = cells.pop("encoded")
        yield ContainerRow(index, cells)


# A physical line as the csv module splits them (and `io.StringIO(text, newline="")`): up to and including
# \r\n, \r or \n, or the last characters without one. Matched one at a time, so a file of a million short rows
# is never a million strings at once.
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _LinesFrom:
    """The physical lines of `text` from character `offset` on, read one at a time by a csv reader, and where
    the first line read since the last `mark()` ends (where reading starts again after a broken record)."""

    def __init__(self, text: str, offset: int) -> None:
        self._lines = _PHYSICAL_LINE.finditer(text, offset)
        self.first_end: int | None = None

    def mark(self) -> None:
        self.first_end = None

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if self.first_end is None:
            self.first_end = line.end()
        return line.group()


def _csv_rows(text: str, delimiter: str) -> Iterator[ContainerRow]:
    """Records of a CSV/TSV text; a malformed record is one error row and reading goes on after it.

    A stray quote inside a line fails that line only (the reader resumes on the next physical line). A broken
    record that ran over several lines (an unclosed quote swallows lines up to the next quote, or to the end of
    the file) is taken as broken on its first line only: reading restarts on the line after it, so the rows it
    swallowed are read again on their own. Lines are read as the reader needs them, never all held at once.
    """
    csv.field_size_limit(MAX_CSV_FIELD)
    first = _PHYSICAL_LINE.match(text)
    if first is None:
        raise ContainerError("malformed_container", "no header row")
    try:
        header = next(csv.reader([first.group()], delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise ContainerError("malformed_container", f"CSV header: {error}") from None
    if len(set(header)) != len(header):
        raise ContainerError("malformed_container", "duplicate column names in the header")
    index = 0
    restarts = 0
    position = 1  # line number (from 0) of the next line the reader will take
    offset = first.end()  # and the character where it starts
    while offset < len(text):
        if restarts > MAX_CSV_RESTARTS:
            last = position + sum(1 for _ in _PHYSICAL_LINE.finditer(text, offset))
            yield ContainerRow(
                index,
                {},
                f"more than {MAX_CSV_RESTARTS} broken multi-line records; lines {position + 1} to {last} "
                "are not read",
            )
            return
        start = position
        lines = _LinesFrom(text, offset)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        while True:
            record_start = start + reader.line_num
            lines.mark()
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield ContainerRow(index, {}, f"CSV record at line {record_start + 1}: {error}")
                index += 1
                if start + reader.line_num > record_start + 1:  # it swallowed the lines after its own
                    assert lines.first_end is not None
                    position, offset = record_start + 1, lines.first_end
                    restarts += 1
                    break
                continue
            if not values:  # a blank line is no record
                continue
            if len(values) != len(header):
                yield ContainerRow(index, {}, f"{len(values)} cells, the header has {len(header)}")
            else:
                yield ContainerRow(index, dict(zip(header, values, strict=True)))
            index += 1


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0, {"a": 1} is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    """JSON may escape a lone surrogate (`"\\ud800"`), which no UTF-8 file (and no Parquet string) can hold."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _load_json(text: str) -> tuple[Any, str | None]:
    """Parse JSON text: (value, None), or (None, why not) for syntax, too many digits or too deep nesting."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError as error:  # an integer with more digits than Python converts (4,300)
        return None, f"JSON value not readable ({error})"


def _record_problem(record: Any, where: str, max_json_depth: int) -> str | None:
    if not isinstance(record, dict):
        return f"{where} is a JSON {type(record).__name__}, not an object"
    depth = json_depth(record)
    if depth > max_json_depth:
        return f"{where} is nested {depth} levels deep (ingest.limits.max_json_depth = {max_json_depth})"
    if _has_lone_surrogate(record):
        return f"{where} holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is not text"
    return None


def _jsonl_rows(text: str, max_json_depth: int = 64) -> Iterator[ContainerRow]:
    index = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, problem = _load_json(line)
        if problem is not None:
            problem = f"line {number}: {problem}"
        else:
            problem = _record_problem(record, f"line {number}", max_json_depth)
        yield ContainerRow(index, {}, problem) if problem else ContainerRow(index, record)
        index += 1


def _json_rows(text: str, max_json_depth: int = 64) -> Iterator[ContainerRow]:
    data, problem = _load_json(text)
    if problem is not None:
        raise ContainerError("malformed_container", problem)
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        problem = _record_problem(record, f"item {index}", max_json_depth)
        yield ContainerRow(index, {}, problem) if problem else ContainerRow(index, record)


# Rows decoded per Parquet batch: small, so a bomb is caught after a few MiB of decoding, not after a whole
# row group (dictionary-encoded pages can hold a GiB of text in a few hundred bytes).
PARQUET_BATCH_ROWS = 16
# A Parquet file may decode to this many times its own size, and at least to this many bytes, before it is taken
# for a decompression bomb. Measured: Chinese text compresses 3–6× with zstd/snappy.
INFLATION_FLOOR_BYTES = 64 * 1024 * 1024


def _parquet_rows(
    data: bytes, max_decompressed: int | None = None, max_inflation: int | None = None
) -> Iterator[ContainerRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise ContainerError("malformed_container", f"not a readable Parquet file ({error})") from None
    metadata = parquet.metadata
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if max_decompressed is not None and declared > max_decompressed:
        raise ContainerError(
            "too_large",
            f"Parquet data decompresses to {declared} bytes "
            f"(ingest.limits.max_container_bytes = {max_decompressed}); nothing read",
        )
    # The metadata's sizes are the encoded ones: dictionary pages can expand far beyond them. So the decoded
    # bytes are counted as the batches come, and reading stops at the first bound they cross.
    bound = max_decompressed
    if max_inflation is not None:
        inflation_bound = max(INFLATION_FLOOR_BYTES, max_inflation * len(data))
        bound = inflation_bound if bound is None else min(bound, inflation_bound)
    decoded = 0
    index = 0
    batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    while True:
        try:
            batch = next(batches)
            decoded += batch.nbytes
            records = None if bound is not None and decoded > bound else batch.to_pylist()
        except StopIteration:
            return
        except (pa.ArrowException, OSError, ValueError, OverflowError) as error:
            # A corrupt page or a value Python cannot hold (a date out of range): the rows read so far stand.
            raise ContainerError(
                "malformed_container", f"Parquet rows from {index} on are not readable ({error})"
            ) from None
        if records is None:
            raise ContainerError(
                "too_large",
                f"Parquet file of {len(data)} bytes decodes to more than {bound} bytes by row {index} "
                "(ingest.limits.max_container_bytes, max_inflation); the rows read so far stand",
            )
        for record in records:
            yield ContainerRow(index, record)
            index += 1


def json_value(value: Any) -> Any:
    """A cell as a JSON-ready value: bytes as UTF-8 text (or base64 when they are not UTF-8), dates as ISO
    8601, decimals as strings, NaN as null; containers recursively. Never a Python repr."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    converted = json_value(value)
    return converted if converted is not value else str(value)


def row_bytes(cells: dict[str, Any]) -> bytes:
    """The row's own bytes for its doc_id: its cells as canonical JSON, in column order."""
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")


def other_fields(cells: dict[str, Any], columns: dict[str, str]) -> str | None:
    """The row's cells in no role (`columns`: role → column) as the `container_fields` JSON object string: keys
    sorted, values as text (`cell_text`, NFC), cells without a value left out; None when none is left. The bytes
    depend on the row alone (no key order or float formatting of the reader leaks in)."""
    taken = set(columns.values())
    values = {
        unicodedata.normalize("NFC", str(name)): unicodedata.normalize("NFC", text)
        for name, value in cells.items()
        if name not in taken and (text := cell_text(value)) is not None
    }
    if not values:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def cell_text(value: Any) -> str | None:
    """A cell as text, or None when it holds no value (null, NaN, blank, or a missing marker such as `nan`).

    Lists and objects become JSON text, bytes their UTF-8 text, dates ISO 8601: never a Python repr.
    """
    value = json_value(value)
    if value is None:
        return None
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    else:
        text = value if isinstance(value, str) else str(value)
    stripped = text.strip()
    if not stripped or stripped.lower() in MISSING_CELL_MARKERS:
        return None
    return text
