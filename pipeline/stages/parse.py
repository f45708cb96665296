"""Stage 2, parse: raw units → one bundle of records per document (or a reject), by `pipeline.process`.

A bundle holds the document's rows for every table, so `validate` accepts or rejects a document whole. The work
on each document is `process`, mapped by the executor; a parser error on one document becomes a `parse_error`
reject for that document, never a failed run. Earlier rejects are passed on in their place.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from pipeline import codec
from pipeline.codec import SOURCES_FILE, TEMPLATES_FILE, UNITS_FILE, RecordWriter, Unreadable
from pipeline.executor import ordered_map
from pipeline.models import DocumentBundle, RawUnit, Reject, Template
from pipeline.process import DocumentSettings, process
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.stages.templates import read_templates
from pipeline.templates import Templates

NAME = "parse"


def run(
    source: Path,
    target: Path,
    settings: Settings,
    progress: Progress = NO_PROGRESS,
    templates: Path | None = None,
) -> StageReport:
    """Parse ingest's units; with `templates` (the folder `renda templates` wrote), drop the page-furniture
    lines learned there first and hand them on for the `templates` table (without: none learned, an empty one)."""
    check_input_folder(source, NAME, "ingest", UNITS_FILE)
    learned = read_templates(templates) if templates is not None else []
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress, learned))


def process_or_pass(
    unit: RawUnit | Reject | Unreadable, settings: DocumentSettings
) -> tuple[DocumentBundle | Reject, bool]:
    """A raw unit processed, or an earlier reject passed on unchanged (then True): the function the executor
    maps. A line of the input that is no valid unit is this stage's `invalid_record` reject."""
    if isinstance(unit, Unreadable):
        return unit.reject(NAME), False
    if isinstance(unit, Reject):
        return unit, True
    return process(unit, settings), False


def _write(
    source: Path, target: Path, settings: Settings, progress: Progress, learned: list[Template]
) -> StageReport:
    report = StageReport(NAME)
    passed_on = 0
    units = codec.read(source / UNITS_FILE, RawUnit, Reject)
    templates = Templates.from_rows(
        (row.model_dump() for row in learned), settings.templates.window, settings.templates.max_line_chars
    )
    work = partial(process_or_pass, settings=DocumentSettings.from_settings(settings, templates))
    with (
        RecordWriter(target / UNITS_FILE) as out,
        progress.task(NAME, lambda: codec.count(source / UNITS_FILE), "docs") as task,
    ):
        for result, earlier in ordered_map(
            work, units, settings.execution.jobs, settings.execution.scheduler
        ):
            task.advance()
            report.received += 1
            out.write(result)
            if earlier:
                passed_on += 1
            elif isinstance(result, Reject):
                report.reject(result)
            else:
                report.emitted += 1
    report.extra["earlier_rejects_passed_on"] = passed_on
    shutil.copyfile(source / SOURCES_FILE, target / SOURCES_FILE)
    with RecordWriter(target / TEMPLATES_FILE) as rows:
        for row in learned:
            rows.write(row)
    report.extra["template_lines"] = len(learned)
    report.save(target)
    return report
