"""Markup read by real parsers: exact paragraphs for each kind of inline markdown and HTML a capture holds.

The fixture `wechatmp2markdown/markup.md` is written for these tests in wechatmp2markdown's shape (every line
ending in two spaces); the html2text text below in that converter's shape (soft-wrapped lines, indented code).
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, span
from markdown_it.rules_inline.autolink import autolink

from pipeline.decode import decode_bytes
from pipeline.formats import FORMATS, detect_format
from pipeline.layers import Paragraph, raw_offsets
from pipeline.markdown import (
    _inline_parser,
    _read_markdown,
    inline_tokens,
    read_inline,
    read_lines,
    read_markdown,
)
from pipeline.parser import parse_text, span_text


def _paragraph(
    text: str, index: int, body: str, kind: str = "body", raw: str | None = None, lead: str | None = None
) -> dict:
    """The expected record; its offsets are where `raw` (the paragraph's source, default `body`) stands."""
    start, end = span(text, raw or body)
    return {
        "section_index": 0,
        "paragraph_index": index,
        "kind": kind,
        "text": body,
        "lead_sentence": lead,
        "char_start": start,
        "char_end": end,
    }


@pytest.fixture
def markup_text() -> str:
    return decode_bytes((FIXTURES / "wechatmp2markdown" / "markup.md").read_bytes()).text


def test_each_kind_of_markup_leaves_its_text(markup_text: str) -> None:
    text = markup_text
    doc = parse_text(text, detect_format(text))
    assert doc.capture_format == "wechatmp2markdown"
    assert doc.header == {
        "url": "https://mp.weixin.qq.com/s?__biz=TEST&mid=2",  # a bare address: its `__` is not emphasis
        "title": "市人大常委会召开数字治理座谈会",
        "author_slot": "王芳",
        "account": "山河人大",
        "date": "2024-06-03",
    }
    assert doc.paragraphs == [
        # A link keeps its text (address and title dropped), an image goes, strong and emphasis markers go.
        _paragraph(
            text,
            0,
            "会议由市人大常委会主任主持，与会代表围绕数据共享和平台建设发言。",
            raw='会议由[市人大常委会](https://mp.weixin.qq.com/s?__biz=TEST&mid=3 "办公厅")主任主持，'
            "![](https://mmbiz.qpic.cn/test/icon.png)与会代表围绕**数据共享**和*平台建设*发言。",
        ),
        # Bold beside CJK punctuation closes (CJK-friendly emphasis); escapes, a code span and an entity.
        _paragraph(
            text,
            1,
            "一是打通数据壁垒。推动部门共享*基础数据*，建设 data.gov 统一目录&接口。",
            raw="**一是打通数据壁垒。**推动部门共享\\*基础数据\\*，建设 `data.gov` 统一目录&amp;接口。",
            lead="一是打通数据壁垒。",
        ),
        # Inline HTML read by the HTML parser; `<br/>` ends the line, and the paragraph with it.
        _paragraph(
            text,
            2,
            "与会代表认为，数字治理要以人民为中心。",
            raw='与会代表认为，<strong>数字治理</strong>要以<span style="color: red">人民</span>为中心。',
        ),
        _paragraph(text, 3, "下一步将完善制度，加强监督。", raw="下一步将完善制度，加强<u>监督</u>。"),
        # An HTML table on one line: rows by newline, cells by tab.
        _paragraph(
            text,
            4,
            "项目\t进度\n数据目录\t已完成（6月）",
            kind="table",
            raw="<table><tbody><tr><td><strong>项目</strong></td><td>进度</td></tr><tr><td>数据目录</td>"
            "<td>已完成<br/>（6月）</td></tr></tbody></table>",
        ),
        # `<p>…</p><p>…</p>` on one line: two paragraphs, each spanning its own element.
        _paragraph(text, 5, "座谈会上，五位代表作了发言。", raw="<p>座谈会上，五位代表作了发言。</p>"),
        _paragraph(text, 6, "大家一致表示将持续跟踪。", raw="<p>大家一致表示将持续跟踪。</p>"),
        # Angle brackets that name no HTML element are text, inside a code span or not.
        _paragraph(
            text,
            7,
            "命令 grep <stdin> 里的尖括号不是标签，a<b 也不是。",
            raw="命令 `grep <stdin>` 里的尖括号不是标签，a<b 也不是。",
        ),
        # An ordered list interrupting a paragraph: each item its own list item, its number kept.
        _paragraph(text, 8, "会议明确了三项任务："),
        _paragraph(text, 9, "1. 编制数据目录", kind="list_item"),
        _paragraph(text, 10, "2. 建设共享平台", kind="list_item"),
        # Code is not markup: its lines stay as written.
        _paragraph(
            text,
            11,
            "SELECT * FROM t WHERE a<b AND c = '**x**';\nSELECT [y](z) FROM u;",
            kind="code",
            raw="SELECT * FROM t WHERE a<b AND c = '**x**';  \nSELECT [y](z) FROM u;",
        ),
    ]
    for paragraph in doc.paragraphs:
        rebuilt = span_text(text, paragraph["char_start"], paragraph["char_end"], True, paragraph["kind"])
        assert rebuilt == paragraph["text"]


def test_layer_offsets_map_only_where_the_text_stands_in_the_raw_span(markup_text: str) -> None:
    doc = parse_text(markup_text, detect_format(markup_text))
    first = doc.paragraphs[0]
    paragraph = Paragraph(0, first["text"], first["char_start"], first["char_end"])
    start = first["text"].index("数据共享")
    raw_start, raw_end = raw_offsets(paragraph, markup_text, start, start + 4)
    assert raw_start is not None and markup_text[raw_start:raw_end] == "数据共享"  # inside `**…**`
    across = first["text"].index("围绕数据共享")  # `围绕**数据共享` in the raw text: no raw span says this
    assert raw_offsets(paragraph, markup_text, across, across + 6) == (None, None)


HTML2TEXT = """# 漏洞复现笔记

原创 张明 [ 山河安全 ](javascript:void\\(0\\);)

复现环境见[山河安全
实验室](http://example.com/lab)的说明，需要 __root__ 权限。

    <script>alert("x")</script>
    console.log(1)

    这一段被转换器缩进了四个空格，但它是正文，不是代码。

最后一段。
"""


def test_html2text_links_across_lines_and_indented_code() -> None:
    text = HTML2TEXT
    doc = parse_text(text, FORMATS["wechat_html2text"])
    assert doc.paragraphs == [
        # A link the converter wrapped over two lines is still one link; `__root__` is strong emphasis.
        _paragraph(
            text,
            0,
            "复现环境见山河安全实验室的说明，需要 root 权限。",
            raw="复现环境见[山河安全\n实验室](http://example.com/lab)的说明，需要 __root__ 权限。",
        ),
        # An indented code block is code, as written (lines trimmed) ...
        _paragraph(
            text,
            1,
            '<script>alert("x")</script>\nconsole.log(1)',
            kind="code",
            raw='<script>alert("x")</script>\n    console.log(1)',
        ),
        # ... but a chunk of Chinese prose the converter indented is prose.
        _paragraph(text, 2, "这一段被转换器缩进了四个空格，但它是正文，不是代码。"),
        _paragraph(text, 3, "最后一段。"),
    ]
    for paragraph in doc.paragraphs:
        rebuilt = span_text(text, paragraph["char_start"], paragraph["char_end"], True, paragraph["kind"])
        assert rebuilt == paragraph["text"]


@pytest.mark.parametrize(
    ("source", "text", "bold_only", "lead"),
    [
        ("**点击蓝字 关注我们**", "点击蓝字 关注我们", True, None),
        ("****", "", False, None),  # an empty bold run is markup with nothing to mark
        ("** **", "", False, None),
        ("**<u>本章要点</u>**", "本章要点", True, None),
        ("<b>一是</b>加强监督。", "一是加强监督。", False, "一是"),
        ("[](http://example.com/a)", "", False, None),
        ("[对作者说句悄悄话](javascript:;)", "对作者说句悄悄话", False, None),  # not a link we follow
        ("<https://example.com/a_b_c>", "https://example.com/a_b_c", False, None),
        ("gopher://<host>:<port>/_<TCP 数据流>", "gopher://<host>:<port>/_<TCP 数据流>", False, None),
        ("vector<unsigned char> 与 x<y", "vector<unsigned char> 与 x<y", False, None),
        ("3 * 4 与 a_b_c", "3 * 4 与 a_b_c", False, None),
        ("代码 `` a`b `` 与 `<br>`", "代码 a`b 与 <br>", False, None),
        ("&lt;p&gt; 与 &#x4E2D;", "<p> 与 中", False, None),
    ],
)
def test_inline_reading(source: str, text: str, bold_only: bool, lead: str | None) -> None:
    inline = read_inline(source)
    assert (inline.text, inline.bold_only, inline.bold_lead) == (text, bold_only, lead)


def test_a_br_inside_emphasis_does_not_cut_the_line() -> None:
    """Cutting `**甲<br>乙**` would leave two unpaired `**`: the break reads as a soft one instead."""
    lines = read_lines("**甲<br>乙**\n")
    assert [(line.text, md.text, md.bold_only, line.hard_break) for line, md in lines] == [
        ("**甲<br>乙**", "甲乙", True, False),
        ("", "", False, False),
    ]


def test_br_cuts_keep_offsets_and_hard_breaks() -> None:
    text = "甲。<br/>乙<br>\n丙<p>丁</p>"
    lines = read_lines(text)
    assert [(line.start, line.end, line.hard_break, md.text) for line, md in lines] == [
        (0, 2, True, "甲。"),
        (7, 8, True, "乙"),
        (13, 14, False, "丙"),
        (14, 14, False, ""),  # a paragraph edge is an empty line between the pieces
        (14, 22, False, "丁"),
        (22, 22, False, ""),
    ]
    assert [line.number for line, _ in lines] == list(range(6))


# Sources for the inline parser's own rules: autolinks and e-mail links, tags with `:` and `@` in attributes,
# unclosed and nested angle brackets, text in angle brackets, a table line.
INLINE_SOURCES = [
    "<https://example.org/a_b?c=1>",
    "<mailto:me@example.org>",
    "写信到 <me@example.org> 或 <https://x.cn>。",
    '<span style="color: red">红</span><td data-mail="a@b.c">x</td>',
    "a < b > c <https://x.cn <b>粗</b>",
    "<stdin> and <host>:<port>",
    "<a:b> <x@y> <1@2.3> <@> <:> <>",
    "unclosed <span style=",
    "<table><tr><td>一</td><td><strong>二</strong></td></tr></table>",
    "[链接](<https://x.cn>) ![图](<a@b.c>)",
    "`<https://in.code>` \\<https://escaped.cn>",
]


def _stock_inline_tokens(source: str) -> list[tuple[str, str, int]]:
    """The tokens of `source` by the inline parser with markdown-it's own autolink rule, not `_quick_autolink`."""
    parser = _inline_parser()
    parser.inline.ruler.at("autolink", autolink)
    return [(t.type, t.content, t.level) for t in parser.parseInline(source)[0].children or []]


@pytest.mark.parametrize("source", INLINE_SOURCES)
def test_quick_autolink_reads_as_markdown_its_rule(source: str) -> None:
    assert [(t.type, t.content, t.level) for t in inline_tokens(source)] == _stock_inline_tokens(source)


def test_autolinks_are_links() -> None:
    kinds = [(t.type, t.content) for t in inline_tokens("写信到 <me@example.org> 或 <https://x.cn>。")]
    assert kinds == [
        ("text", "写信到 "),
        ("link_open", ""),
        ("text", "me@example.org"),
        ("link_close", ""),
        ("text", " 或 "),
        ("link_open", ""),
        ("text", "https://x.cn"),
        ("link_close", ""),
        ("text", "。"),
    ]


def test_inline_tokens_are_kept_for_the_last_source_only() -> None:
    first = inline_tokens("<p>一</p>")
    assert inline_tokens("<p>一</p>") is first
    inline_tokens("<p>二</p>")
    assert inline_tokens("<p>一</p>") is not first
    assert [(t.type, t.content) for t in inline_tokens("<p>一</p>")] == [(t.type, t.content) for t in first]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "```",
        "**一是应急响应。**部分",
        "> - 1. # 标题",
        "<td>一</td>",
        "a" * 256 + "**b**",
        "[链接](x) " * 40,
    ],
)
def test_memoized_line_reading_is_a_fresh_one(line: str) -> None:
    """A line read before (memoized up to 256 characters) reads as it does fresh, and the same twice."""
    first = read_markdown(line)
    assert first == _read_markdown(line) and read_markdown(line) == first
