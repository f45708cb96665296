"""The records a capture format's sample parses to: what `test_format_samples.py` compares with the format
folder's `expected.json`, and what this file, run as a script, writes there.

Usage: python tests/format_samples.py [NAME ...]   (every format of the registry when no name is given)

A sample goes the way a raw file goes, so the test covers detection too: `ingest_file` (decoding, containers,
the format detected from the content) then `process`. The records kept are the bundle's minus the raw text
(it is the sample); the bundle's document has no column that a later stage fills: what the format's data and
the one parser decide. Read a written file by eye before committing it: the test can only say that the
parser still gives those records, not that they are right.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipeline.formats import FOLDER, FORMATS
from pipeline.models import DocumentBundle, RawUnit
from pipeline.process import process
from pipeline.settings import Settings
from pipeline.stages.ingest import ingest_file


def sample_path(name: str) -> Path:
    """The format folder's one `sample.*` capture (its suffix is the layout's: .txt, .md, .html)."""
    (sample,) = sorted((FOLDER / name).glob("sample.*"))
    return sample


def expected_path(name: str) -> Path:
    return FOLDER / name / "expected.json"


def sample_records(name: str) -> dict[str, Any]:
    """The sample's bundle (or reject) as JSON would hold it: dates as ISO text."""
    sample = sample_path(name)
    (unit,) = ingest_file(f"{name}/{sample.name}", sample.read_bytes(), Settings())
    result = process(unit) if isinstance(unit, RawUnit) else unit
    records = result.model_dump(mode="json")
    if not isinstance(result, DocumentBundle):
        return {"unit": "reject", **records}
    return {"unit": "bundle", **{key: value for key, value in records.items() if key != "raw_texts"}}


def to_json(records: dict[str, Any]) -> str:
    """Indented JSON with one line per table row, so a reader checks a record at a glance and a diff shows it."""
    fields = []
    for key, value in records.items():
        if isinstance(value, list) and value:
            rows = ",\n".join(f"    {json.dumps(row, ensure_ascii=False)}" for row in value)
            fields.append(f"  {json.dumps(key)}: [\n{rows}\n  ]")
        else:
            fields.append(
                f"  {json.dumps(key)}: "
                + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            )
    return "{\n" + ",\n".join(fields) + "\n}\n"


def write_expected(name: str) -> Path:
    path = expected_path(name)
    path.write_text(to_json(sample_records(name)), encoding="utf-8")
    return path


if __name__ == "__main__":
    for format_name in sys.argv[1:] or sorted(FORMATS):
        print(write_expected(format_name))
