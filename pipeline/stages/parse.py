"""Stage 2, parse: raw units → one bundle of records per document (or a reject), by `pipeline.process`.

A bundle holds the document's rows for every table, so `validate` accepts or rejects a document whole. The work
on each document is `process`, mapped by the executor; a parser error on one document becomes a `parse_error`
reject for that document, never a failed run. Earlier rejects are passed on in their place.

With a cache folder (`execution.cache`), each unit's encoded result is stored under the SHA-256 of the unit's
exact line, the code id and the issuer settings (`pipeline.cache`): a rebuild parses only the units it has not
seen, and a hit is copied to the output without being decoded. The report counts hits and misses.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from pipeline import codec
from pipeline.cache import Cache, CacheStats, open_cache, warning
from pipeline.codec import SOURCES_FILE, TEMPLATES_FILE, UNITS_FILE, RecordWriter, Unreadable
from pipeline.executor import ordered_map
from pipeline.models import DocumentBundle, RawUnit, Reject, Template
from pipeline.process import DocumentSettings, process
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.stages.templates import read_templates
from pipeline.templates import Templates, origins_of

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


@dataclass(frozen=True)
class Outcome:
    """What became of one input line: the encoded result, whether it was an earlier reject passed on, this
    stage's reject (None for a bundle), and what the cache did for it."""

    line: bytes
    earlier: bool
    reject: Reject | None
    stats: CacheStats


# The first byte of a cached payload: how to count the encoded result that follows without decoding it.
BUNDLE, EARLIER, REJECT = b"b", b"e", b"r"


# Where an encoded unit says it came from: its fields are written in the model's order, so they stand near the
# start of the line (`{"type":"raw_unit","record":{"doc_id":…,"source_file":"…","source_row":…`).
_UNIT_ORIGIN = re.compile(rb'"source_file":("(?:[^"\\]|\\.)*"),"source_row":(null|\d+)')
ORIGIN_SEARCH_BYTES = 4096


def line_origins(line: bytes) -> tuple[str, ...]:
    """The template origins of an encoded unit without decoding it (its text may be megabytes): () for a line
    that names none (a reject passed on; its result uses no templates)."""
    found = _UNIT_ORIGIN.search(line, 0, ORIGIN_SEARCH_BYTES)
    if found is None:
        return ()
    row = None if found.group(2) == b"null" else int(found.group(2))
    return origins_of(json.loads(found.group(1)), row)


def parse_line(
    item: tuple[int, bytes], source: Path, settings: DocumentSettings, cache: Cache | None
) -> Outcome:
    """One line of the ingested units → its encoded result, from the cache when it holds the line's key: the
    function the executor maps (the line is decoded only on a miss)."""
    number, line = item
    stats = CacheStats()
    key = cache.key(line, settings.templates.of(line_origins(line)).as_json()) if cache is not None else ""
    if cache is not None:
        cache = replace(cache, stats=stats)
        payload = cache.get(key)
        if payload is not None and payload[:1] in (BUNDLE, EARLIER, REJECT):
            encoded = payload[1:]
            reject = codec.decode(source, number, encoded, Reject) if payload[:1] == REJECT else None
            if not isinstance(reject, Unreadable):
                stats.hits += 1
                return Outcome(encoded, payload[:1] == EARLIER, reject, stats)
    result, earlier = process_or_pass(codec.decode(source, number, line, RawUnit, Reject), settings)
    encoded = codec.encode(result)
    kind = EARLIER if earlier else REJECT if isinstance(result, Reject) else BUNDLE
    if cache is not None:
        stats.misses += 1
        cache.put(key, kind + encoded)
    return Outcome(encoded, earlier, result if kind == REJECT else None, stats)  # type: ignore[arg-type]


def _write(
    source: Path, target: Path, settings: Settings, progress: Progress, learned: list[Template]
) -> StageReport:
    report = StageReport(NAME)
    passed_on = 0
    stats = CacheStats()
    templates = Templates.from_rows(
        (row.model_dump() for row in learned), settings.templates.window, settings.templates.max_line_chars
    )
    document_settings = DocumentSettings.from_settings(settings, templates)
    cache = open_cache(settings.execution.cache, NAME, document_settings.fingerprint())
    work = partial(parse_line, source=source / UNITS_FILE, settings=document_settings, cache=cache)
    with (
        RecordWriter(target / UNITS_FILE) as out,
        progress.task(NAME, lambda: codec.count(source / UNITS_FILE), "docs") as task,
    ):
        for outcome in ordered_map(
            work, codec.lines(source / UNITS_FILE), settings.execution.jobs, settings.execution.scheduler
        ):
            task.advance()
            report.received += 1
            out.write_encoded(outcome.line)
            stats.add(outcome.stats)
            if outcome.earlier:
                passed_on += 1
            elif outcome.reject is not None:
                report.reject(outcome.reject)
            else:
                report.emitted += 1
    report.extra["earlier_rejects_passed_on"] = passed_on
    if cache is not None:
        report.cache = stats.as_dict()
        if (line := warning(cache.folder, stats)) is not None:
            report.problems.append(line)
    shutil.copyfile(source / SOURCES_FILE, target / SOURCES_FILE)
    with RecordWriter(target / TEMPLATES_FILE) as rows:
        for row in learned:
            rows.write(row)
    report.extra["template_lines"] = len(learned)
    report.save(target)
    return report
