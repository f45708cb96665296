"""Deterministic JSON Lines: one record per line, UTF-8, fields in the order the code wrote them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_default)


def write_line(handle: IO[str], record: Any) -> None:
    handle.write(dumps(record))
    handle.write("\n")


def read_lines(path: Path) -> Iterator[str]:
    """Stream the raw lines of a JSONL file (validation parses them itself, strictly)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    for line in read_lines(path):
        yield json.loads(line)


def dumps_pretty(data: Any) -> str:
    """Pretty, stable JSON for reports, metrics and manifests."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"


def write_json(path: Path, data: Any) -> None:
    path.write_text(dumps_pretty(data), encoding="utf-8")
