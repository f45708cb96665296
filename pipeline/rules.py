"""Rules shared by every capture format, kept as data: heading styles, credit labels, lead-sentence limits.

Change a bound here, not in the parser, and say why in the commit: each number below was chosen on the example
capture and the dev gold set, and the evaluation (`renda evaluate`) shows what a change costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.dates import NUMERAL_DATE, SPACED_DATE
from pipeline.text import ends_sentence, first_sentence, has_clause_marks

CN_DIGITS = "零〇一二三四五六七八九十百千两"


@dataclass(frozen=True)
class HeadingStyle:
    """A numbered heading style: lines starting with `pattern`, at most `max_chars` long."""

    name: str
    pattern: re.Pattern[str]
    max_chars: int


HEADING_STYLES: tuple[HeadingStyle, ...] = (
    HeadingStyle("chapter", re.compile(rf"第[{CN_DIGITS}\d]+[章节部分篇编]"), 60),
    HeadingStyle("cn_enum", re.compile(rf"[{CN_DIGITS}]+[、．.]"), 60),
    HeadingStyle("cn_paren", re.compile(rf"[（(][{CN_DIGITS}]+[）)]"), 60),
    # `2、2020年…` is numbered; `2.5亿` is a decimal, not item 2.
    HeadingStyle("num_enum", re.compile(r"\d{1,2}(?:、|[．.](?!\d))"), 60),
    HeadingStyle("num_paren", re.compile(r"[（(]\d{1,2}[）)]"), 60),
)
# An unnumbered heading: a short standalone line that does not end like a sentence.
BARE_HEADING_MAX_CHARS = 40
# A bold line that does not end like a sentence heads a section up to twice that length.
BOLD_HEADING_MAX_CHARS = 2 * BARE_HEADING_MAX_CHARS
BARE_STYLE = "bare"
# A bare line that ends a sentence before its end (`是长得像的像！（突然开始正经的分析）`: a sentence and an aside) or
# ends in a tilde (`又是可爱的羊和你们相见~`: chat) is text, not a heading. A mark a closing quote follows (`“奋斗！”
# 的青春`) is quoted speech and stays possible in a heading.
SENTENCE_INSIDE = re.compile(r"[。！？](?=[^”’」』\"'。！？])")
CHAT_END = ("~", "～")
# Plain heading lines of one style one after another with no text between: this many or more are a list, not
# headings.
BARE_RUN_MIN = 3
# A line that stops at a comma or a semicolon is an item of an enumeration running on to the next line (`委员长，`
# / `副委员长若干人，`), never a heading, whatever its length or numbering.
CLAUSE_END = ("，", ",", "、", "；", ";")


# A line that ends a sentence (`。`, `！`, `？`) is running text: a date printed in it (`2019年7月17日上午，…执行了死刑。`)
# is when something happened, not when the text was published, so the date search passes over it.
RUNNING_TEXT = re.compile(r"[。！？!?]")


# A line that only dates the document, standing first in the body: a date alone, or a law's enactment note
# (题注: `2020年2月7日 北京市第十五届人民代表大会常务委员会第十八次会议通过`, also amended, promulgated, in force).
# When the date search took the date from it, it is header, not a heading or a paragraph.
DATE_META_LINE = re.compile(
    rf"[（(]?\s*(?:{SPACED_DATE}|{NUMERAL_DATE})(?:\s*\S.*?(?:通过|修正|修订|公布|批准|施行|发布))?\s*[）)]?"
)


def heading_style(text: str) -> str | None:
    """The heading style of a standalone line, or None if it reads as body text.

    Run-in items (`一是…。`, `（一）…。` followed by prose) end like sentences and are not headings.
    """
    if not text or ends_sentence(text) or text.endswith(CLAUSE_END):
        return None
    for style in HEADING_STYLES:
        numbering = style.pattern.match(text)
        if numbering:
            has_words = len(text[numbering.end() :].strip(" 　")) >= 2
            return style.name if has_words and len(text) <= style.max_chars else None
    if "://" in text or not any("\u4e00" <= c <= "\u9fff" for c in text):
        return None  # a bare URL or a line without Chinese is not a bare heading
    if SENTENCE_INSIDE.search(text) or text.endswith(CHAT_END):
        return None
    return BARE_STYLE if len(text) <= BARE_HEADING_MAX_CHARS else None


def numbered(text: str) -> bool:
    """Whether the line carries a numbering style (`一、`, `（二）`, `3.`): a bare short line does not."""
    return heading_style(text) not in (None, BARE_STYLE)


def heading_words(text: str) -> str:
    """A heading's words without its numbering (`1、工行高管团队` → `工行高管团队`)."""
    for style in HEADING_STYLES:
        numbering = style.pattern.match(text)
        if numbering:
            return text[numbering.end() :].strip(" \u3000")
    return text


