"""Each stage's pure per-item function (ingest's reading, `process`), and the table checks that keep records
consistent."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXTURES

from pipeline.models import DocumentBundle, RawUnit, Reject
from pipeline.process import process, table_problems
from pipeline.settings import IngestSettings, Settings
from pipeline.stages.ingest import ingest_file


def _ingested(data: bytes, name: str = "a/example.txt") -> RawUnit:
    (unit,) = ingest_file(name, data, Settings())
    return unit


def _bundle(unit: RawUnit) -> DocumentBundle:
    bundle = process(unit)
    assert isinstance(bundle, DocumentBundle), bundle
    return bundle


def test_ingest_document_unit_is_content_addressed() -> None:
    data = EXAMPLE.read_bytes()
    unit = _ingested(data)
    digest = hashlib.sha256(data).hexdigest()
    assert unit == RawUnit(
        doc_id=digest[:16],
        source_file="a/example.txt",
        source_row=None,
        raw_sha256=digest,
        encoding="utf-8",
        n_replaced_bytes=0,
        container=None,
        capture_format="freewechat_text",
        meta={},
        raw_text=data.decode("utf-8"),
    )
    assert _ingested(data, "elsewhere/renamed.txt").doc_id == unit.doc_id


def test_ingest_rejects_hidden_and_excluded_files() -> None:
    assert _ingested(b"x", ".gitkeep").reason_code == "hidden_file"
    settings = Settings(ingest=IngestSettings(exclude=["gold/*"]))
    (unit,) = ingest_file("gold/a.json", b"{}", settings)
    assert unit == Reject(
        source_file="gold/a.json",
        source_row=None,
        stage="ingest",
        reason_code="excluded",
        detail="matches ingest.exclude pattern 'gold/*'",
    )


def test_process_bundle_validates_and_passes_table_checks() -> None:
    bundle = _bundle(_ingested(EXAMPLE.read_bytes()))
    assert DocumentBundle.model_validate(bundle.model_dump()) == bundle
    assert table_problems(bundle) == []
    assert bundle.document.n_paragraphs == 14
    assert len(bundle.related) == 8


def test_process_without_body_is_a_reject() -> None:
    unit = _ingested("查看原文\n其他\n\n标题\n\n账号 2024-01-01\n\n继续滑动看下一个\n".encode())
    result = process(unit)
    assert isinstance(result, Reject)
    assert result.reason_code == "no_body"
    assert result.stage == "parse"


def test_table_checks_catch_broken_offsets_and_leads() -> None:
    bundle = _bundle(_ingested(EXAMPLE.read_bytes()))
    paragraphs = list(bundle.paragraphs)
    paragraphs[0] = paragraphs[0].model_copy(update={"char_end": 10**6})
    paragraphs[2] = paragraphs[2].model_copy(update={"lead_sentence": "不是前缀。"})
    bundle = DocumentBundle.model_validate({**bundle.model_dump(), "paragraphs": paragraphs})
    problems = table_problems(bundle)
    assert any("offsets" in p for p in problems)
    assert any("lead_sentence is not a prefix" in p for p in problems)


# Fields that name the bytes, not the text.
IDENTITY = ("doc_id", "raw_sha256", "encoding")


def _without_identity(value: object) -> object:
    """A bundle with the fields that name the bytes (id, hash, encoding) removed: what the text alone decides."""
    if isinstance(value, dict):
        return {k: _without_identity(v) for k, v in value.items() if k not in IDENTITY}
    if isinstance(value, list):
        return [_without_identity(v) for v in value]
    return value


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize(
    "capture",
    [EXAMPLE, FIXTURES / "wechatmp2markdown" / "sample.md", FIXTURES / "wechat_html2text" / "sample.md"],
    ids=lambda path: path.parent.name,
)
def test_wide_encoding_twins_parse_to_the_same_records(capture: Path, codec: str) -> None:
    text = capture.read_bytes().decode("utf-8")
    utf8_bundle = _bundle(_ingested(text.encode("utf-8")))
    wide_unit = _ingested(text.encode(codec))
    assert wide_unit.encoding == codec
    wide_bundle = _bundle(wide_unit)
    assert _without_identity(wide_bundle.model_dump()) == _without_identity(utf8_bundle.model_dump())
    assert wide_bundle.document.doc_id != utf8_bundle.document.doc_id  # other bytes, other id


def test_validate_remembers_each_first_location_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.stages.validate import Identity, SeenDocuments, _duplicate

    monkeypatch.setattr(SeenDocuments, "COMMIT_EVERY", 3)  # several commits, and some rows not yet committed
    with SeenDocuments() as seen:
        folder = Path(seen._folder.name)
        for index in range(10):
            seen.add(f"{index:016x}", f"raw/{index}.csv#row{index}")
        assert seen.get(f"{7:016x}") == "raw/7.csv#row7"
        assert seen.get(f"{9:016x}") == "raw/9.csv#row9"
        assert seen.get("f" * 16) is None
        copy = Identity(f"{7:016x}", "copy.txt", None)
        reject = _duplicate(copy, seen)
        assert reject is not None
        assert (reject.source_file, reject.reason_code) == ("copy.txt", "duplicate_document")
        assert reject.detail == "same content as raw/7.csv#row7 (doc_id 0000000000000007)"
        assert _duplicate(Identity("e" * 16, "copy.txt", None), seen) is None
    assert not folder.exists()
