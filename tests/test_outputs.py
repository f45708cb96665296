"""Output folders: never someone else's files, never half-written, and `renda verify` tells a good release.

Each case of the hostile probe is reproduced with its exact input, and the whole temporary tree is listed
before and after, so a test fails if anything outside the named output is written or deleted.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE, FIXTURES

from pipeline import outputs
from pipeline.errors import RendaError
from pipeline.outputs import MARKER, PARTIAL_MARKER, atomic_output, remove_stale, sibling
from pipeline.verify import verify_release

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def renda(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RENDA, *args], capture_output=True, text=True, check=False, cwd=cwd, env=env)


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry below `root`: file bytes, or 'dir' / 'link -> target'."""
    listing: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            listing[relative] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            listing[relative] = "dir"
        else:
            listing[relative] = path.read_bytes()
    return listing


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copyfile(EXAMPLE, folder / EXAMPLE.name)
    return folder


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("renda: error")]
    assert len(errors) == 1, result.stderr
    assert message in errors[0], errors[0]


def test_a_folder_with_a_manifest_is_not_emptied(raw: Path, tmp_path: Path) -> None:
    # the probe: mkdir v; echo '{}' > v/manifest.json; echo keep > v/precious.txt; renda build CAPTURES --out v
    victim = tmp_path / "v"
    (victim / "sub").mkdir(parents=True)
    (victim / "manifest.json").write_text("{}\n")
    (victim / "precious.txt").write_text("keep\n")
    (victim / "sub" / "notes.md").write_text("mine\n")
    before = tree(tmp_path)
    refused(
        renda("build", str(raw), "--out", str(victim)), "v: folder is not empty and was not written by renda"
    )
    assert tree(tmp_path) == before


def test_out_dot_is_refused_before_any_work(raw: Path, tmp_path: Path) -> None:
    here = tmp_path / "work"
    here.mkdir()
    (here / "manifest.json").write_text("{}\n")
    (here / "precious.txt").write_text("keep\n")
    before = tree(tmp_path)
    refused(renda("build", str(raw), "--out", ".", cwd=here), "refusing to use the current folder")
    refused(
        renda("build", str(raw), "--out", "..", cwd=here), "refusing to use the current folder or a parent"
    )
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("raw", "must be outside the input folder"),
        ("parent", "must be outside the input folder"),
        ("inside", "must be outside the input folder"),
        ("home", "refusing to use the home folder"),
        ("root", "refusing to use the filesystem root"),
    ],
)
def test_dangerous_targets_are_refused(tmp_path: Path, out: str, message: str) -> None:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    home = tmp_path / "home"
    home.mkdir()
    targets = {"raw": raw, "parent": raw.parent, "inside": raw / "release", "home": home, "root": Path("/")}
    before = tree(tmp_path)
    # matplotlib may write its font cache below $HOME at import: point it elsewhere so the tree compares
    env = {**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(tmp_path.parent / f"{tmp_path.name}-mpl")}
    refused(renda("build", str(raw), "--out", str(targets[out]), env=env, cwd=Path("/")), message)
    assert tree(tmp_path) == before