# Sibling sections are named alike (`1、工行高管团队及其他重要人员`, `1、建行高管团队及其他重要人员`, …). A plain short line that
# names itself the same way (`邮储银行高管团队及其他重要人员：一正六副`, the one section the writer left unnumbered) is one
# more of them: it shares with at least this many headings of one style the words at their start and end (the frame
# around the name that varies: `2020年…人员变动`), at least `PARALLEL_SHARED_MIN_CHARS` of them and this share of the
# heading's words and of the line's up to its colon. A line that only opens with a heading's words and goes on
# (`自定义操作中的 GUI 滥用` under `自定义操作`) is not named like it.
PARALLEL_SIBLINGS_MIN = 2
PARALLEL_SHARED_MIN_CHARS = 4
PARALLEL_SHARED_SHARE = 0.6


def _shared_start(first: str, second: str) -> int:
    return next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )


def parallel_label(line: str) -> str:
    """What of a line is compared with headings' words: the line up to its first colon."""
    return line.split("：", 1)[0].split(":", 1)[0]


def frame_shared(label: str, words: str) -> bool:
    """Whether a line's `parallel_label` and a heading's `heading_words` share a long enough start and end.

    Cheap tests first: the parser asks it of every short plain line against every heading of a document."""
    shorter, longer = sorted((len(label), len(words)))
    if shorter < PARALLEL_SHARED_MIN_CHARS or shorter < PARALLEL_SHARED_SHARE * longer or label == words:
        return False  # the shared frame is at most the shorter one
    if label[0] != words[0] and label[-1] != words[-1]:
        return False
    shared = min(_shared_start(label, words) + _shared_start(label[::-1], words[::-1]), shorter)
    return shared >= PARALLEL_SHARED_MIN_CHARS and shared >= PARALLEL_SHARED_SHARE * longer


def named_alike(line: str, heading: str) -> bool:
    """Whether `line` (up to its first colon) and `heading`'s words share a long enough start and end."""
    return frame_shared(parallel_label(line), heading_words(heading))


# A line that opens with a dash names who said or wrote the lines above it (`——（奥地利）西格蒙德·弗洛伊德`, `——编 者`):
# after text it is an attribution, not a heading, whatever its markup. (Under a title the same dash opens a
# subtitle, which is header; under a heading, the heading's second line.)
ATTRIBUTION = re.compile(r"\s*(?:[—–]{1,2}|-{2,})\s*\S")


# Lines a capture split: a line this short after an unfinished sentence continues it (a word the capture
# wrapped). The end of a block's joined text is kept for the sentence-end test (RUN_TAIL_CHARS), and an opening
# quote or bracket without its partner in the last OPEN_QUOTE_WINDOW_CHARS of it means the sentence goes on.
WRAPPED_FRAGMENT_MAX_CHARS = 4
# Text set one character per line (a designer's vertical or spaced-out line): after a line of one character, a
# line of up to this many continues it.
SPELLED_OUT_MAX_CHARS = 2
RUN_TAIL_CHARS = 256
OPEN_QUOTE_WINDOW_CHARS = 40

