"""A version names one content: `renda release` refuses other tables under the previous manifest's version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from pipeline.build import build
from pipeline.errors import RendaError
from pipeline.settings import DatasetSettings, ReleaseSettings, Settings

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Raw captures, their 0.1.0 release, and that release's manifest kept as `releases/0.1.0/`."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(FIXTURES / "freewechat_text" / "sample.txt", raw / "a.txt")
    shutil.copyfile(FIXTURES / "generic" / "notice.txt", raw / "b.txt")
    release = tmp_path / "v1"
    build(raw, release, Settings(dataset=DatasetSettings(version="0.1.0", released="2026-01-01")))
    kept = tmp_path / "releases" / "0.1.0"
    kept.mkdir(parents=True)
    for name in ("manifest.json", "CHANGELOG.md"):
        shutil.copyfile(release / name, kept / name)
    return raw, release, kept / "manifest.json"


def _settings(version: str, previous: Path, allow: bool = False) -> Settings:
    return Settings(
        dataset=DatasetSettings(version=version, released="2026-01-01"),
        release=ReleaseSettings(previous_manifest=previous, allow_same_version=allow),
    )


def test_same_content_same_version_rebuilds_byte_identical(published, tmp_path: Path) -> None:
    raw, first, previous = published
    again = tmp_path / "again"
    build(raw, again, _settings("0.1.0", previous))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (again / relative).read_bytes(), relative


def test_other_content_same_version_is_refused(published, tmp_path: Path) -> None:
    raw, _, previous = published
    (raw / "b.txt").unlink()
    out = tmp_path / "refused"
    with pytest.raises(RendaError) as refused:
        build(raw, out, _settings("0.1.0", previous))
    message = str(refused.value)
    assert message.startswith("dataset.version 0.1.0: ")
    assert message.endswith(
        f" differ from release.previous_manifest {previous}, which is also version 0.1.0; bump "
        "dataset.version in params.yaml (or pass --allow-same-version for a development build)"
    )
    listed = message.removeprefix("dataset.version 0.1.0: ").split(" differ from ")[0].split(", ")
    assert {"documents.parquet", "paragraphs.parquet", "raw_texts.parquet", "sources.parquet"} <= set(listed)
    assert "\n" not in message and not out.exists()


def test_other_content_with_a_new_version_or_allowed(published, tmp_path: Path) -> None:
    raw, _, previous = published
    (raw / "b.txt").unlink()
    build(raw, tmp_path / "bumped", _settings("0.2.0", previous))
    assert "## 0.2.0 (2026-01-01)" in (tmp_path / "bumped" / "CHANGELOG.md").read_text(encoding="utf-8")
    reports = build(raw, tmp_path / "dev", _settings("0.1.0", previous, allow=True))
    assert json.loads((tmp_path / "dev" / "manifest.json").read_text(encoding="utf-8"))["version"] == "0.1.0"
    notes = [line for line in reports[-1].problems if "allowed by --allow-same-version" in line]
    assert len(notes) == 1


def _params(folder: Path, previous: Path) -> Path:
    path = folder / "params.yaml"
    path.write_text(
        f"dataset:\n  version: 0.1.0\n  released: '2026-01-01'\nrelease:\n  previous_manifest: {previous}\n",
        encoding="utf-8",
    )
    return path


def test_cli_refuses_in_one_line_and_allows_with_the_flag(published, tmp_path: Path) -> None:
    raw, _, previous = published
    (raw / "b.txt").unlink()
    params = _params(tmp_path, previous)
    out = tmp_path / "cli"
    command = [*RENDA, "build", str(raw), "--out", str(out), "--params", str(params)]
    refused = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if line.startswith("renda: error:")]
    assert len(errors) == 1 and errors[0].startswith("renda: error: dataset.version 0.1.0: ")
    assert "Traceback" not in refused.stderr and not out.exists()
    allowed = subprocess.run(
        [*command, "--allow-same-version"], capture_output=True, text=True, check=False, timeout=300
    )
    assert allowed.returncode == 0, allowed.stderr
    assert (
        "(allowed by --allow-same-version / release.allow_same_version; do not publish this)"
        in allowed.stderr
    )
