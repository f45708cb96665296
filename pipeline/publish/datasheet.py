"""DATASHEET.md, following *Datasheets for Datasets* (Gebru et al.), generated from the release itself.

Every number is computed from the release tables and every field table from the field dictionary, so the
datasheet cannot describe a dataset other than the one beside it. Its fixed sentences are in `prose.yml`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.fields import (
    COVERAGE_FIELDS,
    FIELDS,
    REJECT_REASON_DESCRIPTIONS,
    TABLES,
    is_nullable,
)
from pipeline.publish.card import bibtex
from pipeline.publish.composition import Composition, body_paragraph_lengths, markdown, read_composition
from pipeline.publish.plots import PLOT_FILES
from pipeline.publish.prose import prose
from pipeline.settings import Settings
from pipeline.tables import iter_rows


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def field_table(table: str) -> str:
    lines = ["| column | type | null | description |", "|---|---|---|---|"]
    for column in TABLES[table].columns:
        spec = FIELDS[column]
        kind = spec.type + (f" ∈ {{{', '.join(spec.allowed)}}}" if spec.allowed else "")
        null = "yes" if is_nullable(table, column) else "no"
        lines.append(
            f"| `{column}` | {_cell(kind)} | {null} | {_cell(spec.description)} {_cell(spec.description_zh)} |"
        )
    return "\n".join(lines)


def _column(release: Path, table: str, column: str) -> Iterator[Any]:
    """Stream one column's values, a record batch at a time."""
    for row in iter_rows(release / f"{table}.parquet", columns=[column]):
        yield row[column]


def _counts_table(counter: Counter[Any], header: tuple[str, str]) -> str:
    if not counter:
        return "_none_"
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    for key, count in sorted(counter.items(), key=lambda item: (-item[1], str(item[0]))):
        lines.append(f"| {_cell(key if key is not None else '(none)')} | {count} |")
    return "\n".join(lines)


def date_range(values: Iterable[dt.date | None]) -> tuple[int, dt.date | None, dt.date | None]:
    """How many values are dates, the first and the last: counted as they stream, never listed."""
    count, first, last = 0, None, None
    for value in values:
        if value is None:
            continue
        count += 1
        first = value if first is None or value < first else first
        last = value if last is None or value > last else last
    return count, first, last


def _length_summary(histogram: Counter[int]) -> str:
    """Paragraph length quantiles from a histogram (`body_paragraph_lengths`), so memory does not grow with the
    corpus."""
    total = sum(histogram.values())
    if total == 0:
        return "No body paragraphs."
    quantiles: dict[float, int] = {}
    seen = 0
    for length in sorted(histogram):
        seen += histogram[length]
        for q in (0.1, 0.5, 0.9):
            if q not in quantiles and seen >= q * total:
                quantiles[q] = length
    return (
        f"Body paragraphs: {total}; characters per paragraph: 10th percentile {quantiles[0.1]}, "
        f"median {quantiles[0.5]}, 90th percentile {quantiles[0.9]}, maximum {max(histogram)}."
    )


