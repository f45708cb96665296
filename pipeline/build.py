"""`renda build`: the five stages on any folder, without DVC, into the same release layout."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import RendaError
from pipeline.outputs import (
    SIBLING_SUFFIXES,
    check_replaceable,
    check_writable,
    new_work_folder,
    refuse_dangerous,
    remove_ours,
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
        with contextlib.suppress(OSError):
            remove_ours(interim)
    return reports


def summary(reports: list[StageReport], out_dir: Path, seconds: float) -> list[str]:
    """The closing lines of `renda build`: where the release is, rows per table, rejects by reason, time."""
    rejected: Counter[str] = Counter()
    for report in reports:
        rejected.update(report.rejected)
    tables: dict[str, int] = next(
        (r.extra["tables"] for r in reports if r.stage == "release" and "tables" in r.extra), {}
    )
    width = max((len(name) for name in [*tables, *rejected]), default=8)
    lines = [f"release: {out_dir} ({seconds:.1f} s)"]
    lines += [f"  {name:<{width}}  {rows:>9,} rows" for name, rows in tables.items()]
    total = sum(rejected.values())
    lines.append(f"rejected: {total:,}" + (" (reasons below; each is a row of rejects)" if total else ""))
    lines += [
        f"  {reason:<{width}}  {count:>9,}"
        for reason, count in sorted(rejected.items(), key=lambda i: (-i[1], i[0]))
    ]
    return lines
