"""DATASHEET.md, following *Datasheets for Datasets* (Gebru et al.), generated from the release itself.

Every number is computed from the release tables and every field table from the field dictionary, so the
datasheet cannot describe a dataset other than the one beside it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.fields import (
    BODY_KINDS,
    COVERAGE_FIELDS,
    FIELDS,
    REJECT_REASON_DESCRIPTIONS,
    TABLES,
    is_nullable,
)
from pipeline.publish.card import bibtex
from pipeline.publish.composition import Composition, markdown, read_composition
from pipeline.publish.plots import PLOT_FILES
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


def _length_summary(release: Path) -> str:
    """Paragraph length quantiles from a histogram, so memory does not grow with the corpus."""
    histogram: Counter[int] = Counter()
    parquet = pq.ParquetFile(release / "paragraphs.parquet")
    for index in range(parquet.num_row_groups):
        group = parquet.read_row_group(index, columns=["kind", "text"])
        body = pc.is_in(group.column("kind"), value_set=pa.array(BODY_KINDS))
        histogram.update(pc.utf8_length(pc.filter(group.column("text"), body)).to_pylist())
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


# Measured by hand on the samples kept in evaluation/layer_samples.md; update both together.
LAYER_PRECISION = (
    "figures amount and unit 100/100 (two samples of 50; 98/100 before rates such as 元/月 were read), citation "
    "grouping key 100/100, citation kind 99/100 (on the sample drawn after the last change: 50/50 and 50/50)"
)


def evaluation_section(settings: Settings) -> str:
    """The parser's measured error rates on the dev gold set, or a note that none were supplied."""
    path = settings.release.evaluation
    if path is None or not Path(path).is_file():
        return (
            "- **Measured errors.** No gold-set evaluation was supplied to this build "
            "(`release.evaluation` in params.yaml; produced by `make evaluate`)."
        )
    result = json.loads(Path(path).read_text(encoding="utf-8"))
    n_formats = len({d["gold_file"].split("/")[0] for d in result.get("per_document_summary", [])})
    half = result.get("half", "all")
    which = {"test": "the test half of", "dev": "the development half of"}.get(half, "")
    lines = [
        f"- **Measured errors.** Parser scores on {which} the hand-annotated gold set "
        f"({result['documents']} documents in {n_formats} capture layouts, a sample of 1–4 per layout; they are not "
        "part of this release; rules are tuned on the other half only). Strings "
        "compare typography-free (NFKC, no whitespace or `*`), person fields as sets of names, paragraph counts "
        "within 10 % (at least ±1).",
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
            "By capture layout (header: the seven header and credit fields pooled):",
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

    return (
        "## CSV files in spreadsheets\n\n"
        "Every CSV cell is the data verbatim: nothing is cut, escaped or prefixed.\n\n"
        f"- **Cells longer than 32,767 characters** (Excel's cell limit; Excel cuts the rest): "
        f"{sum(over_limit.values())} ({listed(over_limit)}). Read these from the Parquet files, or with pandas "
        "(`pd.read_csv(path, encoding='utf-8-sig')`), never through Excel.\n"
        f"- **Cells starting with `=`, `+`, `-` or `@`**, which a spreadsheet may take for a formula: "
        f"{sum(formula_like.values())} ({listed(formula_like)}). Open the CSV by importing it with every column "
        "as text (Excel: Data › From Text/CSV, then set each column's type to Text; LibreOffice: tick "
        "'Format quoted field as text'), and do not enable formula evaluation or external links for it."
    )


def render_datasheet(
    release: Path,
    settings: Settings,
    provenance: dict[str, str],
    csv_over_limit: Counter[str] | None = None,
    csv_formula_like: Counter[str] | None = None,
    composition: Composition | None = None,
) -> str:
    rows = {name: pq.ParquetFile(release / f"{name}.parquet").metadata.num_rows for name in TABLES}
    formats = Counter(_column(release, "documents", "capture_format"))
    accounts = Counter(_column(release, "documents", "account"))
    dated = [d for d in _column(release, "documents", "published_date") if d is not None]
    first_date, last_date = (min(dated), max(dated)) if dated else (None, None)
    reasons = Counter(_column(release, "rejects", "reason_code"))
    n_docs = rows["documents"]
    coverage_lines = ["| field | documents with a value | share |", "|---|---:|---:|"]
    for column in COVERAGE_FIELDS:
        present = sum(v not in (None, []) for v in _column(release, "documents", column))
        share = f"{present / n_docs:.1%}" if n_docs else "–"
        coverage_lines.append(f"| `{column}` | {present} | {share} |")
    date_range = f"{first_date} to {last_date}" if first_date else "no dates found"
    n_sources = rows["sources"]
    d = settings.dataset

    parts = [
        f"# Datasheet: {d.title}",
        f"Dataset `{d.name}`, version **{d.version}**. Built by the `renda-corpus` package version "
        f"{provenance['package_version']}, code tree `{provenance['code_tree']}` (the git tree id of "
        "`pipeline/`: `git rev-parse <commit>:pipeline` shows it for every commit with this code).",
        "## Motivation",
        "- **Purpose.** A research dataset for the study of Chinese politics, computational social science and "
        "NLP, meant for articles of Chinese People's Congresses and governments on their official accounts and "
        "rebuilt from raw text captures into sectioned, validated records. What this release actually holds is "
        "counted under *Composition*: every document records its issuer and whether it is in scope.",
        "- **Creators and funding.** The renda-corpus maintainers; no external funding is recorded.",
        "## Composition",
        f"- **Instances.** {n_docs} documents (articles) from {n_sources} raw files; "
        f"{rows['rejects']} inputs rejected with a reason (see *Rejects*).",
        "- **Tables and rows.** " + ", ".join(f"`{name}` {count}" for name, count in rows.items()) + ".",
        f"- **Publication dates.** {date_range} ({len(dated)} of {n_docs} documents show a date).",
        "- **Capture formats.**\n\n" + _counts_table(formats, ("capture_format", "documents")),
        markdown(composition or read_composition(release, settings.issuers.in_scope)),
        "- **Accounts.**\n\n" + _counts_table(accounts, ("account", "documents")),
        "- **Field coverage.**\n\n" + "\n".join(coverage_lines),
        f"- **Lengths.** {_length_summary(release)}",
        "- **Plots.**\n\n" + "\n\n".join(f"![{title}](plots/{name})" for name, title in PLOT_FILES.items()),
        "- **Labels.** None beyond the structure read from the captures (headings, lead sentences, credits).",
        "- **Confidential or personal data.** Articles are public official publications. They name officials, "
        "authors and editors in their public roles (`authors`, `editors`, `credits`).",
        "## Collection process",
        "Researchers captured the articles as text: copied from WeChat mirror pages, converted by common "
        "markdown tools, or exported as CSV/JSONL with one article per row. The capture format is detected from "
        "each text's content, not from its folder. The raw files are listed with their SHA-256 under "
        "*Provenance*; the releases never modify them.",
        "## Preprocessing, cleaning, labelling",
        "- Decoding is strict and ordered: byte-order mark, UTF-8, GB18030 and Big5 (kept only when most Han "
        "characters are common ones for that encoding), `charset-normalizer` last. The encoding is recorded.",
        "- Platform chrome (mirror UI lines such as 查看原文, 继续滑动看下一个) is dropped by markers kept as data "
        "per capture format; header lines become fields; footer credits become `credits` rows; related-article "
        "lists become `related` rows.",
        "- Text is stored in Unicode NFC with the capture's own characters: ASCII `:` `,` `?` in a capture stay "
        "ASCII (they are an artefact of the capture, and normalising them would make the text disagree with "
        "the raw offsets). Use NFKC only to build match keys. Offsets are code points into "
        "`raw_texts.raw_text`.",
        "- Headings: standalone short lines without sentence-final punctuation, and numbered styles (一、, "
        "（一）, 1., 第一章). Lead sentences: a short first sentence without clause punctuation, where at least "
        "two paragraphs of a section open that way.",
        "- Research layers (`enrich` stage): quoted expressions with numbered formulations (`terms`, "
        "`term_occurrences`; numbers read by the package's own Chinese-numeral parser), titles cited in 《》 "
        "(`citations`, kind from rules kept as data; `title_key` groups one document however it is cited: "
        "without 中华人民共和国 and drafting markers such as （草案）, a shorthand linked to the full title it stands "
        "for in the same article), figures with unit and counted thing (`figures`: `amount` always in the base "
        "unit of one vocabulary, 亿元 and 万亿元 in 元, ％ as %, the printed unit and multiplier in `unit_text` and "
        "`multiplier`), officials with positions (`officials`), and near-duplicate clusters (MinHash over "
        f"character shingles of the body; {_near_duplicates(release)}).",
        "- Layer precision, checked by hand on seeded samples of 50 rows of the 285-capture shared-corpus build "
        f"(`evaluation/layer_samples.md`): {LAYER_PRECISION}.",
        "## Uses",
        "- **Intended.** Counting and comparing political formulations, tracing cited documents, studying "
        "credits and institutional communication, training and evaluating Chinese NLP on official prose.",
        "- **Not intended.** Inferring facts about private persons; treating a capture as the authoritative "
        "text of a law or report (check the official source).",
        "- **Errors and noise.** Extraction rules are heuristic; documents with `capture_format = 'generic'` "
        "were parsed without format rules and have best-effort titles and dates.",
        evaluation_section(settings),
        "## Distribution",
        f"- **License.** {d.license} ({d.license_url}). {d.license_note}",
        "- **Files.** `<table>.parquet` (typed, with field descriptions in the Arrow metadata), "
        "`csv/<table>.csv` (UTF-8 with BOM, list columns as JSON arrays, empty cell = null; `raw_texts` cells "
        "can exceed Excel's 32,767-character cell limit: see below), `manifest.json` (every file "
        "with SHA-256, bytes and rows; versions of the package and its key dependencies), `SHA256SUMS` "
        "(`sha256sum -c SHA256SUMS`), `datapackage.json` (Frictionless), `croissant.json` (Croissant 1.0 with "
        "RAI fields), `README.md` (Hugging Face dataset card), `CITATION.cff`, `CHANGELOG.md`.",
        "- **Download.** `renda download --base-url URL --dest DIR` verifies every file against the "
        "manifest's SHA-256; a partial download (`--tables`, `--format`) leaves `datapackage.json`, "
        "`croissant.json` and `SHA256SUMS` describing only the files fetched, beside the published "
        "`manifest.json`. `dvc get` and `dvc import` fetch release files from the project repository.",
        f"- **Cite.**\n\n```bibtex\n{bibtex(settings)}\n```",
        csv_section(csv_over_limit or Counter(), csv_formula_like or Counter()),
        "## Maintenance",
        "Maintainers add captures to `data/raw/` and run `dvc repro`; each release carries its version, "
        "package version and code tree. Report problems in the project's issue tracker.",
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
    provenance_rows = (
        f"| `{_cell(s['source_file'])}` | {s['entry_kind']} | {_or_dash(s['n_bytes'])} | "
        f"{_or_dash(s['raw_sha256'], code=True)} |"
        for s in iter_rows(release / "sources.parquet")
    )
    parts.append(
        "## Provenance\n\n| raw file | kind | bytes | sha256 |\n|---|---|---:|---|\n"
        + "\n".join(provenance_rows)
    )
    return "\n\n".join(parts) + "\n"
