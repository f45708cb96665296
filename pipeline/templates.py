"""Template lines learned from the corpus: page furniture found by counting, not by a rule per site.

A site's name, its breadcrumb, a footer or a follow prompt is printed on every page of the site. Grouped by
*origin* (the container file of a container row, else the folder of the file), a short line that recurs at the
same end (head or tail) of enough distinct documents of one origin is furniture: the `templates` stage learns
those lines, the parser drops them first, and the release lists them (`templates` table).

Counting streams: an origin holds a counter of line keys and one small fingerprint per distinct document, never
the documents. A line counts once per document, and once per *distinct* document: copies of one article (the
same capture twice, a repost with another header) share their longest line, so they count once and cannot make
each other's paragraphs look like furniture. Long lines are prose and never counted. Everything is sorted, so
the same inputs give the same rows.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pipeline import rules
from pipeline.dates import find_date
from pipeline.formats.base import CaptureFormat
from pipeline.parser import Row, is_credit_line, read_rows
from pipeline.text import ends_sentence, match_key, nfc

HEAD, TAIL = "head", "tail"
ZONES = (HEAD, TAIL)
# Digits in any script after NFKC: `点击数：123` and `点击数：456` are one line, so are dated footers.
_DIGITS = re.compile(r"\d+")
DIGIT_PLACEHOLDER = "#"


@dataclass(frozen=True)
class TemplateParams:
    """The thresholds of `templates:` in params.yaml (see `pipeline.settings.TemplateSettings`)."""

    min_documents: int = 3
    min_share: float = 0.25
    min_origin_documents: int = 4
    max_line_chars: int = 40
    window: int = 12


def line_key(text: str) -> str:
    """The key two printings of one furniture line share: `match_key` (NFKC, no whitespace, casefolded,
    simplified) with every run of digits one placeholder."""
    return _DIGITS.sub(DIGIT_PLACEHOLDER, match_key(text))


def origins_of(source_file: str, source_row: int | None) -> tuple[str, ...]:
    """Where a document came from, as far as templates go: the folder of its file (`.` for the raw folder
    itself) and, for a container row, also the container file (the rows of one export share a site). A
    document counts in each, so a folder of one-row exports learns what its files share."""
    folder = posixpath.dirname(source_file) or "."
    return (folder,) if source_row is None else (source_file, folder)


def row_text(row: Row) -> str:
    """What a line reads as (markup removed where the format has markup), for its key and its printed form."""
    return row.md.text or row.line.text


# What a catch-all header rule reads from almost any short line (generic and HTML captures): matching one of
# these alone does not make a line the header rules'. Any other header rule that matches a line (a date, an
# account, a byline, an intro block, a `发表于` line) keeps it for the header rules, so no field is lost.
TITLE_FIELDS = frozenset({"title", "kicker", "subtitle"})


def reads_header(text: str, fmt: CaptureFormat) -> bool:
    """Whether a header rule of the format (other than a catch-all title rule) reads this line."""
    for rule in fmt.header_rules:
        found = rule.match(text, {})
        if found is not None and not (found and set(found) <= TITLE_FIELDS):
            return True
    return False


def may_be_template(row: Row, fmt: CaptureFormat, max_chars: int) -> bool:
    """Whether a line can be furniture at all. Not: markup alone, a long line (prose), a line of one character,
    a heading (by its markup or its numbering: a report series repeats its headings), a sentence or a label
    ending in a colon (a series repeats its sentences with new numbers), a line that dates the document, credits
    someone or names its account (the header and credit rules read it)."""
    text = row_text(row)
    if row.blank or not row.md.text or len(text) > max_chars or len(line_key(text)) < 2:
        return False  # markup alone (an image, a rule, a fence) is the parser's, and so is a long line
    if match_key(row.line.text) in fmt.tail_cut:
        return False  # the format's end-of-article marker: the tail cut needs to see it
    if row.md.heading_level or row.md.bold_only or row.md.fence or row.md.code or _numbered(text):
        return False
    if ends_sentence(text) or text.endswith(("：", ":")):
        return False  # a sentence, or a label that introduces what follows: text of the article
    if find_date(text) is not None or is_credit_line(row):
        return False  # it dates the document or credits someone: the header and credit rules read it
    return not (reads_header(text, fmt) or reads_header(row.line.text, fmt))


def _numbered(text: str) -> bool:
    style = rules.heading_style(text)
    return style is not None and style != rules.BARE_STYLE


def windows(rows: list[Row], window: int) -> Iterator[tuple[str, int]]:
    """(zone, row index) of the first and the last `window` non-blank rows; a row of a short document can be in
    both zones."""
    filled = [index for index, row in enumerate(rows) if not row.blank]
    for index in filled[:window]:
        yield HEAD, index
    for index in filled[-window:]:
        yield TAIL, index


def fingerprint(rows: list[Row]) -> bytes:
    """What copies of one article share: the key of its longest line (first of equals), hashed. Distinct
    articles differ in it; a template line is never the longest line of an article."""
    longest = ""
    for row in rows:
        text = row_text(row)
        if not row.blank and len(text) > len(longest):
            longest = text
    return hashlib.blake2b(line_key(longest).encode("utf-8"), digest_size=12).digest()


def document_lines(rows: list[Row], fmt: CaptureFormat, params: TemplateParams) -> set[tuple[str, str, str]]:
    """The (zone, key, printed line) of one document's lines that may be furniture (`may_be_template`), in a
    window."""
    found: set[tuple[str, str, str]] = set()
    for zone, index in windows(rows, params.window):
        row = rows[index]
        if may_be_template(row, fmt, params.max_line_chars):
            text = row_text(row)
            found.add((zone, line_key(text), nfc(text)))
    return found


# What one document adds to the counts: its fingerprint and its (zone, key, printed line) that may be furniture.
DocumentCounts = tuple[bytes, frozenset[tuple[str, str, str]]]


def document_counts(text: str, fmt: CaptureFormat, params: TemplateParams) -> DocumentCounts:
    """What one document adds to its origins' counts. Pure: it reads only the text, the format and `window` and
    `max_line_chars` of `params` (the thresholds are the learner's alone), so the stage can cache it."""
    rows = read_rows(text, fmt)
    return fingerprint(rows), frozenset(document_lines(rows, fmt, params))


@dataclass
class OriginCounts:
    """One origin's counts: distinct documents seen (by fingerprint) and, per (zone, key), in how many of them
    the line stands and how it was printed."""

    fingerprints: set[bytes] = field(default_factory=set)
    documents: Counter[tuple[str, str]] = field(default_factory=Counter)
    forms: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)

    def add(self, print_: bytes, lines: Iterable[tuple[str, str, str]]) -> bool:
        """Count one document's lines, unless a copy of it was counted already (then False)."""
        if print_ in self.fingerprints:
            return False
        self.fingerprints.add(print_)
        keys: set[tuple[str, str]] = set()
        for zone, key, text in lines:
            if (zone, key) not in keys:  # one document counts a line once, however it is printed
                keys.add((zone, key))
                self.documents[(zone, key)] += 1
            self.forms.setdefault((zone, key), Counter())[text] += 1
        return True


