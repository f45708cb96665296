"""Stage 4, enrich: validated tables → research layers, and documents with near-duplicate clusters.

Reads the validated tables document by document (every table is written in document order), writes `terms`,
`term_occurrences`, `citations`, `figures` and `officials`, writes `documents` with the columns this stage owns
(`dup_cluster`, `is_canonical`, `layer_error`) added, and copies the other tables through unchanged, so `release`
reads one folder.

With a cache folder (`execution.cache`), each document's layer rows and MinHash signature are stored under the
SHA-256 of its input (document row, body paragraphs, raw text, credits), the code id and the signature settings
(`pipeline.cache`). The near-duplicate clusters are computed over all signatures every time (a reducer, cheap);
`enrich.duplicates.threshold` is used only there, so changing it re-clusters without recomputing any signature.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.cache import Cache, CacheStats, open_cache, warning
from pipeline.errors import RendaError
from pipeline.executor import ordered_map
from pipeline.fields import BODY_KINDS, CORE_TABLES, LAYER_TABLES
from pipeline.jsonl import json_default
from pipeline.layers import Paragraph, raw_offsets
from pipeline.layers.citations import (
    citation_kind,
    citations,
    contexts,
    linked_keys,
    normalize_title,
    title_key,
)
from pipeline.layers.duplicates import DuplicateSettings, SignatureStore, signature_values, stored_clusters
from pipeline.layers.figures import figures
from pipeline.layers.officials import is_official_position, mentions, title_byline
from pipeline.layers.terms import term_rows
from pipeline.models import MODELS
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings, check_duplicate_index, duplicate_bands
from pipeline.stages.base import StageReport, check_input_folder, run_atomic
from pipeline.tables import TableWriter, iter_rows, row_count

NAME = "enrich"
PASSED_THROUGH = tuple(t for t in CORE_TABLES if t != "documents")


def _grouped(path: Path, columns: list[str] | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(doc_id, rows) for consecutive rows of one document."""
    current: str | None = None
    rows: list[dict[str, Any]] = []
    for row in iter_rows(path, columns):
        if row["doc_id"] != current and rows:
            yield current or "", rows
            rows = []
        current = row["doc_id"]
        rows.append(row)
    if rows:
        yield current or "", rows


class _Aligned:
    """Rows of a table for each document in turn (a document may have none)."""

    def __init__(self, path: Path, columns: list[str] | None = None) -> None:
        self._groups = _grouped(path, columns)
        self._next = next(self._groups, None)

    def take(self, doc_id: str) -> list[dict[str, Any]]:
        if self._next is not None and self._next[0] == doc_id:
            rows = self._next[1]
            self._next = next(self._groups, None)
            return rows
        return []


