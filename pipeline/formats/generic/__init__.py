"""The fallback for captures in a format nobody has described: blank-line paragraphs, a best-effort header.

It knows no platform chrome, so it keeps every non-blank line except obvious page furniture (images,
promotion); documents parsed this way carry `capture_format = "generic"` so users can filter or check them.
"""

from __future__ import annotations

import re

from pipeline.dates import DATE
from pipeline.formats.base import DATE_RULE, CaptureFormat, Chrome, HeaderRule

FORMAT = CaptureFormat(
    name="generic",
    description="Fallback for unknown formats: paragraphs separated by blank lines, first short line as title.",
    # The fallback: last in the registry.
    order=99,
    # Markdown markup is read (and removed from text) when present; a line without markup characters passes
    # through unchanged.
    block_mode="markdown",
    date_search_lines=8,
    chrome=Chrome.of(),
    header_rules=(
        # A newspaper headline stack: the 引题 above the title ends with a dash (`中车长客高级技师胡俊祥——`), the
        # 副题 below it starts with one (`——全面打赢反腐败斗争攻坚战、持久战⑤`).
        HeaderRule("kicker", re.compile(r"(?P<kicker>[^。！？!?—]{2,60}——)")),
        # A title is a short first line that does not read as a sentence; marked as a heading (`#`), it may end
        # with a question or an exclamation mark.
        HeaderRule("title", re.compile(r"(#+)?\s*(?P<title>(?(1)[^#。][^。]{0,59}?|[^。！？!?]{1,60}?))")),
        HeaderRule("subtitle", re.compile(r"(?P<subtitle>——[^。！？!?]{2,60})")),
        # …or, in flat newspaper text, is the unindented line right above the first indented paragraph (a 副题
        # without the dash), unless it dates or credits the article.
        HeaderRule(
            "subtitle",
            re.compile(rf"(?!.*{DATE})(?P<subtitle>[^。！？!?：:]{{2,60}})"),
            requires="title",
            before_indented=True,
        ),
        DATE_RULE,
    ),
)
