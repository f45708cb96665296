"""Properties that hold for any text in any format: parsing never raises, offsets slice back to the text."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.formats import FORMATS
from pipeline.parser import document_fields, parse_text, span_text

PIECES = [
    "# 标题",
    "**加粗标题**",
    "![](http://img)",
    "正文  ",
    "  * 列表项",
    "> 引用",
    "**一是开头。**后文",
    "原创 某某  账号   2024-01-02 10:00",
    "```",
    "code line",
    "|",
    "---|---",
    "**攻击结果附图：**",
    "• [链接",
    "标题](http://x)",
    " **1.  **",
    "[ 账号 ](javascript:void\\(0\\);)",
    "预览时标签不可点",
    "【字号：",
    "相关报道：",
    "——2026年1月26日在某省会议上",
    "查看原文",
    "其他",
    "【要闻】标题",
    "北京人大 2023-12-23",
    "一、总体要求",
    "（二）工作措施",
    "来源:本报",
    "作者:某某 张三",
    "责编:李四",
    "继续滑动看下一个",
    "您可能也对以下帖子感兴趣",
    "坚持党的领导。其他内容。",
    "正文一段,没有句号",
    "第一章 总则",
    "1. 条目",
    "",
    " ",
    "\u3000",
    "\u00a0",
    "。",
    "“",
    "abc",
]
lines = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=25)
newline = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(lines, newline, st.sampled_from(sorted(FORMATS)))
def test_parse_never_raises_and_offsets_slice_back(parts: list[str], nl: str, name: str) -> None:
    text = nl.join(parts)
    fmt = FORMATS[name]
    doc = parse_text(text, fmt)
    document_fields(doc)
    for paragraph in doc.paragraphs:
        start, end = paragraph["char_start"], paragraph["char_end"]
        assert 0 <= start < end <= len(text)
        assert span_text(text, start, end, fmt.markdown, paragraph["kind"]) == paragraph["text"]
        if paragraph["lead_sentence"] is not None:
            assert paragraph["text"].startswith(paragraph["lead_sentence"])
    for record in doc.credits + doc.related:
        assert 0 <= record["char_start"] < record["char_end"] <= len(text)
    for section in doc.sections[1:] if doc.sections and doc.sections[0]["heading"] is None else doc.sections:
        assert span_text(text, section["char_start"], section["char_end"], fmt.markdown) == section["heading"]
    covered = sorted(
        [(p["char_start"], p["char_end"]) for p in doc.paragraphs]
        + [(d.char_start, d.char_end) for d in doc.dropped if d.char_end > d.char_start]
    )
    for (_, end), (start, _) in itertools.pairwise(covered):
        assert end <= start, "records and dropped lines never overlap"
