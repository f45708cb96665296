"""Titles cited in 《》: a normalised title, a grouping key, and a kind read from the title and its context.

All rules are data. The kind comes, in order, from a word printed right next to the brackets (电视剧《…》,
《…》杂志), from the title's ending (…法 is a law, …条例 a regulation, …条约 an agreement), from an ending or
script that marks a creative or authored work (…传, …歌, a Latin-script title), and otherwise from whether the title
reads as an official document (关于…, an issuing body, a list): `other`, or else a `work`. In Chinese print 《》
marks every title, and an official document almost always ends with the name of its genre, so a title without
one and without an official marker is a book, article, film, series, play, song or programme.

The grouping key (`title_key`) is for counting one document however it is cited: NFKC (for the key only),
whitespace, brackets and quotes removed, the leading 中华人民共和国 dropped, and the drafting markers (（草案）,
（2018年修正）, 征求意见稿 …) dropped. Within one document, a shorthand (网络安全法, 纲要（草案）, 决定) takes the key
of the full title it ends: the nearest one before it, else the only one in the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pipeline.fields import CITATION_KINDS
from pipeline.layers import Paragraph
from pipeline.text import match_key

# 《关于〈…〉的决定》: inner titles use 〈〉; one level of nesting is read.
CITED = re.compile(r"《((?:[^《》〈〉]|〈[^〈〉]*〉){1,120})》")
# Ending → kind, longest ending first wins (`公报` is a statement although `报` names a newspaper).
KIND_ENDINGS: tuple[tuple[str, str], ...] = (
    ("实施细则", "regulation"), ("实施办法", "regulation"), ("管理办法", "regulation"), ("工作规则", "regulation"),
    ("条例", "regulation"), ("规定", "regulation"), ("细则", "regulation"), ("规则", "regulation"),
    ("办法", "regulation"), ("准则", "regulation"), ("制度", "regulation"), ("章程", "regulation"),
    ("指引", "regulation"), ("指南", "regulation"), ("规范", "regulation"), ("标准", "regulation"),
    ("通则", "regulation"), ("守则", "regulation"), ("规程", "regulation"),
    ("宪法", "law"), ("法", "law"), ("法典", "law"),
    ("意见", "opinion"), ("指导意见", "opinion"),
    ("措施", "measure"), ("举措", "measure"),
    ("规划", "plan"), ("计划", "plan"), ("方案", "plan"), ("纲要", "plan"), ("要点", "plan"), ("纲领", "plan"),
    ("路线图", "plan"), ("议程", "plan"), ("战略", "plan"),
    ("决定", "decision"), ("决议", "decision"),
    ("通知", "notice"), ("通告", "notice"), ("公告", "notice"), ("通报", "notice"),
    ("报告", "report"), ("白皮书", "report"), ("蓝皮书", "report"), ("年报", "report"), ("月报", "report"),
    ("周报", "report"), ("简报", "report"), ("快报", "report"),
    ("讲话", "speech"), ("重要讲话", "speech"), ("致辞", "speech"), ("贺信", "speech"),
    ("建议", "proposal"), ("议案", "proposal"), ("提案", "proposal"),
    ("条约", "agreement"), ("公约", "agreement"), ("协定", "agreement"), ("议定书", "agreement"),
    ("协议", "agreement"), ("宪章", "agreement"), ("备忘录", "agreement"),
    ("声明", "statement"), ("宣言", "statement"), ("公报", "statement"), ("共识", "statement"),
    ("倡议", "statement"), ("倡议书", "statement"),
    ("杂志", "publication"), ("日报", "publication"), ("晚报", "publication"), ("周刊", "publication"),
    ("月刊", "publication"), ("报", "publication"), ("期刊", "publication"), ("学报", "publication"),
    ("半月谈", "publication"), ("新闻", "publication"),
    ("原则", "regulation"), ("导则", "regulation"), ("法案", "law"), ("修正案", "law"),
    ("决定书", "decision"), ("判决书", "decision"), ("裁定书", "decision"), ("裁决书", "decision"),
    ("通知书", "notice"), ("意见书", "opinion"), ("建议书", "proposal"), ("投降书", "agreement"),
    ("纪要", "report"), ("展望", "report"), ("指数", "report"), ("情况分析", "report"),
    # official documents of no kind above: policies, forms, lists, mechanisms
    ("政策", "other"), ("表", "other"), ("清单", "other"), ("目录", "other"), ("名录", "other"), ("名单", "other"),
    ("机制", "other"), ("承诺书", "other"), ("责任书", "other"),
    # endings of works, where a shorter ending would name a document (`孙子兵法` is not a law)
    ("兵法", "work"), ("大典", "work"), ("词典", "work"), ("字典", "work"), ("辞典", "work"),
)  # fmt: skip
# A genre noun printed right before 《 says what the title is and outranks its ending (`电视剧《破冰行动》`).
NAMED_BEFORE: tuple[tuple[str, str], ...] = (
    ("电视剧", "work"), ("连续剧", "work"), ("网剧", "work"), ("情景剧", "work"), ("短剧", "work"),
    ("电影", "work"), ("影片", "work"), ("纪录片", "work"), ("专题片", "work"), ("宣传片", "work"),
    ("动画片", "work"), ("动画", "work"), ("微电影", "work"), ("节目", "work"), ("栏目", "work"), ("综艺", "work"),
    ("话剧", "work"), ("歌剧", "work"), ("舞剧", "work"), ("音乐剧", "work"), ("杂技剧", "work"), ("京剧", "work"),
    ("川剧", "work"), ("豫剧", "work"), ("越剧", "work"), ("黄梅戏", "work"), ("昆曲", "work"), ("戏曲", "work"),
    ("剧目", "work"), ("舞蹈", "work"), ("歌曲", "work"), ("歌舞", "work"), ("合唱", "work"), ("乐曲", "work"),
    ("组曲", "work"), ("交响曲", "work"), ("曲目", "work"), ("小说", "work"), ("诗歌", "work"), ("诗作", "work"),
    ("散文", "work"), ("著作", "work"), ("专著", "work"), ("新书", "work"), ("图书", "work"), ("书籍", "work"),
    ("丛书", "work"), ("绘本", "work"), ("文章", "work"), ("论文", "work"), ("作品", "work"), ("画作", "work"),
    ("国画", "work"), ("油画", "work"), ("雕塑", "work"), ("展览", "work"), ("游戏", "work"),
    ("杂志", "publication"), ("期刊", "publication"), ("报纸", "publication"), ("刊物", "publication"),
)  # fmt: skip
# Words around a title without a known ending that say where something was published or reported
# (`发表于《柳叶刀》`, `《科学》上发表`, `《韩国经济》近日发表社论`, `告诉《正在新闻》`) or that it is a work
# (`《…》一书`, `《…》讲述`). Read after the ending, so `《世界人权宣言》发表70周年` stays a statement.
HINT_BEFORE: tuple[tuple[str, str], ...] = (
    ("发表于", "publication"), ("发表在", "publication"), ("刊发于", "publication"), ("刊登于", "publication"),
    ("刊登在", "publication"), ("刊载于", "publication"), ("载于", "publication"), ("刊于", "publication"),
    ("告诉", "publication"),
)  # fmt: skip
HINT_AFTER: tuple[tuple[str, str], ...] = (
    ("杂志", "publication"), ("期刊", "publication"), ("新刊", "publication"), ("周刊", "publication"),
    ("编辑部", "publication"), ("报社", "publication"), ("刊发", "publication"), ("刊文", "publication"),
    ("发表", "publication"), ("社论", "publication"), ("报道", "publication"), ("记者", "publication"),
    ("采访", "publication"), ("子刊", "publication"),
    ("栏目", "work"), ("节目", "work"), ("一书", "work"), ("一文", "work"), ("一诗", "work"), ("剧组", "work"), ("剧本", "work"), ("系列", "work"),
    ("作曲", "work"), ("播出", "work"), ("上映", "work"), ("演出", "work"), ("这部", "work"), ("讲述", "work"),
)  # fmt: skip
# A hint after 》 may follow a few characters of the same clause (`上发表`, `等英文期刊`, `近日发表社论`).
HINT_AFTER_LEAD = 4
CLAUSE_BREAK = re.compile(r"[，。；：！？,.;:!?、《》“”\s]")
# Titles printed next to each other (`《自然通讯》《植物通讯》`, `《A》、《B》等`) share what stands around them.
TITLE_RUN_GAP = re.compile(r"(?:、|和|与|及|以及|\s)?")
# Endings of works (biography, record, song, ode, poem, collection, history, play, canon, essay, study …).
WORK_ENDINGS = ("传", "记", "歌", "曲", "颂", "谣", "赋", "诗", "集", "文选", "选集", "语录", "实录", "史", "剧", "经",
                "论", "研究", "剖析", "解读", "探析", "浅析", "?", "？", "!", "！")  # fmt: skip
LATIN_LETTER = re.compile(r"[A-Za-z]")
HAN = re.compile(r"[\u4e00-\u9fff]")
# Words that make a title without a known ending read as an official document: it stays `other`.
OFFICIAL_MARKERS = ("关于", "中华人民共和国", "中共中央", "国务院", "人民代表大会", "人民政府", "委员会", "办公厅",
                    "年度")  # fmt: skip
_ENDINGS = sorted(KIND_ENDINGS, key=lambda item: -len(item[0]))
assert {kind for _, kind in KIND_ENDINGS + NAMED_BEFORE + HINT_BEFORE + HINT_AFTER} <= set(CITATION_KINDS)
assert {"work", "other"} <= set(CITATION_KINDS)

# Trailing notes that are not part of the document type: `（草案）`, `(2024年版)`, `修订稿`, `征求意见稿`, a year
# (`…发展报告2026`, `2025—2034`).
TRAILING_NOTES = re.compile(
    r"(?:[（(][^（）()]*[）)]|草案|修订稿|征求意见稿|送审稿|[0-9]{4}(?:[-—–~至][0-9]{4})?年?版?|\s)+$"
)
# A subtitle after a colon or dash; the main title before it may carry the ending (`2063年议程：我们希望的非洲`).
SUBTITLE = re.compile(r"[：:]|——")

# Drafting and revision markers, dropped from the grouping key: in brackets anywhere (`（修订草案征求意见稿）`,
# `(2018年修正)`, `（第二次审议稿）`), or trailing (`…法草案`, `…条例修订`); `修正案` is a document of its own.
DRAFT_WORDS = ("修订版", "修订草案", "修正草案", "草案修改稿", "草案", "修订稿", "修改稿", "修订", "修正", "公开征求意见稿",
               "征求意见稿", "送审稿", "审议稿", "二次审议稿", "三次审议稿", "第二次审议稿", "第三次审议稿", "草稿")  # fmt: skip
_DRAFT = "|".join(re.escape(word) for word in sorted(DRAFT_WORDS, key=len, reverse=True))
# NFKC has already turned （） into ().
DRAFT_NOTE = re.compile(rf"\((?:\d{{4}}年)?(?:{_DRAFT})+\)")
TRAILING_DRAFT = re.compile(rf"(?:{_DRAFT})+$")
LEADING_STATE = "中华人民共和国"
# ... unless the state is one party of several (`中华人民共和国和俄罗斯联邦关于…的联合声明`,
# `中华人民共和国政府和…政府…协定`): there the name of each party is part of the title.
PARTY_OF_SEVERAL = re.compile(r"(?:政府)?[和与同及、]")
# Brackets and quotes do not tell two titles apart (`关于〈…〉的决定`, `“十四五”规划`).
KEY_DROPPED = re.compile(r"[《》〈〉<>“”‘’\"'「」『』]")
# A shorthand is not linked to a full title that differs by a place (`物业管理条例` and `北京市物业管理条例` are
# two documents): the full title's part before the shorthand ends with an administrative division.
# Only divisions that make laws or regulations count (`区` alone would stop `自然保护区条例`).
PLACE_ENDINGS = ("省", "市", "自治区", "自治州", "县", "特别行政区")
MIN_SHORTHAND = 2
# Only a title ending with the genre of an official document is a shorthand of a longer one.
NOT_DOCUMENTS = (None, "work", "publication")
CONTEXT_WIDTH = max(len(word) for word, _ in NAMED_BEFORE + HINT_BEFORE + HINT_AFTER) + HINT_AFTER_LEAD


def _ending_kind(title: str) -> str | None:
    for part in (title, SUBTITLE.split(title)[0]):
        stripped = TRAILING_NOTES.sub("", part) or part
        for ending, kind in _ENDINGS:
            if stripped.endswith(ending):
                return kind
    return None


def _before_kind(table: tuple[tuple[str, str], ...], before: str) -> str | None:
    for word, kind in table:
        if before.endswith(word):
            return kind
    return None


def _after_kind(after: str) -> str | None:
    """The kind named by the hint nearest the 》 (`《红线》栏目记者` is a programme: 栏目 before 记者)."""
    lead = CLAUSE_BREAK.search(after)
    clause = after[: lead.start()] if lead else after
    found = [(clause.find(word), -len(word), kind) for word, kind in HINT_AFTER if word in clause]
    near = min((hint for hint in found if hint[0] <= HINT_AFTER_LEAD), default=None)
    return near[2] if near else None


def citation_kind(title: str, before: str = "", after: str = "") -> str:
    """The kind of a cited title (a closed vocabulary, `fields.CITATION_KINDS`); `before` and `after` are the
    text printed right before 《 and right after 》 (of the run of titles it stands in)."""
    kind = (
        _before_kind(NAMED_BEFORE, before)
        or _ending_kind(title)
        or _before_kind(HINT_BEFORE, before)
        or _after_kind(after)
    )
    if kind is not None:
        return kind
    if LATIN_LETTER.search(title) and not HAN.search(title):
        return "work"
    if (TRAILING_NOTES.sub("", title) or title).endswith(WORK_ENDINGS):
        return "work"
    if any(marker in title for marker in OFFICIAL_MARKERS):
        return "other"
    return "work"


def normalize_title(title: str) -> str:
    return match_key(title.replace("〈", "《").replace("〉", "》"))


def title_key(title: str) -> str:
    """The grouping key of a title, before shorthands are linked: `中华人民共和国网络安全法` → `网络安全法`,
    `中华人民共和国国民经济和社会发展第十五个五年规划纲要（草案）` → `国民经济和社会发展第十五个五年规划纲要`."""
    key = KEY_DROPPED.sub("", match_key(title))
    key = DRAFT_NOTE.sub("", key)
    key = TRAILING_DRAFT.sub("", key) or key
    rest = key[len(LEADING_STATE) :]
    if key.startswith(LEADING_STATE) and rest and not PARTY_OF_SEVERAL.match(rest):
        key = rest
    return key


def _shorthands(full: str) -> Iterator[str]:
    """The keys that could stand for `full`: its proper endings of at least MIN_SHORTHAND characters, except
    where the part cut off ends with a place (`北京市物业管理条例` is not cited as `物业管理条例`)."""
    for cut in range(1, len(full) - MIN_SHORTHAND + 1):
        if not full[:cut].endswith(PLACE_ENDINGS):
            yield full[cut:]


def linked_keys(keys: Sequence[str]) -> list[str]:
    """The keys of one document's citations, in order, each shorthand replaced by the key of the full title it
    stands for: the nearest full title before it that it ends (`《中共中央关于授予“七一勋章”的决定》。《决定》指出`),
    else the one full title it ends anywhere in the document (`纲要（草案）`). Full titles that end one another
    (`规划纲要`, `…五年规划纲要`) resolve to the longest; a shorthand of two different full titles, none before
    it, is left alone. Linear in the length of the keys: every lookup is by an ending."""
    fulls_of: dict[str, set[str]] = {}
    for full in set(keys):
        for short in _shorthands(full):
            fulls_of.setdefault(short, set()).add(full)
    anywhere: dict[str, str] = {}
    nearest: dict[str, str] = {}
    resolved: list[str] = []
    for key in keys:
        if _ending_kind(key) in NOT_DOCUMENTS or key not in fulls_of:
            result = key
        elif key in nearest:
            result = nearest[key]
        else:
            if key not in anywhere:
                longest = max(fulls_of[key], key=len)
                chain = all(longest.endswith(full) for full in fulls_of[key])
                anywhere[key] = longest if chain else key
            result = anywhere[key]
        resolved.append(result)
        for short in _shorthands(key):
            nearest[short] = result
    return resolved


def contexts(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(before, after) for each title at text[start:end], in order: what is printed right before the 《 and right
    after the 》 of the run of adjacent titles it stands in (`发表于《自然通讯》《植物通讯》` → both 发表于)."""
    runs: list[list[int]] = []
    for index, (start, _) in enumerate(spans):
        if runs:
            previous_end = spans[runs[-1][-1]][1] + 1  # after its 》
            gap = TITLE_RUN_GAP.match(text, previous_end, start - 1)
            if gap is not None and gap.end() == start - 1:
                runs[-1].append(index)
                continue
        runs.append([index])
    found: list[tuple[str, str]] = [("", "")] * len(spans)
    for run in runs:
        first, last = spans[run[0]][0] - 1, spans[run[-1]][1] + 1
        around = (text[max(0, first - CONTEXT_WIDTH) : first], text[last : last + CONTEXT_WIDTH])
        for index in run:
            found[index] = around
    return found


def citations(paragraph: Paragraph) -> Iterator[tuple[str, int, int]]:
    """(title, start, end) of each 《title》, offsets of the title inside the brackets."""
    for match in CITED.finditer(paragraph.text):
        if match.group(1).strip():
            yield match.group(1), match.start(1), match.end(1)