# WeChat's own UI and notices, recognised in every format (the generic fallback included).
PLATFORM_CHROME: tuple[str, ...] = (
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "此内容被投诉且经审核涉嫌侵权，无法查看",
    "该公众号已迁移",
    "预览时标签不可点",
    "微信扫一扫",
    "关注该公众号",
    "微信扫一扫可打开此内容，使用完整服务",
    "轻点两下取消赞",
    "： ， 。 视频 小程序 赞 ，轻点两下取消赞 在看 ，轻点两下取消在看",
    "继续滑动看下一个",
    "文章有问题?点此查看未经处理的缓存",
    "前往“发现”-“看一看”浏览“朋友在看”",
    "最多200字，当前共字",
)
# Where a format's signature is looked for: the first and the last lines of a text (markers stand at the head
# or the tail); a signature pattern is tried only on lines up to SIGNATURE_LINE_MAX_CHARS long (the longest real
# marker line seen is under 120 characters).
PROBE_HEAD_LINES = 400
PROBE_TAIL_LINES = 200
SIGNATURE_LINE_MAX_CHARS = 500

# --- furniture: lines around an article that are not its content -------------------------------------------
# Calls to action and account promotion. Strong patterns mark a line as furniture at any length; weak ones only
# in a short line (a body sentence may well mention 关注 or 分享).
PROMO_STRONG = re.compile(
    r"扫码|扫一扫|二维码|长按识别|点击蓝字|点击上方|点击下方|点击下图|点击阅读原文|阅读原文|关注我们|欢迎关注|敬请关注|"
    r"关注该公众号|公众号专注|本公众号|设为星标|标为星标|征订|邮发代号|(?:欢迎|点击|立即|免费|一键)订阅|"
    r"订阅(?:本号|我们|本刊|本报)|投稿|征文|交流群|入群|进群|加入.{0,6}群|"
    r"下载.{0,12}(?:APP|App|客户端)|免责声明|版权归|如有侵权|侵权必究|侵权请|侵删|转载请|未经授权|赞赏|在看|点赞|往期推送|往期回顾|往期精选|推荐阅读|精彩推荐|"
    r"Contact me|微信搜索|添加.{0,12}好友"
)
PROMO_WEAK = re.compile(
    r"关注|分享|推荐|点击|福利|赠送|抽取|反馈问卷|欢迎|详情|转发|收藏|热线|END|^[-—=~·•\s]+$", re.I
)
PROMO_WEAK_MAX_CHARS = 40
# A short line inside the furniture (between two furniture lines) is furniture too.
TAIL_SHORT_MAX_CHARS = 14
BOLD_FURNITURE_MAX_CHARS = 40
# The account (or the author slot) named again around the article: a line that is the name, or that introduces
# it (`山河人大是…`, `XX专注于…`: the name after at most ACCOUNT_BLURB_LEAD_MAX_CHARS characters, then one of the
# verbs within ACCOUNT_BLURB_GAP_MAX_CHARS characters and no comma or full stop). A name this short is no clue.
ACCOUNT_NAME_MIN_CHARS = 2
ACCOUNT_BLURB_LEAD_MAX_CHARS = 6
ACCOUNT_BLURB_GAP_MAX_CHARS = 8
ACCOUNT_BLURB_VERBS = ("是", "专注", "致力", "成立")


def account_blurb(name: str) -> str:
    """The regex of a line introducing the account `name` (see `ACCOUNT_BLURB_VERBS`)."""
    verbs = "|".join(ACCOUNT_BLURB_VERBS)
    lead, gap = ACCOUNT_BLURB_LEAD_MAX_CHARS, ACCOUNT_BLURB_GAP_MAX_CHARS
    return rf".{{0,{lead}}}{re.escape(name)}[^，。]{{0,{gap}}}(?:{verbs})"