def test_an_earlier_release_with_added_files_is_refused(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert renda("build", str(raw), "--out", str(out)).returncode == 0
    (out / "my-analysis.ipynb").write_text("{}")
    before = tree(tmp_path)
    refused(
        renda("build", str(raw), "--out", str(out)),
        "release: holds files renda did not write (my-analysis.ipynb)",
    )
    assert tree(tmp_path) == before


def test_a_symlink_or_a_file_as_out_is_refused(raw: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    before = tree(tmp_path)
    refused(renda("build", str(raw), "--out", str(link)), "is a symbolic link")
    refused(renda("build", str(raw), "--out", str(a_file)), "file.txt: is a file; --out takes a folder")
    refused(renda("build", str(raw), "--out", str(a_file / "release")), "file.txt: is not a folder")
    refused(
        renda("build", str(a_file), "--out", str(tmp_path / "out")),
        "file.txt: is a file; renda build takes a folder of captures",
    )
    assert tree(tmp_path) == before


def test_a_stage_refuses_a_foreign_output_folder(raw: Path, tmp_path: Path) -> None:
    ingested = tmp_path / "ingested"
    assert renda("ingest", str(raw), str(ingested)).returncode == 0
    parsed = tmp_path / "parsed"
    parsed.mkdir()
    (parsed / "report.json").write_text("{}")  # looks like an output, is not ours
    (parsed / "thesis.tex").write_text("keep")
    before = tree(tmp_path)
    refused(
        renda("parse", str(ingested), str(parsed)), "parsed: folder is not empty and was not written by renda"
    )
    assert tree(tmp_path) == before
    refused(renda("parse", str(ingested), str(ingested)), "must be outside the input folder")
    assert tree(tmp_path) == before


def test_stage_output_is_replaced_whole_and_marked(raw: Path, tmp_path: Path) -> None:
    ingested = tmp_path / "ingested"
    assert renda("ingest", str(raw), str(ingested)).returncode == 0
    first = folder_bytes(ingested)
    assert set(first) == {MARKER, "report.json", "sources.jsonl", "units.jsonl"}
    assert renda("ingest", str(raw), str(ingested)).returncode == 0
    assert folder_bytes(ingested) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ingested", "raw"]  # no work folder left


def test_stale_work_folders_are_removed_only_when_ours(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    for suffix in ("partial", "interim"):
        stale = sibling(out, suffix)
        (stale / "half").mkdir(parents=True)
        (stale / PARTIAL_MARKER).write_text("")
        (stale / "half" / "documents.parquet").write_bytes(b"PAR1")
    assert renda("build", str(raw), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "release"]
    foreign = sibling(out, "partial")
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    before = tree(tmp_path)
    refused(
        renda("build", str(raw), "--out", str(out)),
        "a folder renda did not write has the name of its work folder",
    )
    assert tree(tmp_path) == before


def test_a_failing_writer_leaves_the_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_output(target, "test") as work:
        (work / "a.txt").write_text("old")
    with pytest.raises(ZeroDivisionError), atomic_output(target, "test") as work:
        (work / "a.txt").write_text("new")
        _ = 1 / 0
    assert (target / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_fallback_swap_without_renameat2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the atomic exchange is missing (not Linux), two renames; a kill between them is undone."""
    monkeypatch.setattr(outputs, "_exchange", lambda first, second: False)
    target = tmp_path / "out"
    with atomic_output(target, "test") as work:
        (work / "a.txt").write_text("one")
    with atomic_output(target, "test") as work:
        (work / "a.txt").write_text("two")
    assert (target / "a.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    target.rename(sibling(target, "previous"))  # the state a kill between the two renames leaves
    remove_stale(target)
    assert (target / "a.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_marker_must_carry_the_signature(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / MARKER).write_text('{"files": ["a.txt"]}')
    (target / "a.txt").write_text("someone's")
    with pytest.raises(RendaError, match="was not written by renda"), atomic_output(target, "test"):
        pass
    assert (target / "a.txt").read_text() == "someone's"


# --- renda verify ---------------------------------------------------------------------------------------------


@pytest.fixture
def release_copy(fixture_release: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(fixture_release, copy)
    return copy


def test_verify_passes_a_built_release(release_copy: Path) -> None:
    result = verify_release(release_copy)
    assert result.problems == []
    assert result.paragraphs_checked == pq.read_metadata(release_copy / "paragraphs.parquet").num_rows
    assert result.sources_checked == pq.read_metadata(release_copy / "sources.parquet").num_rows
    done = renda("verify", str(release_copy))
    assert done.returncode == 0 and done.stderr.strip().endswith(": ok")


def test_verify_names_missing_extra_and_changed_files(release_copy: Path) -> None:
    (release_copy / "sources.parquet").unlink()
    (release_copy / "notes.txt").write_text("x")
    with (release_copy / "csv" / "documents.csv").open("ab") as handle:
        handle.write(b"\r\n")
    problems = verify_release(release_copy).problems
    assert "sources.parquet: listed in manifest.json but missing" in problems
    assert "notes.txt: present but not part of the release" in problems
    assert any(p.startswith("csv/documents.csv: ") and "bytes, manifest.json says" in p for p in problems)
    assert any(p.startswith("missing tables: sources") for p in problems)
    done = renda("verify", str(release_copy))
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_verify_checks_records_against_raw_spans_and_accounting(release_copy: Path) -> None:
    paragraphs = pq.read_table(release_copy / "paragraphs.parquet")
    texts = paragraphs.column("text").to_pylist()
    texts[3] = texts[3] + "（篡改）"
    index = paragraphs.schema.get_field_index("text")
    pq.write_table(
        paragraphs.set_column(index, paragraphs.schema.field(index), pa.array(texts)),
        release_copy / "paragraphs.parquet",
    )
    rejects = pq.read_table(release_copy / "rejects.parquet")
    documented = set(pq.read_table(release_copy / "documents.parquet").column("source_file").to_pylist())
    files = rejects.column("source_file").to_pylist()
    dropped = next(name for name in files if name not in documented)  # a file that ended only as a reject
    keep = pa.array([name != dropped for name in files])
    pq.write_table(rejects.filter(keep), release_copy / "rejects.parquet")
    problems = verify_release(release_copy).problems
    doc_id = paragraphs.column("doc_id")[3].as_py()
    index_3 = paragraphs.column("paragraph_index")[3].as_py()
    assert any(
        p.startswith(f"paragraphs {doc_id}#{index_3}: text differs from its raw span") for p in problems
    )
    assert f"{dropped}: in sources but neither a document nor a reject" in problems
    manifest_problems = [p for p in problems if p.startswith("paragraphs.parquet: ")]
    assert manifest_problems and all("manifest.json" in p or "SHA256SUMS" in p for p in manifest_problems)


def test_verify_of_a_folder_that_is_no_release_is_one_line(tmp_path: Path) -> None:
    refused(renda("verify", str(tmp_path)), "no manifest.json; not a release folder")


# --- kill -9 at random moments ----------------------------------------------------------------------------------


def _raw_variant(folder: Path, extra: bool) -> Path:
    folder.mkdir()
    shutil.copyfile(EXAMPLE, folder / EXAMPLE.name)
    if extra:
        for path in sorted((FIXTURES / "wechatmp2markdown").glob("*.md"))[:2]:
            shutil.copyfile(path, folder / path.name)
    return folder


def test_kill_at_random_moments_never_leaves_a_half_release(tmp_path: Path) -> None:
    """20 builds over an existing release, each killed with SIGKILL at a random moment (seeded): the folder is
    always one complete release, the previous or the new one, and a final run gives the uninterrupted bytes."""
    raws = [_raw_variant(tmp_path / "raw-a", extra=False), _raw_variant(tmp_path / "raw-b", extra=True)]
    references = []
    durations = []
    for index, raw in enumerate(raws):
        started = time.monotonic()
        assert renda("build", str(raw), "--out", str(tmp_path / f"ref-{index}")).returncode == 0
        durations.append(time.monotonic() - started)
        references.append(folder_bytes(tmp_path / f"ref-{index}"))
    assert references[0] != references[1]
    out = tmp_path / "out"
    shutil.copytree(tmp_path / "ref-0", out)
    current = 0
    chooser = random.Random(20261202)
    outcomes = {"previous": 0, "new": 0}

    def kill_after(delay: float, attempt: int) -> None:
        nonlocal current
        wanted = 1 - current
        process = subprocess.Popen(
            [*RENDA, "build", str(raws[wanted]), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = folder_bytes(out)
        assert state in (references[current], references[wanted]), f"attempt {attempt}: a mixed folder"
        if state == references[wanted]:
            current = wanted
            outcomes["new"] += 1
        else:
            outcomes["previous"] += 1
        assert verify_release(out).ok

    for attempt in range(20):
        kill_after(chooser.uniform(0.1, 1.05) * max(durations), attempt)
    # On a loaded machine a build can take longer than the reference runs did: kill later (or earlier) until
    # both sides of the swap were hit, so the test always exercises both, whatever the machine's speed.
    for attempt, factor in enumerate((1.5, 2.0, 3.0, 5.0), start=20):
        if outcomes["new"]:
            break
        kill_after(factor * max(durations), attempt)
    if not outcomes["previous"]:
        kill_after(0.02 * min(durations), 24)
    assert outcomes["previous"] and outcomes["new"], outcomes  # kills landed both before and after the swap
    final = 1 - current
    assert renda("build", str(raws[final]), "--out", str(out)).returncode == 0
    assert folder_bytes(out) == references[final]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw-a", "raw-b", "ref-0", "ref-1"]