def evaluation_section(settings: Settings) -> str:
    """The parser's measured error rates on the dev gold set, or a note that none were supplied."""
    passages = prose("datasheet")
    path = settings.release.evaluation
    if path is None or not Path(path).is_file():
        return str(passages["no_evaluation"])
    result = json.loads(Path(path).read_text(encoding="utf-8"))
    n_formats = len({d["gold_file"].split("/")[0] for d in result.get("per_document_summary", [])})
    half = result.get("half", "all")
    which = {"test": "the test half of", "dev": "the development half of"}.get(half, "")
    lines = [
        passages["evaluation"].format(which=which, documents=result["documents"], n_formats=n_formats),
        "",
        "| field | exact | share |",
        "|---|---:|---:|",
    ]
    for name, score in result["fields"].items():
        lines.append(f"| `{name}` | {score['correct']}/{score['total']} | {score['share']:.1%} |")
    h = result["headings"]
    lines.append(f"| headings | P {h['precision']:.3f}, R {h['recall']:.3f} | F1 {h['f1']:.3f} |")
    leak = result["leakage"]
    lines.append(
        f"| platform lines inside paragraphs | {leak['leaked_lines']} lines in {leak['documents_with_leaks']} "
        "documents | |"
    )
    by_layout = result.get("by_layout") or {}
    if by_layout:
        lines += [
            "",
            passages["evaluation_by_layout"],
            "",
            "| layout | documents | found | header | headings F1 | paragraph count | first paragraph | last paragraph "
            "| leaked lines |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in by_layout.items():
            lines.append(
                f"| `{name}` | {row['documents']} | {row['found']} | {row['header_fields']:.0%} | "
                f"{row['headings_f1']:.2f} | {row['n_paragraphs']:.0%} | {row['first_paragraph']:.0%} | "
                f"{row['last_paragraph']:.0%} | {row['leaked_lines']} |"
            )
    return "\n".join(lines)


def _near_duplicates(release: Path) -> str:
    total = 0
    duplicates = 0
    for row in iter_rows(release / "documents.parquet", columns=["is_canonical"]):
        total += 1
        duplicates += not row["is_canonical"]
    return f"{duplicates} of {total} documents are near-duplicates of another; count `is_canonical` rows once"


def _or_dash(value: object, code: bool = False) -> str:
    """A provenance cell: the value, or an em dash for an entry that was not read."""
    if value is None:
        return "—"
    return f"`{value}`" if code else str(value)


def csv_section(over_limit: Counter[str], formula_like: Counter[str]) -> str:
    """How to open the CSV files in a spreadsheet without losing or executing anything, with this release's counts."""

    def listed(counter: Counter[str]) -> str:
        return ", ".join(f"`{name}` {n}" for name, n in sorted(counter.items())) or "none"

    passages = prose("datasheet")
    return (
        f"## CSV files in spreadsheets\n\n{passages['csv_verbatim']}\n\n"
        + passages["csv_over_limit"].format(count=sum(over_limit.values()), listed=listed(over_limit))
        + "\n"
        + passages["csv_formula_like"].format(count=sum(formula_like.values()), listed=listed(formula_like))
    )


def render_datasheet(
    release: Path,
    settings: Settings,
    provenance: dict[str, str],
    csv_over_limit: Counter[str] | None = None,
    csv_formula_like: Counter[str] | None = None,
    composition: Composition | None = None,
) -> str:
    """The whole DATASHEET.md as one string (`write_datasheet` writes the same text without holding it)."""
    return "".join(
        datasheet_chunks(release, settings, provenance, csv_over_limit, csv_formula_like, composition)
    )


def write_datasheet(
    path: Path,
    release: Path,
    settings: Settings,
    provenance: dict[str, str],
    csv_over_limit: Counter[str] | None = None,
    csv_formula_like: Counter[str] | None = None,
    composition: Composition | None = None,
    paragraph_lengths: Counter[int] | None = None,
    rows: dict[str, int] | None = None,
) -> None:
    """Write DATASHEET.md chunk by chunk: its provenance table has a row per raw file, which as one string
    (listed, joined, encoded) grew the release's memory with the corpus. What the release stage computed already
    (the composition, the paragraph length histogram, the row counts) is passed in rather than read again."""
    with path.open("w", encoding="utf-8") as handle:
        for chunk in datasheet_chunks(
            release,
            settings,
            provenance,
            csv_over_limit,
            csv_formula_like,
            composition,
            paragraph_lengths,
            rows,
        ):
            handle.write(chunk)


def datasheet_chunks(
    release: Path,
    settings: Settings,
    provenance: dict[str, str],
    csv_over_limit: Counter[str] | None = None,
    csv_formula_like: Counter[str] | None = None,
    composition: Composition | None = None,
    paragraph_lengths: Counter[int] | None = None,
    rows: dict[str, int] | None = None,
) -> Iterator[str]:
    """DATASHEET.md in order: the sections as one chunk, then the provenance table a row at a time."""
    if rows is None:
        rows = {name: pq.ParquetFile(release / f"{name}.parquet").metadata.num_rows for name in TABLES}
    formats = Counter(_column(release, "documents", "capture_format"))
    accounts = Counter(_column(release, "documents", "account"))
    n_dated, first_date, last_date = date_range(_column(release, "documents", "published_date"))
    reasons = Counter(_column(release, "rejects", "reason_code"))
    n_docs = rows["documents"]
    coverage_lines = ["| field | documents with a value | share |", "|---|---:|---:|"]
    for column in COVERAGE_FIELDS:
        present = sum(v not in (None, []) for v in _column(release, "documents", column))
        share = f"{present / n_docs:.1%}" if n_docs else "–"
        coverage_lines.append(f"| `{column}` | {present} | {share} |")
    dates = f"{first_date} to {last_date}" if first_date else "no dates found"
    n_sources = rows["sources"]
    d = settings.dataset
    passages = prose("datasheet")

    parts = [
        f"# Datasheet: {d.title}",
        passages["built_by"].format(
            name=d.name,
            version=d.version,
            package_version=provenance["package_version"],
            code_tree=provenance["code_tree"],
        ),
        "## Motivation",
        passages["purpose"],
        passages["creators"],
        "## Composition",
        f"- **Instances.** {n_docs} documents (articles) from {n_sources} raw files; "
        f"{rows['rejects']} inputs rejected with a reason (see *Rejects*).",
        "- **Tables and rows.** " + ", ".join(f"`{name}` {count}" for name, count in rows.items()) + ".",
        f"- **Publication dates.** {dates} ({n_dated} of {n_docs} documents show a date).",
        "- **Capture formats.**\n\n" + _counts_table(formats, ("capture_format", "documents")),
        markdown(composition or read_composition(release, settings.issuers.in_scope)),
        "- **Accounts.**\n\n" + _counts_table(accounts, ("account", "documents")),
        "- **Field coverage.**\n\n" + "\n".join(coverage_lines),
        f"- **Lengths.** {_length_summary(body_paragraph_lengths(release) if paragraph_lengths is None else paragraph_lengths)}",
        "- **Plots.**\n\n" + "\n\n".join(f"![{title}](plots/{name})" for name, title in PLOT_FILES.items()),
        passages["labels"],
        passages["personal_data"],
        "## Collection process",
        passages["collection"],
        "## Preprocessing, cleaning, labelling",
        *passages["preprocessing"],
        passages["layers"].format(near_duplicates=_near_duplicates(release)),
        passages["layer_precision"],
        "## Uses",
        passages["intended_uses"],
        passages["unintended_uses"],
        passages["errors"],
        evaluation_section(settings),
        "## Distribution",
        f"- **License.** {d.license} ({d.license_url}). {d.license_note}",
        passages["files"],
        passages["download"],
        f"- **Cite.**\n\n```bibtex\n{bibtex(settings)}\n```",
        csv_section(csv_over_limit or Counter(), csv_formula_like or Counter()),
        "## Maintenance",
        passages["maintenance"],
        "## Rejects",
        _counts_table(reasons, ("reason_code", "inputs")),
        "\n".join(
            ["", "| reason_code | meaning |", "|---|---|"]
            + [f"| `{code}` | {_cell(text)} |" for code, text in REJECT_REASON_DESCRIPTIONS.items()]
        ),
        "## Fields",
    ]
    for name, table in TABLES.items():
        key = ", ".join(f"`{c}`" for c in table.primary_key)
        notes = "".join(f"\n\n_Note:_ {note}" for note in table.usage_notes)
        parts.append(
            f"### `{name}` ({rows[name]} rows)\n\n{table.description} Primary key: {key}.{notes}\n\n"
            + field_table(name)
        )
    parts.append("## Provenance\n\n| raw file | kind | bytes | sha256 |\n|---|---|---:|---|\n")
    yield "\n\n".join(parts)
    separator = ""
    for source in iter_rows(release / "sources.parquet"):
        yield (
            f"{separator}| `{_cell(source['source_file'])}` | {source['entry_kind']} | {_or_dash(source['n_bytes'])} | "
            f"{_or_dash(source['raw_sha256'], code=True)} |"
        )
        separator = "\n"
    yield "\n"
