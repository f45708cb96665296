"""Titles cited in 《》, with a normalised key and a kind read from the title's ending (rules as data)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.layers import Paragraph
from pipeline.text import match_key

# 《关于〈…〉的决定》: inner titles use 〈〉; one level of nesting is read.
CITED = re.compile(r"《((?:[^《》〈〉]|〈[^〈〉]*〉){1,120})》")
# Ending → kind, longest ending first wins. Publications are named titles of periodicals and papers.
KIND_ENDINGS: tuple[tuple[str, str], ...] = (
    ("实施细则", "regulation"), ("实施办法", "regulation"), ("管理办法", "regulation"), ("工作规则", "regulation"),
    ("条例", "regulation"), ("规定", "regulation"), ("细则", "regulation"), ("规则", "regulation"),
    ("办法", "regulation"), ("准则", "regulation"), ("制度", "regulation"),
    ("宪法", "law"), ("法", "law"),
    ("意见", "opinion"), ("指导意见", "opinion"),
    ("措施", "measure"), ("举措", "measure"),
    ("规划", "plan"), ("计划", "plan"), ("方案", "plan"), ("纲要", "plan"), ("要点", "plan"),
    ("决定", "decision"), ("决议", "decision"),
    ("通知", "notice"), ("通告", "notice"), ("公告", "notice"),
    ("报告", "report"), ("白皮书", "report"),
    ("讲话", "speech"), ("重要讲话", "speech"),
    ("建议", "proposal"), ("议案", "proposal"), ("提案", "proposal"),
    ("杂志", "publication"), ("日报", "publication"), ("晚报", "publication"), ("周刊", "publication"),
    ("月刊", "publication"), ("报", "publication"), ("期刊", "publication"), ("学报", "publication"),
)  # fmt: skip
_ENDINGS = sorted(KIND_ENDINGS, key=lambda item: -len(item[0]))


# Trailing notes that are not part of the document type: `（草案）`, `(2024年版)`, `修订稿`, `征求意见稿`.
TRAILING_NOTES = re.compile(r"(?:[（(][^（）()]*[）)]|草案|修订稿|征求意见稿|送审稿|\s)+$")


def citation_kind(title: str) -> str:
    stripped = TRAILING_NOTES.sub("", title) or title
    for ending, kind in _ENDINGS:
        if stripped.endswith(ending):
            return kind
    return "other"


def normalize_title(title: str) -> str:
    return match_key(title.replace("〈", "《").replace("〉", "》"))


def citations(paragraph: Paragraph) -> Iterator[tuple[str, int, int]]:
    """(title, start, end) of each 《title》, offsets of the title inside the brackets."""
    for match in CITED.finditer(paragraph.text):
        if match.group(1).strip():
            yield match.group(1), match.start(1), match.end(1)
