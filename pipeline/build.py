"""`renda build`: the six stages on any folder, without DVC, into the same release layout."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.outputs import (
    SIBLING_SUFFIXES,
    check_replaceable,
    check_writable,
    new_work_folder,
    refuse_dangerous,
    remove_ours,
    remove_stale,
)
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages import enrich, ingest, parse, release, templates, validate
from pipeline.stages.base import StageReport, check_capture_folder


def check_build_paths(raw_dir: Path, out_dir: Path) -> None:
    """Every check of the arguments that can fail, before any stage spends time."""
    check_capture_folder(raw_dir, "build")
    refuse_dangerous(out_dir, [raw_dir], option="--out")
    check_replaceable(out_dir, option="--out")
    check_writable(out_dir, option="--out")


def build(
    raw_dir: Path,
    out_dir: Path,
    settings: Settings,
    on_report: Callable[[StageReport], None] | None = None,
    progress: Progress = NO_PROGRESS,
) -> list[StageReport]:
    """Run ingest → templates → parse → validate → enrich → release.

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
        done(ingest.run(raw_dir, interim / "ingested", settings, progress))
        done(templates.run(interim / "ingested", interim / "templates", settings, progress))
        done(parse.run(interim / "ingested", interim / "parsed", settings, progress, interim / "templates"))
        done(validate.run(interim / "parsed", interim / "validated", settings, progress=progress))
        done(enrich.run(interim / "validated", interim / "enriched", settings, progress))
        done(release.run(interim / "enriched", out_dir, settings, progress))
    finally:
        with contextlib.suppress(OSError):
            remove_ours(interim)
    return reports


@dataclass(frozen=True)
class BuildSummary:
    """What `renda build` closes with: where the release is, rows per table, rejects by reason, seconds.

    Shown on stderr only (the seconds would make a file differ from run to run): as plain lines for logs,
    or as a table (`pipeline.progress.summary_table`) on a terminal.
    """

    out_dir: Path
    seconds: float
    tables: dict[str, int]
    rejected: list[tuple[str, int]]  # most frequent reason first
    # documents in scope and the accounts whose issuer is unknown (from the release's composition)
    issuers: str = ""

    @property
    def total_rejected(self) -> int:
        return sum(count for _, count in self.rejected)

    def lines(self) -> list[str]:
        width = max((len(name) for name in [*self.tables, *(r for r, _ in self.rejected)]), default=8)
        lines = [f"release: {self.out_dir} ({self.seconds:.1f} s)"]
        lines += [f"  {name:<{width}}  {rows:>9,} rows" for name, rows in self.tables.items()]
        total = self.total_rejected
        lines.append(f"rejected: {total:,}" + (" (reasons below; each is a row of rejects)" if total else ""))
        lines += [f"  {reason:<{width}}  {count:>9,}" for reason, count in self.rejected]
        if self.issuers:
            lines.append(self.issuers)
        return lines


def summarize(reports: list[StageReport], out_dir: Path, seconds: float) -> BuildSummary:
    """The closing summary of a build from its stage reports."""
    rejected: Counter[str] = Counter()
    for report in reports:
        rejected.update(report.rejected)
    tables: dict[str, int] = next(
        (r.extra["tables"] for r in reports if r.stage == "release" and "tables" in r.extra), {}
    )
    by_count = sorted(rejected.items(), key=lambda item: (-item[1], item[0]))
    issuers = next((r.extra["issuers"] for r in reports if r.stage == "release" and "issuers" in r.extra), "")
    return BuildSummary(out_dir, seconds, dict(tables), by_count, issuers)


def summary(reports: list[StageReport], out_dir: Path, seconds: float) -> list[str]:
    """The closing lines of `renda build`: where the release is, rows per table, rejects by reason, time."""
    return summarize(reports, out_dir, seconds).lines()
