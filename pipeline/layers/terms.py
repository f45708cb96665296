"""Quoted expressions (“…”, ‘…’, 「…」, 『…』) and numbered formulations (两个确立 → [2], 一府一委两院 → [1, 1, 2])."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipeline.layers import Paragraph
from pipeline.numerals import NUMERAL_RUN, parse_chinese_number

QUOTES: dict[str, str] = {"“": "”", "‘": "’", "「": "」", "『": "』"}
QUOTED = re.compile(
    "|".join(f"{re.escape(o)}([^{re.escape(o + c)}]{{1,80}}){re.escape(c)}" for o, c in QUOTES.items())
)
# A numbered formulation opens with a number: Chinese numerals or digits (两个确立, 四个意识, 1+3, 五子).
NUMBERED_START = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千]")
# Numerals that are part of words, not counts (一些, 一定, 一起 …) do not make a formulation.
NOT_COUNTS = ("一些", "一定", "一切", "一起", "一样", "一直", "一致", "一般", "一旦", "万一", "千万", "统一")
# Place names that open with a numeral (四川云教 is not "four"): a term starting with one is not numbered.
NUMERAL_PLACES = ("四川", "三亚", "三明", "三门峡", "五指山", "六安", "六盘水", "七台河", "八一", "九江", "十堰", "万宁",
                  "万州", "千岛湖", "百色")  # fmt: skip
MAX_FORMULATION_CHARS = 16
# `numbers` is stored as signed 64-bit integers; a numeral beyond that (`一万亿亿亿` is 10^28) is dropped from it.
MAX_NUMBER = 2**63 - 1


def quoted(paragraph: Paragraph) -> Iterator[tuple[str, str, int, int]]:
    """(term, quote style, start, end) of each quoted expression; offsets of the term inside the quotes."""
    for match in QUOTED.finditer(paragraph.text):
        group = next(i for i in range(1, len(QUOTES) + 1) if match.group(i) is not None)
        term = match.group(group)
        if not term.strip():
            continue
        opening = match.group(0)[0]
        yield term, opening + QUOTES[opening], match.start(group), match.end(group)


def numbers_of(term: str) -> list[int]:
    """The counts of a numbered formulation, in order; [] when the term is not one.

    Scales multiply (`五千亿` → [500000000000], `21亿` → [2100000000]); a numeral above 2^63 − 1 is left out,
    because the column is int64 and such a value is a typo or a flourish, not a count."""
    if (
        len(term) > MAX_FORMULATION_CHARS
        or not NUMBERED_START.match(term)
        or term.startswith(NOT_COUNTS)
        or term.startswith(NUMERAL_PLACES)
    ):
        return []
    values = []
    for run in NUMERAL_RUN.finditer(term):
        if term[run.start() :].startswith(NOT_COUNTS):
            continue
        if run["scale"] is not None:  # Arabic with a scale (`21亿`) is one number or none (`1.23456万`)
            whole = parse_chinese_number(run.group(0))
            values.extend([] if whole is None else [whole])
        else:
            values.extend(split_numerals(run.group(0)))
    return [value for value in values if value <= MAX_NUMBER]


def split_numerals(run: str) -> list[int]:
    """A run of numerals as one number, or else as consecutive numbers (`十四五` → [14, 5])."""
    whole = parse_chinese_number(run)
    if whole is not None:
        return [whole]
    for cut in range(len(run) - 1, 0, -1):
        head = parse_chinese_number(run[:cut])
        if head is not None:
            return [head, *split_numerals(run[cut:])]
    return []


def term_rows(paragraphs: list[Paragraph]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Occurrence rows and distinct-term rows (first occurrence, count) for one document."""
    occurrences: list[dict[str, Any]] = []
    for paragraph in paragraphs:
        for term, style, start, end in quoted(paragraph):
            occurrences.append(
                {
                    "paragraph": paragraph,
                    "term": term,
                    "quote_style": style,
                    "text_start": start,
                    "text_end": end,
                }
            )
    distinct: dict[str, dict[str, Any]] = {}
    for occurrence in occurrences:
        entry = distinct.setdefault(occurrence["term"], {"first": occurrence, "n": 0})
        entry["n"] += 1
    terms = []
    for term, entry in distinct.items():
        numbers = numbers_of(term)
        terms.append(
            {
                "term": term,
                "is_numbered": bool(numbers),
                "numbers": numbers,
                "n_occurrences": entry["n"],
                "first": entry["first"],
            }
        )
    return occurrences, terms
