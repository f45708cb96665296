"""`renda evaluate`: a release measured against hand-annotated gold files, field by field.

Comparison follows the gold set's README: strings compare typography-free (NFKC, no whitespace, no markdown
`*` emphasis, no leading `#`, `_`, `>`); person fields compare as sets of names; a paragraph count matches
within 10 % (at least ±1); a boilerplate line leaks when a paragraph equals it, or begins or ends with it and it has
6 or more characters (as the issue defines a leak: furniture at the start or end of a paragraph; the same words
inside a sentence, `近日,360高级威胁研究院监测到…` for the footer line `360 高级威胁研究院`, are the text's own).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.errors import RendaError
from pipeline.fields import BODY_KINDS
from pipeline.text import EDGE_SPACE

HEADER_FIELDS = ("title", "column", "account", "published_date", "source")
PERSON_FIELDS = {"authors": "author", "editors": "editor"}
_SPACES = re.compile(f"[\\s{re.escape(EDGE_SPACE)}]+")
_PEOPLE_SPLIT = re.compile(r"[、,，;；/\s\u00a0\u3000]+")
LEAK_MIN_CHARS = 6


def _leaks(line: str, paragraph: str) -> bool:
    """Whether a boilerplate line (typography-free) stands as the paragraph or at its start or end."""
    if paragraph == line:
        return True
    return len(line) >= LEAK_MIN_CHARS and (paragraph.startswith(line) or paragraph.endswith(line))


def typography_free(value: object) -> str | None:
    """The gold README's comparison key; None stays None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACES.sub("", text).replace("*", "")
    return text.lstrip("#_>")


def people(value: object) -> frozenset[str]:
    """Names as a set: a list holds one name per item (`李  鹤` is one padded name), a string is split."""
    if value is None:
        return frozenset()
    if isinstance(value, list):
        names = {typography_free(item) for item in value if str(item).strip()}
    else:
        names = {typography_free(part) for part in _PEOPLE_SPLIT.split(str(value)) if part.strip()}
    return frozenset(n for n in names if n)


def count_matches(ours: int, gold: int) -> bool:
    return abs(ours - gold) <= max(1, round(gold * 0.1))


@dataclass
class DocumentScore:
    gold_file: str
    found: bool
    layout: str = ""
    fields: dict[str, bool] = field(default_factory=dict)
    headings: tuple[int, int, int] = (0, 0, 0)  # matched, ours, gold
    leaks: list[str] = field(default_factory=list)
    mismatches: dict[str, Any] = field(default_factory=dict)


def _multiset_matches(ours: list[str], gold: list[str]) -> int:
    remaining: dict[str, int] = defaultdict(int)
    for item in gold:
        remaining[item] += 1
    matched = 0
    for item in ours:
        if remaining[item] > 0:
            remaining[item] -= 1
            matched += 1
    return matched


