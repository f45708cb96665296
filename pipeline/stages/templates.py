"""Stage between ingest and parse, templates: ingested units → the page-furniture lines of each origin.

Reads ingest's units once, streaming, and counts the short lines at the head and tail of each document by origin
(`pipeline.templates`); writes the lines that recur in enough distinct documents of their origin as `templates`
rows. `parse` reads them and drops those lines first; `validate` writes them as the `templates` table. Rejects
and unreadable lines of the input are parse's to pass on or reject: they are not counted here.

With a cache folder (`execution.cache`), what a unit adds to the counts (its origins, fingerprint and candidate
lines, `pipeline.templates.document_counts`) is stored under the SHA-256 of the unit's exact line, the code id and
the two settings it reads (`window`, `max_line_chars`; the thresholds are applied to the totals every time), so a
rebuild reads and splits only the units it has not seen.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from pipeline import codec
from pipeline.cache import Cache, CacheStats, open_cache, warning
from pipeline.codec import TEMPLATES_FILE, UNITS_FILE, RecordWriter, Unreadable
from pipeline.errors import RendaError
from pipeline.executor import ordered_map
from pipeline.formats import FORMATS
from pipeline.models import RawUnit, Reject, Template
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.templates import DocumentCounts, TemplateLearner, TemplateParams, document_counts, origins_of

NAME = "templates"


def params_of(settings: Settings) -> TemplateParams:
    return TemplateParams(**settings.templates.model_dump())


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_input_folder(source, NAME, "ingest", UNITS_FILE)
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress))


def unit_counts(
    path: Path, number: int, line: bytes, params: TemplateParams
) -> tuple[tuple[str, ...], DocumentCounts] | None:
    """A unit's origins and what it adds to their counts; None for a reject or an unreadable line (parse's to
    pass on or reject, not counted here). Pure."""
    unit = codec.decode(path, number, line, RawUnit, Reject)
    if not isinstance(unit, RawUnit):
        return None
    counted = document_counts(unit.raw_text, FORMATS[unit.capture_format], params)
    return origins_of(unit.source_file, unit.source_row), counted


def cached_counts(
    path: Path, number: int, line: bytes, params: TemplateParams, cache: Cache | None
) -> tuple[tuple[str, ...], DocumentCounts] | None:
    """`unit_counts`, from the cache when it holds the line's key (a payload that does not load is a miss)."""
    if cache is None:
        return unit_counts(path, number, line, params)
    return cache.computed(cache.key(line), lambda: unit_counts(path, number, line, params))


Counted = tuple[tuple[tuple[str, ...], DocumentCounts] | None, CacheStats]


def count_line(item: tuple[int, bytes], source: Path, params: TemplateParams, cache: Cache | None) -> Counted:
    """One line of the ingested units → what it adds to the counts, and what the cache did for it: the function
    the executor maps (on a process pool the cache's counts come back with the result, not in shared state)."""
    number, line = item
    stats = CacheStats()
    if cache is not None:
        cache = replace(cache, stats=stats)
    return cached_counts(source, number, line, params, cache), stats


def _write(source: Path, target: Path, settings: Settings, progress: Progress) -> StageReport:
    # load: the units ingest wrote, one line at a time (decoded only when the cache does not hold it), read and
    # counted on `execution.jobs` processes; the counts are added here in input order, so any number of
    # processes learns the same lines
    report = StageReport(NAME)
    params = params_of(settings)
    learner = TemplateLearner(params)
    stats = CacheStats()
    cache = open_cache(settings.execution.cache, NAME, f"window={params.window} max={params.max_line_chars}")
    work = partial(count_line, source=source / UNITS_FILE, params=params, cache=cache)
    counted = 0
    with progress.task(NAME, lambda: codec.count(source / UNITS_FILE), "docs") as task:
        for found, line_stats in ordered_map(
            work, codec.lines(source / UNITS_FILE), settings.execution.jobs, settings.execution.scheduler
        ):
            task.advance()
            report.received += 1
            stats.add(line_stats)
            if found is None:
                continue  # a reject or an unreadable line: parse passes it on or rejects it
            # process: count the unit's window lines under its origin
            learner.add_counted(*found)
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
    if cache is not None:
        report.cache = stats.as_dict()
        if (message := warning(cache.folder, stats)) is not None:
            report.problems.append(message)
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
