"""Deterministic pretty JSON for reports, metrics and manifests (records between stages: `pipeline.codec`)."""

from __future__ import annotations

import datetime as dt
import json
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
