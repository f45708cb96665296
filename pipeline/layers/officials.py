"""Officials: an official title (`pipeline.people`) followed by a name, in titles, credits and body text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.people import OFFICIAL_TITLE, OFFICIAL_TITLES

# What may follow a name: punctuation, or a verb of the news register that takes a person as subject.
AFTER_NAME = (
    r"[：:，,、。；;\s（(]|主持|表示|指出|强调|出席|参加|会见|调研|一行|同志|带队|率队|介绍|宣布|签署|批示|$"
)
# Names start with a surname (the most frequent ones, and compound ones): this keeps words such as 重要 or
# 直通车 that follow a position (`总书记重要讲话`, `省长直通车`) out of the names.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛"
    "樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉"
    "骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
    "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原"
    "栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来"
    "扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉"
    "冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "司徒",
    "夏侯",
)
# A name after these is rare: the leader's name stands before them (`习近平总书记`).
NAME_BEFORE_POSITIONS = ("总书记",)
# Where a title stands: a match of `OFFICIAL` starts at most `POSITION_PREFIX` characters before one.
POSITION_PREFIX = 14
TITLE = re.compile(OFFICIAL_TITLE)
OFFICIAL = re.compile(
    rf"(?P<position>(?:[\u4e00-\u9fff]{{0,{POSITION_PREFIX}}}?){OFFICIAL_TITLE})(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?={AFTER_NAME})"
)
# Name-like strings that are words: a position followed by these is not a person.
NOT_NAMES = ("同志", "会议", "主持", "表示", "指出", "强调", "出席", "讲话", "一行", "带队", "率队", "们")


def looks_like_name(name: str) -> bool:
    return (name[0] in SURNAMES or name.startswith(COMPOUND_SURNAMES)) and not name.startswith(NOT_NAMES)


def mentions(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(position, name, start, end) of each position + name in `text`."""
    for match in _official_matches(text):
        name, position = match["name"], match["position"]
        if position.endswith(NAME_BEFORE_POSITIONS) or not looks_like_name(name):
            continue
        if name.startswith(OFFICIAL_TITLES):
            continue
        yield position, name, match.start(), match.end()


def _official_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of `OFFICIAL.finditer(text)`, tried only near a title.

    `OFFICIAL` is tried at every position of a text, and at each it grows its prefix one character at a time
    (up to `POSITION_PREFIX`), trying every title after each: most of the officials layer's time on texts that
    hold no title at all. A match needs a title within `POSITION_PREFIX` characters of where it starts, so the
    positions tried are those before the next title (found by one C-level search); any earlier position cannot
    match. Positions are tried in order and a match resumes the scan at its end, as `finditer` does, so the
    matches are the same.
    """
    position = 0
    while True:
        title = TITLE.search(text, position)
        if title is None:
            return
        found = None
        for start in range(max(position, title.start() - POSITION_PREFIX), title.start() + 1):
            found = OFFICIAL.match(text, start)
            if found is not None:
                break
        if found is None:
            position = title.start() + 1
            continue
        yield found
        position = found.end()


def is_official_position(position: str | None) -> bool:
    """An affiliation printed with a credit is an official's position only if it names one (书记, 主任 …)."""
    return position is not None and position.endswith(OFFICIAL_TITLES)


def title_byline(title: str) -> tuple[str, str] | None:
    """`怀柔区委书记郭延红:奋力谱写…` → (怀柔区委书记, 郭延红): a position and name before the title's colon."""
    head = re.split(r"[:：]", title, maxsplit=1)
    if len(head) < 2:
        return None
    found = list(mentions(head[0] + "："))
    if found and found[-1][3] == len(head[0]):
        position, name, _, _ = found[-1]
        return position, name
    return None
