"""HTML read by lxml: a saved page (its main element) or a feed item's HTML, rendered as paragraphs.

The rendering (see `pipeline.html`) is already clean structure: one paragraph per block separated by blank
lines, `#` headings, `**bold**` lines, `- ` list items. So the format is the generic one's markdown reading with
no platform chrome of its own; the page's title, date, site and address come from the page's metadata as
container columns do. It is never detected from text: ingest chooses it for HTML input.
"""

from __future__ import annotations

import re

from pipeline.dates import CHINESE_DATE
from pipeline.formats.base import DATE_RULE, CaptureFormat, Chrome, HeaderRule

FORMAT = CaptureFormat(
    name="html",
    description="HTML page or feed item read with lxml and rendered as paragraphs (metadata from the page).",
    order=5,
    block_mode="markdown",
    date_search_lines=8,
    chrome=Chrome.of(),
    header_rules=(
        # A newspaper's headline stack: 引题 (an h3 above the headline), 主题 (the h1), 副题 (an h2 below it).
        HeaderRule("kicker", re.compile(r"#{3,6}\s*(?P<kicker>[^。！？!?]{1,80}?)")),
        # The headline may ask or exclaim, at its end or inside (`新年伊始，习近平的重要文章谈了啥？`, `补壹刀：别笑！18人的
        # “新八国联军”今天成立了`); a full stop makes it a sentence.
        HeaderRule("title", re.compile(r"#\s*(?P<title>[^#。][^。]{0,79}?)")),
        HeaderRule("subtitle", re.compile(r"##\s*(?P<subtitle>[^#][^。！？!?]{0,79}?)")),
        # A newspaper's imprint line: `《人民日报》（2026年05月14日 第 01 版）` names the paper and the day.
        HeaderRule(
            "imprint",
            re.compile(
                rf".*?《(?P<account>[^》]{{2,20}})》\s*[（(]\s*(?P<date>{CHINESE_DATE})\s*第?\s*\d+\s*版\s*[）)]"
            ),
        ),
        DATE_RULE,
    ),
)
