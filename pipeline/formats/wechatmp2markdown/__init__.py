"""WeChat articles converted to markdown by wechatmp2markdown and similar tools.

Shape: an optional `> **原文链接**: URL` line, `# 标题`, a byline `[原创] 作者  公众号   YYYY-MM-DD HH:MM`, then the
body with every line ending in two spaces (a hard break), `![](…)` image lines, `**bold**` lines as headings,
sentences the converter broke across lines, and the account's promotion at the end.
"""

from __future__ import annotations

import re

from pipeline.dates import CLOCK, HOUR_MINUTE, ISO_DATE
from pipeline.formats.base import COLUMN_TITLE, CaptureFormat, Chrome, HeaderRule

BYLINE = re.compile(
    r"(?:原创\s+)?(?:(?P<author_slot>\S.*?)\s{2,})?(?P<account>\S.*?)\s{2,}"
    rf"(?P<date>{ISO_DATE})(?:\s+{CLOCK})?"
)

FORMAT = CaptureFormat(
    name="wechatmp2markdown",
    description="WeChat article as markdown: `# title`, byline with account and time, two-space hard breaks.",
    order=2,
    block_mode="markdown",
    chrome=Chrome.of(),
    header_rules=(
        HeaderRule("url", re.compile(r"原文链接\s*[:：]\s*(?P<url>https?://\S+)")),
        HeaderRule("title", re.compile(COLUMN_TITLE)),
        HeaderRule("byline", BYLINE),
    ),
    signature_patterns=(
        re.compile(rf"^\s*(?:原创\s+)?(?:\S.*?\s{{2,}})?\S.*?\s{{2,}}{ISO_DATE} {HOUR_MINUTE}\s*$"),
        re.compile(r"^> \*\*原文链接\*\*"),
    ),
    min_signature=1,
)
