"""Figures: a number with its unit and what it counts (`16个代表之家`, `审议报告15个`, `作出决议17项`, `337人次`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from pipeline.layers import Paragraph
from pipeline.numerals import scale_value

# Units and measure words that make a number a figure; dates (年 月 日) and ordinals (第, 届) are not figures.
# A scale before the unit (万, 亿, 万亿, 千万) is not part of it: `62.6万人` is 626000 人, `14.2万亿元` 1.42e13 元.
UNITS: tuple[str, ...] = (
    "人次", "余人", "多人", "千元", "元", "亩", "平方米", "平方公里", "公里", "千米", "米", "吨", "个", "项", "部",
    "件", "次", "名", "人", "家", "所", "条", "篇", "场", "批", "户", "倍", "台", "套", "处", "座", "份", "期", "轮",
    "类", "种", "支", "起", "宗", "笔", "辆", "间", "位", "%", "％", "个百分点",
)  # fmt: skip
# Printed units stored as a base unit times a factor, so every amount of money is in 元 and every share in %.
BASE_UNITS: dict[str, tuple[str, int]] = {"千元": ("元", 1000), "％": ("%", 1)}
_UNITS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# Not after a digit, a letter, `%` (URL escapes such as %2536), or 表/图/第 (`表3所示` is table 3);
# not before a letter, digit or markup (`20%"`, `1.93%</p>`).
FIGURE = re.compile(
    rf"(?<![0-9.%A-Za-z_=表图第])(?P<number>\d+(?:\.\d+)?)(?P<scale>[百千]?[万萬亿億]+)?(?P<unit>{_UNITS})"
    r"(?![0-9A-Za-z\"'<])"
)
# float64 holds every integer up to 2^53 (≈ 9.007e15) exactly; a larger amount (no government figure in 元 or
# in people comes near it: a digit string such as an ID number) is not emitted rather than stored rounded.
MAX_EXACT_AMOUNT = 2**53
# What is counted stands after the unit (`16个代表之家`) or before the number (`审议报告15个`).
THING_AFTER = re.compile(r"[\u4e00-\u9fff]{2,14}")
THING_BEFORE = re.compile(r"[\u4e00-\u9fff]{2,20}$")
# Words of change or comparison that end the phrase before a number (`优良率超84%`, `增加值突破3000亿元`).
TRAILING_CHANGE = re.compile(
    r"(?:同比|比上年|年均)?(?:增长|下降|提高到|提高|提升至|提升|增加|减少|突破|达到|达|超过|超|约|近|为|至|不低于|不少于|"
    r"以上|左右|累计|分别|共计|合计)+$"
)
# A date's last character left before the phrase (`2024年11月漏洞平台推送漏洞…`).
DATE_FRAGMENT = re.compile(r"^[年月日号]")
# Words that open a phrase before a figure without being the counted thing.
LEADING_WORDS = ("作出", "指导建成", "建成", "开展", "完成", "组织", "收集", "办理", "听取", "制定", "任免",
                 "修订", "召开", "举办", "推动", "实现", "新增", "累计", "共", "对", "全年", "达到")  # fmt: skip
# Time phrases that open a phrase (`过去五年`, `近3年来`, `今年以来`).
LEADING_TIME = re.compile(
    r"^(?:(?:过去|近)?[一二三四五六七八九十两\d]+年(?:来|以来|间|内|中)?|今年以来|今年|去年|全年|年内)"
)
# A verb ends the counted thing after a unit (`13部法规开展执法检查` counts 法规).
VERBS_AFTER = re.compile(
    r"开展|进行|实施|实现|覆盖|参与|提出|完成|办理|建设|推动|得到|获得|通过|列入|纳入|接受|形成|解决|进入|升格|"
    r"达到|提升|提质|升级|增长|下降|建成|开放|投入|落地|入选|获批|认定|和|及|与|等|的|中|在|是|为|被|将|"
    r"分别|同比|以上|以下"
)
NOT_THINGS = ("以上", "左右", "以下", "以内", "之多", "多", "余")


@dataclass(frozen=True)
class Figure:
    """A figure: its value in the base unit (scales folded in), that unit, what it counts, its span in the text."""

    value: float
    unit: str
    counted: str | None
    text_start: int
    text_end: int


def _strip_leading(phrase: str) -> str:
    phrase = LEADING_TIME.sub("", phrase) or phrase
    changed = True
    while changed:
        changed = False
        for word in LEADING_WORDS:
            if phrase.startswith(word) and len(phrase) > len(word) + 1:
                phrase = phrase[len(word) :]
                changed = True
    return phrase


# Style sheets and HTML attributes copied into a capture (`margin: 5px 0%;`) hold numbers that are not figures.
MARKUP_CONTEXT = re.compile(r"\d(?:px|em|pt)\b|style=|width=|height=|margin|padding|font-|color:|[{}]|=\"")
MARKUP_WINDOW = 16


def amount(number: str, scale: str, unit: str) -> tuple[float, str] | None:
    """The printed number in the base unit (`14.2`, `万亿`, `元` → 1.42e13, `元`; `5`, ``, `千元` → 5000, `元`;
    `5`, ``, `％` → 5, `%`); None when the scale is not one or the amount is beyond exact float64 integers."""
    factor = scale_value(scale)
    if factor is None:
        return None
    base, unit_factor = BASE_UNITS.get(unit, (unit, 1))
    value = Fraction(number) * factor * unit_factor  # exact; float() then rounds once, correctly
    if value > MAX_EXACT_AMOUNT:
        return None
    return float(value), base


def figures(paragraph: Paragraph) -> Iterator[Figure]:
    """Each figure of the paragraph, in order; its amount in the base unit, its printed form in the span."""
    text = paragraph.text
    for match in FIGURE.finditer(text):
        window = text[max(0, match.start() - MARKUP_WINDOW) : match.end() + MARKUP_WINDOW]
        if MARKUP_CONTEXT.search(window):
            continue
        measured = amount(match["number"], match["scale"] or "", match["unit"])
        if measured is None:
            continue
        value, unit = measured
        start, end = match.start(), match.end()
        counted = None
        after = THING_AFTER.match(text, end)
        if after and unit not in ("%", "个百分点", "倍") and not after.group(0).startswith(NOT_THINGS):
            thing = after.group(0)
            verb = VERBS_AFTER.search(thing)
            if verb is not None:
                thing = thing[: verb.start()]
            if len(thing) >= 2:
                counted, end = thing, end + len(thing)
        if counted is None:
            # A window, not the whole prefix: searching from 0 for an end-anchored run made long paragraphs
            # quadratic; the run is at most 20 characters, so the match is the same.
            before = THING_BEFORE.search(text, max(0, start - 20), start)
            if before:
                phrase = re.split(r"[，,。；;、：:（(]", before.group(0))[-1]
                phrase = DATE_FRAGMENT.sub("", phrase)
                phrase = TRAILING_CHANGE.sub("", phrase) or phrase
                phrase = _strip_leading(phrase)
                if len(phrase) >= 2 and phrase not in LEADING_WORDS:
                    counted = phrase
                    # from where the phrase stands: words of change trimmed off its end stay in the span
                    start = text.rfind(phrase, 0, start)
        yield Figure(value, unit, counted, start, end)
