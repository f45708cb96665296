"""`renda build` end to end: bad inputs become rejects, the CLI speaks in one line each, outputs are stable."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE

from pipeline.fields import TABLES
from pipeline.outputs import MARKER, SIGNATURE

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def renda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RENDA, *args], capture_output=True, text=True, check=False)


def test_build_with_bad_files(messy_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    result = renda("build", str(messy_raw), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("renda: ")]
    assert problem_lines == [
        "renda: blank.txt: rejected at ingest (blank_file): 9 bytes of whitespace only",
        "renda: empty.txt: rejected at ingest (empty_file): file has 0 bytes",
        "renda: picture.png: rejected at ingest (binary_file): PNG image signature (89 50 4E 47)",
        "renda: random.bin: rejected at ingest (binary_file): NUL bytes in the first 3000 bytes and no UTF-16/UTF-32 "
        "pattern",
    ]
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert [(r["source_file"], r["stage"], r["reason_code"]) for r in rejects] == [
        ("blank.txt", "ingest", "blank_file"),
        ("empty.txt", "ingest", "empty_file"),
        ("picture.png", "ingest", "binary_file"),
        ("random.bin", "ingest", "binary_file"),
    ]
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert [(d["source_file"], d["title"]) for d in documents] == [
        (
            "freewechat_text/000_697b98e90949ce70.txt",
            "怀柔区委书记郭延红:奋力谱写新时代人民代表大会制度的怀柔篇章",
        )
    ]
    sources = pq.read_table(out / "sources.parquet").column("source_file").to_pylist()
    assert len(sources) == 5  # every input is listed, whatever became of it


def test_release_layout_and_manifest(messy_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert renda("build", str(messy_raw), "--out", str(out)).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json", "SHA256SUMS", MARKER}
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker == {"signature": SIGNATURE, "kind": "release", "files": sorted(on_disk - {MARKER})}
    metadata = {
        "DATASHEET.md",
        "README.md",
        "CHANGELOG.md",
        "CITATION.cff",
        "datapackage.json",
        "croissant.json",
    }
    plots = {
        f"plots/{name}.png"
        for name in ("documents_per_month", "lengths", "capture_formats", "issuer_types", "rejects")
    }
    tables = {f"{t}.parquet" for t in TABLES} | {f"csv/{t}.csv" for t in TABLES}
    assert on_disk == tables | metadata | plots | {"manifest.json", "SHA256SUMS", MARKER}
    assert manifest["tables"]["paragraphs"] == 14
    for table in TABLES:
        schema = pq.read_schema(out / f"{table}.parquet")
        assert schema.names == list(TABLES[table].columns)
        assert b"pandas" not in (schema.metadata or {})


def test_csv_has_bom_and_json_lists(messy_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert renda("build", str(messy_raw), "--out", str(out)).returncode == 0
    raw = (out / "csv" / "documents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / "csv" / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert json.loads(rows[0]["authors"]) == ["郭延红"]
    assert json.loads(rows[0]["author_positions"]) == ["中共北京市怀柔区委书记"]
    assert rows[0]["published_date"] == "2023-12-23"
    assert rows[0]["source_row"] == ""


def test_two_builds_are_byte_identical(messy_raw: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert renda("build", str(messy_raw), "--out", str(first)).returncode == 0
    assert renda("build", str(messy_raw), "--out", str(second)).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    text = (first / "DATASHEET.md").read_text(encoding="utf-8")
    assert str(tmp_path) not in text and str(messy_raw) not in (first / "manifest.json").read_text()


def test_rebuild_replaces_an_earlier_release(messy_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert renda("build", str(messy_raw), "--out", str(out)).returncode == 0
    (messy_raw / "empty.txt").unlink()
    assert renda("build", str(messy_raw), "--out", str(out)).returncode == 0
    assert pq.read_metadata(out / "rejects.parquet").num_rows == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["build", "/nonexistent/raw", "--out", "OUT"],
            "renda: error: /nonexistent/raw: raw folder not found",
        ),
        (["build", "RAW", "--out", "NOTEMPTY"], "notempty: folder is not empty and was not written by renda"),
        (
            ["build", "RAW", "--out", "OUT", "--params", "BADPARAMS"],
            "ingest.exclud: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_arguments_give_one_line(messy_raw: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "notempty").mkdir()
    (tmp_path / "notempty" / "keep.txt").write_text("mine")
    (tmp_path / "params.yaml").write_text("ingest:\n  exclud: []\n")
    names = {
        "RAW": str(messy_raw),
        "OUT": str(tmp_path / "out"),
        "NOTEMPTY": str(tmp_path / "notempty"),
        "BADPARAMS": str(tmp_path / "params.yaml"),
    }
    result = renda(*[names.get(a, a) for a in args])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("renda: error")]) == 1
    assert (tmp_path / "notempty" / "keep.txt").read_text() == "mine"


def test_build_closes_with_a_summary_of_tables_and_rejects(messy_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    result = renda("build", str(messy_raw), "--out", str(out))
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"release: {out} ("))
    closing = lines[start + 1 :]
    assert closing[:3] == [
        "  documents                 1 rows",
        "  sections                  4 rows",
        "  paragraphs               14 rows",
    ]
    assert "  rejects                   4 rows" in closing
    assert closing[-5:] == [
        "rejected: 4 (reasons below; each is a row of rejects)",
        "  binary_file               2",
        "  blank_file                1",
        "  empty_file                1",
        # no params: no registry, so 北京人大 is read from its name (人大: a people's congress, in scope)
        "issuers: 1 of 1 documents in scope (people_congress, government); 0 with an unknown issuer",
    ]


def test_jobs_1_and_2_give_byte_identical_releases(tmp_path: Path) -> None:
    """Per-document work on a process pool writes its results in input order: the release does not depend on
    the number of processes. Several formats and containers, so parse and enrich both see many documents."""
    raw = tmp_path / "raw"
    shutil.copytree(EXAMPLE.parents[3] / "tests" / "fixtures", raw)
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    releases = []
    for jobs in ("1", "2"):
        out = tmp_path / f"release-{jobs}"
        result = renda("build", str(raw), "--out", str(out), "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        releases.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert releases[0] == releases[1]
    assert pq.read_metadata(tmp_path / "release-2" / "documents.parquet").num_rows >= 10
