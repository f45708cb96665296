"""What a capture format is, as data: its signature, chrome markers, header rules and how lines form blocks.

A format folder only fills in a `CaptureFormat`; the parser (`pipeline/parser.py`) is the same for all of them.
That way a reader finds where a raw line is dropped (a marker here), and adding a format adds data, not branches.
An option lives here only when two formats or more set it; what one capture layout alone shows is a marker or a
header rule of its format, read by the same code as every other marker and rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline import rules
from pipeline.dates import DATE
from pipeline.text import match_key

_PLATFORM_KEYS = frozenset(map(match_key, rules.PLATFORM_CHROME))

# How lines form blocks: `line`, one paragraph per line; `markdown`, the lines are markdown (decoration stripped,
# `#` and bold headings, images, bullets, hard breaks) and a blank line or a hard break ends a paragraph;
# `markdown_indented_code`, the same, and lines indented four spaces after a blank line are CommonMark indented
# code, as html2text writes preformatted text. Plain `markdown` leaves that out: plain text indents paragraphs so.
BlockMode = Literal["line", "markdown", "markdown_indented_code"]

# A header line shared by several formats: `【栏目】标题`, the column optional.
COLUMN_TITLE = r"(?:【(?P<column>[^【】]{1,40})】)?(?P<title>.+)"


@dataclass(frozen=True)
class Chrome:
    """Platform lines that are not article content, by where they may stand.

    `head` markers are dropped only before the body starts, `tail` markers only after it ends, and `anywhere`
    markers wherever they are. Markers compare by `match_key` (NFKC, no whitespace), so full-width and ASCII
    punctuation variants are one marker.

    Two kinds of platform line need more than the line itself: `breadcrumb` separators (`>` alone on a line,
    compared as written) make a breadcrumb at the head, the separator lines and the short items beside them
    (`首页` `>` `政府信息公开`); and a `related` line, the platform's list of other articles below the body
    (`【栏目】标题`), is not content either but is kept, as a `related` record, when it stands below tail chrome.
    """

    head: frozenset[str] = frozenset()
    tail: frozenset[str] = frozenset()
    anywhere: frozenset[str] = frozenset()
    head_patterns: tuple[re.Pattern[str], ...] = ()
    breadcrumb: frozenset[str] = frozenset()
    # Named groups `column` and `title`: the fields of a `related` record.
    related: re.Pattern[str] | None = None

    @staticmethod
    def of(
        head: tuple[str, ...] = (),
        tail: tuple[str, ...] = (),
        anywhere: tuple[str, ...] = (),
        head_patterns: tuple[str, ...] = (),
        breadcrumb: tuple[str, ...] = (),
        related: str | None = None,
    ) -> Chrome:
        return Chrome(
            head=frozenset(map(match_key, head)),
            tail=frozenset(map(match_key, tail)),
            anywhere=frozenset(map(match_key, anywhere)),
            head_patterns=tuple(re.compile(p) for p in head_patterns),
            breadcrumb=frozenset(breadcrumb),
            related=re.compile(related) if related is not None else None,
        )

    def where(self, line_text: str) -> str | None:
        """'head', 'tail' or 'anywhere' if the line is chrome, else None."""
        key = match_key(line_text)
        if key in _PLATFORM_KEYS or key in self.anywhere:
            return "anywhere"
        if key in self.head or any(p.fullmatch(line_text.strip()) for p in self.head_patterns):
            return "head"
        if key in self.tail:
            return "tail"
        return None


@dataclass(frozen=True)
class HeaderRule:
    """A header line: a regex whose named groups are document fields (`title`, `column`, `account`, `date`).

    `repeat_of` instead marks a line that repeats an already-read field (the column printed again under the
    title) and is dropped as header.
    """

    name: str
    pattern: re.Pattern[str] | None = None
    repeat_of: str | None = None
    # A repeatable rule may match several lines (account-card lines, tag lines); others match once.
    repeatable: bool = False
    # When the named group `block` matched empty, the value is the next block of lines (`功能介绍` + text).
    block_follows: bool = False
    # The rule applies only once this header field is known (the origin card after `以下文章来源于`).
    requires: str | None = None
    # The rule applies only to an unindented line whose next text line opens with the ideographic paragraph indent
    # (`　　`): in flat newspaper text the headline stack stands unindented above indented paragraphs, so a line
    # there is part of the stack, whatever its wording.
    before_indented: bool = False

    def match(self, line_text: str, fields: Mapping[str, str | None]) -> dict[str, str] | None:
        if self.requires is not None and not fields.get(self.requires):
            return None
        if self.repeat_of is not None:
            value = fields.get(self.repeat_of)
            return {} if value is not None and match_key(value) == match_key(line_text) else None
        assert self.pattern is not None
        found = self.pattern.fullmatch(line_text)
        if found is None:
            return None
        return {k: v.strip() for k, v in found.groupdict().items() if v is not None and v.strip()}


# A date printed anywhere in a header line (2023-02-24, 2025/02/28, 2023年2月24日): formats without a byline.
DATE_RULE = HeaderRule("date", re.compile(rf"(?P<date>{DATE})"))


@dataclass(frozen=True)
class CaptureFormat:
    """One capture format. `signature` markers identify it; `min_signature` of them must be present."""

    name: str
    description: str
    # Place in the registry, and so in the `capture_format` vocabulary of the schemas; the fallback is last.
    order: int
    block_mode: BlockMode
    chrome: Chrome
    header_rules: tuple[HeaderRule, ...]
    signature: tuple[str, ...] = ()
    min_signature: int = 1
    # Regexes whose matches count as signature hits too (e.g. an html2text `javascript:` account link).
    signature_patterns: tuple[re.Pattern[str], ...] = ()
    # Match keys of lines that end the article for certain: from the first one after the head, all is chrome.
    tail_cut: frozenset[str] = frozenset()
    # Best effort for formats without a byline: take the first date found in this many leading lines.
    date_search_lines: int = 0

    @property
    def markdown(self) -> bool:
        """Lines are markdown: strip decoration, read `#` and bold headings, images, bullets, hard breaks."""
        return self.block_mode != "line"

    @property
    def indented_code(self) -> bool:
        return self.block_mode == "markdown_indented_code"

    def detect(self, text: str) -> float:
        """Score in [0, 1]: the share of signature markers found among the text's lines."""
        return self.score(Probe.of(text))

    def score(self, probe: Probe) -> float:
        hits = sum(match_key(marker) in probe.keys for marker in self.signature)
        hits += sum(any(p.search(line) for line in probe.short_lines) for p in self.signature_patterns)
        total = len(self.signature) + len(self.signature_patterns)
        return hits / total if total and hits >= self.min_signature else 0.0


@dataclass(frozen=True)
class Probe:
    """What detectors look at, computed once per text: the non-blank lines among the first and the last ones
    (`rules.PROBE_HEAD_LINES`, `rules.PROBE_TAIL_LINES`), keyed."""

    text: str
    lines: tuple[str, ...]
    keys: frozenset[str]
    # The lines signature patterns are tried on: markers are short lines (a byline, an occasion line), and a
    # pattern with nested lazy groups costs time that grows faster than the line (1 s on one 450 KB HTML line).
    short_lines: tuple[str, ...] = ()

    @staticmethod
    def of(text: str) -> Probe:
        all_lines = text.splitlines()
        probed = all_lines[: rules.PROBE_HEAD_LINES] + all_lines[-rules.PROBE_TAIL_LINES :]
        lines = tuple(line for line in probed if line.strip())
        short = tuple(line for line in lines if len(line) <= rules.SIGNATURE_LINE_MAX_CHARS)
        return Probe(text, lines, frozenset(match_key(line) for line in lines), short)
