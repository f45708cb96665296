"""CHANGELOG.md is a data diff against the previous release's manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES

from pipeline.build import build
from pipeline.publish.changelog import changelog, diff
from pipeline.settings import DatasetSettings, ReleaseSettings, Settings


def test_diff_classifies_documents() -> None:
    current = {
        "a": {"record_sha256": "1", "source": "x"},
        "b": {"record_sha256": "2", "source": "y"},
        "c": {"record_sha256": "3", "source": "z"},
    }
    previous = {
        "b": {"record_sha256": "2", "source": "y"},
        "c": {"record_sha256": "9", "source": "z"},
        "d": {"record_sha256": "4", "source": "w"},
    }
    assert diff(current, previous) == {"added": ["a"], "removed": ["d"], "changed": ["c"], "unchanged": ["b"]}


def test_release_changelog_against_previous_manifest(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(FIXTURES / "freewechat_text" / "sample.txt", raw / "a.txt")
    shutil.copyfile(FIXTURES / "generic" / "notice.txt", raw / "b.txt")
    first = tmp_path / "v1"
    build(raw, first, Settings(dataset=DatasetSettings(version="0.1.0", released="2026-01-01")))
    old = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    changed_id = next(iter(old["documents"]))
    old["documents"][changed_id]["record_sha256"] = "f" * 64  # as if 0.1.0 had parsed it differently
    previous = tmp_path / "releases" / "0.1.0"
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    shutil.copyfile(first / "CHANGELOG.md", previous / "CHANGELOG.md")

    (raw / "b.txt").unlink()
    shutil.copyfile(FIXTURES / "wechat_html2text" / "sample.md", raw / "c.md")
    second = tmp_path / "v2"
    settings = Settings(
        dataset=DatasetSettings(version="0.2.0", released="2026-02-01"),
        release=ReleaseSettings(previous_manifest=previous / "manifest.json"),
    )
    build(raw, second, settings)
    text = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 0.2.0 (2026-02-01)" in text
    expected_changed = (
        1 if changed_id in json.loads((second / "manifest.json").read_text())["documents"] else 0
    )
    assert (f"Compared with 0.1.0: 1 documents added, 1 removed, {expected_changed} changed") in text
    assert "### Added (1)" in text and "c.md" in text and "### Removed (1)" in text and "b.txt" in text
    assert text.index("## 0.2.0") < text.index("## 0.1.0 (2026-01-01)")  # earlier entries carried over


def test_first_release_entry() -> None:
    text = changelog("0.1.0", "2026-01-01", {"a": {"record_sha256": "1", "source": "x"}}, None)
    assert text.endswith("## 0.1.0 (2026-01-01)\n\nFirst release: 1 documents.\n")