# A breadcrumb item beside its separator line (`首页`, `政府信息公开`) is at most this long; the separators are
# the format's data (`Chrome.breadcrumb`).
BREADCRUMB_ITEM_MAX_CHARS = 12
# `（本文刊登于《…》杂志2024年第11期）`: where the article appeared; a footer note, not body text.
# Also the note on the original title (`（原题为《…》）`), on sources (`（资料来源：…）`, `（本文来自澎湃新闻…）`) and on the
# author (`（作者为原中央党史研究室副主任）`, `（作者系…）`).
PUBLICATION_NOTE = re.compile(
    r"[（(](?:本文|原文|文章|资料|数据)?(?:刊登|刊发|发表|原载|转载|摘自|选自|来源|来自|原题|原标题).{2,60}[）)]"
    r"|[（(]作者(?:为|系|是|单位)[^（）()]{2,60}[）)]"
)
# A line of at most this many characters, all of them marks a converter leaves (never a sentence's own
# punctuation, which may close a line the capture broke), is a stray mark, not text.
STRAY_MARK_MAX_CHARS = 4
STRAY_MARKS = frozenset("*-—–_~·•…=+#>|\\/")
IMAGE_LINE = re.compile(r"(?:!\[[^\]]*\]\([^)]*\)\s*)+")
LINK_ONLY_LINE = re.compile(r"(?:\[[^\]]*\]\([^)]*\)\s*)+")
# A list of links (`• [标题](http://…)`): related-article or "往期" lists around an article.
# An item's mark before the link: a bullet, or a number (`2、`, `(3)`, `4.`).
LINK_ITEM_MARK = re.compile(r"[•·\-*+▶►>]|[（(]\d{1,2}[）)]|\d{1,2}[、．.]")
LINK_ITEM_LINE = re.compile(rf"(?:{LINK_ITEM_MARK.pattern})?\s*(?:\[[^\]]*\]\((?:[^()]|\([^)]*\))*\)\s*)+")
# A link item wrapped over two lines: `• [标题开头` … `标题结尾](http://…)`, with or without the bullet (html2text
# wraps `[WebSocket` / `内存马/Webshell…](http://…)` in an 往期推荐 list).
LINK_FRAGMENT = re.compile(r"[•·]?\s*\[[^\]]*|[^\[]*\]\((?:https?|javascript):[^)]*\)\s*")
# A list of links to the account's other articles standing inside the body (above the references, the picture
# credit or the sign-off): its heading line, then at least RELATED_LIST_MIN_ITEMS link lines (LINK_ITEM_LINE).
RELATED_LIST_HEAD = re.compile(
    r"[\W_]*(?:推荐阅读|往期推荐|往期回顾|往期精选|往期推送|往期文章|往期阅读|精彩推荐|精彩回顾|相关阅读|相关推荐|相关文章|"
    r"延伸阅读|热门推荐|热文推荐|推荐文章|近期文章|历史文章|更多精彩|猜你喜欢)[\W_]*"
)
RELATED_LIST_MIN_ITEMS = 2
NUMBERING_ONLY = re.compile(rf"[（(]?[{CN_DIGITS}\d]+[）)]?[、．.]?")
# A bare number over a heading (`01` above `这是一个血亲复仇的故事`) numbers the chapter: a heading of this style.
# With a list mark (`1、`, `2.`) it is a list item's number the capture split from the item's text.
CHAPTER_NUMBER = re.compile(r"\d{1,3}")
CHAPTER_NUMBER_STYLE = "chapter_number"
LABEL_HEADING_MAX_CHARS = 40
# A bold label of at most this many characters before its colon (`点评：`) heads the text under it.
LABEL_WORD_MAX_CHARS = 3
# html2text tables: a lone `|` between cells, `---|---` under the header row.
# Cells of one table row, as the HTML reader renders a table (a line per row): such lines form a `table` block.
CELL_SEPARATOR = "\t"
TABLE_MARKUP = re.compile(r"\|?\s*(?::?-{3,}:?\s*\|\s*)+:?-{3,}:?\s*\|?|\|")
# Promotion that may stand inside the body (not only at its edges): account follow and star prompts.
BODY_PROMO = re.compile(
    r"设为星标|星标.{0,12}公众号|公众号.{0,20}星标|点击蓝字|关注我们|扫码关注|长按识别|欢迎关注"
)
BODY_PROMO_MAX_CHARS = 90
# The mark an editor sets under an article (`—END—`, `---End---`, `- THE END -`, `（完）`): no text of its own.
END_MARK = re.compile(
    r"[-—–=~·•*_\s]*(?:THE\s+)?END[-—–=~·•*_\s]*|[（(]\s*(?:完|全文完)\s*[）)]", re.IGNORECASE
)
# A fenced block with one short line is inline code the converter fenced: it stays in its sentence.
INLINE_FENCE_MAX_CHARS = 60
# html2text writes a `<pre>` as lines indented four spaces (a CommonMark indented code block), but it indents the
# prose of a padded WeChat paragraph the same way. A chunk of such a block (its lines between blank lines) is code
# unless it reads as Chinese prose: this share of Chinese characters, or a Chinese clause or sentence mark with
# at least the lower share (commands with a Chinese comment stay code). Measured on the 300 indented blocks of
# the shared wechat_html2text captures: code holds under 0.2 (a command with a note up to 0.44, without marks);
# prose over 0.5, or 0.2–0.5 with marks where an address or a product name is inside.
PROSE_CJK_SHARE = 0.5
PROSE_CJK_SHARE_WITH_MARKS = 0.2
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
_CHINESE_MARKS = re.compile(r"[。，；！？、]")


