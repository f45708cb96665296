"""Figures: a number with its unit and what it counts (`16个代表之家`, `审议报告15个`, `作出决议17项`, `337人次`).

One unit vocabulary: a figure's `amount` is always in its base unit, whatever was printed. The printed token is
read in three parts, each defined once as data: the number, a Chinese multiplier (万, 亿, 万亿, 千, 百万 … — the
numeral units of `pipeline.numerals`), and a unit from `UNITS`, which maps every printed unit to its base unit,
perhaps per another unit or a span of time (`元/月`). So `2000亿元` and `14.2万亿元` are both in 元 (2e11 and
1.42e13), `5千元` is 5000 元, and `％` is `%`. The span of a figure (`figure_text`) starts and ends at word
boundaries: never inside another number's token, never after the Latin half of a word (`SCI期刊`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from pipeline.layers import Paragraph
from pipeline.numerals import LARGE_UNITS, SMALL_UNITS, scale_value

# Printed unit → base unit. Aliases of one unit share a base (千米 = 公里, 个百分点 = 百分点, 公斤 = 千克,
# 摄氏度 = ℃, 个多月 = 个月). A unit with an SI prefix (千米, 千瓦, 千克) is a unit of its own; a Chinese multiplier
# printed before a unit (千元, 万人, 亿元) is not part of it and is folded into the amount. Different units of one
# quantity (米 and 公里, 亩 and 平方米) are not converted: that is the reader's choice, and 亩 is not exact in 平方米.
# A full-width form (`％`, `／`) is the unit its NFKC form names. Dates (年 月 日) and ordinals (第, 届) are not
# figures; 周 is left out because `75周年` is an anniversary.
UNITS: dict[str, str] = {
    # money
    "元": "元", "美元": "美元", "欧元": "欧元", "港元": "港元", "日元": "日元", "英镑": "英镑", "卢布": "卢布",
    # shares
    "%": "%", "‰": "‰", "个百分点": "百分点", "百分点": "百分点", "倍": "倍",
    # people and measure words of counts
    "人": "人", "人次": "人次", "名": "名", "位": "位", "户": "户", "家": "家", "个": "个", "项": "项", "部": "部",
    "件": "件", "次": "次", "批次": "批次", "所": "所", "条": "条", "篇": "篇", "场": "场",
    "批": "批", "台": "台", "套": "套", "处": "处", "座": "座", "份": "份", "期": "期", "轮": "轮", "类": "类",
    "种": "种", "支": "支", "起": "起", "宗": "宗", "笔": "笔", "辆": "辆", "间": "间", "架": "架", "艘": "艘",
    "头": "头", "只": "只", "株": "株", "棵": "棵", "册": "册", "本": "本", "张": "张", "枚": "枚", "首": "首",
    "栋": "栋", "标准箱": "标准箱", "场次": "场次", "辆次": "辆次", "架次": "架次", "艘次": "艘次", "亩次": "亩次",
    # nouns counted straight after the number (`12部门`, `4项目`, `20万人口`)
    "部门": "部门", "项目": "项目", "人口": "人", "元人民币": "元",
    # lengths, areas, volumes, masses, power and energy
    "米": "米", "厘米": "厘米", "毫米": "毫米", "公里": "公里", "千米": "公里", "平方米": "平方米",
    "平方公里": "平方公里", "平方千米": "平方公里", "公顷": "公顷", "亩": "亩", "立方米": "立方米", "吨": "吨",
    "千克": "千克", "公斤": "千克", "克": "克", "斤": "斤", "微克/立方米": "微克/立方米", "千瓦": "千瓦",
    "千瓦时": "千瓦时", "℃": "℃", "摄氏度": "℃",
    # durations and ages
    "小时": "小时", "分钟": "分钟", "天": "天", "个月": "个月", "个多月": "个月", "岁": "岁",
}  # fmt: skip
# Words that start with a unit's character but make the number something else: a designation (`61486部队`),
# a conjunction (`所有`, `所以`).
NOT_UNIT_WORDS = ("部队", "所有", "所以")
# Units after which nothing counted follows (`增长5%以上`, `提高2个百分点`).
SHARE_UNITS = frozenset({"%", "‰", "百分点", "倍"})
# Approximation marks printed inside the token (`300余人`, `3万余户`, `20多个`); kept in `unit_text`.
APPROXIMATE = "余多"
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
# Multipliers are the numeral units: one or more large units, optionally led by a small one (万, 亿, 万亿, 千万,
# 百万, 十万), or a bare 百 or 千 (`5千元`). 十 alone is never printed after Arabic digits.
_SMALL = "".join(SMALL_UNITS)
_BARE = "".join(char for char, value in SMALL_UNITS.items() if value > 10)
MULTIPLIER = rf"[{_SMALL}]?[{''.join(LARGE_UNITS)}]+|[{_BARE}]"
_PRINTED_UNITS = sorted(
    {form for unit in UNITS for form in (unit, unit.translate(FULL_WIDTH))}, key=len, reverse=True
)
UNIT = "|".join(re.escape(form) for form in _PRINTED_UNITS)
# A rate is a unit per a unit or a span of time (`801元/月`, `1.2万元/吨`, `80公里/小时`): its base is the
# numerator's base per the denominator's (元/月, 元/吨); the multiplier scales the numerator only.
PER_TIME = ("年", "季度", "月", "周", "日", "秒")
PER = "|".join(re.escape(form) for form in sorted({*UNITS, *PER_TIME}, key=len, reverse=True))
DIGIT = "0-9０-９"
# Arabic digits, with thousands separators (`4,867个`) or a decimal part (`14.2`, full-width `１４．２`).
NUMBER = rf"[{DIGIT}]{{1,3}}(?:,[{DIGIT}]{{3}})+(?:[.．][{DIGIT}]+)?|[{DIGIT}]+(?:[.．][{DIGIT}]+)?"
# Not after a digit, a letter, `%` (URL escapes such as %2536), a thousands comma, or 表/图/第 (`表3所示` is
# table 3); not before a letter, digit or markup (`20%"`, `1.93%</p>`). The multiplier is tried last (`??`), so a
# unit that starts with a multiplier's character is read whole: `5千米` is 5 公里, not 5000 米; `5千元` is 5000 元.
FIGURE = re.compile(
    rf"(?<![{DIGIT}.．%A-Za-z_=表图第])(?<![{DIGIT}],)(?P<number>{NUMBER})"
    rf"(?P<printed>[{APPROXIMATE}]?(?P<multiplier>{MULTIPLIER})??[{APPROXIMATE}]?(?P<unit>{UNIT})"
    rf"(?:[/／](?P<per>{PER}))?)"
    r"(?![0-9A-Za-z０-９\"'<])"
)
# float64 holds every integer up to 2^53 (≈ 9.007e15) exactly; a larger amount (no government figure in 元 or
# in people comes near it: a digit string such as an ID number) is not emitted rather than stored rounded.
MAX_EXACT_AMOUNT = 2**53
HAN = "\u4e00-\u9fff"
# What is counted stands after the unit (`16个代表之家`) or before the number (`审议报告15个`).
MAX_THING_AFTER = 14
MAX_THING_BEFORE = 20
HAN_RUN_AFTER = re.compile(rf"[{HAN}]+")
HAN_RUN_BEFORE = re.compile(rf"[{HAN}]+$")
# A Latin or digit word right before a phrase belongs to it (`SCI期刊`, `5G基站`, `PM2.5浓度`, `2型糖尿病`).
LATIN_BEFORE = re.compile(r"[0-9A-Za-z.+\-]+(?: [0-9A-Za-z.+\-]+)*$")  # also `CCF A类论文`
MAX_LATIN_WORD = 16
PLAIN_NUMBER = re.compile(r"[0-9.]+")
# What a number right before a phrase leaves of its own token (`3826.5亿元增长到…`, `2024年11月漏洞…`).
NUMBER_TAIL = re.compile(rf"(?:[{APPROXIMATE}]?(?:{MULTIPLIER})?[{APPROXIMATE}]?(?:{UNIT})|[年月日号])+")
# Words of change or comparison that end the phrase before a number (`优良率超84%`, `增加值突破3000亿元`).
TRAILING_CHANGE = re.compile(
    r"(?:同比|比上年|年均)?(?:增长|下降|提高到|提高|提升至|提升|增加|减少|突破|达到|达|超过|超|约|近|为|至|不低于|不少于|"
    r"以上|左右|累计|分别|共计|合计|从|由|不到|不足|高达|仅|共有|拥有|到|就|保持|精简|压减|压缩|降低|降至|减至|增至|"
    r"升至|上升|扩大)+$"
)
# Words that open a phrase before a figure without being the counted thing, among them what a previous
# figure leaves behind (`10亿元以上重大产业项目47个`, `…期间的著作63篇`).
LEADING_WORDS = ("作出", "指导建成", "建成", "开展", "完成", "组织", "收集", "办理", "听取", "制定", "任免",
                 "修订", "召开", "举办", "推动", "实现", "新增", "净增", "累计", "共", "对", "全年", "达到",
                 "及以上", "以上", "以下", "左右", "以内", "的")  # fmt: skip
# Words that begin with one of the leading words but are not it (`共同完成`, `对外贸易`, `的确`).
KEPT_WORDS = ("共同", "共享", "共建", "共性", "对外", "对口", "对接", "对象", "对比", "对标", "对话", "的确")
# Time phrases that open a phrase (`过去五年`, `近3年来`, `今年以来`).
LEADING_TIME = re.compile(
    r"^(?:(?:过去|近)?[一二三四五六七八九十两\d]+年(?:来|以来|间|内|中)?|今年以来|今年|去年|全年|年内)"
)
# A verb or function word ends the counted thing after a unit (`13部法规开展执法检查` counts 法规) ...
VERBS_AFTER = re.compile(
    r"开展|进行|实施|实现|覆盖|参与|提出|完成|办理|建设|推动|得到|获得|通过|列入|纳入|接受|形成|解决|进入|升格|"
    r"达到|提升|提质|升级|增长|下降|建成|开放|投入|落地|入选|获批|认定|和|及|与|等|的|中|在|是|为|被|将|"
    r"分别|同比|以上|以下|已|位于|投产|增加|减少|精简|压减|压缩|增至|减至|降至|升至|提高|降低|上升|扩大|获评|荣获|"
    r"评为"
)
# ... unless it is inside one of these words (`6个省级区域医疗中心`, `3个城中村`, `2个在建项目`).
WORDS_WITH_SPLITTERS = (
    "中心", "中国", "中央", "中小", "中医", "中药", "中试", "中华", "中学", "中外", "中型", "中职", "中长期", "中选",
    "中标", "中欧", "中亚", "中非", "中东", "中部", "中层", "中等", "中间", "中转", "城中村", "集中", "高中", "初中",
    "在建", "在线", "在校", "在职", "在岗", "在册", "在地", "和美", "和谐", "和平", "等级", "为民", "为老", "将军",
    "与会", "及时", "的确", "是否", "建设银行", "开放大学", "通过率", "全覆盖", "对外开放", "特等", "一等", "二等",
    "三等", "高等", "同等", "平等", "对等", "均等", "优等", "头等", "上等",
)  # fmt: skip
# Approximation words between the unit and the thing (`10个以上典型案例`, `160个左右高水平专业群`) are in the
# span but not in the thing.
APPROXIMATION_AFTER = re.compile(r"(?:以上|左右|以下|以内|之多|多|余)?")
# Style sheets and HTML attributes copied into a capture (`margin: 5px 0%;`) hold numbers that are not figures.
MARKUP_CONTEXT = re.compile(r"\d(?:px|em|pt)\b|style=|width=|height=|margin|padding|font-|color:|[{}]|=\"")
MARKUP_WINDOW = 16


@dataclass(frozen=True)
class Measure:
    """A printed number+unit token read into the base unit: amount = number × multiplier."""

    amount: float
    unit: str
    unit_text: str
    multiplier: int


@dataclass(frozen=True)
class Figure:
    """A figure: its measure, what it counts, and its span in the text (thing included)."""

    measure: Measure
    counted: str | None
    text_start: int
    text_end: int


def base_unit(printed: str) -> str:
    """The base unit of a printed unit: `亿元` is not a unit (the multiplier is read apart), `％` → `%`,
    `千米` → `公里`; KeyError for a unit outside the vocabulary."""
    return UNITS[printed] if printed in UNITS else UNITS[unicodedata.normalize("NFKC", printed)]


def measure(number: str, printed: str, multiplier: str, unit: str, per: str | None = None) -> Measure | None:
    """The printed token in the base unit (`14.2`, `万亿元` → 1.42e13 元, multiplier 10^12; `3.5`, `％` → 3.5 %;
    `1.2`, `万元/吨` → 12000 元/吨); None when the multiplier is not one, or the amount or multiplier is beyond
    exact float64 integers."""
    factor = scale_value(multiplier)
    if factor is None or factor > MAX_EXACT_AMOUNT:
        return None
    value = Fraction(unicodedata.normalize("NFKC", number).replace(",", "")) * factor  # exact; rounded once
    if value > MAX_EXACT_AMOUNT:
        return None
    base = (
        base_unit(unit) if per is None else f"{base_unit(unit)}/{per if per in PER_TIME else base_unit(per)}"
    )
    return Measure(float(value), base, printed, factor)


def _split_at(thing: str) -> int:
    """Where a verb or function word ends the counted thing, skipping one that is inside a known word."""
    for verb in VERBS_AFTER.finditer(thing):
        position = verb.start()
        inside = False
        for word in WORDS_WITH_SPLITTERS:
            found = thing.find(word, max(0, position - len(word) + 1))
            if found != -1 and found <= position < found + len(word):
                inside = True
                break
        if not inside:
            return position
    return len(thing)


def thing_after(text: str, end: int) -> tuple[str, int] | None:
    """The counted thing after a unit (`16个代表之家…`, `10个以上典型案例`), up to a verb, and where the span
    ends; None when the run of characters it stands in is longer than a thing (it could end mid-word)."""
    approximation = APPROXIMATION_AFTER.match(text, end)
    begin = approximation.end() if approximation else end
    run = HAN_RUN_AFTER.match(text, begin)
    if run is None:
        return None
    thing = run.group(0)[: _split_at(run.group(0))]
    return (thing, begin + len(thing)) if 2 <= len(thing) <= MAX_THING_AFTER else None


def _strip_leading(phrase: str) -> str:
    phrase = LEADING_TIME.sub("", phrase) or phrase
    changed = True
    while changed:
        changed = False
        for word in LEADING_WORDS:
            if phrase.startswith(word) and len(phrase) > len(word) + 1 and not phrase.startswith(KEPT_WORDS):
                phrase = phrase[len(word) :]
                changed = True
    return phrase


def _phrase_start(text: str, start: int, floor: int) -> int | None:
    """Where the phrase before a number starts: at a word boundary, never inside another token. None when
    the run of characters before the number is longer than a phrase (its start would be mid-word)."""
    window = max(
        floor, start - MAX_THING_BEFORE - 1
    )  # bounded: searching from 0 made long paragraphs quadratic
    run = HAN_RUN_BEFORE.search(text, window, start)
    if run is None:
        return None
    begin = run.start()
    if start - begin > MAX_THING_BEFORE:
        return None
    window = max(floor, begin - MAX_LATIN_WORD - 1)
    latin = LATIN_BEFORE.search(text, window, begin)
    if latin is not None:
        if begin - latin.start() > MAX_LATIN_WORD:
            return None  # a URL or code, not a word of the phrase
        tail = NUMBER_TAIL.match(text, begin, start)
        # the number's own unit or date (`3826.5亿元`, `11月`) is not part of the phrase; a Latin or digit word
        # is (`SCI期刊`, `2型糖尿病`)
        begin = tail.end() if PLAIN_NUMBER.fullmatch(latin.group(0)) and tail is not None else latin.start()
    return begin


def thing_before(text: str, start: int, floor: int) -> tuple[str, int] | None:
    """The counted thing read before a number (`审议报告15个`) and where the figure's span starts: at the
    thing, words of change between it and the number (`达`) inside the span, opening words (`作出`) outside."""
    begin = _phrase_start(text, start, floor)
    if begin is None:
        return None
    trimmed = TRAILING_CHANGE.sub("", text[begin:start])  # nothing left: only words of change, no thing
    thing = _strip_leading(trimmed)
    if len(thing) < 2 or thing in LEADING_WORDS:
        return None
    return thing, begin + len(trimmed) - len(thing)


def figures(paragraph: Paragraph) -> Iterator[Figure]:
    """Each figure of the paragraph, in order; its amount in the base unit, its printed form in the span.
    A phrase read before a number never reaches back into the previous figure."""
    text = paragraph.text
    floor = 0
    for match in FIGURE.finditer(text):
        window = text[max(0, match.start() - MARKUP_WINDOW) : match.end() + MARKUP_WINDOW]
        if MARKUP_CONTEXT.search(window) or text.startswith(NOT_UNIT_WORDS, match.start("unit")):
            floor = match.end()
            continue
        read = measure(
            match["number"], match["printed"], match["multiplier"] or "", match["unit"], match["per"]
        )
        if read is None:
            floor = match.end()
            continue
        start, end = match.start(), match.end()
        counted = None
        after = thing_after(text, end) if read.unit not in SHARE_UNITS else None
        if after is not None:
            counted, end = after
        else:
            before = thing_before(text, start, floor)
            if before is not None:
                counted, start = before
        floor = end
        yield Figure(read, counted, start, end)
