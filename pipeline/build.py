"""`renda build`: the four stages on any folder, without DVC, into the same release layout."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from pipeline.settings import Settings
from pipeline.stages import enrich, ingest, parse, release, validate
from pipeline.stages.base import StageReport


def build(
    raw_dir: Path, out_dir: Path, settings: Settings, on_report: Callable[[StageReport], None] | None = None
) -> list[StageReport]:
    """Run ingest → parse → validate → enrich → release; interim folders live in a temporary folder."""
    release.check_target(out_dir)  # refuse a wrong --out before spending time on the stages
    reports: list[StageReport] = []

    def done(report: StageReport) -> None:
        reports.append(report)
        if on_report is not None:
            on_report(report)

    with tempfile.TemporaryDirectory(prefix="renda-build-") as tmp:
        interim = Path(tmp)
        done(ingest.run(raw_dir, interim / "ingested", settings))
        done(parse.run(interim / "ingested", interim / "parsed", settings))
        done(validate.run(interim / "parsed", interim / "validated", settings))
        done(enrich.run(interim / "validated", interim / "enriched", settings))
        done(release.run(interim / "enriched", out_dir, settings))
    return reports