def reads_as_prose(text: str) -> bool:
    """Whether an indented chunk is Chinese prose rather than code (see `PROSE_CJK_SHARE`)."""
    visible = "".join(text.split())
    if not visible:
        return False
    share = len(_CJK.findall(visible)) / len(visible)
    return share >= PROSE_CJK_SHARE or (
        share >= PROSE_CJK_SHARE_WITH_MARKS and bool(_CHINESE_MARKS.search(text))
    )


HORIZONTAL_RULE = re.compile(r"(?:[-*_]\s*){3,}")
CAPTION_PREFIX = re.compile(r"(?:图|表|Figure|Fig\.?|Table)\s*[0-9一二三四五六七八九十]+", re.I)
CAPTION_MAX_CHARS = 40
# A picture caption that says so (`图为7月4日，出口商品车在烟台港等待装船。`, `上图：…`): a caption even as a full
# sentence, up to CAPTION_LEAD_MAX_CHARS.
CAPTION_LEAD = re.compile(r"(?:[上下左右中]?图为|[上下左右]图[:：]|图[:：])")
CAPTION_LEAD_MAX_CHARS = 120

# The header's author slot holds a person only if it is none of these: an organisation, a slogan, the account.
ORGANISATION_SUFFIXES = (
    "研究院",
    "研究所",
    "实验室",
    "中心",
    "公司",
    "集团",
    "团队",
    "平台",
    "小组",
    "学会",
    "协会",
    "委员会",
    "编辑部",
    "杂志社",
    "报社",
    "新闻网",
    "网站",
    "官微",
    "办公室",
    "工作室",
    "大学",
    "学院",
    "部",
    "局",
    "厅",
)
SLOGAN_MARKERS = ("让", "更", "！", "!", "，", "。", "？")

# Lead sentences: a short first sentence without clause punctuation that opens a paragraph, as a sub-heading.
LEAD_MAX_CHARS = 20
# Lead sentences come as parallel siblings: at least this many in one section, or none there.
LEAD_MIN_PER_SECTION = 2
# Openers that make a first sentence a lead whatever its length: enumerations run into the paragraph.
LEAD_ENUMERATORS = re.compile(rf"(?:[{CN_DIGITS}]+是|[（(][{CN_DIGITS}\d]+[）)]|第[{CN_DIGITS}]+[，,、]|——)")
# Parallel openers (`这五年，…。` `五年来，…。`): the same short prefix before a comma in several paragraphs.
PARALLEL_OPENER = re.compile(r"([^，,。]{2,6})[，,]")
PARALLEL_OPENER_MIN_PARAGRAPHS = 2
LEAD_PARALLEL_MAX_CHARS = 45