def score_document(
    gold: dict[str, Any],
    document: dict[str, Any] | None,
    sections: list[dict[str, Any]],
    paragraphs: list[dict[str, Any]],
) -> DocumentScore:
    label = gold["file"] + (f"#row{gold['row']}" if "row" in gold else "")
    layout = str(gold.get("format", ""))
    if document is None:
        return DocumentScore(label, found=False, layout=layout)
    score = DocumentScore(label, found=True, layout=layout)

    def check(name: str, ours: object, expected: object, equal: bool) -> None:
        score.fields[name] = equal
        if not equal:
            score.mismatches[name] = {"ours": ours, "gold": expected}

    for name in HEADER_FIELDS:
        ours = document[name].isoformat() if name == "published_date" and document[name] else document[name]
        check(name, ours, gold.get(name), typography_free(ours) == typography_free(gold.get(name)))
    for ours_name, gold_name in PERSON_FIELDS.items():
        check(
            ours_name,
            document[ours_name],
            gold.get(gold_name),
            people(document[ours_name]) == people(gold.get(gold_name)),
        )
    body = [p["text"] for p in paragraphs if p["kind"] in BODY_KINDS]
    check("n_paragraphs", len(body), gold["n_paragraphs"], count_matches(len(body), gold["n_paragraphs"]))
    first = body[0] if body else None
    last = body[-1] if body else None
    check(
        "first_paragraph",
        first,
        gold["first_paragraph"],
        typography_free(first) == typography_free(gold["first_paragraph"]),
    )
    check(
        "last_paragraph",
        last,
        gold["last_paragraph"],
        typography_free(last) == typography_free(gold["last_paragraph"]),
    )
    ours_headings = [typography_free(s["heading"]) for s in sections if s["heading"] is not None]
    gold_headings = [typography_free(h) for h in gold.get("section_headings", [])]
    matched = _multiset_matches(ours_headings, gold_headings)
    score.headings = (matched, len(ours_headings), len(gold_headings))
    if matched != len(ours_headings) or matched != len(gold_headings):
        score.mismatches["headings"] = {
            "extra": [h for h in ours_headings if h not in gold_headings],
            "missing": [h for h in gold_headings if h not in ours_headings],
        }
    all_texts = [typography_free(p["text"]) or "" for p in paragraphs]
    for line in gold.get("boilerplate", []):
        key = typography_free(line) or ""
        if key and any(_leaks(key, t) for t in all_texts):
            score.leaks.append(line)
    return score


def _rows_by_doc(path: Path, columns: list[str], wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for batch in pq.ParquetFile(path).iter_batches(columns=columns):
        for row in batch.to_pylist():
            if row["doc_id"] in wanted:
                grouped[row["doc_id"]].append(row)
    return grouped


def read_split(path: Path, half: str) -> set[str] | None:
    """The gold file names of one half (`dev`, `test`) of a split file; None for `all`."""
    if half == "all":
        return None
    if half not in ("dev", "test"):
        raise RendaError(f"--half {half!r}: choose dev, test or all")
    try:
        split = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RendaError(f"{path}: not a readable gold split ({error})") from None
    names = split.get(half) if isinstance(split, dict) else None
    if not isinstance(names, list):
        raise RendaError(f"{path}: has no {half!r} list of gold files")
    return {str(name) for name in names}


def evaluate(gold_dir: Path, release: Path, only: set[str] | None = None) -> dict[str, Any]:
    """Scores of the gold files (those named in `only`, or all) against the release; summary and details."""
    gold_files = sorted(p for p in gold_dir.glob("*.json") if only is None or p.name in only)
    if not gold_files:
        raise RendaError(f"{gold_dir}: no gold *.json files" + (" of the chosen half" if only else ""))
    if not (release / "documents.parquet").is_file():
        raise RendaError(f"{release}: no documents.parquet (build a release first)")
    golds = [json.loads(path.read_text(encoding="utf-8")) for path in gold_files]
    documents = {
        (row["source_file"], row["source_row"]): row
        for row in pq.read_table(release / "documents.parquet").to_pylist()
    }
    matched_docs = {
        documents[key]["doc_id"] for gold in golds if (key := (gold["file"], gold.get("row"))) in documents
    }
    sections = _rows_by_doc(release / "sections.parquet", ["doc_id", "heading"], matched_docs)
    paragraphs = _rows_by_doc(release / "paragraphs.parquet", ["doc_id", "kind", "text"], matched_docs)
    scores = []
    for gold in golds:
        document = documents.get((gold["file"], gold.get("row")))
        doc_id = document["doc_id"] if document else ""
        scores.append(score_document(gold, document, sections.get(doc_id, []), paragraphs.get(doc_id, [])))
    return summarise(scores)


def layout_summary(scores: list[DocumentScore]) -> dict[str, Any]:
    """One layout's scores in a line: header fields pooled (title … editors), headings F1, paragraph checks."""
    found = [s for s in scores if s.found]
    header_names = [*HEADER_FIELDS, *PERSON_FIELDS]
    header_right = sum(s.fields[name] for s in found for name in header_names)
    matched, ours, gold = (sum(s.headings[i] for s in found) for i in range(3))
    precision = matched / ours if ours else 1.0
    recall = matched / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def share(name: str) -> float:
        return round(sum(s.fields[name] for s in found) / len(scores), 4)

    return {
        "documents": len(scores),
        "found": len(found),
        "header_fields": round(header_right / (len(scores) * len(header_names)), 4),
        "headings_f1": round(f1, 4),
        "n_paragraphs": share("n_paragraphs"),
        "first_paragraph": share("first_paragraph"),
        "last_paragraph": share("last_paragraph"),
        "leaked_lines": sum(len(s.leaks) for s in scores),
    }


def summarise(scores: list[DocumentScore]) -> dict[str, Any]:
    found = [s for s in scores if s.found]
    layouts: dict[str, list[DocumentScore]] = defaultdict(list)
    for score in scores:
        layouts[score.layout].append(score)
    names = [*HEADER_FIELDS, *PERSON_FIELDS, "n_paragraphs", "first_paragraph", "last_paragraph"]
    fields = {
        name: {
            "correct": sum(s.fields[name] for s in found),
            "total": len(scores),
            "share": round(sum(s.fields[name] for s in found) / len(scores), 4),
        }
        for name in names
    }
    matched = sum(s.headings[0] for s in found)
    ours = sum(s.headings[1] for s in found)
    gold = sum(s.headings[2] for s in found)
    precision = matched / ours if ours else 1.0
    recall = matched / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(scores),
        "found": len(found),
        "per_document_summary": [
            {
                "gold_file": s.gold_file,
                "found": s.found,
                "fields": s.fields,
                "headings": {"matched": s.headings[0], "ours": s.headings[1], "gold": s.headings[2]},
                "leaked_lines": len(s.leaks),
            }
            for s in scores
        ],
        "fields": fields,
        "headings": {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "matched": matched,
            "ours": ours,
            "gold": gold,
        },
        "leakage": {
            "documents_with_leaks": sum(bool(s.leaks) for s in scores),
            "leaked_lines": sum(len(s.leaks) for s in scores),
        },
        "by_layout": {name: layout_summary(group) for name, group in sorted(layouts.items())},
        "per_document": [
            {"gold_file": s.gold_file, "found": s.found, "leaks": s.leaks, "mismatches": s.mismatches}
            for s in scores
        ],
    }


