"""What a capture format is, as data: its signature, chrome markers, header rules and how lines form blocks.

A format module only fills in a `CaptureFormat`; the parser (`pipeline/parser.py`) is the same for all of them.
That way a reader finds where a raw line is dropped (a marker here), and adding a format adds data, not branches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pipeline.text import match_key

BlockMode = Literal["line", "blank_line"]


@dataclass(frozen=True)
class Chrome:
    """Platform lines that are not article content, by where they may stand.

    `head` markers are dropped only before the body starts, `tail` markers only after it ends, and `anywhere`
    markers wherever they are. Markers compare by `match_key` (NFKC, no whitespace), so full-width and ASCII
    punctuation variants are one marker.
    """

    head: frozenset[str] = frozenset()
    tail: frozenset[str] = frozenset()
    anywhere: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()

    @staticmethod
    def of(
        head: tuple[str, ...] = (),
        tail: tuple[str, ...] = (),
        anywhere: tuple[str, ...] = (),
        patterns: tuple[str, ...] = (),
    ) -> Chrome:
        return Chrome(
            head=frozenset(map(match_key, head)),
            tail=frozenset(map(match_key, tail)),
            anywhere=frozenset(map(match_key, anywhere)),
            patterns=tuple(re.compile(p) for p in patterns),
        )

    def where(self, line_text: str) -> str | None:
        """'head', 'tail' or 'anywhere' if the line is chrome, else None."""
        key = match_key(line_text)
        if key in self.anywhere or any(p.search(line_text) for p in self.patterns):
            return "anywhere"
        if key in self.head:
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

    def match(self, line_text: str, fields: Mapping[str, str | None]) -> dict[str, str] | None:
        if self.repeat_of is not None:
            value = fields.get(self.repeat_of)
            return {} if value is not None and match_key(value) == match_key(line_text) else None
        assert self.pattern is not None
        found = self.pattern.fullmatch(line_text)
        if found is None:
            return None
        return {k: v.strip() for k, v in found.groupdict().items() if v is not None and v.strip()}


@dataclass(frozen=True)
class CaptureFormat:
    """One capture format. `signature` markers identify it; `min_signature` of them must be present."""

    name: str
    description: str
    block_mode: BlockMode
    chrome: Chrome
    header_rules: tuple[HeaderRule, ...]
    signature: tuple[str, ...] = ()
    min_signature: int = 1
    related: re.Pattern[str] | None = None
    # Lines joined inside one block: "" for Chinese soft wraps.
    joiner: str = ""
    extra_detector: Callable[[str], float] | None = field(default=None, compare=False)

    def detect(self, text: str) -> float:
        """Score in [0, 1]: the share of signature markers found among the text's lines."""
        if self.extra_detector is not None:
            return self.extra_detector(text)
        if not self.signature:
            return 0.0
        keys = {match_key(line) for line in text.splitlines() if line.strip()}
        hits = sum(match_key(marker) in keys for marker in self.signature)
        return hits / len(self.signature) if hits >= self.min_signature else 0.0
