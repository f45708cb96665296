"""`schemas/<table>.json`: the JSON Schema of every table, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.fields import TABLES
from pipeline.models import json_schema


def render_schema(table: str) -> str:
    return json.dumps(json_schema(table), ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = folder / f"{table}.json"
        path.write_text(render_schema(table), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Tables whose committed schema file differs from what the models generate (or is missing)."""
    stale = []
    for table in TABLES:
        path = folder / f"{table}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != render_schema(table):
            stale.append(table)
    return stale