@dataclass
class TemplateLearner:
    """Counts documents as they stream past, then gives the learned lines as `templates` rows."""

    params: TemplateParams = field(default_factory=TemplateParams)
    origins: dict[str, OriginCounts] = field(default_factory=dict)
    copies: int = 0  # (origin, document) pairs not counted because a copy of the document was

    def add(self, origins: tuple[str, ...], text: str, fmt: CaptureFormat) -> None:
        self.add_counted(origins, document_counts(text, fmt, self.params))

    def add_counted(self, origins: tuple[str, ...], counted: DocumentCounts) -> None:
        """Count one document from what `document_counts` found in it (a cached result, or a fresh one)."""
        print_, lines = counted
        for origin in origins:
            if not self.origins.setdefault(origin, OriginCounts()).add(print_, lines):
                self.copies += 1

    def rows(self) -> list[dict[str, object]]:
        """The learned lines, sorted by origin, zone and line: every line of an origin of at least
        `min_origin_documents` distinct documents that recurs in `min_documents` of them (and `min_share`)."""
        learned: list[dict[str, object]] = []
        for origin in sorted(self.origins):
            counts = self.origins[origin]
            size = len(counts.fingerprints)
            if size < self.params.min_origin_documents:
                continue
            need = max(self.params.min_documents, self.params.min_share * size)
            for (zone, key), n in counts.documents.items():
                if n >= need:
                    forms = counts.forms[(zone, key)]
                    line = min(forms, key=lambda text: (-forms[text], text))  # most common, ties by text
                    learned.append(
                        {
                            "origin": origin,
                            "zone": zone,
                            "line": line,
                            "n_documents": n,
                            "n_origin_documents": size,
                        }
                    )
        return sorted(learned, key=lambda row: (row["origin"], row["zone"], row["line"]))


