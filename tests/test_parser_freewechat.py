"""Exact records for freewechat_text captures: the example capture and a fixture written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FIXTURES, span

from pipeline.formats import FORMATS, detect_format
from pipeline.parser import document_fields, parse_text

FREEWECHAT = FORMATS["freewechat_text"]
PLATFORM_LINES = (
    "查看原文",
    "其他",
    "继续滑动看下一个",
    "您可能也对以下帖子感兴趣",
    "文章有问题?点此查看未经处理的缓存",
)


def test_example_is_detected_as_freewechat(example_text: str) -> None:
    assert detect_format(example_text).name == "freewechat_text"


def test_example_document_fields(example_text: str) -> None:
    fields = document_fields(parse_text(example_text, FREEWECHAT))
    assert fields == {
        "account": "北京人大",
        "published_date": dt.date(2023, 12, 23),
        "column": "学习贯彻人大工作会议精神",
        "title": "怀柔区委书记郭延红:奋力谱写新时代人民代表大会制度的怀柔篇章",
        "kicker": None,
        "subtitle": None,
        "authors": ["郭延红"],
        "author_positions": ["中共北京市怀柔区委书记"],
        "editors": ["吕明"],
        "source": "《北京人大》杂志",
        "n_sections": 4,
        "n_paragraphs": 14,
        "n_chars": fields["n_chars"],
    }
    doc = parse_text(example_text, FREEWECHAT)
    assert fields["n_chars"] == sum(len(p["text"]) for p in doc.paragraphs)


def test_example_sections(example_text: str) -> None:
    doc = parse_text(example_text, FREEWECHAT)
    headings = [
        "牢牢把握政治方向,持续加强党对人大工作的全面领导",
        "充分聚焦区域发展,以首善标准推动人大工作提质增效",
        "保障人民当家作主,坚定不移推进全过程人民民主建设",
    ]
    expected = [{"section_index": 0, "heading": None, "level": 0, "char_start": None, "char_end": None}]
    for index, heading in enumerate(headings, start=1):
        start, end = span(example_text, heading)
        expected.append(
            {"section_index": index, "heading": heading, "level": 1, "char_start": start, "char_end": end}
        )
    assert doc.sections == expected


def test_example_paragraphs_and_lead_sentences(example_text: str) -> None:
    doc = parse_text(example_text, FREEWECHAT)
    body_lines = [line for line in example_text.split("\n")[10:40] if line.strip()]
    headings = {s["heading"] for s in doc.sections}
    expected_texts = [line for line in body_lines if line not in headings]
    assert [p["text"] for p in doc.paragraphs] == expected_texts
    assert len(doc.paragraphs) == 14
    assert [p["section_index"] for p in doc.paragraphs] == [0] + [1] * 4 + [2] * 4 + [3] * 5
    assert all(p["kind"] == "body" for p in doc.paragraphs)
    assert [p["lead_sentence"] for p in doc.paragraphs if p["lead_sentence"]] == [
        "坚持在党的领导下做好人大工作。",
        "坚持以党的创新理论指导人大工作。",
        "坚持用党的制度优势推动人大工作。",
        "围绕全区中心工作提高监督实效。",
        "围绕全面依法治区深化法治建设。",
        "围绕推动决定任免提升履职效能。",
        "切实加强履职平台建设。",
        "充分发挥人大代表作用。",
        "加强人大“四个机关”建设。",
    ]
    assert doc.paragraphs[0]["text"].startswith("2021年10月,党中央")
    assert doc.paragraphs[-1]["text"].endswith("以实际行动迎接党的二十大胜利召开!")
    for paragraph in doc.paragraphs:
        assert example_text[paragraph["char_start"] : paragraph["char_end"]] == paragraph["text"]


def test_example_related_and_credits(example_text: str) -> None:
    doc = parse_text(example_text, FREEWECHAT)
    assert [(r["column"], r["title"][:8]) for r in doc.related] == [
        ("要闻", "在习近平生态文明"),
        ("要闻", "市委常委会召开会"),
        ("要闻", "市人大常委会召开"),
        ("学习贯彻人大工作会议精神", "平谷区委书记唐海"),
        ("学习贯彻人大工作会议精神", "平谷区人大常委会"),
        ("评论", "千头万绪的事就是"),
        ("学习", "“战争是一面镜子"),
        ("聚焦", "绿水青山的法治守"),
    ]
    assert [r["item_index"] for r in doc.related] == list(range(8))
    assert [(c["role"], c["label"]) for c in doc.credits] == [
        ("source", "来源"),
        ("author", "作者"),
        ("editor", "责编"),
    ]


def test_example_no_platform_line_in_any_record(example_text: str) -> None:
    doc = parse_text(example_text, FREEWECHAT)
    texts = [p["text"] for p in doc.paragraphs] + [s["heading"] or "" for s in doc.sections]
    texts += [r["title"] for r in doc.related] + [c["value"] for c in doc.credits]
    for line in PLATFORM_LINES:
        assert not any(line in text for text in texts), line
    dropped = [d.text for d in doc.dropped if d.reason == "chrome"]
    assert dropped == list(PLATFORM_LINES)


FIXTURE = FIXTURES / "freewechat_text" / "sample.txt"


@pytest.fixture
def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def test_fixture_exact_records(fixture_text: str) -> None:
    doc = parse_text(fixture_text, detect_format(fixture_text))
    assert doc.capture_format == "freewechat_text"
    assert doc.header == {
        "column": "代表风采",
        "title": "青山区人大常委会:把代表之家建在群众身边",
        "account": "青山人大",
        "date": "2024-03-05",
    }
    paragraphs = [
        (0, "2023年,青山区人大常委会围绕“家站点”建设,推动代表履职走深走实。", None),
        (1, "完善硬件设施。全区建成12个代表之家,覆盖所有街道。", "完善硬件设施。"),
        (1, "健全制度机制。常委会制定《代表之家运行办法》,明确活动频次。", "健全制度机制。"),
        (2, "代表定期进站接待群众,收集意见建议86条,办结率达到95%。", None),
    ]
    expected = []
    for index, (section, text, lead) in enumerate(paragraphs):
        start, end = span(fixture_text, text)
        expected.append(
            {
                "section_index": section,
                "paragraph_index": index,
                "kind": "body",
                "text": text,
                "lead_sentence": lead,
                "char_start": start,
                "char_end": end,
            }
        )
    assert doc.paragraphs == expected
    assert [(s["heading"], s["level"]) for s in doc.sections] == [
        (None, 0),
        ("建好阵地,让代表有处履职", 1),
        ("用好平台,让群众有话能说", 1),
    ]
    credit_values = [
        ("source", "来源", "青山人大"),
        ("author", "作者", "青山区人大常委会代表工委 王小明、李华"),
        ("editor", "编辑", "赵静"),
        ("reviewer", "审核", "孙强"),
    ]
    expected_credits = []
    for position, (role, label, value) in enumerate(credit_values):
        start, end = span(fixture_text, f"{label}:{value}")
        expected_credits.append(
            {
                "item_index": position,
                "role": role,
                "label": label,
                "value": value,
                "char_start": start,
                "char_end": end,
            }
        )
    assert doc.credits == expected_credits
    related = [("要闻", "区人大常委会召开第十次会议"), ("履职", "代表视察城市更新项目")]
    assert doc.related == [
        {
            "item_index": i,
            "column": c,
            "title": t,
            "char_start": span(fixture_text, f"【{c}】{t}")[0],
            "char_end": span(fixture_text, f"【{c}】{t}")[1],
        }
        for i, (c, t) in enumerate(related)
    ]
    fields = document_fields(doc)
    assert fields["authors"] == ["王小明", "李华"]
    assert fields["author_positions"] == ["青山区人大常委会代表工委", None]
    assert fields["editors"] == ["赵静"]  # 审核 is a reviewer, not an editor
    assert fields["source"] == "青山人大"


def test_fullwidth_question_mark_variant_of_marker_is_chrome(fixture_text: str) -> None:
    doc = parse_text(fixture_text, FREEWECHAT)
    assert "文章有问题？点此查看未经处理的缓存" in [d.text for d in doc.dropped]


def test_related_lines_without_tail_chrome_stay_body() -> None:
    """A closing 【…】 paragraph is body unless the platform's related-list chrome follows it."""
    text = "标题\n\n账号 2024-01-02\n\n正文第一段。\n【编者按】这是正文的一部分。\n"
    doc = parse_text(text, FREEWECHAT)
    assert doc.related == []
    assert [p["text"] for p in doc.paragraphs] == ["正文第一段。", "【编者按】这是正文的一部分。"]