def render_table(result: dict[str, Any]) -> str:
    lines = [
        f"gold documents: {result['documents']} (found in release: {result['found']})",
        "",
        f"{'field':<18}{'exact':>8}{'share':>9}",
    ]
    for name, score in result["fields"].items():
        lines.append(f"{name:<18}{score['correct']:>5}/{score['total']:<2}{score['share']:>9.1%}")
    h = result["headings"]
    lines.append(f"{'headings':<18} P {h['precision']:.3f}  R {h['recall']:.3f}  F1 {h['f1']:.3f}")
    leak = result["leakage"]
    lines.append(
        f"{'platform leakage':<18} {leak['leaked_lines']} lines in {leak['documents_with_leaks']} documents"
    )
    lines += [
        "",
        f"{'layout':<20}{'docs':>5}{'found':>6}{'header':>8}{'head F1':>8}{'n_par':>7}"
        f"{'first':>7}{'last':>7}{'leaks':>6}",
    ]
    for name, row in result.get("by_layout", {}).items():
        lines.append(
            f"{name:<20}{row['documents']:>5}{row['found']:>6}{row['header_fields']:>8.0%}{row['headings_f1']:>8.2f}"
            f"{row['n_paragraphs']:>7.0%}{row['first_paragraph']:>7.0%}{row['last_paragraph']:>7.0%}"
            f"{row['leaked_lines']:>6}"
        )
    return "\n".join(lines)


def summary_only(result: dict[str, Any]) -> dict[str, Any]:
    """The scores without any text from the gold files or the captures (safe to commit and publish)."""
    return {key: value for key, value in result.items() if key != "per_document"}
