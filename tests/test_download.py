"""`renda download` over real HTTP from a loopback server: verified files only, tampered files refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import RendaError
from pipeline.loading import load
from pipeline.outputs import MARKER

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def renda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RENDA, *args], capture_output=True, text=True, check=False, timeout=120)


def test_download_fetches_and_verifies_a_release(fixture_release: Path, tmp_path: Path, serve) -> None:
    url = serve(fixture_release)
    dest, cache = tmp_path / "dest", tmp_path / "cache"
    result = renda("download", "--base-url", url, "--dest", str(dest), "--cache", str(cache))
    assert result.returncode == 0, result.stderr
    for name in (
        "documents.parquet",
        "paragraphs.parquet",
        "manifest.json",
        "DATASHEET.md",
        "croissant.json",
    ):
        assert (dest / name).read_bytes() == (fixture_release / name).read_bytes(), name
    assert not (dest / "csv").exists()  # parquet by default
    assert "downloaded" in result.stderr and "Traceback" not in result.stderr


def test_download_selected_tables_as_csv(fixture_release: Path, tmp_path: Path, serve) -> None:
    url = serve(fixture_release)
    dest = tmp_path / "dest"
    result = renda(
        "download",
        "--base-url",
        url,
        "--dest",
        str(dest),
        "--cache",
        str(tmp_path / "c"),
        "--tables",
        "paragraphs",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    assert (dest / "csv" / "paragraphs.csv").is_file()
    assert not list(dest.glob("*.parquet"))


def test_tampered_file_is_refused_and_not_kept(fixture_release: Path, tmp_path: Path, serve) -> None:
    served = tmp_path / "served"
    shutil.copytree(fixture_release, served)
    data = bytearray((served / "documents.parquet").read_bytes())
    data[100] ^= 0xFF
    (served / "documents.parquet").write_bytes(bytes(data))
    url = serve(served)
    dest, cache = tmp_path / "dest", tmp_path / "cache"
    result = renda("download", "--base-url", url, "--dest", str(dest), "--cache", str(cache))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("renda: error")]
    assert lines == [
        f"renda: error: {url}documents.parquet: SHA-256 does not match the manifest; refused, nothing kept"
    ]
    assert not (dest / "documents.parquet").exists()
    # The cache is content-addressed: every file in it is named by its own SHA-256, the tampered bytes are not.
    tampered = hashlib.sha256(bytes(data)).hexdigest()
    cached = [path for path in cache.rglob("*") if path.is_file()]
    assert all(path.name == hashlib.sha256(path.read_bytes()).hexdigest() for path in cached)
    assert tampered not in {path.name for path in cached}
    assert not [path for path in [*cache.rglob("*"), *dest.rglob("*")] if path.name.endswith(".partial")]


def test_missing_release_is_one_line(tmp_path: Path, serve) -> None:
    url = serve(tmp_path)  # an empty folder: no manifest.json
    result = renda(
        "download", "--base-url", url, "--dest", str(tmp_path / "d"), "--cache", str(tmp_path / "c")
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"renda: error: {url}manifest.json: download failed")


def test_load_downloads_when_no_local_release(
    fixture_release: Path, tmp_path: Path, serve, monkeypatch
) -> None:
    url = serve(fixture_release)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    paragraphs = load("paragraphs", base_url=url)
    assert len(paragraphs) == len(load("paragraphs", fixture_release))
    assert list((tmp_path / "xdg").rglob("paragraphs.parquet"))


def test_no_release_url_is_one_line(tmp_path: Path) -> None:
    """The default base URL is empty until a release is published: say what to do, do not try a dead host."""
    params = Path(__file__).resolve().parent.parent / "params.yaml"
    for extra in ([], ["--params", str(params)]):
        result = subprocess.run(
            [*RENDA, "download", "--dest", str(tmp_path / "d"), "--cache", str(tmp_path / "c"), *extra],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            cwd=tmp_path,
        )
        assert result.returncode == 2
        assert result.stderr == (
            "renda: error: no release URL: pass --base-url or set distribution.base_url in params.yaml\n"
        )
    assert not (tmp_path / "d").exists()


def test_load_without_local_release_or_url_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no data/release and no params.yaml here
    with pytest.raises(RendaError) as refused:
        load("documents")
    assert str(refused.value) == (
        "data/release/documents.parquet: not found, and no release URL: pass base_url= or set "
        "distribution.base_url in params.yaml"
    )


BIN = Path(sys.executable).parent


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _validators_pass(folder: Path) -> None:
    """The descriptors left in `folder` pass the real validators, run there as a user would."""
    for command in (
        [str(BIN / "frictionless"), "validate", "datapackage.json"],
        [str(BIN / "mlcroissant"), "validate", "--jsonld", "croissant.json"],
        ["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"],
    ):
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        assert result.returncode == 0, (command[0], (result.stdout + result.stderr)[-3000:])


def _download(url: str, dest: Path, cache: Path, *args: str) -> None:
    result = renda("download", "--base-url", url, "--dest", str(dest), "--cache", str(cache), *args)
    assert result.returncode == 0, result.stderr


METADATA = {"manifest.json", "SHA256SUMS", "DATASHEET.md", "README.md", "datapackage.json", "croissant.json"}
METADATA |= {"CITATION.cff", "CHANGELOG.md"}
PLOTS = {
    "plots/documents_per_month.png",
    "plots/lengths.png",
    "plots/capture_formats.png",
    "plots/issuer_types.png",
    "plots/rejects.png",
}


def test_partial_parquet_download_describes_only_what_it_fetched(
    fixture_release: Path, tmp_path: Path, serve
) -> None:
    dest = tmp_path / "dest"
    _download(serve(fixture_release), dest, tmp_path / "c", "--tables", "documents,paragraphs")
    assert _files(dest) == {"documents.parquet", "paragraphs.parquet"} | METADATA | PLOTS
    for name in ("manifest.json", "documents.parquet", "DATASHEET.md", "CHANGELOG.md"):
        assert (dest / name).read_bytes() == (fixture_release / name).read_bytes(), name
    package = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["documents-parquet", "paragraphs-parquet"]
    croissant = json.loads((dest / "croissant.json").read_text(encoding="utf-8"))
    assert [f["@id"] for f in croissant["distribution"]] == ["documents.parquet", "paragraphs.parquet"]
    assert [r["@id"] for r in croissant["recordSet"]] == ["documents", "paragraphs"]
    sums = (dest / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ", 1)[1] for line in sums] == sorted(_files(dest) - {"SHA256SUMS"})
    _validators_pass(dest)
    import mlcroissant as mlc

    records = list(mlc.Dataset(jsonld=str(dest / "croissant.json")).records(record_set="paragraphs"))
    assert len(records) == len(load("paragraphs", fixture_release))


def test_partial_csv_download_keeps_only_foreign_keys_it_can_check(
    fixture_release: Path, tmp_path: Path, serve
) -> None:
    url = serve(fixture_release)
    both, alone = tmp_path / "both", tmp_path / "alone"
    _download(url, both, tmp_path / "c", "--tables", "documents,paragraphs", "--format", "csv")
    _download(url, alone, tmp_path / "c", "--tables", "paragraphs", "--format", "csv")
    assert _files(both) == {"csv/documents.csv", "csv/paragraphs.csv"} | METADATA | PLOTS
    packages = [json.loads((d / "datapackage.json").read_text(encoding="utf-8")) for d in (both, alone)]
    assert [r["name"] for r in packages[0]["resources"]] == ["documents", "paragraphs"]
    assert packages[0]["resources"][1]["schema"]["foreignKeys"] == [
        {"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}
    ]
    assert [r["name"] for r in packages[1]["resources"]] == ["paragraphs"]
    assert "foreignKeys" not in packages[1]["resources"][0]["schema"]
    croissant = json.loads((alone / "croissant.json").read_text(encoding="utf-8"))
    [csv_file] = croissant["distribution"]
    entry = next(
        e
        for e in json.loads((alone / "manifest.json").read_text())["files"]
        if e["path"] == "csv/paragraphs.csv"
    )
    assert (csv_file["@id"], csv_file["encodingFormat"], csv_file["sha256"]) == (
        "csv/paragraphs.csv",
        "text/csv",
        entry["sha256"],
    )
    for folder in (both, alone):
        _validators_pass(folder)
    import mlcroissant as mlc

    records = list(mlc.Dataset(jsonld=str(alone / "croissant.json")).records(record_set="paragraphs"))
    assert len(records) == len(load("paragraphs", fixture_release))


def test_whole_release_download_is_the_release_byte_for_byte(
    fixture_release: Path, tmp_path: Path, serve
) -> None:
    dest = tmp_path / "dest"
    _download(serve(fixture_release), dest, tmp_path / "c", "--format", "all")
    published = _files(fixture_release) - {MARKER}
    assert _files(dest) == published
    for name in sorted(published):
        assert (dest / name).read_bytes() == (fixture_release / name).read_bytes(), name
