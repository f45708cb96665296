"""`renda bench`'s parts that can be checked without a clock: the synthetic corpus and the floor.

Speed itself is measured by `renda bench` and written down in README, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.bench import floor, synthetic_corpus
from pipeline.build import build
from pipeline.settings import Settings


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_synthetic_corpus_is_seeded_and_every_document_parses(tmp_path: Path) -> None:
    files, size = synthetic_corpus(tmp_path / "a", 60, seed=7)
    synthetic_corpus(tmp_path / "b", 60, seed=7)
    synthetic_corpus(tmp_path / "c", 60, seed=8)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    assert (files, size) == (len(_tree(tmp_path / "a")), sum(map(len, _tree(tmp_path / "a").values())))
    build(tmp_path / "a", tmp_path / "release", Settings())
    documents = pq.read_table(tmp_path / "release" / "documents.parquet").to_pylist()
    assert len(documents) == 60  # every generated document is read as one: no reject, no split
    assert pq.read_metadata(tmp_path / "release" / "rejects.parquet").num_rows == 0
    # every layout of the mix is there, detected as the format it imitates
    formats = {(d["capture_format"], d["container"]) for d in documents}
    assert formats == {
        ("html", None),
        ("html", "feed"),
        ("wechatmp2markdown", None),
        ("freewechat_text", None),
        ("gov_portal_text", None),
        ("gov_portal_text", "csv"),
    }


def test_floor_reads_every_line_of_every_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.txt").write_text("2024年5月6日\n来源：山河网\n一、总体情况\n", encoding="utf-8")
    (raw / "sub" / "b.md").write_text("见 https://example.org\n正文\n", encoding="utf-8")
    assert floor(raw, tmp_path / "floor.parquet") == 5
    rows = pq.read_table(tmp_path / "floor.parquet").to_pylist()
    assert [(r["file"], r["line"], r["hits"]) for r in rows] == [
        ("a.txt", 0, 1),
        ("a.txt", 1, 1),
        ("a.txt", 2, 1),
        ("b.md", 0, 1),
        ("b.md", 1, 0),
    ]


@pytest.mark.slow
def test_renda_bench_prints_every_stage_and_the_ratio(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "bench", "--synthetic", "30",
         "--no-incremental", "--json", str(tmp_path / "bench.json")],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    steps = [line.split()[0] for line in done.stdout.splitlines()[2:10]]
    assert steps == ["floor", "ingest", "templates", "parse", "validate", "enrich", "release", "total"]
    assert "floor/renda CPU" in done.stdout
    assert '"documents": 30' in (tmp_path / "bench.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_renda_bench_rebuild_misses_only_the_added_captures(tmp_path: Path) -> None:
    """The +1 % rebuild runs over the cache the full build filled: 100 documents, 1 added, so every cached stage
    misses that one (its file, its unit in templates and parse, its bundle and document) and hits the rest."""
    done = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "bench", "--synthetic", "100",
         "--json", str(tmp_path / "bench.json")],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert result["documents"] == 100
    counts = result["cache"]
    assert set(counts) == {"ingest", "templates", "parse", "validate", "enrich"}
    assert {stage: c["misses"] for stage, c in counts.items()} == {
        "ingest": 1,
        "templates": 1,
        "parse": 1,
        "validate": 1,
        "enrich": 1,
    }
    assert counts["enrich"]["hits"] == 100
    assert set(result["incremental_stages"]) == {
        "ingest",
        "templates",
        "parse",
        "validate",
        "enrich",
        "release",
    }
    assert "rebuilt with the per-document cache" in done.stdout
    assert "enrich 100 hits, 1 misses" in done.stdout
