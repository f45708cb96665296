"""`renda build`: the five stages on any folder, without DVC, into the same release layout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import RendaError
from pipeline.outputs import (
    SIBLING_SUFFIXES,
    check_replaceable,
    check_writable,
    new_work_folder,
    refuse_dangerous,
    remove_stale,
)
from pipeline.settings import Settings
from pipeline.stages import enrich, ingest, parse, release, validate
from pipeline.stages.base import StageReport


def check_build_paths(raw_dir: Path, out_dir: Path) -> None:
    """Every check of the arguments that can fail, before any stage spends time."""
    if raw_dir.is_file():
        raise RendaError(f"{raw_dir}: is a file; give the folder that holds the captures")
    if not raw_dir.is_dir():
        raise RendaError(f"{raw_dir}: raw folder not found")
    refuse_dangerous(out_dir, [raw_dir], option="--out")
    check_replaceable(out_dir, option="--out")
    check_writable(out_dir)


def build(
    raw_dir: Path, out_dir: Path, settings: Settings, on_report: Callable[[StageReport], None] | None = None
) -> list[StageReport]:
    """Run ingest → parse → validate → enrich → release.

    Interim folders live in `.<out>.interim` beside the release (same filesystem, removed on every exit the
    process sees and, after a `kill -9`, by the next run), and the release replaces `--out` in one atomic swap.
    """
    check_build_paths(raw_dir, out_dir)
    reports: list[StageReport] = []

    def done(report: StageReport) -> None:
        reports.append(report)
        if on_report is not None:
            on_report(report)

    remove_stale(out_dir, SIBLING_SUFFIXES)
    interim = new_work_folder(out_dir, "interim")
    try:
        done(ingest.run(raw_dir, interim / "ingested", settings))
        done(parse.run(interim / "ingested", interim / "parsed", settings))
        done(validate.run(interim / "parsed", interim / "validated", settings))
        done(enrich.run(interim / "validated", interim / "enriched", settings))
        done(release.run(interim / "enriched", out_dir, settings))
    finally:
        shutil.rmtree(interim, ignore_errors=True)
    return reports
