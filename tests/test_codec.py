"""Records between stages: tagged by type on the wire, read back strictly, a bad line a reject (not a crash)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE

from pipeline import codec
from pipeline.codec import SOURCES_FILE, UNITS_FILE, RecordWriter, Unreadable
from pipeline.errors import RendaError
from pipeline.models import DocumentBundle, RawUnit, Reject, Source, new_reject
from pipeline.process import process
from pipeline.settings import Settings
from pipeline.stages import validate
from pipeline.stages.ingest import ingest_file

REJECT = new_reject("a.txt", None, "ingest", "empty_file", "file has 0 bytes")


def _bundle() -> DocumentBundle:
    (unit,) = ingest_file("example.txt", EXAMPLE.read_bytes(), Settings())
    bundle = process(unit)
    assert isinstance(bundle, DocumentBundle)
    return bundle


def test_a_line_names_its_type() -> None:
    assert codec.encode(REJECT) == (
        b'{"type":"reject","record":{"source_file":"a.txt","source_row":null,"stage":"ingest",'
        b'"reason_code":"empty_file","detail":"file has 0 bytes"}}'
    )
    assert json.loads(codec.encode(_bundle()))["type"] == "bundle"


def test_records_come_back_equal_and_in_order(tmp_path: Path) -> None:
    (unit,) = ingest_file("example.txt", EXAMPLE.read_bytes(), Settings())
    bundle = _bundle()
    path = tmp_path / "units.jsonl"
    with RecordWriter(path) as writer:
        for record in (unit, REJECT, bundle):
            writer.write(record)
    assert list(codec.read(path, RawUnit, Reject, DocumentBundle)) == [unit, REJECT, bundle]
    assert codec.count(path) == 3
    # a record of a type the reader does not take is no record for it
    (wrong, reject, _) = codec.read(path, Reject, DocumentBundle)
    assert isinstance(wrong, Unreadable) and wrong.source_file == "example.txt" and reject == REJECT


def test_validate_rejects_a_bad_line_and_keeps_going(tmp_path: Path) -> None:
    """A hand-edited interim file: the bundle whose title is empty is one invalid_record reject; the document
    after it and the earlier reject reach the tables."""
    parsed = tmp_path / "parsed"
    parsed.mkdir()
    good = _bundle()
    broken = json.loads(codec.encode(good))
    broken["record"]["document"]["title"] = ""
    broken["record"]["document"]["source_file"] = "broken.txt"
    lines = [json.dumps(broken, ensure_ascii=False).encode(), codec.encode(REJECT), codec.encode(good)]
    (parsed / UNITS_FILE).write_bytes(b"".join(line + b"\n" for line in lines))
    origin = dict.fromkeys(("origin_source", "origin_url", "origin_path", "origin_commit"))
    with RecordWriter(parsed / SOURCES_FILE) as sources:
        sources.write(
            Source(source_file="example.txt", entry_kind="file", raw_sha256="0" * 64, n_bytes=1, **origin)
        )
    report = validate.run(parsed, tmp_path / "validated", Settings())
    assert (report.received, report.emitted, dict(report.rejected)) == (3, 1, {"invalid_record": 1})
    assert pq.read_table(tmp_path / "validated" / "rejects.parquet").to_pylist() == [
        {
            "source_file": "broken.txt",
            "source_row": None,
            "stage": "validate",
            "reason_code": "invalid_record",
            "detail": "document.title: String should have at least 1 character (1 errors)",
        },
        REJECT.model_dump(),
    ]
    documents = pq.read_table(tmp_path / "validated" / "documents.parquet")
    assert documents.column("source_file").to_pylist() == ["example.txt"]
    assert "record_sha256" in documents.column_names and "dup_cluster" not in documents.column_names


def test_a_line_that_names_no_input_stops_the_stage(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(RendaError, match=r"units.jsonl: line 1 is not a record"):
        list(codec.read(path, Reject))
