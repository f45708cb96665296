"""`pipeline.load` holds a local release folder to its manifest.json: an edited table is refused, not loaded."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RendaError
from pipeline.loading import load


@pytest.fixture
def release(fixture_release: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    shutil.copytree(fixture_release, folder)
    return folder


def _age(path: Path, seconds: int) -> None:
    """Set `path`'s mtime `seconds` before its manifest's, as in a folder whose files predate the manifest."""
    manifest_mtime = (path.parent / "manifest.json").stat().st_mtime_ns
    os.utime(path, ns=(manifest_mtime - seconds * 10**9, manifest_mtime - seconds * 10**9))


def _same_size_edit(path: Path) -> None:
    """Change one byte in the middle of the file (a retyped character of a title keeps the size)."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_untouched_release_loads(release: Path, fixture_release: Path) -> None:
    documents = load("documents", release, verify=True)
    assert len(documents) == json.loads((release / "manifest.json").read_text("utf-8"))["tables"]["documents"]


def test_size_change_is_refused_always(release: Path) -> None:
    path = release / "documents.parquet"
    size = path.stat().st_size
    path.write_bytes(path.read_bytes() + b"\0")
    _age(path, 60)  # even when the file looks older than the manifest: the size is always compared
    with pytest.raises(RendaError) as refused:
        load("documents", release)
    assert str(refused.value) == (
        f"{path}: {size + 1} bytes, manifest.json says {size}; changed since the release "
        "(rebuild or download it again)"
    )


def test_same_size_edit_newer_than_the_manifest_is_refused(release: Path) -> None:
    path = release / "documents.parquet"
    _same_size_edit(path)
    manifest_mtime = (release / "manifest.json").stat().st_mtime_ns
    os.utime(path, ns=(manifest_mtime + 10**9, manifest_mtime + 10**9))  # edited after the release
    with pytest.raises(RendaError) as refused:
        load("documents", release)
    assert str(refused.value) == (
        f"{path}: SHA-256 differs from manifest.json; changed since the release (rebuild or download it again)"
    )


def test_verify_checks_the_hash_whatever_the_mtime(release: Path) -> None:
    path = release / "documents.parquet"
    _same_size_edit(path)
    _age(path, 60)  # an edit whose mtime was put back: only the hash can tell
    with pytest.raises(RendaError, match=r"SHA-256 differs from manifest\.json"):
        load("documents", release, verify=True)


def test_table_missing_from_the_manifest_is_refused(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    manifest["files"] = [e for e in manifest["files"] if e["path"] != "documents.parquet"]
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RendaError) as refused:
        load("documents", release)
    assert str(refused.value) == (
        f"{release / 'manifest.json'}: does not list documents.parquet; not this release's file"
    )


def test_folder_without_manifest_is_read_as_is(release: Path) -> None:
    (release / "manifest.json").unlink()
    assert len(load("sources", release)) == 8


def test_in_scope_keeps_rows_of_in_scope_documents_only(release: Path) -> None:
    documents = load("documents", release)
    in_scope = load("documents", release, in_scope=True)
    assert sorted(in_scope.source_file) == [  # the three 人大 accounts of the fixtures; the rest are unknown
        "freewechat_text/sample.txt",
        "wechat_html2text/sample.md",
        "wechatmp2markdown/sample.md",
    ]
    pd.testing.assert_frame_equal(  # categories are those of the rows read: compare values, not category sets
        in_scope.reset_index(drop=True),
        documents[documents.in_scope].reset_index(drop=True),
        check_categorical=False,
    )
    paragraphs = load("paragraphs", release)
    kept = load("paragraphs", release, columns=["paragraph_index", "text"], in_scope=True)
    expected = paragraphs[paragraphs.doc_id.isin(in_scope.doc_id)][["paragraph_index", "text"]]
    assert 0 < len(kept) < len(paragraphs)
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), expected.reset_index(drop=True))
    with pytest.raises(RendaError) as refused:
        load("rejects", release, in_scope=True)
    assert str(refused.value) == "rejects has no doc_id: in_scope=True filters tables of documents only"
