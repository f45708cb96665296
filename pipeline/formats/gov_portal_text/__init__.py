"""Text of a government portal page (often the `full_text` cell of a CSV row): one paragraph per line.

Shape: page controls (`下载 打印 全屏 收藏 【字号： 加大 还原 减小 】`, breadcrumbs `首页 > …`), the title, the
occasion (`——2026年1月26日在…人民代表大会第四次会议上`), `来源：` and `时间：` (values sometimes on the next line),
the speaker (`河北省人民政府省长 王正谱`), a photo caption, the body from `各位代表：`, then `责任编辑：`, `相关报道：`,
`打印本页`, `关闭窗口` and the like.
"""

from __future__ import annotations

import re

from pipeline.dates import CHINESE_CLOCK, CHINESE_DATE, SPACED_DATE
from pipeline.formats.base import COLUMN_TITLE, CaptureFormat, Chrome, HeaderRule
from pipeline.people import OFFICIAL_TITLE
from pipeline.text import match_key

# `时间：2026-01-26 10:30`, `日期：2026年1月26日`.
DATE = rf"{SPACED_DATE}(?:\s*{CHINESE_CLOCK})?"

FORMAT = CaptureFormat(
    name="gov_portal_text",
    description="Government portal page text: page controls, title, occasion, 来源/时间, speaker, then the body.",
    order=4,
    block_mode="line",
    chrome=Chrome.of(
        head=(
            "下载",
            "打印",
            "全屏",
            "收藏",
            "【字号：",
            "【字体：",
            "加大",
            "还原",
            "减小",
            "大",
            "中",
            "小",
            "】",
            "分享：",
            "您的位置：",
            "当前位置：",
            "时间：",
            "日期：",
        ),
        tail=("》》点击图片进入专题《《", "收藏", "|", "分享到：", "分享到微信", "×"),
        # `首页` `>` `政府信息公开` `>` `政策解读`: the page's breadcrumb, one item per line.
        breadcrumb=(">", "›", "»", "＞"),
    ),
    header_rules=(
        # `王正谱作政府工作报告。本报记者 霍艳恩摄`, `省长赵刚作政府工作报告`: a photo caption printed above the body,
        # not the title (`…省政府工作报告`); first, so that no other rule reads it.
        HeaderRule("photo_caption", re.compile(r".*(?:摄\s*|作政府工作报告。?)"), repeatable=True),
        HeaderRule("title", re.compile(COLUMN_TITLE)),
        HeaderRule(
            "occasion",
            re.compile(
                rf"(?:——?)?\s*[（(]?{CHINESE_DATE}在.*?(?:上[）)]?|$)"
                rf"(?:\s+(?P<byline_position>\S*?{OFFICIAL_TITLE})\s*(?P<byline_name>\S(?:\s?\S){{1,3}}))?"
            ),
            repeatable=True,
        ),
        HeaderRule("occasion_rest", re.compile(r"\S*(?:人民代表大会|会议)\S*上[）)]?"), repeatable=True),
        HeaderRule("title_repeat", repeat_of="title", repeatable=True),
        HeaderRule(
            "date", re.compile(rf"(?:(?:时间|日期|发布时间)\s*[:：]\s*)?(?P<date>{DATE})"), repeatable=True
        ),
        HeaderRule(
            "speaker",
            re.compile(
                rf"(?P<byline_position>\S*?{OFFICIAL_TITLE})?[\s\u3000]*(?P<byline_name>[\u4e00-\u9fff](?:[\s\u3000]?[\u4e00-\u9fff]){{1,3}})"
            ),
        ),
    ),
    signature=("【字号：", "【字体：", "打印本页", "关闭窗口", "扫一扫在手机打开当前页", "相关报道："),
    signature_patterns=(
        re.compile(rf"^(?:——?)?\s*[（(]?{CHINESE_DATE}在\S*(?:省|市|区|自治区|人民代表大会|会议)"),
        re.compile(r"^各位代表[：:]$"),
    ),
    min_signature=2,
    tail_cut=frozenset(
        map(
            match_key,
            (
                "相关报道：",
                "扫一扫在手机打开当前页",
                "打印本页",
                "关闭窗口",
                "相关文档：",
                "相关附件>>",
                "相关链接>>",
            ),
        )
    ),
)