def lead_candidate(text: str) -> str | None:
    """The paragraph's first sentence if it has the shape of a run-in lead sentence."""
    sentence = first_sentence(text)
    if sentence is None:
        return None
    if LEAD_ENUMERATORS.match(sentence) and len(sentence) <= 2 * LEAD_MAX_CHARS:
        return sentence
    if len(sentence) <= LEAD_MAX_CHARS and not has_clause_marks(sentence):
        return sentence
    return None


# The credit roles (the vocabulary `fields.CREDIT_ROLES` is their order here), each with the labels printed for it.
CREDIT_ROLE_LABELS: dict[str, tuple[str, ...]] = {
    "source": ("来源", "转自", "转载自", "信息来源", "来源于", "稿件来源", "文章来源", "新闻来源", "原文"),
    "author": ("作者", "文", "撰文", "撰稿", "撰稿人", "执笔"),
    "editor": ("责任编辑", "责编", "编辑"),
    "reviewer": ("审核", "审校"),
    "proofreader": ("校对",),
    "supervisor": ("监制",),
    "photographer": ("摄影", "图片", "图", "摄"),
    "reporter": ("记者", "本报记者"),
    "contributor": ("供稿", "通讯员", "本报通讯员"),
    "translator": ("译者", "翻译", "译文"),
}
# Credit labels as printed → role.
CREDIT_LABELS: dict[str, str] = {
    label: role for role, labels in CREDIT_ROLE_LABELS.items() for label in labels
}
# Traditional-script captures print the same labels in traditional characters (來源, 編輯, 責任編輯 …): each label's
# forms in opencc's s2t, s2tw and s2hk (`script.traditional_variants`; a test keeps this table equal to it), written
# out because loading three opencc dictionaries cost 0.13 s of every process's start.
TRADITIONAL_LABELS: dict[str, tuple[str, ...]] = {
    "来源": ("來源",),
    "转自": ("轉自",),
    "转载自": ("轉載自",),
    "信息来源": ("信息來源",),
    "来源于": ("來源於",),
    "稿件来源": ("稿件來源",),
    "文章来源": ("文章來源",),
    "新闻来源": ("新聞來源",),
    "执笔": ("執筆",),
    "责任编辑": ("責任編輯",),
    "责编": ("責編",),
    "编辑": ("編輯",),
    "审核": ("審核", "審覈",),
    "审校": ("審校",),
    "校对": ("校對",),
    "监制": ("監製",),
    "摄影": ("攝影",),
    "图片": ("圖片",),
    "图": ("圖",),
    "摄": ("攝",),
    "记者": ("記者",),
    "本报记者": ("本報記者",),
    "通讯员": ("通訊員",),
    "本报通讯员": ("本報通訊員",),
    "译者": ("譯者",),
    "翻译": ("翻譯",),
    "译文": ("譯文",),
}  # fmt: skip
CREDIT_LABELS.update(
    {
        variant: role
        for label, role in list(CREDIT_LABELS.items())
        for variant in TRADITIONAL_LABELS.get(label, ())
    }
)
_LABELS = "|".join(sorted(map(re.escape, CREDIT_LABELS), key=len, reverse=True))
# The credit labels as one alternation, longest first (`信息来源` before `来源`).
CREDIT_LABEL_PATTERN = _LABELS
CREDIT_LINE = re.compile(rf"(?P<label>{_LABELS})\s*[:：|丨｜]\s*(?P<value>\S.*)")
# Roles whose credited people are the document's authors (a reporter writes the article).
AUTHOR_ROLES = ("author", "reporter")
# A byline this early in the body (the first blocks) is still a credit.
EARLY_CREDIT_BLOCKS = 3
# …and this late (the last blocks, above an address or a note the tail reading stopped at).
LATE_CREDIT_BLOCKS = 3
# A byline with a slash: `文/刘淑洋 亿欧专栏作者`, `图/新华社`.
SLASH_CREDIT = re.compile(rf"(?P<label>{_LABELS})\s*[/／]\s*(?P<value>[^/／\s].*)")
# A source named after a space instead of a colon: `转自 Sp4ce's Blog！`, `来源 新华社`.
_SOURCE_LABELS = "|".join(sorted(map(re.escape, CREDIT_ROLE_LABELS["source"]), key=len, reverse=True))
SPACED_SOURCE_CREDIT = re.compile(rf"(?P<label>{_SOURCE_LABELS})[ \t\u3000]+(?P<value>[^\s:：].*?)[！!。]?")
# A contributor named before the word: `医技药剂党支部、药剂科供稿`.
SUPPLIED_BY = re.compile(r"(?P<value>[^\s:：]{2,40}?)(?P<label>供稿)")
# A byline printed without a colon: `本报记者  李  鹤  李  洋` (names padded with spaces, see `pair_padded`).
BYLINE_CREDIT = re.compile(
    r"(?P<label>本报记者|本报通讯员|记者|通讯员)[\s\u3000]+(?P<value>[\u4e00-\u9fff·]{1,4}(?:[\s\u3000]+[\u4e00-\u9fff·]{1,4}){0,11})"
)
# A news dateline opening a paragraph: `新华社北京7月31日电`, `本报北京5月13日讯`.
NEWS_DATELINE = re.compile(r"\S{2,20}?\d{1,2}月\d{1,2}日\s*(?:电|讯)")
# The signature block that closes a letter, a speech or an agency release: the signer's name alone on a line, the
# date alone, and the agency's closing dateline in brackets (`（新华社北京6月18日电）`). It follows the text.
CLOSING_DATELINE = re.compile(r"[（(]\s*\S{2,20}?\d{1,2}月\d{1,2}日\s*(?:电|讯)\s*[）)]")
# The signer: a person (`习近平`, `邓学平律师`) or an office (`山河区人民政府`, `全国人大常委会办公厅`), in words alone.
SIGNER_NAME = re.compile(r"[\u4e00-\u9fff·（）]{2,20}")
SIGNER_LINES_MAX = 2
# A person who signs a document at its end with their profession (`邓学平律师` above the date of a defence speech; a
# professor's or a doctor's open letter) wrote it: its author when no credit names one. An office (`山河区人民政府`)
# or a name alone (who may be a person quoted, or an office's head signing for it) is not taken.
SIGNER_PERSON = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{2,3})(?P<position>律师|教授|研究员|医生|记者|评论员|老师)"
)
# Summary points printed above a news article's dateline (`■ “十五五”时期，要坚持…`): marked with a bullet sign, they
# stand before the article begins, so they are header, not paragraphs.
SUMMARY_BULLET = re.compile(r"[■●◆▲★□◇]\s*\S")
# Pull quotes under a newspaper's headline (long lines that never end a sentence and recur in the text): at most so
# many in a row, recognised by this many opening characters printed again below.
PULL_QUOTES_MAX = 4
PULL_QUOTE_KEY_CHARS = 16
# A photo credit line under a picture or at the end of a newspaper article: `唐  克摄（影像中国）`, `本报记者 王洋摄`,
# `新华社记者 李响 摄` (names of at most four characters, padded or separated; an agency note in brackets).
PHOTO_CREDIT = re.compile(
    r"(?:(?:本报|新华社|人民日报)?(?:特约)?记者[\s\u3000]*)?"
    r"(?P<value>[\u4e00-\u9fff·]{1,4}(?:[\s\u3000、]+[\u4e00-\u9fff·]{1,4}){0,5})[\s\u3000]*(?P<label>摄)"
    r"(?:[（(][^（()）]{1,20}[）)])?"
)
# A reporter named in a news dateline that opens the body: `新华社巴黎12月9日电（记者唐霁）`, `本报北京5月13日讯（记者
# 倪弋）`. The paragraph keeps its text; the credit points into it. Only near the start of the first paragraphs.
DATELINE_REPORTER = re.compile(
    r"(?:电|讯)\s*[（(](?P<credit>(?P<label>本报记者|记者)\s*(?P<value>[\u4e00-\u9fff·][\u4e00-\u9fff·、\s\u3000]{0,30}?))[）)]"
)
DATELINE_MAX_OFFSET = 40
# How far into a paragraph the dateline's reporter is looked for.
DATELINE_SEARCH_CHARS = 200
DATELINE_PARAGRAPHS = 2
# A credit in brackets: `（责编：汤诗瑶、丁涛）`.
BRACKETED_CREDIT = re.compile(r"[（(【\[](?P<inner>[^（()）【】\[\]]+)[）)】\]]")
# A newspaper feed lists a page's credit block as an item of its own: titled `本版责编：李 拯 李洪兴` (or `一版责编：…
# 二版责编：…`, or `编辑：…` with names only), with no text or a line or two such as `版式设计 蔡华伟` or `本版邮箱：…
# （来稿请注明栏目名）` (at most PAGE_CREDITS_TEXT_MAX_CHARS in all). Such an item is no article.
PAGE_CREDITS_TITLE = re.compile(
    rf"(?:本版|本期|本刊|[一二三四五六七八九十\d]{{1,3}}版)(?:{_LABELS})\s*[:：]?\s*\S.*"
    rf"|(?:{_LABELS})\s*[:：]\s*[\u4e00-\u9fff·]{{1,4}}(?:[\s\u3000、，,]+[\u4e00-\u9fff·]{{1,4}})*"
)
PAGE_CREDITS_TEXT_MAX_CHARS = 200
# A further credit on the same line: `编辑：A　审核：B`.
CREDIT_SPLIT = re.compile(rf"\s+(?=(?:{_LABELS})\s*[:：|丨｜/／])")
CREDIT_VALUE_MAX_CHARS = 60


