r"""The old WeChat web page converted by html2text.

Shape: `# 标题`, `[原创 作者] [ 公众号 ](javascript:void\(0\);)`, the account card (`**公众号** ![]()`, `微信号 …`,
`功能介绍 …`), `___发表于_`, `收录于合集` with `#标签 N 个` lines, the body (soft-wrapped lines, blank lines
between paragraphs), the account's promotion, then the page UI from `预览时标签不可点` on.
"""

from __future__ import annotations

import re

from pipeline.dates import ISO_DATE
from pipeline.formats.base import COLUMN_TITLE, CaptureFormat, Chrome, HeaderRule
from pipeline.text import match_key

FORMAT = CaptureFormat(
    name="wechat_html2text",
    description="Old WeChat web page through html2text: account card, javascript: links, UI words at the end.",
    order=3,
    block_mode="markdown_indented_code",
    chrome=Chrome.of(
        head=("收录于合集", "收录于话题", "____", "__"),
        tail=("预览时标签不可点", "微信扫一扫", "关注该公众号", "使用小程序", "知道了", "取消 允许"),
        head_patterns=(
            r"微信号\s+\S+",
            r"_+",
            r"#\S.*\s\d+\s*个",
            r"\*\*[^*]+\*\*\s*!\[\]\(\)",
        ),
    ),
    header_rules=(
        HeaderRule("title", re.compile(COLUMN_TITLE)),
        HeaderRule(
            "byline",
            re.compile(
                r"(?:原创\s+)?(?P<author_slot>[^\[]*?)\s*\[\s*(?P<account>[^\]]+?)\s*\]\(javascript:.*\)"
            ),
        ),
        HeaderRule("intro", re.compile(r"功能介绍\s*(?P<block>.*)"), block_follows=True),
        HeaderRule("published", re.compile(rf"_*发表于_*\s*(?P<date>{ISO_DATE})?.*")),
        # A repost: `以下文章来源于 亿人安全 ，作者Xgstar`, then the origin account's card (avatar, name, slogan,
        # `2021-10-08 7 min read`).
        HeaderRule(
            "repost",
            re.compile(
                r"以下文章来源于\s*(?P<repost_of>[^，,\s]+)\s*(?:[，,]\s*作者\s*(?P<author_slot>.+))?"
            ),
        ),
        HeaderRule("origin_avatar", re.compile(r"!\[[^\]]*\]\([^)]*\)\s*"), requires="repost_of"),
        HeaderRule(
            "origin_name",
            re.compile(r"\*\*[^*]+\*\*\s*\.?\s*(?P<block>)"),
            requires="repost_of",
            block_follows=True,
        ),
        HeaderRule(
            "origin_date",
            re.compile(rf"(?P<date>{ISO_DATE})\s+\d+\s*min read"),
            requires="repost_of",
        ),
    ),
    signature=("预览时标签不可点", "微信扫一扫", "关注该公众号", "功能介绍"),
    signature_patterns=(re.compile(r"\]\(javascript:void\\\(0\\\);\)"),),
    min_signature=2,
    tail_cut=frozenset({match_key("预览时标签不可点")}),
)
