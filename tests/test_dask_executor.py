"""The per-document work on a real Dask cluster (a LocalCluster on loopback): the release is byte-identical to
a run in one process, and a scheduler that does not answer is one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXTURES
from test_build import renda

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


def _release_bytes(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dask_cluster_gives_the_same_release_as_one_process(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES, raw)
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    local = renda("build", str(raw), "--out", str(tmp_path / "local"), "--jobs", "1")
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        on_dask = renda(
            "build", str(raw), "--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address
        )
    assert on_dask.returncode == 0, on_dask.stderr
    assert "Traceback" not in on_dask.stderr
    assert _release_bytes(tmp_path / "dask") == _release_bytes(tmp_path / "local")


def test_a_scheduler_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    result = renda("build", str(raw), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("renda: error: --scheduler tcp://127.0.0.1:9: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
