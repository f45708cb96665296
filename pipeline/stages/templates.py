"""Stage between ingest and parse, templates: ingested units → the page-furniture lines of each origin.

Reads ingest's units once, streaming, and counts the short lines at the head and tail of each document by origin
(`pipeline.templates`); writes the lines that recur in enough distinct documents of their origin as `templates`
rows. `parse` reads them and drops those lines first; `validate` writes them as the `templates` table. Rejects
and unreadable lines of the input are parse's to pass on or reject: they are not counted here.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import codec
from pipeline.codec import TEMPLATES_FILE, UNITS_FILE, RecordWriter, Unreadable
from pipeline.errors import RendaError
from pipeline.formats import FORMATS
from pipeline.models import RawUnit, Reject, Template
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.templates import TemplateLearner, TemplateParams, origins_of

NAME = "templates"


def params_of(settings: Settings) -> TemplateParams:
    return TemplateParams(**settings.templates.model_dump())


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_input_folder(source, NAME, "ingest", UNITS_FILE)
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress))


def _write(source: Path, target: Path, settings: Settings, progress: Progress) -> StageReport:
    # load: the units ingest wrote, one at a time
    report = StageReport(NAME)
    learner = TemplateLearner(params_of(settings))
    counted = 0
    with progress.task(NAME, lambda: codec.count(source / UNITS_FILE), "docs") as task:
        for unit in codec.read(source / UNITS_FILE, RawUnit, Reject):
            task.advance()
            report.received += 1
            if not isinstance(unit, RawUnit):
                continue  # a reject or an unreadable line: parse passes it on or rejects it
            # process: count the unit's window lines under its origin
            learner.add(
                origins_of(unit.source_file, unit.source_row), unit.raw_text, FORMATS[unit.capture_format]
            )
            counted += 1
    # save: the learned lines, sorted, as `templates` records
    rows = learner.rows()
    with RecordWriter(target / TEMPLATES_FILE) as out:
        for row in rows:
            out.write(Template(**row))
    report.emitted = len(rows)
    report.extra["documents_counted"] = counted
    report.extra["copies_not_counted"] = learner.copies
    report.extra["origins"] = len(learner.origins)
    report.extra["origins_with_templates"] = len({row["origin"] for row in rows})
    report.save(target)
    return report


def read_templates(folder: Path) -> list[Template]:
    """The `templates` rows `renda templates` wrote into `folder`; a bad line stops the run in one line (the
    codec names the file and line: a template row names no input to reject)."""
    check_input_folder(folder, "parse --templates", NAME, TEMPLATES_FILE)
    rows = []
    for row in codec.read(folder / TEMPLATES_FILE, Template):
        if isinstance(row, Unreadable):
            raise RendaError(f"{folder / TEMPLATES_FILE}: {row.source_file}: {row.detail}")
        rows.append(row)
    return rows
