"""A CLI that reports: progress on a terminal (never in files), a closing summary, help with examples, and one
exact line for every path given where it cannot work, before any stage runs."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE
from test_build import RENDA, renda
from test_outputs import folder_bytes, tree
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.outputs import write_marker
from pipeline.progress import Progress, Task, Total
from pipeline.settings import load_settings, with_jobs

BAR_START = "\x1b[?25l"  # rich hides the cursor while it draws bars


def on_a_terminal(*args: str) -> tuple[int, str]:
    """Run renda with stderr on a pseudo-terminal of 100 columns; its exit code and what the terminal got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(
        [*RENDA, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


# --- progress -------------------------------------------------------------------------------------------


class Recorder(Progress):
    """Every task a run opens: its description, total, unit and how many items it advanced."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    @contextmanager
    def task(self, description: str, total: Total, unit: str) -> Iterator[Task]:
        record = {
            "task": description,
            "total": total() if callable(total) else total,
            "unit": unit,
            "done": 0,
        }
        self.tasks.append(record)

        class Counted(Task):
            def advance(self, items: int = 1) -> None:
                record["done"] += items

        yield Counted()


@pytest.fixture
def raw(messy_raw: Path) -> Path:
    """One capture and four files that become rejects (5 files → 1 document)."""
    return messy_raw


def test_every_stage_counts_its_items_through_the_progress_it_is_handed(raw: Path, tmp_path: Path) -> None:
    from pipeline.build import build

    recorder = Recorder()
    out = tmp_path / "release"
    build(raw, out, with_jobs(load_settings(None), 1, None), progress=recorder)
    rows = sum(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"].values())
    assert recorder.tasks == [
        {"task": "ingest", "total": 5, "unit": "files", "done": 5},
        {"task": "templates", "total": 5, "unit": "docs", "done": 5},  # the rejects are read, not counted
        {"task": "parse", "total": 5, "unit": "docs", "done": 5},  # 1 document and 4 rejects passed on
        {"task": "validate", "total": 5, "unit": "docs", "done": 5},
        {"task": "enrich", "total": 1, "unit": "docs", "done": 1},
        {"task": "release", "total": rows, "unit": "rows", "done": rows},
    ]


def test_bars_and_a_summary_table_on_a_terminal_none_with_quiet_and_the_same_files(
    raw: Path, tmp_path: Path
) -> None:
    drawn, quiet = tmp_path / "drawn", tmp_path / "quiet"
    code, terminal = on_a_terminal("build", str(raw), "--out", str(drawn), "--jobs", "1")
    assert code == 0, terminal
    assert BAR_START in terminal
    for counted in ("5/5 files", "5/5 docs", "1/1 docs", "rows"):
        assert counted in terminal
    assert "files/s" in terminal and "docs/s" in terminal
    assert "rows per table" in terminal and "rejected: 4" in terminal
    assert "Traceback" not in terminal

    code, terminal = on_a_terminal("build", str(raw), "--out", str(quiet), "--jobs", "1", "--quiet")
    assert code == 0, terminal
    assert "\x1b[" not in terminal
    assert f"\nrelease: {quiet} (" in terminal
    assert "  documents                 1 rows\n" in terminal
    assert folder_bytes(drawn) == folder_bytes(quiet)  # progress goes to the terminal, never into files


def test_no_bars_in_a_log_unless_forced(raw: Path, tmp_path: Path) -> None:
    logged = renda("build", str(raw), "--out", str(tmp_path / "logged"), "--jobs", "1")
    assert logged.returncode == 0
    assert "\x1b[" not in logged.stderr and "━" not in logged.stderr
    forced = renda("build", str(raw), "--out", str(tmp_path / "forced"), "--jobs", "1", "--progress")
    assert forced.returncode == 0, forced.stderr
    assert BAR_START in forced.stderr and "5/5 files" in forced.stderr
    assert forced.stdout == logged.stdout == ""


def test_each_stage_command_draws_its_own_bar(raw: Path, tmp_path: Path) -> None:
    """The single-stage commands DVC runs report like `renda build` does."""
    steps = [
        ("ingest", str(raw), "ingested", "5/5 files"),
        ("parse", "ingested", "parsed", "5/5 docs"),
        ("validate", "parsed", "validated", "5/5 docs"),
        ("enrich", "validated", "enriched", "1/1 docs"),
        ("release", "enriched", "release", "rows/s"),
    ]
    for stage, source, target, counted in steps:
        source_path = source if source.startswith("/") else str(tmp_path / source)
        result = renda(stage, source_path, str(tmp_path / target), "--progress")
        assert result.returncode == 0, result.stderr
        assert BAR_START in result.stderr and counted in result.stderr, stage
        assert f"{stage}: " in result.stderr


# --- help -----------------------------------------------------------------------------------------------


def test_every_command_documents_every_parameter_and_shows_an_example() -> None:
    runner = CliRunner()
    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert len(commands) >= 11
    for name, command in commands.items():
        undocumented = [p.name for p in command.params if not (getattr(p, "help", None) or "").strip()]
        assert undocumented == [], name
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"}, prog_name="renda")
        assert result.exit_code == 0, name
        assert f"Example: renda {name} " in result.output, name
        usage = next(line for line in result.output.splitlines() if "Usage:" in line)
        assert "{" not in usage, usage
        assert "<bool>" not in result.output, name
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}, prog_name="renda")
    assert "Example: renda build data/raw --out release/" in top.output
    assert "<bool>" not in top.output


def test_build_usage_names_its_argument() -> None:
    result = CliRunner().invoke(app, ["build", "--help"], env={"COLUMNS": "200"}, prog_name="renda")
    assert "Usage: renda build [OPTIONS] RAW_DIR" in result.output
    assert "--progress --quiet" in " ".join(result.output.split())


# --- checks before any stage ----------------------------------------------------------------------------


CASES = [
    (
        ["build", "FILE", "--out", "OUT"],
        "FILE: is a file; renda build takes a folder of captures (to build one file, put it in a folder)",
    ),
    (
        ["build", "RAW", "--out", "FILE"],
        "FILE: is a file; --out takes a folder (a new path, or a folder renda wrote before)",
    ),
    (
        ["build", "RAW", "--out", "RAW/release"],
        "RAW/release: the --out folder must be outside the input folder RAW (not it, a parent of it, or inside it)",
    ),
    (
        ["ingest", "FILE", "OUT"],
        "FILE: is a file; renda ingest takes a folder of captures (to ingest one file, put it in a folder)",
    ),
    (["parse", "FILE", "OUT"], "FILE: is a file; renda parse takes the folder that `renda ingest` wrote"),
    (
        ["parse", "EMPTY", "OUT"],
        "EMPTY: has no units.jsonl; renda parse takes the folder that `renda ingest` wrote",
    ),
    (
        ["parse", "MISSING", "OUT"],
        "MISSING: folder not found; renda parse takes the folder that `renda ingest` wrote",
    ),
    (
        ["validate", "FILE", "OUT"],
        "FILE: is a file; renda validate takes the folder that `renda parse` wrote",
    ),
    (["validate", "UNITS", "OUT", "--metrics", "EMPTY"], "EMPTY: is a folder; --metrics takes a file path"),
    (["enrich", "FILE", "OUT"], "FILE: is a file; renda enrich takes the folder that `renda validate` wrote"),
    (
        ["release", "EMPTY", "OUT"],
        "EMPTY: has no documents.parquet; renda release takes the folder that `renda enrich` wrote",
    ),
    (
        ["verify", "FILE"],
        "FILE: is a file; renda verify takes a release folder (what renda build --out wrote)",
    ),
    (["show", "EMPTY"], "EMPTY: is a folder; renda show takes one capture file"),
    (
        ["evaluate", "EMPTY", "--release", "FILE"],
        "FILE: is a file; --release takes a release folder (what renda build --out wrote)",
    ),
    (["schemas", "FILE"], "FILE: is a file; renda schemas takes a folder"),
    (["download", "--dest", "FILE"], "FILE: is a file; --dest takes a folder"),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(args) for args, _ in CASES])
def test_a_path_of_the_wrong_kind_is_one_exact_line(
    raw: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "capture.txt").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "empty").mkdir()
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "units.jsonl").write_text("")
    names = {
        "FILE": str(tmp_path / "capture.txt"),
        "RAW": str(raw),
        "OUT": str(tmp_path / "out"),
        "EMPTY": str(tmp_path / "empty"),
        "UNITS": str(tmp_path / "units"),
        "MISSING": str(tmp_path / "missing"),
    }

    def named(text: str) -> str:
        for key in sorted(names, key=len, reverse=True):
            text = text.replace(key, names[key])
        return text

    before = tree(tmp_path)
    result = renda(*[named(arg) for arg in args])
    assert result.returncode == 2
    assert result.stderr == f"renda: error: {named(message)}\n"
    assert tree(tmp_path) == before


def unprivileged(args: list[str]) -> list[str]:
    """The command as a user without root's licence to write anywhere: root in a new user namespace keeps its
    uid for the files it owns but loses the right to override their permissions."""
    if os.geteuid() != 0:
        return args
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "--user", "true"], check=False).returncode
    ):
        pytest.skip("running as root without user namespaces: permissions cannot be tested")
    return ["unshare", "--user", *args]


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(unprivileged([*RENDA, *args]), capture_output=True, text=True, check=False)


def earlier_release(folder: Path) -> Path:
    (folder / "csv").mkdir(parents=True)
    (folder / "documents.parquet").write_bytes(b"PAR1")
    (folder / "csv" / "documents.csv").write_text("doc_id\n")
    write_marker(folder, "release")
    return folder


def test_a_read_only_release_is_refused_before_any_stage(raw: Path, tmp_path: Path) -> None:
    out = earlier_release(tmp_path / "release")
    before = tree(tmp_path)
    out.chmod(0o555)
    try:
        result = run_unprivileged("build", str(raw), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr == (
        f"renda: error: {out}: not writable, so {out} cannot be replaced "
        "(make it writable, or choose another --out folder)\n"
    )
    assert tree(tmp_path) == before

    (out / "csv").chmod(0o555)  # replacing a release deletes its sub-folders' files too
    try:
        result = run_unprivileged("build", str(raw), "--out", str(out))
    finally:
        (out / "csv").chmod(0o755)
    assert result.stderr == (
        f"renda: error: {out}/csv: not writable, so {out} cannot be replaced "
        "(make it writable, or choose another --out folder)\n"
    )
    assert tree(tmp_path) == before


def test_a_release_in_a_read_only_folder_is_refused_before_any_stage(raw: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run_unprivileged("build", str(raw), "--out", str(locked / "release"))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr == f"renda: error: {locked}: not writable, so {locked}/release cannot be written\n"
    assert list(locked.iterdir()) == []
