"""Deterministic pretty JSON for reports, metrics and manifests (records between stages: `pipeline.codec`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def json_default(value: object) -> str:
    """A date as its ISO string (as pydantic's JSON mode writes it); any other non-JSON value is an error."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps_pretty(data: Any) -> str:
    """Pretty, stable JSON for reports, metrics and manifests."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default) + "\n"


def write_json(path: Path, data: Any) -> None:
    path.write_text(dumps_pretty(data), encoding="utf-8")


@dataclass(frozen=True)
class Streamed:
    """A top-level value of `write_json` written as a JSON object entry by entry (a manifest's one entry per
    document): `entries()` gives its (key, value) pairs in order, read only while the file is written."""

    entries: Callable[[], Iterable[tuple[str, Any]]]


def _placeholder(key: str) -> str:
    return f"\x00streamed {key}\x00"


def write_json_streamed(path: Path, data: dict[str, Any]) -> None:
    """`write_json`, with each top-level `Streamed` value written entry by entry: the same bytes as
    `dumps_pretty` of the data with those values as dicts, never holding one of them whole.

    The rest is dumped with a placeholder string for each streamed value; at the placeholder, each entry is
    dumped on its own and indented as `json.dumps(indent=2)` indents a value two levels down (the indent is the
    level times two spaces, and a JSON string holds no raw newline), joined by commas as json joins them."""
    streamed = {key: value for key, value in data.items() if isinstance(value, Streamed)}
    text = dumps_pretty({key: _placeholder(key) if key in streamed else value for key, value in data.items()})
    with path.open("w", encoding="utf-8") as handle:
        for key, value in streamed.items():
            marker = json.dumps(_placeholder(key), ensure_ascii=False)
            before, _, text = text.partition(marker)
            handle.write(before)
            opened = False
            for entry_key, entry in value.entries():
                handle.write(",\n    " if opened else "{\n    ")
                opened = True
                handle.write(json.dumps(entry_key, ensure_ascii=False) + ": ")
                dumped = json.dumps(entry, ensure_ascii=False, indent=2, default=json_default)
                handle.write(dumped.replace("\n", "\n    "))
            handle.write("\n  }" if opened else "{}")
        handle.write(text)
