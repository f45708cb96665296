from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.provenance import git_tree_id

GIT = shutil.which("git")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_code_tree_id_equals_gits_tree_id(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(
        ROOT / "pipeline", repo / "pipeline", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    (repo / "pipeline" / "__pycache__").mkdir()
    (repo / "pipeline" / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    run = lambda *args: subprocess.run(  # noqa: E731
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    (repo / ".gitignore").write_text("__pycache__/\n")
    run("init", "-q")
    run("add", "pipeline")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "code")
    assert git_tree_id(repo / "pipeline") == run("rev-parse", "HEAD:pipeline")
