"""Settings: every bad value is one line naming the params file before any stage runs; paths follow the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT

from pipeline.errors import RendaError
from pipeline.settings import check_duplicate_index, load_settings

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def write_params(folder: Path, text: str) -> Path:
    path = folder / "params.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "enrich:\n  duplicates:\n    seed: -1\n",
            "enrich.duplicates.seed: Input should be greater than or equal to 0",
        ),
        (
            "enrich:\n  duplicates:\n    threshold: 1.0\n",
            "enrich.duplicates.threshold: Input should be less than 1",
        ),
        ("dataset:\n  version: ../../outside\n", "dataset.version: String should match pattern"),
        ("dataset:\n  name: /etc\n", "dataset.name: String should match pattern"),
        ("dataset:\n  released: '2026-13-01'\n", "dataset.released: Value error, '2026-13-01' is not a date"),
        ("dataset:\n  released: 2026-13-01\n", "not valid YAML (month must be in 1..12)"),
        (
            "distribution:\n  base_url: file:///etc/\n",
            "distribution.base_url: Value error, 'file:///etc/' is not",
        ),
        ("ingest:\n  exclude: ['']\n", "ingest.exclude.0: String should have at least 1 character"),
        ("- just\n- a list\n", "not a mapping of settings"),
    ],
)
def test_bad_values_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write_params(tmp_path, text)
    with pytest.raises(RendaError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unquoted_date_is_the_same_text(tmp_path: Path) -> None:
    assert (
        load_settings(write_params(tmp_path, "dataset:\n  released: 2026-11-24\n")).dataset.released
        == "2026-11-24"
    )


def test_threshold_and_permutations_must_give_an_lsh_index(tmp_path: Path) -> None:
    settings = load_settings(
        write_params(tmp_path, "enrich:\n  duplicates:\n    num_perm: 16\n    threshold: 0.99\n")
    )
    with pytest.raises(RendaError, match=r"threshold 0.99 with num_perm 16 gives no LSH index"):
        check_duplicate_index(settings)
    check_duplicate_index(load_settings(write_params(tmp_path, "enrich:\n  duplicates:\n    num_perm: 16\n")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "release.previous_manifest not found"),
        ("{not json", "release.previous_manifest is not readable JSON"),
        ('{"version": "0.0.1"}', "release.previous_manifest has no files, documents"),
        ('{"version": "0.0.1", "files": {}, "documents": []}', "is not a release manifest"),
    ],
)
def test_previous_manifest_is_read_at_start(tmp_path: Path, content: str | None, message: str) -> None:
    (tmp_path / "releases").mkdir()
    if content is not None:
        (tmp_path / "releases" / "manifest.json").write_text(content, encoding="utf-8")
    path = write_params(tmp_path, "release:\n  previous_manifest: releases/manifest.json\n")
    with pytest.raises(RendaError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: {tmp_path / 'releases' / 'manifest.json'}: ")
    assert message in str(caught.value)


def test_relative_paths_resolve_against_the_params_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "releases").mkdir(parents=True)
    (project / "releases" / "manifest.json").write_text('{"version": "0.0.1", "files": [], "documents": {}}')
    path = write_params(
        project, "release:\n  previous_manifest: releases/manifest.json\n  dvc_lock: dvc.lock\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(Path("../project/params.yaml"))
    assert settings.release.previous_manifest == project.resolve() / "releases" / "manifest.json"
    assert settings.release.dvc_lock == project.resolve() / "dvc.lock"
    assert path.is_file()


def test_same_params_give_the_same_release_from_any_folder(tmp_path: Path) -> None:
    """The project's params.yaml names evaluation/test_gold.json and dvc.lock relative to itself: a build run
    from another folder must quote the same scores and lock hash, so every file is the same."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    params = str(ROOT / "params.yaml")
    outputs = []
    for index, cwd in enumerate((ROOT, tmp_path)):
        out = tmp_path / f"release-{index}"
        done = subprocess.run(
            [*RENDA, "build", str(raw), "--out", str(out), "--params", params],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
        )
        assert done.returncode == 0, done.stderr
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    manifest = json.loads(outputs[1][Path("manifest.json")])
    assert manifest["upstream_lock_sha256"] is not None
    assert b"Measured errors.** Parser scores" in outputs[1][Path("DATASHEET.md")]