def layer_rows(
    document: dict[str, Any], paragraphs: list[Paragraph], raw_text: str, credits: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """All layer rows of one document. Pure."""
    doc_id = document["doc_id"]
    by_index = {p.paragraph_index: p for p in paragraphs}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYER_TABLES}

    def located(paragraph: Paragraph, start: int, end: int) -> dict[str, Any]:
        char_start, char_end = raw_offsets(paragraph, raw_text, start, end)
        return {
            "paragraph_index": paragraph.paragraph_index,
            "text_start": start,
            "text_end": end,
            "char_start": char_start,
            "char_end": char_end,
        }

    occurrences, terms = term_rows(paragraphs)
    for item_index, occurrence in enumerate(occurrences):
        paragraph = occurrence["paragraph"]
        out["term_occurrences"].append(
            {
                "doc_id": doc_id,
                "item_index": item_index,
                "term": occurrence["term"],
                "quote_style": occurrence["quote_style"],
                **located(paragraph, occurrence["text_start"], occurrence["text_end"]),
            }
        )
    for term in terms:
        first = term["first"]
        out["terms"].append(
            {
                "doc_id": doc_id,
                "term": term["term"],
                "is_numbered": term["is_numbered"],
                "numbers": term["numbers"],
                "n_occurrences": term["n_occurrences"],
                **located(first["paragraph"], first["text_start"], first["text_end"]),
            }
        )
    for paragraph in paragraphs:
        cited = list(citations(paragraph))
        around = contexts(paragraph.text, [(start, end) for _, start, end in cited])
        for (title, start, end), (before, after) in zip(cited, around, strict=True):
            out["citations"].append(
                {
                    "doc_id": doc_id,
                    "item_index": len(out["citations"]),
                    "cited_title": title,
                    "normalized_title": normalize_title(title),
                    "title_key": title_key(title),
                    "citation_kind": citation_kind(title, before, after),
                    **located(paragraph, start, end),
                }
            )
        for figure in figures(paragraph):
            out["figures"].append(
                {
                    "doc_id": doc_id,
                    "item_index": len(out["figures"]),
                    "amount": figure.measure.amount,
                    "unit": figure.measure.unit,
                    "unit_text": figure.measure.unit_text,
                    "multiplier": figure.measure.multiplier,
                    "counted": figure.counted,
                    "figure_text": paragraph.text[figure.text_start : figure.text_end],
                    **located(paragraph, figure.text_start, figure.text_end),
                }
            )
    linked = linked_keys([row["title_key"] for row in out["citations"]])  # shorthands → full titles
    for row, key in zip(out["citations"], linked, strict=True):
        row["title_key"] = key
    officials = out["officials"]

    def official(found_in: str, name: str, position: str | None, where: dict[str, Any]) -> None:
        officials.append(
            {
                "doc_id": doc_id,
                "found_in": found_in,
                "item_index": len(officials),
                "name": name,
                "official_position": position,
                **where,
            }
        )

    nowhere = {
        "paragraph_index": None,
        "text_start": None,
        "text_end": None,
        "char_start": None,
        "char_end": None,
    }
    byline = title_byline(document["title"]) if document["title"] else None
    if byline is not None:
        official("title", byline[1], byline[0], nowhere)
    # Credited authors with an official position: from credit lines and from bylines (`河北省人民政府省长 王正谱`).
    for name, position in zip(
        document.get("authors") or [], document.get("author_positions") or [], strict=False
    ):
        if not is_official_position(position):
            continue
        credit = next((c for c in credits if c["role"] == "author" and name in c["value"]), None)
        span = {"char_start": credit["char_start"], "char_end": credit["char_end"]} if credit else {}
        official("credit", name, position, {**nowhere, **span})
    for index in sorted(by_index):
        paragraph = by_index[index]
        for position, name, start, end in mentions(paragraph.text):
            official("text", name, position, located(paragraph, start, end))
    return out


@dataclass(frozen=True)
class DocumentInput:
    """What the layers of one document read: its row, body paragraphs, raw text and credits."""

    document: dict[str, Any]
    body: list[Paragraph]
    raw_text: str
    credits: list[dict[str, Any]]
    duplicates: DuplicateSettings


@dataclass(frozen=True)
class DocumentLayers:
    """The layer rows of one document (validated), or the error that stopped them, and its MinHash signature."""

    document: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    error: str | None
    signature: Any
    # what the cache did for this document (empty without a cache)
    stats: CacheStats | None = None


def enrich_document(given: DocumentInput) -> DocumentLayers:
    """The per-document work of enrich (pure; the executor maps it): layer rows, validated, and the signature.

    The guard: a layer failing on one document leaves that document without layer rows, and says why.
    """
    try:
        rows = layer_rows(given.document, given.body, given.raw_text, given.credits)
        validated = {t: [MODELS[t].model_validate(r).model_dump() for r in rs] for t, rs in rows.items()}
        error = None
    except Exception as failure:
        validated, error = {}, " ".join(f"{type(failure).__name__}: {failure}".split())[:500]
    text = "".join(p.text for p in given.body)
    # the hash values only, which is all the clusters read (and what the cache stores): no datasketch object
    return DocumentLayers(given.document, validated, error, signature_values(text, given.duplicates))


def input_bytes(given: DocumentInput) -> bytes:
    """Everything `enrich_document` reads of a document, as canonical JSON: its cache key's content (the
    signature settings are in the cache's context)."""
    payload = {
        "document": given.document,
        "body": [[p.paragraph_index, p.text, p.char_start, p.char_end] for p in given.body],
        "raw_text": given.raw_text,
        "credits": given.credits,
    }
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=json_default
    ).encode("utf-8")


def enrich_cached(given: DocumentInput, cache: Cache | None) -> DocumentLayers:
    """`enrich_document`, from the cache when it holds the document's key (the function the executor maps)."""
    if cache is None:
        return enrich_document(given)
    stats = CacheStats()
    cache = replace(cache, stats=stats)

    def compute() -> tuple[object, ...]:
        result = enrich_document(given)
        return (result.rows, result.error, result.signature)

    rows, error, minhash = cache.computed(cache.key(input_bytes(given)), compute)
    return DocumentLayers(given.document, rows, error, minhash, stats)


def signature_settings(duplicates: DuplicateSettings) -> str:
    """The duplicate settings a signature depends on (the threshold is the clusters' alone)."""
    return f"num_perm={duplicates.num_perm} shingle={duplicates.shingle} seed={duplicates.seed}"


