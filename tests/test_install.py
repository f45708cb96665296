"""The package as users install it: a wheel built from the checkout, installed into a fresh virtual environment.

The tests use an editable install, which sees every folder of the checkout; only a wheel shows that each
sub-package and data file ships. The fresh environment gets the wheel alone (no dependencies, no network): the
project's locked dependencies come from the test environment's site-packages through PYTHONPATH, which does
not process `.pth` files, so the editable `pipeline` of the checkout stays invisible and the wheel's is used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT

from pipeline.provenance import git_tree_id

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    # Build from a copy: setuptools writes build/ and *.egg-info beside the sources.
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", ".dvc", "data", "bench", "__pycache__", "*.egg-info"),
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(source)],
        check=True,
    )
    (wheel,) = (work / "dist").glob("renda_corpus-*.whl")
    fresh = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    subprocess.run(
        [*pip, "--python", str(fresh / "bin" / "python"), "install", "--no-deps", str(wheel)], check=True
    )
    return fresh


def _run(fresh: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": f"{fresh / 'bin'}:{os.environ.get('PATH', '')}",
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "HOME": str(cwd),
    }
    return subprocess.run(list(args), cwd=cwd, env=environment, capture_output=True, text=True, check=False)


def test_wheel_holds_every_package_and_runs_a_build(installed: Path, tmp_path: Path) -> None:
    located = _run(
        installed, "python", "-c", "import pipeline, pipeline.layers; print(pipeline.__file__)", cwd=tmp_path
    )
    assert located.returncode == 0, located.stderr
    assert Path(located.stdout.strip()).is_relative_to(installed)  # the wheel's copy, not the checkout's

    version = _run(installed, "renda", "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("renda-corpus 0.1.0 (code tree ")

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(EXAMPLE, raw / EXAMPLE.name)
    build = _run(installed, "renda", "build", str(raw), "--out", str(tmp_path / "release"), cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr
    for table in ("documents", "paragraphs", "terms", "figures", "officials"):  # enrich needs pipeline.layers
        assert (tmp_path / "release" / f"{table}.parquet").is_file()

    loaded = _run(
        installed,
        "python",
        "-c",
        "import pipeline; d = pipeline.load('documents', 'release'); print(len(d), d.title[0])",
        cwd=tmp_path,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("1 ")


def test_wheel_ships_every_file_of_the_package(installed: Path, tmp_path: Path) -> None:
    """The installed package is the checkout's, file for file (each format folder's sample and expected records
    included): its code tree id, which a release records, is the checkout's."""
    tree = _run(
        installed,
        "python",
        "-c",
        "from pipeline.provenance import code_tree_id; print(code_tree_id())",
        cwd=tmp_path,
    )
    assert tree.returncode == 0, tree.stderr
    assert tree.stdout.strip() == git_tree_id(ROOT / "pipeline")
