"""Text copied from a WeChat mirror page (freewechat and similar): one paragraph per line.

Shape: `查看原文` / `其他` UI lines, the title (often `【栏目】标题`), `账号 YYYY-MM-DD`, the column repeated, the body
one paragraph per line, footer credits (`来源:` `作者:` `责编:`), the related-article list (`【栏目】标题` lines),
then the mirror's own UI (`继续滑动看下一个`, `您可能也对以下帖子感兴趣`, `文章有问题?点此查看未经处理的缓存`).
"""

from __future__ import annotations

import re

from pipeline.dates import ISO_DATE
from pipeline.formats.base import COLUMN_TITLE, CaptureFormat, Chrome, HeaderRule

FORMAT = CaptureFormat(
    name="freewechat_text",
    description="Text copied from a WeChat mirror page: one paragraph per line, mirror UI around the article.",
    order=1,
    block_mode="line",
    chrome=Chrome.of(
        head=("查看原文", "其他", "阅读原文"),
        tail=("继续滑动看下一个", "您可能也对以下帖子感兴趣", "轻触阅读原文", "向上滑动看下一个"),
        anywhere=("文章有问题?点此查看未经处理的缓存",),
        related=r"【(?P<column>[^【】]{1,40})】(?P<title>.+)",
    ),
    header_rules=(
        HeaderRule("title", re.compile(COLUMN_TITLE)),
        HeaderRule("byline", re.compile(rf"(?P<account>\S.{{0,39}}?)\s+(?P<date>{ISO_DATE})")),
        HeaderRule("column_repeat", repeat_of="column"),
    ),
    signature=(
        "文章有问题?点此查看未经处理的缓存",
        "继续滑动看下一个",
        "您可能也对以下帖子感兴趣",
        "查看原文",
    ),
    min_signature=2,
)