def describe_document(document: dict[str, Any]) -> str:
    row = document["source_row"]
    return document["source_file"] + (f"#row{row}" if row is not None else "")


def run(source: Path, target: Path, settings: Settings, progress: Progress = NO_PROGRESS) -> StageReport:
    check_duplicate_index(settings)
    check_input_folder(source, NAME, "validate", "documents.parquet")
    for table in CORE_TABLES:
        if not (source / f"{table}.parquet").is_file():
            raise RendaError(f"{source}: missing {table}.parquet (run `renda validate` first)")
    return run_atomic(NAME, source, target, lambda out: _write(source, out, settings, progress))


def _write(source: Path, target: Path, settings: Settings, progress: Progress) -> StageReport:
    report = StageReport(NAME)
    duplicate_settings = DuplicateSettings(**settings.enrich.duplicates.model_dump())
    cache = open_cache(settings.execution.cache, NAME, signature_settings(duplicate_settings))
    stats = CacheStats()
    layer_errors: dict[str, str] = {}
    counts: Counter[str] = Counter()
    paragraphs = _Aligned(
        source / "paragraphs.parquet", ["doc_id", "paragraph_index", "kind", "text", "char_start", "char_end"]
    )
    raw_texts = _Aligned(source / "raw_texts.parquet", ["doc_id", "raw_text"])
    credit_rows = _Aligned(source / "credits.parquet")

    def inputs() -> Iterator[DocumentInput]:
        for document in iter_rows(source / "documents.parquet"):
            doc_id = document["doc_id"]
            body = [
                Paragraph(p["paragraph_index"], p["text"], p["char_start"], p["char_end"])
                for p in paragraphs.take(doc_id)
                if p["kind"] in BODY_KINDS
            ]
            raw = raw_texts.take(doc_id)
            yield DocumentInput(
                document,
                body,
                raw[0]["raw_text"] if raw else "",
                credit_rows.take(doc_id),
                duplicate_settings,
            )

    with ExitStack() as stack:
        # the signatures go to a temporary file as they come: the clusters need them all, memory must not
        store = stack.enter_context(SignatureStore(duplicate_settings))
        writers = {t: stack.enter_context(TableWriter(t, target / f"{t}.parquet")) for t in LAYER_TABLES}
        task = stack.enter_context(
            progress.task(NAME, lambda: row_count(source / "documents.parquet"), "docs")
        )
        for result in ordered_map(
            partial(enrich_cached, cache=cache),
            inputs(),
            settings.execution.jobs,
            settings.execution.scheduler,
        ):
            task.advance()
            report.received += 1
            if result.stats is not None:
                stats.add(result.stats)
            doc_id = result.document["doc_id"]
            if result.error is not None:
                layer_errors[doc_id] = result.error
                report.problems.append(
                    f"{describe_document(result.document)}: layers not extracted: {result.error}"
                )
            for table, table_rows in result.rows.items():
                for row in table_rows:
                    writers[table].write(row)
                counts[table] += len(table_rows)
            store.add(doc_id, result.document["published_date"], result.signature)
            report.emitted += 1
        # position of each document's canonical document
        canonical = stored_clusters(store, duplicate_bands(settings))
        with TableWriter("documents", target / "documents.parquet") as writer:
            for index, document in enumerate(iter_rows(source / "documents.parquet")):
                if document["doc_id"] != store.doc_id(index):
                    raise RendaError(f"{source / 'documents.parquet'} changed while enrich read it")
                cluster = store.doc_id(int(canonical[index]))
                writer.write(
                    {
                        **document,
                        "dup_cluster": cluster,
                        "is_canonical": cluster == document["doc_id"],
                        "layer_error": layer_errors.get(document["doc_id"]),
                    }
                )
        duplicates = int(np.count_nonzero(canonical != np.arange(store.count)))
        clustered = int(np.unique(canonical[canonical != np.arange(store.count)]).size)
    for table in PASSED_THROUGH:
        shutil.copyfile(source / f"{table}.parquet", target / f"{table}.parquet")
    report.extra["rows"] = dict(sorted(counts.items()))
    report.extra["layer_errors"] = len(layer_errors)
    report.extra["near_duplicates"] = duplicates
    report.extra["clusters_with_duplicates"] = clustered
    if cache is not None:
        report.cache = stats.as_dict()
        if (line := warning(cache.folder, stats)) is not None:
            report.problems.append(line)
    report.save(target)
    return report