# A parenthesised note at the end of a line (`（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）`,
# `（张巨峰）`): removed before comparing the line with the title.
TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]{1,80}[）)]\s*$")
# The most lines a title printed again in the text may be broken over (kicker, two title lines, passing note).
TITLE_MAX_LINES = 5
# The most lines a furniture sentence broken by hard line breaks is followed over (`…与文章作者和本` / `公众号无关。`).
BROKEN_SENTENCE_MAX_LINES = 5
# A reporter named in brackets after the last sentence of a news article: `…南美站活动将先后在巴西、乌拉圭、阿根廷举
# 行。（张巨峰）`, `（记者 李响 王洋）`. The paragraph keeps its text; the credit points into it. Names only: a
# contributing office (`（德清县发改局）`) or a note (`（完）`, `（未完待续）`) is no credit.
CLOSING_REPORTER = re.compile(
    r"(?<=[。！？!?”」])\s*[（(](?P<credit>(?:(?P<label>本报记者|记者|通讯员)[\s\u3000]*)?"
    r"(?P<value>[\u4e00-\u9fff·]{2,4}(?:[\s\u3000、]+[\u4e00-\u9fff·]{2,4}){0,3}))[）)]\s*$"
)
# Last characters of a bracketed word that make it an office or place, not a person (局, 办, 委 …).
BARE_NAME_MAX_CHARS = 3
# The label of a credit no word introduces, only the brackets around it.
BRACKETS_LABEL = "（）"
NOT_A_NAME_ENDINGS = tuple("局办委会部院厅处站社报台网所室队团司馆校县市区省镇乡村组科署")
NOT_A_NAME = frozenset(
    ("未完", "待续", "未完待续", "全文完", "下转", "上接", "转载", "原创", "摘编", "节选", "供图")
)
