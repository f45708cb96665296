"""CHANGELOG.md is a data diff against the previous release's manifest: documents and rejects."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from pipeline.build import build
from pipeline.publish.changelog import DocumentChanges, RejectChanges, changelog, diff, diff_rejects
from pipeline.settings import DatasetSettings, ReleaseSettings, Settings

HEADER = "# Changelog\n\nData changes between released versions, computed from their manifests.\n"
NOTICES = [
    ["关于开展执法检查的通知", "2025-01-06", "关于开展执法检查的通知\n各区人大常委会：\n现将有关事项通知如下。\n一、检查范围\n全市各区。"],
    ["关于召开常委会会议的通知", "2025-02-10", "关于召开常委会会议的通知\n各位委员：\n定于三月召开第十次会议。\n请准时出席。"],
    ["关于征求意见的公告", "2025-03-03", "关于征求意见的公告\n现将条例草案公布。\n欢迎社会各界提出意见。"],
]  # fmt: skip


def _doc(record: str, source: str) -> dict[str, str]:
    return {"record_sha256": record, "source": source}


def test_diff_matches_by_doc_id_then_by_location() -> None:
    previous = {
        "same": _doc("1", "a.txt"),
        "reparsed": _doc("2", "b.txt"),
        "renamed": _doc("3", "c.txt"),
        "old-row": _doc("4", "t.csv#row1"),
        "gone": _doc("5", "d.txt"),
    }
    current = {
        "same": _doc("1", "a.txt"),
        "reparsed": _doc("9", "b.txt"),
        "renamed": _doc("3", "sub/c.txt"),
        "new-row": _doc("6", "t.csv#row1"),
        "new": _doc("7", "e.txt"),
    }
    assert diff(current, previous) == DocumentChanges(
        added=["new"],
        removed=["gone"],
        changed=["new-row", "reparsed"],
        moved=["renamed"],
        unchanged=["same"],
        edited={"new-row": "old-row"},
    )


def test_diff_rejects_by_location() -> None:
    previous = {
        "a.txt": {"stage": "ingest", "reason_code": "empty_file"},
        "b.csv#row2": {"stage": "ingest", "reason_code": "empty_row"},
        "c.txt": {"stage": "parse", "reason_code": "no_body"},
    }
    current = {
        "b.csv#row2": {"stage": "ingest", "reason_code": "empty_row"},
        "c.txt": {"stage": "validate", "reason_code": "invalid_record"},
        "d.txt": {"stage": "ingest", "reason_code": "binary_file"},
    }
    assert diff_rejects(current, previous) == RejectChanges(
        added=["d.txt"], removed=["a.txt"], changed=["c.txt"], unchanged=["b.csv#row2"]
    )


def _write_notices(raw: Path, rows: list[list[str]]) -> None:
    with (raw / "notices.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "date", "text"])
        writer.writerows(rows)


def _snapshot(release: Path, folder: Path) -> Path:
    """What `make keep-release` keeps of a published version: its manifest and changelog."""
    folder.mkdir(parents=True)
    for name in ("manifest.json", "CHANGELOG.md"):
        shutil.copyfile(release / name, folder / name)
    return folder / "manifest.json"


def _ids(release: Path) -> dict[str, str]:
    documents = json.loads((release / "manifest.json").read_text(encoding="utf-8"))["documents"]
    return {entry["source"]: doc_id for doc_id, entry in documents.items()}


def test_release_changelog_lists_documents_and_rejects(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_notices(raw, NOTICES)
    shutil.copyfile(FIXTURES / "freewechat_text" / "sample.txt", raw / "a.txt")
    shutil.copyfile(FIXTURES / "generic" / "notice.txt", raw / "b.txt")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "odd.txt").write_bytes(b"")
    first = tmp_path / "v1"
    build(raw, first, Settings(dataset=DatasetSettings(version="0.1.0", released="2026-01-01")))
    assert (first / "CHANGELOG.md").read_text(encoding="utf-8") == (
        HEADER + "\n## 0.1.0 (2026-01-01)\n\nFirst release: 5 documents, 2 rejects.\n"
    )
    previous = _snapshot(first, tmp_path / "releases" / "0.1.0")

    edited = [row.copy() for row in NOTICES]
    edited[1][2] = edited[1][2].replace(
        "三月", "四月"
    )  # one row of the container edited: its file hash changes
    _write_notices(raw, edited)
    (raw / "moved").mkdir()
    (raw / "a.txt").rename(raw / "moved" / "a.txt")
    (raw / "b.txt").unlink()
    (raw / "empty.txt").unlink()
    shutil.copyfile(FIXTURES / "wechat_html2text" / "sample.md", raw / "c.md")
    (raw / "blank.txt").write_bytes(b"  \n\t\n")
    (raw / "odd.txt").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(3000)))
    second = tmp_path / "v2"
    settings = Settings(
        dataset=DatasetSettings(version="0.1.1", released="2026-02-01"),
        release=ReleaseSettings(previous_manifest=previous),
    )
    build(raw, second, settings)

    old, new = _ids(first), _ids(second)
    # rows 0 and 2 of the container keep their doc_id and records: unchanged, not "changed"
    assert old["notices.csv#row0"] == new["notices.csv#row0"]
    assert (second / "CHANGELOG.md").read_text(encoding="utf-8") == (
        HEADER + "\n## 0.1.1 (2026-02-01)\n\n"
        "Compared with 0.1.0: documents 1 added, 1 removed, 1 changed (1 with edited raw text), 1 moved to "
        "another file or row, 2 unchanged.\n"
        "Rejects: 1 added, 1 removed, 1 with another stage or reason, 0 unchanged.\n"
        f"\n### Documents added (1)\n\n- `{new['c.md']}` c.md\n"
        f"\n### Documents removed (1)\n\n- `{old['b.txt']}` b.txt\n"
        "\n### Documents changed (1)\n\n"
        f"- `{new['notices.csv#row1']}` notices.csv#row1 (raw text edited; was `{old['notices.csv#row1']}`)\n"
        f"\n### Documents moved (1)\n\n- `{new['moved/a.txt']}` moved/a.txt (was a.txt)\n"
        "\n### Rejects added (1)\n\n- blank.txt: ingest/blank_file\n"
        "\n### Rejects removed (1)\n\n- empty.txt: ingest/empty_file\n"
        "\n### Rejects changed (1)\n\n- odd.txt: ingest/binary_file (was ingest/empty_file)\n"
        "\n## 0.1.0 (2026-01-01)\n\nFirst release: 5 documents, 2 rejects.\n"
    )


def _manifest(folder: Path, version: str, documents: dict, rejects: dict | None, log: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"version": version, "files": [], "documents": documents}
    if rejects is not None:
        manifest["rejects"] = rejects
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if log is not None:
        (folder / "CHANGELOG.md").write_text(log, encoding="utf-8")
    return folder / "manifest.json"


def test_same_record_other_parse_is_changed_and_old_manifest_without_rejects(tmp_path: Path) -> None:
    previous = _manifest(tmp_path, "0.1.0", {"a": _doc("1", "x.txt"), "b": _doc("2", "y.txt")}, None, None)
    documents = {"a": _doc("9", "x.txt"), "b": _doc("2", "y.txt")}
    text = changelog(
        "0.1.1",
        "2026-02-01",
        documents,
        {"z.txt": {"stage": "ingest", "reason_code": "empty_file"}},
        previous,
    )
    assert text == (
        HEADER + "\n## 0.1.1 (2026-02-01)\n\n"
        "Compared with 0.1.0: documents 0 added, 0 removed, 1 changed (0 with edited raw text), 0 moved to "
        "another file or row, 1 unchanged.\n"
        "Rejects not compared (the 0.1.0 manifest has no list of rejects).\n"
        "\n### Documents changed (1)\n\n- `a` x.txt (same raw text, parsed differently)\n"
    )


def test_rebuild_of_the_same_version_keeps_its_changelog(tmp_path: Path) -> None:
    documents = {"a": _doc("1", "x.txt")}
    rejects = {"z.txt": {"stage": "ingest", "reason_code": "empty_file"}}
    published = (
        HEADER + "\n## 0.1.1 (2026-02-01)\n\nBody of 0.1.1.\n\n## 0.1.0 (2026-01-01)\n\nFirst release.\n"
    )
    previous = _manifest(tmp_path, "0.1.1", documents, rejects, published)
    assert changelog("0.1.1", "2026-02-01", documents, rejects, previous) == published
    # a development build with other data under the same version replaces that version's entry, once
    changed = changelog("0.1.1", "2026-02-01", {"a": _doc("9", "x.txt")}, rejects, previous)
    assert changed.count("## 0.1.1") == 1 and "Body of 0.1.1" not in changed
    assert changed.endswith("\n## 0.1.0 (2026-01-01)\n\nFirst release.\n")


@pytest.mark.parametrize("count", [50, 51])
def test_long_lists_are_cut(tmp_path: Path, count: int) -> None:
    previous = _manifest(tmp_path, "0.1.0", {}, {}, None)
    documents = {f"{i:03d}": _doc("1", f"{i:03d}.txt") for i in range(count)}
    text = changelog("0.1.1", "2026-02-01", documents, {}, previous)
    assert text.count("\n- `") == 50
    assert ("- … and 1 more (compare the manifests)\n" in text) == (count == 51)


def test_a_version_that_renamed_columns_lists_them_with_their_old_names() -> None:
    text = changelog("0.2.0", "2026-12-02", {"a": _doc("1", "a.txt")}, {}, None)
    assert text.startswith(
        HEADER + "\n## 0.2.0 (2026-12-02)\n\nRenamed columns (update code that reads them): "
        "`credits.position` → `item_index`, `related.position` → `item_index`, "
    )
    assert "`figures.raw_start` → `char_start`, `figures.raw_end` → `char_end`" in text
    assert text.endswith("First release: 1 documents, 0 rejects.\n")
    assert "Renamed" not in changelog("0.1.1", "2026-12-02", {"a": _doc("1", "a.txt")}, {}, None)