@dataclass(frozen=True)
class Furniture:
    """The learned keys of one origin, by zone: what the parser drops first."""

    head: frozenset[str] = frozenset()
    tail: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.head or self.tail)

    def as_json(self) -> str:
        """Canonical JSON of these keys: part of the cache key of a document parsed with them."""
        return json.dumps({HEAD: sorted(self.head), TAIL: sorted(self.tail)}, ensure_ascii=False)

    def has(self, zone: str, key: str) -> bool:
        return key in (self.head if zone == HEAD else self.tail)


NO_FURNITURE = Furniture()


@dataclass(frozen=True)
class Templates:
    """Every origin's furniture, read from the `templates` rows; shipped to the parser's workers."""

    by_origin: dict[str, Furniture] = field(default_factory=dict)
    window: int = TemplateParams.window
    max_line_chars: int = TemplateParams.max_line_chars

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, object]], window: int, max_line_chars: int) -> Templates:
        keys: dict[str, dict[str, set[str]]] = {}
        for row in rows:
            zones = keys.setdefault(str(row["origin"]), {HEAD: set(), TAIL: set()})
            zones[str(row["zone"])].add(line_key(str(row["line"])))
        return cls(
            {origin: Furniture(frozenset(z[HEAD]), frozenset(z[TAIL])) for origin, z in keys.items()},
            window,
            max_line_chars,
        )

    def settings_json(self) -> dict[str, object]:
        """What every parse reads from these templates besides its own origins' lines (`of(...).as_json()`, keyed
        per document): part of parse's cache key, so learning a line for one origin re-parses that origin's
        documents only."""
        return {"window": self.window, "max_line_chars": self.max_line_chars}

    def of(self, origins: tuple[str, ...]) -> Furniture:
        """The furniture of a document from these origins (its container's and its folder's together)."""
        found = [self.by_origin[origin] for origin in origins if origin in self.by_origin]
        if len(found) <= 1:
            return found[0] if found else NO_FURNITURE
        return Furniture(
            frozenset().union(*(f.head for f in found)), frozenset().union(*(f.tail for f in found))
        )


def template_rows(
    rows: list[Row],
    fmt: CaptureFormat,
    furniture: Furniture,
    window: int,
    max_chars: int,
    keep: Iterable[str] = (),
) -> list[int]:
    """Indices of the rows to drop as template lines: in a window, with a key learned for that zone, a line that
    may be furniture (the same test as when counting), and not a key of `keep` (the document's title). Rows in
    the middle of the document are never template lines."""
    if not furniture:
        return []
    kept = {line_key(text) for text in keep if text}
    found: set[int] = set()
    for zone, index in windows(rows, window):
        row = rows[index]
        key = line_key(row_text(row))
        if furniture.has(zone, key) and key not in kept and may_be_template(row, fmt, max_chars):
            found.add(index)
    return sorted(found)
