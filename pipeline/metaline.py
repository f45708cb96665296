"""A meta line: one line that holds only the article's date, its credits and the page's controls.

Pages and papers print their header fields on one line in many arrangements: `2019年06月15日08:18  来源：人民网-文化频道`,
`发布日期：2016-11-22 浏览次数： 信息来源：省发改委`, `时间：2019-09-18 06:23 来源： 山西日报 打印 字体： 放大 正常 缩小 分享`,
`2023-02-24 15:15:00来源: 新华社`, `来源：本站原创  作者：医技药剂党支部`. One grammar reads them all: a date (with or without
a time, with or without its label), labelled credits whose value runs to the next label or control, and page
controls (`字号`, `打印`, `分享到`, counters), in any order. A line with anything else (a sentence, a name without a
label) is not a meta line, so body text is never read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import rules
from pipeline.dates import CHINESE_CLOCK, SPACED_DATE, find_date

# A date with its optional label and time: `发布时间：2019-12-10 07:57:40`, `2019年06月15日08:18`.
DATE_LABELS = ("发布时间", "发布日期", "发表时间", "发表日期", "更新时间", "时间", "日期", "发布于", "发表于")
_DATE_TIME = re.compile(
    rf"(?:(?:{'|'.join(DATE_LABELS)})\s*[:：]?\s*)?(?P<date>{SPACED_DATE})\s*(?:{CHINESE_CLOCK})?"
)
# Page controls printed in the header bar: font size, print, share, favourites, counters.
CONTROL_WORDS = frozenset(
    (
        "字号",
        "字体",
        "调整字体",
        "调整字号",
        "字体大小",
        "超大",
        "大",
        "中",
        "小",
        "标准",
        "默认",
        "加大",
        "减小",
        "还原",
        "放大",
        "正常",
        "缩小",
        "打印",
        "打印本页",
        "关闭",
        "关闭窗口",
        "分享",
        "分享到",
        "收藏",
        "纠错",
        "评论",
        "浏览",
        "浏览次数",
        "点击",
        "点击数",
        "点击量",
        "阅读",
        "阅读量",
        "阅读数",
        "访问量",
        "次",
        "人次",
        "我要打印",
        "我要纠错",
        "手机版",
        "复制链接",
        "标签",
        "关键词",
        "相关标签",
        "A",
        "A+",
        "A-",
    )
)  # fmt: skip
_CONTROL_LABEL = re.compile(r"[【\[]?(?P<word>[^\s:：【】\[\]]+)[】\]]?\s*[:：]?\s*(?P<count>\d*)")
# Labels of a page's other header fields, read (so the line is a meta line) but not kept as credits.
OTHER_LABELS = ("所属分类", "所属栏目", "分类", "栏目", "文章分类", "发布机构", "发布单位", "责任单位")
_LABEL = re.compile(rf"(?P<label>{'|'.join(OTHER_LABELS)}|{rules.CREDIT_LABEL_PATTERN})\s*[:：]\s*")
# A value ends at two spaces or a control word; one of at most this many characters is a credit.
VALUE_MAX_CHARS = 40


@dataclass(frozen=True)
class Credit:
    label: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class MetaLine:
    date: str | None
    credits: tuple[Credit, ...]


def _is_control(token: str) -> bool:
    found = _CONTROL_LABEL.fullmatch(token)
    return found is not None and found["word"] in CONTROL_WORDS


# Marks that separate the fields of a header bar (`来源：新华社 | 发布时间：2018-05-17 | 浏览次数：2168`): a value
# ends at one, and one alone is nothing.
FIELD_SEPARATORS = "|｜丨"
_SEPARATOR = re.compile(f"[{FIELD_SEPARATORS}]")
# A counter printed after its control word (`浏览次数: 2168`, `阅读 1.2万`).
_COUNT = re.compile(r"\d[\d,.]*万?")


def _controls_only(text: str) -> bool:
    """Whether `text` holds only control words, their counters and field separators."""
    previous_is_control = False
    for token in _SEPARATOR.sub(" ", text).split():
        if _is_control(token):
            previous_is_control = True
        elif previous_is_control and _COUNT.fullmatch(token):
            previous_is_control = False
        else:
            return False
    return True


# A line of page controls alone: `【纠错】`, `+1`, a pager `【1】【2】【3】【4】`, `[打印] [关闭]`, `字号：大 中 小`.
_CONTROL_TOKEN = re.compile(r"[【\[](?P<inner>[^】\]]{1,8})[】\]]|(?P<bare>[^\s【】\[\]:：]+)")
_COUNTER = re.compile(r"[+＋]?\d{1,4}")
CONTROL_LINE_MAX_CHARS = 40


def is_control_line(text: str) -> bool:
    """Whether the line holds page controls only (bracketed or bare control words, page numbers, counters)."""
    text = text.strip()
    if not text or len(text) > CONTROL_LINE_MAX_CHARS:
        return False
    if text.count("【") != text.count("】") or text.count("[") != text.count("]"):
        text = text.strip("【】[]")  # a control bar the capture broke over lines: `【字体：` / `大` / `小】`
    for token in _CONTROL_TOKEN.finditer(text):
        word = (token["inner"] or token["bare"]).strip().rstrip(":：")
        if word not in CONTROL_WORDS and not _COUNTER.fullmatch(word):
            return False
    return _CONTROL_TOKEN.sub("", text).strip(" \t:：") == ""


def read_meta_line(text: str) -> MetaLine | None:
    """The date and credits of a meta line, or None when `text` holds anything else."""
    date = None
    found = _DATE_TIME.search(text)
    spans: list[tuple[int, int]] = []
    if found is not None:
        date = find_date(found["date"])
        if date is None:
            return None
        spans.append(found.span())
    credits: list[Credit] = []
    other = False
    labels = [m for m in _LABEL.finditer(text) if not _inside(m.start(), spans)]
    for position, label in enumerate(labels):
        end = labels[position + 1].start() if position + 1 < len(labels) else len(text)
        if found is not None and label.end() <= found.start() < end:
            end = found.start()
        value_start = label.end()
        value, value_end = _value(text, value_start, end)
        spans.append((label.start(), value_end))
        if value and label["label"] not in OTHER_LABELS:
            credits.append(Credit(label["label"], value, label.start(), value_end))
        elif value:
            other = True
    if date is None and not credits and not other:
        return None
    rest = _outside(text, spans)
    if not _controls_only(rest):
        return None
    return MetaLine(date, tuple(credits))


def _value(text: str, start: int, end: int) -> tuple[str, int]:
    """A credit's value from `start`: up to `end`, two spaces, a field separator or the first control word; (value,
    its end)."""
    segment = text[start:end]
    cut = re.search(rf"\s{{2,}}|\u3000|[{FIELD_SEPARATORS}]", segment)
    if cut is not None:
        segment = segment[: cut.start()]
    kept: list[re.Match[str]] = []
    for token in re.finditer(r"\S+", segment):
        if _is_control(token.group(0)):
            break
        kept.append(token)
    if not kept:
        return "", start
    value = segment[kept[0].start() : kept[-1].end()]
    if len(value) > VALUE_MAX_CHARS:
        return "", start
    return value, start + kept[-1].end()


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _outside(text: str, spans: list[tuple[int, int]]) -> str:
    kept = []
    position = 0
    for start, end in sorted(spans):
        kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    return " ".join(kept)
